"""Webhook endpoints and deliveries in Django admin, writing through the same services as the settings pages
(ADMIN_SETTINGS is checked there). A new or rotated secret is shown once, on the page that answers the POST."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse

from integrations.webhooks.addresses import AddressRefused, check_url
from tracker.errors import ApplicationError

from . import services
from .forms import EVENT_CHOICES, ResendFailedForm
from .models import OutboundAttempt, OutboundDelivery, OutboundEndpoint


class EndpointAdminForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=EVENT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = OutboundEndpoint
        fields = ["organisation", "url", "description", "all_events", "events", "is_active"]

    def clean_url(self):
        # The same rules the service applies, here so a refusal shows on the field.
        try:
            check_url(self.cleaned_data["url"])
        except AddressRefused as error:
            raise forms.ValidationError(error.message[:1].upper() + error.message[1:]) from error
        return self.cleaned_data["url"].strip()

    def clean(self):
        data = super().clean()
        if not data.get("all_events") and not data.get("events"):
            self.add_error("events", "Choose at least one event, or all events.")
        return data


def _values(form) -> dict:
    data = form.cleaned_data
    return {k: data[k] for k in ("url", "description", "events", "all_events")}


def _secrets_page(request, rows: list[tuple[OutboundEndpoint, str]], *, rotated: bool):
    context = {
        **admin.site.each_context(request),
        "title": "New signing secret" if rotated else "Signing secret",
        "rows": rows,
        "rotated": rotated,
        "back": reverse("admin:outbound_outboundendpoint_changelist"),
    }
    response = TemplateResponse(request, "outbound/admin_secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


@admin.register(OutboundEndpoint)
class OutboundEndpointAdmin(admin.ModelAdmin):
    form = EndpointAdminForm
    list_display = ("__str__", "url", "organisation", "is_active", "all_events", "failing_since", "last_success_at")
    list_filter = ("is_active", "organisation")
    search_fields = ("url", "description")
    readonly_fields = ("disabled_at", "disabled_reason", "failing_since", "last_success_at", "created_by")
    actions = ["enable", "disable", "rotate_secret", "send_test", "resend_failed"]

    def get_readonly_fields(self, request, obj=None):
        # An endpoint stays with the organisation it was made for; its events come from there.
        return (*self.readonly_fields, "organisation") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            endpoint, secret = services.outbound_endpoint_create(
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                is_active=form.cleaned_data["is_active"],
                **_values(form),
            )
            obj.pk, obj.secret, obj._state.adding = endpoint.pk, endpoint.secret, False
            request._outbound_new_secret = (endpoint, secret)
            return
        with transaction.atomic():
            endpoint = services.outbound_endpoint_update(endpoint=obj, actor=request.user, **_values(form))
            if "is_active" in form.changed_data:
                toggle = services.outbound_endpoint_enable if obj.is_active else services.outbound_endpoint_disable
                toggle(endpoint=endpoint, actor=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        created = getattr(request, "_outbound_new_secret", None)
        if created is not None:
            return _secrets_page(request, [created], rotated=False)
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        services.outbound_endpoint_delete(endpoint=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            services.outbound_endpoint_delete(endpoint=endpoint, actor=request.user)

    @admin.action(description="Enable the selected endpoints")
    def enable(self, request, queryset):
        for endpoint in queryset:
            services.outbound_endpoint_enable(endpoint=endpoint, actor=request.user)
        messages.success(request, f"Enabled {queryset.count()} endpoint(s).")

    @admin.action(description="Disable the selected endpoints")
    def disable(self, request, queryset):
        for endpoint in queryset:
            services.outbound_endpoint_disable(endpoint=endpoint, actor=request.user)
        messages.success(request, f"Disabled {queryset.count()} endpoint(s).")

    @admin.action(description="Rotate the signing secret (the old one signs too for 24 h)")
    def rotate_secret(self, request, queryset):
        rows = [services.outbound_endpoint_rotate_secret(endpoint=e, actor=request.user) for e in queryset]
        return _secrets_page(request, rows, rotated=True)

    @admin.action(description="Send a test event (webhook.test)")
    def send_test(self, request, queryset):
        for endpoint in queryset:
            delivery = services.outbound_endpoint_send_test(endpoint=endpoint, actor=request.user)
            answer = f"HTTP {delivery.last_status_code}" if delivery.last_status_code else delivery.last_error
            level = messages.SUCCESS if delivery.status == OutboundDelivery.Status.SUCCEEDED else messages.ERROR
            messages.add_message(request, level, f"{endpoint}: {answer or delivery.get_status_display()}")

    @admin.action(description="Resend failed deliveries since a time…")
    def resend_failed(self, request, queryset):
        form = ResendFailedForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            total = 0
            for endpoint in queryset:
                try:
                    total += services.outbound_endpoint_resend_failed(
                        endpoint=endpoint, since=form.cleaned_data["since"], actor=request.user
                    )
                except ApplicationError as error:
                    messages.error(request, f"{endpoint}: {error.message}")
            messages.success(request, f"Sending {total} failed deliveries again.")
            return None
        context = {
            **admin.site.each_context(request),
            "title": "Resend failed deliveries",
            "form": form,
            "endpoints": queryset,
            "action": "resend_failed",
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "outbound/admin_resend_failed.html", context)


class AttemptInline(admin.TabularInline):
    model = OutboundAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "duration_ms", "status_code", "error", "address", "response_body")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboundDelivery)
class OutboundDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: written by the services only; "Resend" is the one action."""

    list_display = ("created_at", "event_name", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status", "trigger", "event_name")
    search_fields = ("message_id", "event_name", "endpoint__url")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["resend"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resend the selected deliveries")
    def resend(self, request, queryset):
        sent = 0
        for delivery in queryset:
            try:
                services.outbound_delivery_resend(delivery=delivery, actor=request.user)
                sent += 1
            except ApplicationError as error:
                messages.error(request, f"{delivery}: {error.message}")
        messages.success(request, f"Sending {sent} deliveries again.")
