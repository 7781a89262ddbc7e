"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless OIDC_RP_CLIENT_ID is set.

mozilla-django-oidc was chosen over django-allauth because it is only what this needs: an authentication backend
and the two views of the code flow, on our own User model and sign-in page. allauth would bring its own account
pages, e-mail verification and sign-up, which overlap the password reset and invitations built on Django's own.

What we add to it:
- endpoints from the provider's discovery document (OIDC_OP_DISCOVERY_URL, cached an hour), each overridable;
- the ID token's audience and issuer are checked, not only its signature, expiry and nonce;
- who may come in: the user with the verified e-mail address, else the pending invitation to it (accepted now),
  else, for a domain in OIDC_ALLOWED_DOMAINS, a new user with OIDC_DEFAULT_ROLE; anyone else is refused;
- roles from a claim when OIDC_ROLE_CLAIM is set (through the same service as the users page, so the last
  admin is never demoted);
- nothing is contacted until someone uses single sign-on, so a provider that is down never slows password sign-in.
"""

import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from tracker.errors import ApplicationError
from tracker.models import User
from tracker.services import organisation_default

from .models import LoginEvent
from .selectors import invitation_for_email
from .services.audit import login_event_record
from .services.invitations import invitation_accept
from .services.users import user_change_role, user_create_from_sso

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# The most a claim can grant wins when it names several roles.
_ROLE_RANK = [User.Role.ADMIN, User.Role.PRODUCER, User.Role.REVIEWER, User.Role.VIEWER]


def sso_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict:
    """The provider's discovery document, from the shared cache when another process fetched it lately."""
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        return {}
    key = "accounts.oidc.discovery:" + hashlib.sha256(url.encode()).hexdigest()
    try:
        document = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation here
        document = None
    if document is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        try:
            cache.set(key, document, DISCOVERY_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("accounts.oidc_discovery_not_cached")
    return document


def oidc_setting(attr: str, *default):
    """mozilla-django-oidc's `get_settings`, with the endpoints filled from discovery."""
    if attr in _ENDPOINTS:
        value = getattr(settings, attr, "") or discovery().get(_ENDPOINTS[attr], "")
        if value:
            return value
        if default:
            return default[0]
        raise ImproperlyConfigured(f"{attr} is not set and the provider's discovery document has no value for it")
    return import_from_settings(attr, *default)


def role_from_claims(claims: dict) -> str | None:
    """The role OIDC_ROLE_CLAIM grants (mapped through OIDC_ROLE_MAP, or a role's own name), or None."""
    if not settings.OIDC_ROLE_CLAIM:
        return None
    values = claims.get(settings.OIDC_ROLE_CLAIM)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return None
    mapping = {str(key).strip(): str(role).strip().upper() for key, role in settings.OIDC_ROLE_MAP.items()}
    granted = set()
    for value in values:
        role = mapping.get(str(value)) if mapping else str(value).strip().upper()
        if role in User.Role.values:
            granted.add(role)
    return next((role for role in _ROLE_RANK if role in granted), None)


def _refuse(request, reason: str, email: str = "") -> None:
    """Why single sign-on did not let someone in, for the callback view to record once."""
    if request is not None:
        request.sso_refusal = {"reason": reason, "email": email}
    raise SuspiciousOperation(reason)


class SsoBackend(OIDCAuthenticationBackend):
    """The code flow's backend. Inert (never configured, never contacts anyone) unless the request is a single
    sign-on callback and single sign-on is set up: Django builds every backend for every sign-in."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or not sso_enabled() or "nonce" not in kwargs:
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("the token's algorithm is not OIDC_RP_SIGN_ALGO")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery().get("issuer") or None,
                options={"require": ["exp", "iat", "aud"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def verify_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            _refuse(self.request, "the provider sent no e-mail address")
        if claims.get("email_verified") is False:
            _refuse(self.request, "the provider has not verified the e-mail address", email)
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims):
        email = claims["email"].strip().lower()
        first, last = claims.get("given_name") or "", claims.get("family_name") or ""
        invitation = invitation_for_email(email=email)
        try:
            if invitation is not None:
                user = invitation_accept(
                    invitation=invitation,
                    username=email[:150],
                    password=None,
                    first_name=first,
                    last_name=last,
                    request=self.request,
                    channel=LoginEvent.Channel.SSO,
                )
            elif email.rpartition("@")[2] in settings.OIDC_ALLOWED_DOMAINS:
                user = user_create_from_sso(
                    email=email,
                    first_name=first,
                    last_name=last,
                    role=role_from_claims(claims) or settings.OIDC_DEFAULT_ROLE,
                    organisation=organisation_default(),
                    request=self.request,
                )
            else:
                _refuse(self.request, "no user, invitation or allowed domain matches the e-mail address", email)
        except ApplicationError as error:
            _refuse(self.request, error.message, email)
        return user

    def update_user(self, user, claims):
        role = role_from_claims(claims)
        if role and role != user.role and user.is_active:
            try:
                user = user_change_role(actor=None, user=user, role=role, request=self.request)
            except ApplicationError as error:
                logger.warning("accounts.oidc_role_not_applied", extra={"user_id": user.pk, "reason": error.message})
        return user


class SsoLoginView(OIDCAuthenticationRequestView):
    """`/oidc/authenticate/`: off (404) unless single sign-on is set up; endpoints resolved on use."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not sso_enabled():
            raise Http404("single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            logger.exception("accounts.oidc_discovery_failed")
            messages.error(request, "Single sign-on is not available right now. Try again in a few minutes.")
            return HttpResponseRedirect(reverse("login"))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """`/oidc/callback/`: signs the person in, or back to the sign-in page with a plain message and an audit row."""

    get_settings = staticmethod(oidc_setting)

    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        if not sso_enabled():
            raise Http404("single sign-on is not configured")
        self.user = None
        try:
            response = super().get(request)
        except (SuspiciousOperation, requests.RequestException, ImproperlyConfigured, ValueError, KeyError) as error:
            logger.warning("accounts.oidc_callback_failed", extra={"error": str(error)[:200]})
            response = self.login_failure()
        return response

    def login_failure(self):
        refusal = getattr(self.request, "sso_refusal", None) or {}
        user = self.user if self.user is not None else None
        if user is not None and not user.is_active:
            refusal = {"reason": "the account is deactivated", "email": user.email}
        login_event_record(
            kind=LoginEvent.Kind.SSO_REFUSED,
            request=self.request,
            user=user,
            username=refusal.get("email", ""),
            channel=LoginEvent.Channel.SSO,
            detail={"reason": refusal.get("reason", "the provider's answer could not be verified")},
        )
        messages.error(
            self.request,
            "Single sign-on did not sign you in. If you should have access, ask an admin to invite you.",
        )
        return super().login_failure()
