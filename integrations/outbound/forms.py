"""Forms of the webhook settings pages. They parse; the services check the URL rules and save."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from .catalogue import GROUPS, SUBSCRIBABLE, TEST_EVENT
from .models import OutboundDelivery

EVENT_CHOICES = [
    (group, [(event.name, event.name) for event in events if event.name != TEST_EVENT])
    for group, events in GROUPS
    if any(event.name != TEST_EVENT for event in events)
]
DESCRIPTIONS = {event.name: event.description for _, events in GROUPS for event in events}


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/tracker", "autocomplete": "off"}),
        help_text="https only; a public host name, not an IP address.",
    )
    description = forms.CharField(max_length=255, required=False)
    all_events = forms.BooleanField(required=False, label="All events, including those added later")
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, label="Events"
    )

    def clean(self):
        data = super().clean()
        if not data.get("all_events") and not data.get("events"):
            self.add_error("events", "Choose at least one event, or all events.")
        return data


class EndpointCreateForm(EndpointForm):
    is_active = forms.BooleanField(required=False, initial=True, label="Active")


def _since_default():
    return timezone.localtime() - timedelta(days=1)


class ResendFailedForm(forms.Form):
    since = forms.DateTimeField(
        label="Failed since",
        initial=_since_default,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class DeliveryFilterForm(forms.Form):
    """The delivery log's filters. An invalid filter is dropped rather than failing the page."""

    PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}

    endpoint = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    event = forms.ChoiceField(
        choices=[("", "Any event"), *[(name, name) for name in (*SUBSCRIBABLE, TEST_EVENT)]], required=False
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *OutboundDelivery.Status.choices], required=False)
    period = forms.ChoiceField(
        choices=[
            ("", "Any time"),
            ("1h", "Last hour"),
            ("24h", "Last 24 hours"),
            ("7d", "Last 7 days"),
            ("30d", "Last 30 days"),
        ],
        required=False,
    )
    since = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, endpoints, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].choices = [("", "Any endpoint"), *[(e.pk, str(e)) for e in endpoints]]

    def filters(self) -> dict:
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        since = data.get("since")
        if data.get("period") in self.PERIODS:
            since = timezone.now() - self.PERIODS[data["period"]]
        return {
            "endpoint_id": data.get("endpoint"),
            "event": data.get("event") or "",
            "status": data.get("status") or "",
            "since": since,
            "until": data.get("until"),
        }
