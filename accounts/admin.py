"""The audit and the invitations, read-only: they are written by the services (Settings → Users) only."""

from django.contrib import admin

from tracker.admin_services import ReadOnlyAdmin

from .models import Invitation, LoginEvent


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    """Every organisation's events, and those tied to none (a failure for a name nobody has)."""

    list_display = ["created_at", "kind", "username", "user", "actor", "channel", "ip_address", "organisation"]
    list_filter = ["kind", "channel", "organisation"]
    search_fields = ["username", "=ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "actor", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "role",
        "organisation",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "organisation"]
    search_fields = ["email"]
    exclude = ["token_hash"]
    list_select_related = ["organisation", "invited_by"]
