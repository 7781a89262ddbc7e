"""Settings → Users: admins only, their own organisation; invitations, roles, deactivation, the last admin, the
audit with its filters and a constant number of queries."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Invitation, LoginEvent, UserSession
from accounts.services.audit import login_event_record
from accounts.services.users import user_change_role, user_set_active
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import UserFactory
from tracker.errors import ConflictError, PermissionDeniedError
from tracker.models import Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin(db):
    """An admin who is not a superuser: only the role grants the page."""
    return UserFactory(username="olga", role=User.Role.ADMIN)


@pytest.fixture
def admin_client(org_admin):
    client = Client()
    client.force_login(org_admin)
    return client


def test_only_admins_see_the_page(client, producer, viewer, org_admin):
    for user in (producer, viewer):
        client.force_login(user)
        assert client.get(reverse("accounts:users")).status_code == 403
        assert client.post(reverse("accounts:users"), {"email": "x@example.com", "role": "ADMIN"}).status_code == 403
    client.force_login(org_admin)
    assert client.get(reverse("accounts:users")).status_code == 200


def test_the_page_lists_only_the_admins_organisation(admin_client, producer):
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    stranger = UserFactory(username="stranger", organisation=other)
    page = admin_client.get(reverse("accounts:users")).content.decode()
    assert 'data-username="priya"' in page and 'data-username="stranger"' not in page
    # Another organisation's user is "not found", for every action.
    assert admin_client.post(reverse("accounts:user_role", args=[stranger.pk]), {"role": "ADMIN"}).status_code == 404
    assert admin_client.post(reverse("accounts:user_active", args=[stranger.pk]), {"active": "0"}).status_code == 404


def test_invite_by_email_then_accept_and_sign_in(admin_client, org_admin, settings, django_capture_on_commit_callbacks):
    settings.TRACKER_PUBLIC_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:users"), {"email": "New.Person@Studio.example", "role": "REVIEWER"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@studio.example" and invitation.role == "REVIEWER"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@studio.example"]
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash != token and token not in str(LoginEvent.objects.values_list("detail", flat=True))

    invitee = Client()
    assert invitee.get(link).status_code == 200
    response = invitee.post(
        link,
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Person",
            "password1": "a-long-pass-42",
            "password2": "a-long-pass-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert (user.role, user.organisation, user.email) == (
        "REVIEWER",
        org_admin.organisation,
        "new.person@studio.example",
    )
    assert invitee.session["_auth_user_id"] == str(user.pk)
    # The link works once.
    assert Client().get(link).status_code == 404
    kinds = set(LoginEvent.objects.values_list("kind", flat=True))
    assert {LoginEvent.Kind.INVITED, LoginEvent.Kind.INVITATION_ACCEPTED, LoginEvent.Kind.LOGIN} <= kinds


def test_an_address_with_an_account_is_not_invited(admin_client, producer):
    response = admin_client.post(reverse("accounts:users"), {"email": producer.email.upper(), "role": "VIEWER"})
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_again_replaces_the_link(admin_client, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("accounts:users"), {"email": "twice@studio.example", "role": "VIEWER"})
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    first = re.search(r"(/\S+/invitations/\S+/)", mail.outbox[0].body).group(1)
    assert Client().get(first).status_code == 404


def test_change_role_and_the_audit_records_who_from_what(admin_client, org_admin, producer):
    response = admin_client.post(reverse("accounts:user_role", args=[producer.pk]), {"role": "VIEWER"})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.role == "VIEWER"
    event = LoginEvent.objects.get(kind=LoginEvent.Kind.ROLE_CHANGED)
    assert (event.user, event.actor, event.detail) == (producer, org_admin, {"from": "PRODUCER", "to": "VIEWER"})


def test_deactivate_ends_their_sessions_and_refuses_sign_in(admin_client, producer):
    theirs = Client()
    theirs.post(reverse("login"), {"username": "priya", "password": "pass-for-tests-1"})
    assert theirs.get(reverse("home")).status_code == 200
    key = theirs.session.session_key
    assert UserSession.objects.filter(user=producer, session_key=key).exists()

    admin_client.post(reverse("accounts:user_active", args=[producer.pk]), {"active": "0"})
    producer.refresh_from_db()
    assert not producer.is_active
    assert not Session.objects.filter(session_key=key).exists()
    assert theirs.get(reverse("home")).status_code == 302
    assert Client().post(reverse("login"), {"username": "priya", "password": "pass-for-tests-1"}).status_code == 200
    # Never deleted; reactivated, they sign in again.
    admin_client.post(reverse("accounts:user_active", args=[producer.pk]), {"active": "1"})
    assert Client().post(reverse("login"), {"username": "priya", "password": "pass-for-tests-1"}).status_code == 302


def test_the_last_active_admin_is_neither_demoted_nor_deactivated(org_admin, admin_user):
    # Two active admins: olga and ada (a superuser with role ADMIN). One may go, the last may not.
    user_set_active(actor=org_admin, user=admin_user, active=False)
    with pytest.raises(ConflictError, match="last active admin"):
        user_change_role(actor=org_admin, user=org_admin, role=User.Role.PRODUCER)
    with pytest.raises(ConflictError, match="cannot deactivate yourself"):
        user_set_active(actor=org_admin, user=org_admin, active=False)
    user_set_active(actor=org_admin, user=admin_user, active=True)
    user_set_active(actor=admin_user, user=org_admin, active=False)
    with pytest.raises(ConflictError, match="last active admin"):
        user_change_role(actor=admin_user, user=admin_user, role=User.Role.PRODUCER)
    admin_user.refresh_from_db()
    assert admin_user.role == User.Role.ADMIN and admin_user.is_active


def test_the_page_shows_a_refusal_for_the_last_admin(admin_client, org_admin):
    response = admin_client.post(reverse("accounts:user_role", args=[org_admin.pk]), {"role": "VIEWER"}, follow=True)
    assert "last active admin" in response.content.decode()
    org_admin.refresh_from_db()
    assert org_admin.role == "ADMIN"


def test_only_admins_may_change_people(producer, viewer):
    with pytest.raises(PermissionDeniedError):
        user_change_role(actor=producer, user=viewer, role=User.Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        user_set_active(actor=producer, user=viewer, active=False)


def test_the_audit_filters_and_pages_in_constant_queries(admin_client, org_admin, producer):
    def page_queries(url):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    for _ in range(3):
        login_event_record(kind=LoginEvent.Kind.LOGIN_FAILED, user=producer)
    small = page_queries(reverse("accounts:users"))
    for index in range(120):
        login_event_record(kind=LoginEvent.Kind.LOGIN_FAILED, user=UserFactory(username=f"p{index}"))
    assert page_queries(reverse("accounts:users")) == small
    body = admin_client.get(reverse("accounts:users") + f"?person={producer.pk}&kind=LOGIN_FAILED").content.decode()
    assert body.count('data-testid="audit-row"') == 3
    paged = admin_client.get(reverse("accounts:users") + "?kind=LOGIN_FAILED&page=2").content.decode()
    assert "kind=LOGIN_FAILED&amp;page=1" in paged
    # Another organisation's events are never listed.
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    login_event_record(kind=LoginEvent.Kind.LOGIN, user=UserFactory(username="zz-elsewhere", organisation=other))
    assert "zz-elsewhere" not in admin_client.get(reverse("accounts:users") + "?kind=LOGIN").content.decode()


def test_the_settings_menu_has_users_for_admins(admin_client):
    body = admin_client.get(reverse("accounts:users")).content.decode()
    assert re.search(r'<a href="[^"]*/settings/users/"[^>]*>Users', body)


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    require_postgres()
    first = UserFactory(username="first-admin", role=User.Role.ADMIN)
    second = UserFactory(username="second-admin", role=User.Role.ADMIN)
    results = run_at_once(
        [
            lambda: user_change_role(actor=first, user=second, role=User.Role.VIEWER),
            lambda: user_change_role(actor=second, user=first, role=User.Role.VIEWER),
        ]
    )
    refused = [result for result in results if isinstance(result, ConflictError)]
    assert len(refused) == 1, results
    assert User.objects.filter(role=User.Role.ADMIN, is_active=True).count() == 1
