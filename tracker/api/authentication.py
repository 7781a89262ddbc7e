from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth with CSRF, answering 401 (not DRF's default 403) when nobody is signed in.

    DRF only uses 401 when the first authenticator names a `WWW-Authenticate` scheme.
    """

    def authenticate_header(self, request) -> str:
        return 'Session realm="studio-tracker"'


class ApiClient:
    """Who `request.user` is on the external API: the machine client behind an API key, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, api_key):
        self.api_key = api_key
        self.organisation = api_key.organisation
        self.organisation_id = api_key.organisation_id

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` for the external API v1. `request.auth` is the ApiKey.

    No header: not authenticated (the permission check answers 401). A key that is unknown, malformed or
    revoked: 401 at once. Every success records `last_used_at` (at most once a minute per key).
    """

    keyword = "Bearer"

    def authenticate(self, request):
        from .services import api_key_authenticate, api_key_touch

        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not secret.strip():
            raise exceptions.AuthenticationFailed("invalid authorization header: use 'Bearer <API key>'")
        api_key = api_key_authenticate(secret=secret.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("invalid or revoked API key")
        api_key_touch(api_key=api_key)
        return ApiClient(api_key), api_key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="studio-tracker-api"'
