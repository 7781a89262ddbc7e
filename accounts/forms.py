from django import forms
from django.contrib.auth.forms import PasswordResetForm

from tracker.models import User

from .models import LoginEvent
from .selectors import password_login_allowed


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=User.Role.choices, initial=User.Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=User.Role.choices)


class AuditFilterForm(forms.Form):
    """The audit's filters (GET). `person` is a user id of the organisation, `ip` an address."""

    kind = forms.ChoiceField(choices=[("", "Every event"), *LoginEvent.Kind.choices], required=False, label="Event")
    person = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Person")
    ip = forms.GenericIPAddressField(required=False, label="Address")

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Everyone"), *((u.pk, u.get_username()) for u in users)]


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class TrackerPasswordResetForm(PasswordResetForm):
    """Django's reset form (the same answer whether or not the address is known), sending nothing to a person
    whose organisation signs in with SSO only: they have no password to reset."""

    def get_users(self, email):
        return [user for user in super().get_users(email) if user.is_superuser or password_login_allowed(user)]
