from django.conf import settings
from django.db import models

from tracker.models import Organisation, User


class Invitation(models.Model):
    """An e-mail address asked to join an organisation with a role.

    The invitee follows the link in the e-mail and sets a password, or signs in with SSO under that address; the
    user is created then. Only the SHA-256 of the link's token is stored. At most one invitation per address and
    organisation is pending (neither accepted nor revoked); inviting the address again replaces it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()  # stored lower-cased
    role = models.CharField(max_length=16, choices=User.Role.choices)
    token_hash = models.CharField(max_length=64, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="%(app_label)s_%(class)s_unique_token"),
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class AccessPolicy(models.Model):
    """How an organisation's people sign in. Without a row, passwords are allowed (the default)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="access_policy")
    # Off: only single sign-on (superusers keep their password, so a broken provider never locks everyone out).
    password_login = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation}: passwords {'on' if self.password_login else 'off'}"


class LoginEvent(models.Model):
    """One entry of the sign-in and access audit: who, when, from where, what happened.

    Written by `accounts.services.login_event_record` only. It never holds a password, a token or a session key:
    `username` is the name typed (or the invited address), `detail` the role moved from/to and such.
    `organisation` is the subject's, so an admin sees their own people; a failure for a name that matches no
    user has none and is listed in Django admin only.
    """

    class Kind(models.TextChoices):
        LOGIN = "LOGIN", "Signed in"
        LOGIN_FAILED = "LOGIN_FAILED", "Sign-in failed"
        LOCKED_OUT = "LOCKED_OUT", "Locked out"
        UNLOCKED = "UNLOCKED", "Unlocked"
        LOGOUT = "LOGOUT", "Signed out"
        IDLE_TIMEOUT = "IDLE_TIMEOUT", "Signed out when idle"
        PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED", "Password reset requested"
        PASSWORD_RESET = "PASSWORD_RESET", "Password reset"
        PASSWORD_CHANGED = "PASSWORD_CHANGED", "Password changed"
        ROLE_CHANGED = "ROLE_CHANGED", "Role changed"
        INVITED = "INVITED", "Invited"
        INVITATION_ACCEPTED = "INVITATION_ACCEPTED", "Invitation accepted"
        INVITATION_REVOKED = "INVITATION_REVOKED", "Invitation revoked"
        DEACTIVATED = "DEACTIVATED", "Deactivated"
        REACTIVATED = "REACTIVATED", "Reactivated"
        SSO_REFUSED = "SSO_REFUSED", "Single sign-on refused"
        POLICY_CHANGED = "POLICY_CHANGED", "Sign-in policy changed"

    class Channel(models.TextChoices):
        SITE = "site", "Sign-in page"
        ADMIN = "admin", "Django admin"
        SSO = "sso", "Single sign-on"
        USERS_PAGE = "users", "Users page"
        EMAIL = "email", "E-mail link"
        SYSTEM = "system", "System"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=254, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.SITE)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="accounts_loginevent_org_time"),
            models.Index(fields=["organisation", "kind", "-created_at"], name="accounts_loginevent_org_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username}"


class UserSession(models.Model):
    """A signed-in session of a user, so that deactivating them or changing their password can end the others.

    Kept beside Django's session store (whichever SESSION_ENGINE) because the store cannot be searched by user.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session_key"], name="%(app_label)s_%(class)s_unique_key"),
        ]

    def __str__(self) -> str:
        return f"session of user {self.user_id}"
