"""Single sign-on against a fake OpenID Connect provider on loopback that signs real RS256 tokens."""

from urllib.parse import urlparse

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from accounts.models import AccessPolicy, Invitation, LoginEvent
from accounts.services.invitations import invitation_create
from tests.factories import UserFactory
from tracker.models import User

pytestmark = pytest.mark.django_db


def sso_sign_in(client: Client) -> object:
    """Walk the code flow: our start page -> the provider (which consents at once) -> our callback."""
    start = client.get(reverse("accounts:sso_login"))
    assert start.status_code == 302, start
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    back = urlparse(at_provider.headers["Location"])
    return client.get(back.path + "?" + back.query)


def signed_in_user(client: Client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_sso_is_off_unless_configured(client):
    assert client.get(reverse("accounts:sso_login")).status_code == 404
    assert "sso-login" not in client.get(reverse("login")).content.decode()


def test_an_existing_user_signs_in_by_email(oidc_provider, producer):
    oidc_provider.claims = {"email": producer.email.upper(), "email_verified": True}
    client = Client()
    assert 'data-testid="sso-login"' in client.get(reverse("login")).content.decode()
    response = sso_sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in_user(client) == producer
    assert LoginEvent.objects.filter(user=producer, kind=LoginEvent.Kind.LOGIN, channel="sso").count() == 1


def test_an_invited_address_becomes_a_user_with_the_invitations_role(oidc_provider, admin_user):
    invitation_create(
        actor=admin_user, organisation=admin_user.organisation, email="guest@studio.example", role="REVIEWER"
    )
    oidc_provider.claims = {"email": "guest@studio.example", "given_name": "Gus", "family_name": "Guest"}
    client = Client()
    sso_sign_in(client)
    user = signed_in_user(client)
    assert (user.email, user.role, user.first_name, user.has_usable_password()) == (
        "guest@studio.example",
        "REVIEWER",
        "Gus",
        False,
    )
    assert Invitation.objects.get().accepted_user == user


def test_an_unknown_address_is_refused_unless_its_domain_is_allowed(oidc_provider, settings):
    oidc_provider.claims = {"email": "walk-in@partner.example"}
    client = Client()
    response = sso_sign_in(client)
    assert response["Location"] == reverse("login") and signed_in_user(client) is None
    refused = LoginEvent.objects.get(kind=LoginEvent.Kind.SSO_REFUSED)
    assert refused.username == "walk-in@partner.example" and "no user, invitation" in refused.detail["reason"]
    assert "did not sign you in" in client.get(reverse("login")).content.decode()

    settings.OIDC_ALLOWED_DOMAINS = ["partner.example"]
    settings.OIDC_DEFAULT_ROLE = "VIEWER"
    sso_sign_in(client)
    user = signed_in_user(client)
    assert (user.email, user.role, user.organisation.slug) == ("walk-in@partner.example", "VIEWER", "default")


def test_the_role_comes_from_the_configured_claim(oidc_provider, producer, settings):
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = {"tracker-admins": "ADMIN", "tracker-viewers": "VIEWER"}
    oidc_provider.claims = {"email": producer.email, "groups": ["staff", "tracker-viewers"]}
    sso_sign_in(Client())
    producer.refresh_from_db()
    assert producer.role == "VIEWER"
    assert LoginEvent.objects.get(kind=LoginEvent.Kind.ROLE_CHANGED).detail == {"from": "PRODUCER", "to": "VIEWER"}


def test_a_deactivated_user_is_refused(oidc_provider, producer):
    producer.is_active = False
    producer.save()
    oidc_provider.claims = {"email": producer.email}
    client = Client()
    sso_sign_in(client)
    assert signed_in_user(client) is None
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.SSO_REFUSED, user=producer).exists()


@pytest.mark.parametrize("tamper", ["wrong key", "wrong audience", "unverified email"])
def test_a_token_we_cannot_trust_signs_no_one_in(oidc_provider, producer, tamper):
    oidc_provider.claims = {"email": producer.email}
    if tamper == "wrong key":
        oidc_provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif tamper == "wrong audience":
        oidc_provider.audience = "some-other-client"
    else:
        oidc_provider.claims["email_verified"] = False
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_user(client) is None


def test_passwords_can_be_turned_off_for_an_organisation_using_sso(oidc_provider, settings):
    admin = UserFactory(username="olga", role=User.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    client.post(reverse("accounts:access_policy"), {"password_login": "0"})
    assert AccessPolicy.objects.get(organisation=admin.organisation).password_login is False
    UserFactory(username="pat", role=User.Role.PRODUCER)
    assert Client().post(reverse("login"), {"username": "pat", "password": "pass-for-tests-1"}).status_code == 200
    # SSO still works for them.
    oidc_provider.claims = {"email": "pat@studio.example"}
    sso_client = Client()
    sso_sign_in(sso_client)
    assert signed_in_user(sso_client).username == "pat"


def test_passwords_stay_on_when_sso_is_not_configured(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(reverse("accounts:access_policy"), {"password_login": "0"}, follow=True)
    assert "not configured" in response.content.decode()
    assert not AccessPolicy.objects.filter(password_login=False).exists()


def test_the_provider_is_not_contacted_for_a_password_sign_in(oidc_provider, producer):
    assert Client().post(reverse("login"), {"username": "priya", "password": "pass-for-tests-1"}).status_code == 302
    assert oidc_provider.token_requests == 0
