from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .admin_services import ReadOnlyAdmin, ReadOnlyInline, run_for_each
from .api.services import api_key_create, api_key_revoke, api_key_update
from .events import event_dispatch
from .mail.outbox import email_send_again
from .models import (
    ApiKey,
    ClientTeam,
    Event,
    EventDelivery,
    IdempotencyRecord,
    Notification,
    NotificationPreference,
    Organisation,
    OutgoingEmail,
    User,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "organisation", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name"]
    list_select_related = ["organisation"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Studio Tracker", {"fields": ["role", "organisation"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Studio Tracker", {"fields": ["email", "role", "organisation"]}),
    ]


@admin.register(ClientTeam)
class ClientTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body", "recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Each user's own choice, made on their email preferences page."""

    list_display = ["user", "email", "updated_at"]
    list_filter = ["email"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The email outbox: what was sent to whom, what is waiting for a retry, and why one failed."""

    list_display = ["subject", "to", "status", "attempts", "digest_date", "created_at", "sent_at"]
    list_filter = ["status", ("digest_date", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "to", "recipient__username", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list (and its action) yes, editing a row no

    @admin.action(description="Send the selected failed or skipped emails again")
    def send_again(self, request, queryset):
        run_for_each(self, request, queryset, lambda email: email_send_again(message_id=email.pk), "Queued again")


# --- External API: keys and idempotency records -----------------------------------------------------------------


class ApiKeyAdminForm(forms.ModelForm):
    """Name, organisation and scopes; the secret and its hash are never editable."""

    scopes = forms.MultipleChoiceField(choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["organisation", "name", "scopes"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Creating a key goes through `api_key_create`; its secret is shown once, in a message, then never again."""

    form = ApiKeyAdminForm
    list_display = ["name", "prefix", "organisation", "scope_list", "created_by", "last_used_at", "revoked_at"]
    list_filter = ["organisation", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["organisation", "created_by"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["organisation", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "name", "scopes"]
        return ["name", "scopes", "organisation", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            api_key_update(api_key=obj, name=data["name"], scopes=data["scopes"], actor=request.user)
            return
        created, secret = api_key_create(
            organisation=data["organisation"], name=data["name"], scopes=data["scopes"], created_by=request.user
        )
        # The admin goes on to log and redirect using `obj`: make it the row the service created.
        obj.pk = created.pk
        obj.__dict__.update({f.attname: getattr(created, f.attname) for f in ApiKey._meta.concrete_fields})
        obj._state.adding = False
        self.message_user(
            request, f"Copy the new API key now, it will not be shown again: {secret}", level=messages.WARNING
        )

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key, actor=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} API key{'s' if revoked != 1 else ''}.")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Read-only: what each Idempotency-Key answered, until the periodic purge removes it."""

    list_display = ["key", "api_key", "method", "path", "state", "response_status", "created_at", "expires_at"]
    list_filter = ["state", "method", "response_status"]
    search_fields = ["key", "path", "api_key__name", "api_key__prefix"]
    list_select_related = ["api_key"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventDeliveryInline(ReadOnlyInline):
    model = EventDelivery
    fields = ["subscriber", "handled_at"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The outbox: what was emitted, which subscribers have handled it, and what is still waiting for the sweep."""

    list_display = ["id", "name", "created_at", "dispatched_at", "attempts", "next_attempt_at"]
    list_filter = ["name", ("dispatched_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "last_error"]
    inlines = [EventDeliveryInline]
    actions = ["dispatch_now"]

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list (and its action) yes, editing a row no

    @admin.action(description="Dispatch the selected events now (subscribers that already handled one are skipped)")
    def dispatch_now(self, request, queryset):
        run_for_each(self, request, queryset, lambda event: event_dispatch(event_id=event.pk), "Dispatched")
