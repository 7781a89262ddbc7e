"""Authentication backends (AUTHENTICATION_BACKENDS lists them in order)."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from .selectors import password_login_allowed


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first: a locked-out account name or source address is refused before any password is
    compared, with the same answer whether the account exists or not.

    Every sign-in over HTTP passes its request (the sign-in page, Django admin, single sign-on). A call without
    one (`Client.login` in tests, a shell) has no address to count and is left to the next backends.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """Django's username and password check, refused for an organisation that signs in with SSO only.

    Superusers keep their password there, so a provider that is down never locks every admin out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Checked here, not in `user_can_authenticate`, which every request's `get_user` also calls: the policy
        # is a query that signing in may cost and a page must not.
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not user.is_superuser and not password_login_allowed(user):
            return None
        return user
