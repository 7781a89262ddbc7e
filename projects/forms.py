from django import forms

from tracker.constants import Priority
from tracker.models import ClientTeam, Organisation, User

from .models import ApprovalType, PipelineTemplate, Project


def pipeline_choice(field: forms.ModelChoiceField, organisation: Organisation) -> None:
    """One choice per pipeline, the default first and marked "(default)". There is no separate "Default
    pipeline" entry: it was always one of the others, and a project left on it now names it (which is also
    what "Projects using it" counts)."""
    field.queryset = PipelineTemplate.objects.filter(organisation=organisation).order_by("-is_default", "name")
    field.empty_label = None
    field.label_from_instance = lambda template: f"{template.name} (default)" if template.is_default else template.name


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "All statuses"), *Project.Status.choices], required=False)
    client_team = forms.ModelChoiceField(queryset=ClientTeam.objects.none(), required=False, empty_label="All teams")
    priority = forms.ChoiceField(choices=[("", "All priorities"), *Priority.choices], required=False)
    due = forms.ChoiceField(
        choices=[("", "Any due date"), ("overdue", "Overdue"), ("week", "Due this week")], required=False
    )
    assigned = forms.ChoiceField(
        choices=[("", "Everyone's"), ("me", "Assigned to me")],
        required=False,
        label="Assigned",
        help_text="Projects you own or have deliverables assigned in.",
    )
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, organisation: Organisation, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["client_team"].queryset = ClientTeam.objects.filter(organisation=organisation)

    def cleaned(self) -> dict:
        """The valid parts of the query string; an invalid filter is dropped rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        team = data.get("client_team")
        return {
            "assigned_to": self.user if data.get("assigned") == "me" and self.user is not None else None,
            "status": data.get("status") or "",
            "client_team_id": team.pk if team else None,
            "priority": data.get("priority") or "",
            "due": data.get("due") or "",
            "search": (data.get("q") or "").strip(),
        }


class ProjectForm(forms.ModelForm):
    """Edits a project. The view passes `cleaned_data` to `project_update`; the form never saves."""

    class Meta:
        model = Project
        fields = [
            "name",
            "status",
            "priority",
            "omg_job_number",
            "client_team",
            "owner",
            "business_unit",
            "client",
            "requestor",
            "start_date",
            "due_date",
            "outputs",
            "pipeline_template",
            "description",
            "notes",
        ]
        labels = {"omg_job_number": "OMG job number"}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"pipeline_template": "Used for deliverables added from now on."}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_team"].queryset = ClientTeam.objects.filter(organisation=organisation)
        self.fields["owner"].queryset = User.objects.filter(organisation=organisation, is_active=True)
        pipeline_choice(self.fields["pipeline_template"], organisation)

    def clean_omg_job_number(self):
        # Blank means "none": NULLs never collide on the unique constraint, empty strings would.
        return (self.cleaned_data.get("omg_job_number") or "").strip() or None

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PipelineTemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    copy_from = forms.ModelChoiceField(
        queryset=PipelineTemplate.objects.none(), required=False, empty_label="Start empty", label="Start from"
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = PipelineTemplate.objects.filter(organisation=organisation)


class PipelineRenameForm(forms.Form):
    name = forms.CharField(max_length=120)


class PipelineStageForm(forms.Form):
    name = forms.CharField(max_length=120, label="Stage name")
    approval_type = forms.ChoiceField(choices=ApprovalType.choices, initial=ApprovalType.NONE, label="Approval")


class PipelineStageApprovalForm(forms.Form):
    approval_type = forms.ChoiceField(choices=ApprovalType.choices)
    requires_different_approver = forms.BooleanField(required=False, label="Four-eyes")
