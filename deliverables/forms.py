from django import forms

from tracker.constants import Priority
from tracker.models import Organisation, User

from .models import Deliverable


class DeliverableFilterForm(forms.Form):
    """The deliverables list's query string. "me" and "mine" mean the signed-in user; anything unknown is dropped."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(choices=[("", "All statuses"), *Deliverable.Status.choices], required=False)
    due = forms.ChoiceField(
        choices=[("", "Any due date"), ("overdue", "Overdue"), ("week", "Due this week")], required=False
    )
    assigned = forms.ChoiceField(choices=[("", "Anyone"), ("me", "Assigned to me")], required=False, label="Assignee")
    waiting = forms.ChoiceField(
        choices=[("", "Any stage"), ("mine", "Waiting for my approval")], required=False, label="Approval"
    )

    def filters(self, user: User) -> dict:
        """The selector's keyword arguments for the valid parts of the query string."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "due": data.get("due") or "",
            "assigned_to": user if data.get("assigned") == "me" else None,
            "waiting_for": user if data.get("waiting") == "mine" else None,
        }


class DeliverableCreateForm(forms.Form):
    name = forms.CharField(max_length=500)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Unassigned")
    cmf_sku = forms.CharField(max_length=120, required=False, label="CMF SKU")
    asset_count = forms.IntegerField(min_value=0, required=False, label="Assets")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(organisation=organisation, is_active=True)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the deliverable a name.")
        return name


class DeliverableEditForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Unassigned")
    cmf_sku = forms.CharField(max_length=120, required=False, label="CMF SKU")
    asset_count = forms.IntegerField(min_value=0, required=False, label="Assets")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(organisation=organisation, is_active=True)

    @staticmethod
    def initial_from(deliverable: Deliverable) -> dict:
        return {name: getattr(deliverable, name) for name in DeliverableEditForm.base_fields}
