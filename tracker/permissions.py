"""Roles -> permissions.

The rule (docs/ARCHITECTURE.md): every write is gated in its service with `require_permission(actor, ...)`, so
a page, the REST API and Django admin are checked once, in the same place. `actor=None` is an upstream system
that its edge already authenticated (a signed webhook, an API key with the right scope). Views only ask
`has_permission` to decide what to show, and to gate the few pages that only read admin data.
"""

from enum import StrEnum

from .errors import PermissionDeniedError
from .models import User


class Permission(StrEnum):
    BRIEF_TRIAGE = "BRIEF_TRIAGE"  # promote, reject, reopen briefs
    PROJECT_CREATE = "PROJECT_CREATE"
    PROJECT_EDIT = "PROJECT_EDIT"
    DELIVERABLE_CREATE = "DELIVERABLE_CREATE"
    DELIVERABLE_EDIT = "DELIVERABLE_EDIT"  # status, assignee, NONE-gate stage completion
    STAGE_APPROVE = "STAGE_APPROVE"  # SIMPLE-gate approval
    REVISION_UPLOAD = "REVISION_UPLOAD"
    FEEDBACK_WRITE = "FEEDBACK_WRITE"  # annotations and feedback items
    REVIEW_RUN = "REVIEW_RUN"  # build, start, present and complete review sessions
    BOX_PUSH = "BOX_PUSH"  # "Send to client (Box)" and retries
    ADMIN_SETTINGS = "ADMIN_SETTINGS"  # pipeline editor, API keys, Box and webhook settings


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    User.Role.ADMIN: frozenset(Permission),
    User.Role.PRODUCER: frozenset(
        {
            Permission.BRIEF_TRIAGE,
            Permission.PROJECT_CREATE,
            Permission.PROJECT_EDIT,
            Permission.DELIVERABLE_CREATE,
            Permission.DELIVERABLE_EDIT,
            Permission.STAGE_APPROVE,
            Permission.REVISION_UPLOAD,
            Permission.FEEDBACK_WRITE,
            Permission.REVIEW_RUN,
            Permission.BOX_PUSH,
        }
    ),
    User.Role.REVIEWER: frozenset(
        {Permission.STAGE_APPROVE, Permission.FEEDBACK_WRITE, Permission.REVIEW_RUN, Permission.REVISION_UPLOAD}
    ),
    User.Role.VIEWER: frozenset(),
}


def permissions_for(user) -> frozenset[Permission]:
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Permission)
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def has_permission(user, permission: Permission) -> bool:
    return permission in permissions_for(user)


def require_permission(actor, permission: Permission) -> None:
    """The server-side gate for a write. Raises PermissionDeniedError; `None` is a trusted upstream system."""
    if actor is not None and not has_permission(actor, permission):
        raise PermissionDeniedError("permission denied")
