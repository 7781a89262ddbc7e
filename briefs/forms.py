from datetime import datetime, time

from django import forms
from django.utils import timezone

from projects.forms import pipeline_choice
from projects.models import PipelineTemplate
from tracker.constants import Priority
from tracker.models import ClientTeam, Organisation, User

from .models import Brief
from .selectors import SORTS, brief_assignable_users


class InboxFilterForm(forms.Form):
    """The inbox's query string: tab, filters, search and sort. Unknown values are ignored, never a 500."""

    status = forms.ChoiceField(choices=Brief.Status.choices, required=False)
    client_team = forms.ModelChoiceField(queryset=ClientTeam.objects.none(), required=False, empty_label="All teams")
    priority = forms.ChoiceField(choices=[("", "All priorities"), *Priority.choices], required=False)
    source = forms.ChoiceField(choices=[("", "All sources")], required=False)
    q = forms.CharField(required=False, max_length=200, label="Search")
    assigned = forms.ChoiceField(choices=[("", "Anyone's"), ("me", "Assigned to me")], required=False)
    sort = forms.ChoiceField(
        choices=[
            ("received", "Newest first"),
            ("-received", "Oldest first"),
            ("due", "Due date (soonest)"),
            ("-due", "Due date (latest)"),
            ("priority", "Priority (highest)"),
            ("-priority", "Priority (lowest)"),
        ],
        required=False,
    )

    def __init__(self, *args, organisation: Organisation, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_team"].queryset = ClientTeam.objects.filter(organisation=organisation)
        self.fields["source"].choices = [("", "All sources"), *((s, s) for s in sources)]

    def cleaned(self) -> dict:
        """The valid parts of the query string; an invalid filter is dropped rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        team = data.get("client_team")
        sort = data.get("sort") or "received"
        return {
            "status": data.get("status") or Brief.Status.PENDING,
            "client_team_id": team.pk if team else None,
            "priority": data.get("priority") or "",
            "source": data.get("source") or "",
            "search": (data.get("q") or "").strip(),
            "assigned_to_me": data.get("assigned") == "me",
            "sort": sort if sort in SORTS else "received",
        }


class BriefCreateForm(forms.Form):
    """A brief typed in by hand. `brief_fields()` are `brief_create`'s keyword arguments."""

    title = forms.CharField(max_length=500)
    requestor_name = forms.CharField(max_length=255, required=False, label="Requested by")
    requestor_email = forms.EmailField(max_length=320, required=False, label="Their email")
    client_team = forms.ModelChoiceField(queryset=ClientTeam.objects.none(), required=False, empty_label="No team")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    requested_due_date = forms.DateField(
        required=False, label="Wanted by", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="What was asked for. Markdown works."
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_team"].queryset = ClientTeam.objects.filter(organisation=organisation)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the brief a title.")
        return title

    def brief_fields(self) -> dict:
        data = dict(self.cleaned_data)
        # A brief's due date is a moment (intake sends one); a date typed by hand is the start of that day here.
        due = data.pop("requested_due_date")
        data["requested_due_date"] = timezone.make_aware(datetime.combine(due, time.min)) if due else None
        return data


class PromoteForm(forms.Form):
    """The project a brief becomes, prefilled from the brief."""

    name = forms.CharField(max_length=500)
    client_team = forms.ModelChoiceField(queryset=ClientTeam.objects.none(), required=False)
    priority = forms.ChoiceField(choices=Priority.choices)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    requestor = forms.CharField(max_length=320, required=False)
    pipeline_template = forms.ModelChoiceField(queryset=PipelineTemplate.objects.none(), required=False)
    omg_job_number = forms.CharField(max_length=64, required=False, label="OMG job number")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_team"].queryset = ClientTeam.objects.filter(organisation=organisation)
        pipeline_choice(self.fields["pipeline_template"], organisation)

    @staticmethod
    def initial_from(brief: Brief, default_template: PipelineTemplate | None) -> dict:
        requestor = brief.requestor_name
        if brief.requestor_email:
            requestor = f"{brief.requestor_name} <{brief.requestor_email}>" if requestor else brief.requestor_email
        return {
            "name": brief.title[:500],
            "client_team": brief.client_team_id,
            "priority": brief.priority,
            "due_date": brief.requested_due_date.date() if brief.requested_due_date else None,
            "requestor": requestor[:320],
            "pipeline_template": default_template.pk if default_template else None,
            "description": brief.description,
        }

    def project_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "client_team": data["client_team"],
            "priority": data["priority"],
            "due_date": data["due_date"],
            "requestor": data["requestor"],
            "pipeline_template": data["pipeline_template"],
            "description": data["description"],
        }
        if data["omg_job_number"].strip():
            fields["omg_job_number"] = data["omg_job_number"].strip()
        return fields


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for rejecting the brief.")
        return reason


class AssignForm(forms.Form):
    """Who looks after a brief: one of the organisation's people who may triage, or nobody."""

    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = brief_assignable_users(organisation=organisation)
