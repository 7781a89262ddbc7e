from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth with CSRF, answering 401 (not DRF's default 403) when nobody is signed in.

    DRF only uses 401 when the first authenticator names a `WWW-Authenticate` scheme.
    """

    def authenticate_header(self, request) -> str:
        return 'Session realm="studio-tracker"'
