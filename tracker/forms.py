"""Forms of tracker's own pages."""

from django import forms

from .models import NotificationPreference


class NotificationPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="Email me about what needs me",
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
    )
