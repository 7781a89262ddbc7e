"""The form that names an API key and picks its scopes (settings page and admin)."""

from django import forms

from tracker.models import ApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Which system uses the key, e.g. “OMG sync”.")
    scopes = forms.MultipleChoiceField(
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.PROJECTS_READ],
        help_text="Grant only what the client needs.",
    )
