"""People of an organisation: roles, deactivation, unlocking, their sessions, the organisation's sign-in policy.

The last active admin of an organisation can be neither demoted nor deactivated. Two admins demoting each other
at once must not both succeed, so each change locks the organisation's active admin rows (in id order, so two
changes never deadlock) before it counts them: the second waits for the first and counts what it left.
"""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tracker.errors import ApplicationError, ConflictError
from tracker.models import Organisation, User
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user

from ..lockout import lockout_clear
from ..models import AccessPolicy, LoginEvent, UserSession
from ..selectors import lockout_addresses, users_of
from .audit import login_event_record


def _active_admin_ids(organisation: Organisation) -> list[int]:
    """Lock and return the organisation's active admins (SELECT ... FOR UPDATE)."""
    rows = (
        User.objects.select_for_update()
        .filter(users_of(organisation), role=User.Role.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(rows)


def _refuse_if_last_admin(user: User, organisation: Organisation, what: str) -> None:
    admins = _active_admin_ids(organisation)
    if user.pk in admins and len(admins) == 1:
        raise ConflictError(f"{user} is the organisation's last active admin and cannot be {what}")


def _locked_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def user_change_role(
    *, actor: User | None, user: User, role: str, request: HttpRequest | None = None, channel: str | None = None
) -> User:
    """Give `user` another role. `actor=None` is single sign-on applying the provider's role claim."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    if role not in User.Role.values:
        raise ApplicationError(f"unknown role {role!r}")
    organisation = organisation_for_user(user)
    if role != User.Role.ADMIN:
        _refuse_if_last_admin(user, organisation, "demoted")
    user = _locked_user(user)
    if user.role == role:
        return user
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    login_event_record(
        kind=LoginEvent.Kind.ROLE_CHANGED,
        request=request,
        user=user,
        actor=actor,
        organisation=organisation,
        channel=channel or (LoginEvent.Channel.SSO if actor is None else LoginEvent.Channel.USERS_PAGE),
        detail={"from": previous, "to": role},
    )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, request: HttpRequest | None = None) -> User:
    """Deactivate (sign-in refused, every session ended; never deleted, so their history keeps their name) or
    reactivate a user."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    organisation = organisation_for_user(user)
    if not active:
        if actor is not None and actor.pk == user.pk:
            raise ConflictError("you cannot deactivate yourself")
        _refuse_if_last_admin(user, organisation, "deactivated")
    user = _locked_user(user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        user_sessions_end(user=user)
    login_event_record(
        kind=LoginEvent.Kind.REACTIVATED if active else LoginEvent.Kind.DEACTIVATED,
        request=request,
        user=user,
        actor=actor,
        organisation=organisation,
        channel=LoginEvent.Channel.USERS_PAGE,
    )
    return user


def user_unlock(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """End a lockout now: the account name's failures, and those of the addresses it was locked out from within
    the cool-off (a person who typed a wrong password five times locked both)."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    addresses = lockout_addresses(user=user, since=since)
    lockout_clear(username=user.get_username(), ip_addresses=addresses)
    login_event_record(
        kind=LoginEvent.Kind.UNLOCKED,
        request=request,
        user=user,
        actor=actor,
        channel=LoginEvent.Channel.USERS_PAGE,
        detail={"addresses": addresses},
    )


def user_session_record(*, user: User, session_key: str | None) -> None:
    """Remember a signed-in session of `user` (on sign-in), so it can be ended later."""
    if session_key:
        UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def user_session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of `user` but `keep_session_key` (the one that changed the password), in whatever
    SESSION_ENGINE holds them. Returns how many were ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.filter(session_key__in=keys).delete()
    if keep_session_key:
        user_session_record(user=user, session_key=keep_session_key)
    return len(keys)


@transaction.atomic
def access_policy_set(
    *, actor: User, organisation: Organisation, password_login: bool, request: HttpRequest | None = None
) -> AccessPolicy:
    """Turn local passwords on or off for an organisation. Off needs single sign-on configured, or nobody but a
    superuser could sign in."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    from ..oidc import sso_enabled

    if not password_login and not sso_enabled():
        raise ConflictError("single sign-on is not configured, so passwords cannot be turned off")
    policy, _ = AccessPolicy.objects.select_for_update().get_or_create(organisation=organisation)
    if policy.password_login != password_login:
        policy.password_login = password_login
        policy.save(update_fields=["password_login", "updated_at"])
        login_event_record(
            kind=LoginEvent.Kind.POLICY_CHANGED,
            request=request,
            actor=actor,
            user=actor,
            organisation=organisation,
            channel=LoginEvent.Channel.USERS_PAGE,
            detail={"password_login": password_login},
        )
    return policy


def _free_username(email: str) -> str:
    base = email[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def user_create_from_sso(
    *, email: str, first_name: str, last_name: str, role: str, organisation: Organisation, request=None
) -> User:
    """A person single sign-on vouched for, from a domain OIDC_ALLOWED_DOMAINS lets in: a user with no usable
    password, named by their address."""
    user = User(
        username=_free_username(email),
        email=email,
        first_name=first_name[:150],
        last_name=last_name[:150],
        role=role,
        organisation=organisation,
    )
    user.set_unusable_password()
    user.save()
    login_event_record(
        kind=LoginEvent.Kind.INVITATION_ACCEPTED,
        request=request,
        user=user,
        organisation=organisation,
        channel=LoginEvent.Channel.SSO,
        detail={"email": email, "role": role, "allowed_domain": email.rpartition("@")[2]},
    )
    return user
