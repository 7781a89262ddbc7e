"""The pages a person signs in through: sign-in, the lockout answer, password reset and change, an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from tracker.errors import ApplicationError
from tracker.network import source_ip
from tracker.views import refusal_text

from .forms import AcceptInvitationForm, TrackerPasswordResetForm
from .lockout import lockout_clear, lockout_ends_at
from .models import LoginEvent
from .oidc import sso_enabled
from .selectors import invitation_by_token, password_login_enabled
from .services.audit import login_event_record
from .services.invitations import invitation_accept
from .services.users import user_sessions_end


def _sso_context() -> dict:
    return {"sso_enabled": sso_enabled(), "sso_name": settings.OIDC_PROVIDER_NAME}


class LoginView(auth_views.LoginView):
    """Django's sign-in page with "Forgot password?" and, when set up, "Sign in with single sign-on"."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_sso_context()}


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in refused for too many failures, on the site and in Django
    admin alike. It says when to try again and nothing about whether the account exists."""
    until = timezone.localtime(lockout_ends_at(request))
    context = {"until": until, "minutes": settings.AXES_COOLOFF_MINUTES}
    return render(request, "accounts/locked_out.html", context, status=429)


def _ip_key(group, request) -> str:
    return source_ip(request)


def _email_key(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request: the same page whatever the address; PASSWORD_RESET_RATE_LIMIT requests per source
    address and per e-mail address (one person cannot flood another's inbox from many addresses)."""

    form_class = TrackerPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        rate = settings.PASSWORD_RESET_RATE_LIMIT
        limited = is_ratelimited(request, group="accounts.reset.ip", key=_ip_key, rate=rate, increment=True)
        limited |= is_ratelimited(request, group="accounts.reset.email", key=_email_key, rate=rate, increment=True)
        if limited:
            context = self.get_context_data(form=self.get_form(), rate_limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def get_extra_email_context(self):
        return {"public_url": settings.TRACKER_PUBLIC_URL.rstrip("/"), "brand_name": settings.TRACKER_BRAND_NAME}

    def form_valid(self, form):
        self.extra_email_context = self.get_extra_email_context()
        email = form.cleaned_data["email"]
        users = list(form.get_users(email))
        for user in users:
            login_event_record(
                kind=LoginEvent.Kind.PASSWORD_RESET_REQUESTED,
                request=self.request,
                user=user,
                channel=LoginEvent.Channel.EMAIL,
            )
        if not users:
            login_event_record(
                kind=LoginEvent.Kind.PASSWORD_RESET_REQUESTED,
                request=self.request,
                username=email,
                channel=LoginEvent.Channel.EMAIL,
                detail={"matched": False},
            )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's link check and new-password form. A reset also ends every session of the account and its
    lockout: whoever holds the mailbox is the account's owner."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        user_sessions_end(user=user)
        lockout_clear(username=user.get_username(), ip_addresses=[])
        login_event_record(
            kind=LoginEvent.Kind.PASSWORD_RESET, request=self.request, user=user, channel=LoginEvent.Channel.EMAIL
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change-password page; this session stays signed in, every other one of the user's ends."""

    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)  # update_session_auth_hash: this session goes on, under a new key
        user_sessions_end(user=form.user, keep_session_key=self.request.session.session_key)
        login_event_record(kind=LoginEvent.Kind.PASSWORD_CHANGED, request=self.request, user=form.user)
        messages.success(self.request, "Password changed. Your other sessions have been signed out.")
        return response


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token: str):
    """The invitation link: choose a username and password (or sign in with single sign-on under the invited
    address), then land signed in."""
    invitation = invitation_by_token(token=token)
    passwords = password_login_enabled(organisation=invitation.organisation)
    form = AcceptInvitationForm(request.POST or None, initial={"username": invitation.email})
    status = 200
    if request.method == "POST" and passwords:
        if form.is_valid():
            try:
                user = invitation_accept(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    request=request,
                )
            except ApplicationError as error:
                form.add_error(None, refusal_text(error))
            else:
                login(request, user, backend="accounts.backends.PasswordBackend")
                messages.success(request, f"Welcome to {settings.TRACKER_BRAND_NAME}.")
                return redirect(reverse("home"))
        status = 400
    context = {"invitation": invitation, "form": form, "passwords": passwords, **_sso_context()}
    return render(request, "accounts/invitation_accept.html", context, status=status)
