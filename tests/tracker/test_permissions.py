import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import UserFactory
from tracker.models import User
from tracker.permissions import ROLE_PERMISSIONS, Permission, has_permission, permissions_for


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (User.Role.ADMIN, Permission.PROJECT_CREATE, True),
        (User.Role.PRODUCER, Permission.PROJECT_CREATE, True),
        (User.Role.REVIEWER, Permission.PROJECT_CREATE, False),
        (User.Role.VIEWER, Permission.PROJECT_CREATE, False),
        (User.Role.ADMIN, Permission.DELIVERABLE_CREATE, True),
        (User.Role.PRODUCER, Permission.DELIVERABLE_CREATE, True),
        (User.Role.REVIEWER, Permission.DELIVERABLE_CREATE, False),
        (User.Role.VIEWER, Permission.DELIVERABLE_CREATE, False),
        (User.Role.REVIEWER, Permission.STAGE_APPROVE, True),
        (User.Role.PRODUCER, Permission.STAGE_APPROVE, True),
        (User.Role.VIEWER, Permission.STAGE_APPROVE, False),
        (User.Role.REVIEWER, Permission.REVIEW_RUN, True),
        (User.Role.VIEWER, Permission.REVIEW_RUN, False),
        (User.Role.PRODUCER, Permission.ADMIN_SETTINGS, False),
        (User.Role.ADMIN, Permission.ADMIN_SETTINGS, True),
        (User.Role.REVIEWER, Permission.BRIEF_TRIAGE, False),
        (User.Role.PRODUCER, Permission.BRIEF_TRIAGE, True),
    ],
)
def test_role_permission_map(db, role, permission, allowed):
    assert has_permission(UserFactory(role=role), permission) is allowed


def test_admin_has_every_permission_and_viewer_none():
    assert ROLE_PERMISSIONS[User.Role.ADMIN] == frozenset(Permission)
    assert ROLE_PERMISSIONS[User.Role.VIEWER] == frozenset()


def test_anonymous_and_inactive_users_have_no_permission(db):
    assert permissions_for(AnonymousUser()) == frozenset()
    assert permissions_for(UserFactory(role=User.Role.ADMIN, is_active=False)) == frozenset()


def test_superuser_has_every_permission_whatever_the_role(db):
    assert permissions_for(UserFactory(role=User.Role.VIEWER, is_superuser=True)) == frozenset(Permission)
