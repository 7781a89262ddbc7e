"""Settings → Users (ADMIN_SETTINGS, the admin's organisation only): people, invitations, lockouts, the sign-in
policy and the audit. Every change goes through a service; these views parse, call and redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tracker.errors import ApplicationError
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post, refusal_text, show_refusal

from .forms import AuditFilterForm, InviteForm, RoleForm
from .lockout import locked_usernames
from .oidc import sso_enabled
from .selectors import (
    invitation_get,
    invitation_pending_list,
    login_event_list,
    password_login_enabled,
    user_get,
    user_list,
)
from .services.invitations import invitation_create, invitation_resend, invitation_revoke
from .services.users import access_policy_set, user_change_role, user_set_active, user_unlock

AUDIT_PAGE_SIZE = 50


def _users_url() -> str:
    return reverse("accounts:users")


def _audit(request, organisation, users):
    """The audit page the filters ask for, and the query string that keeps them across pages."""
    filters = AuditFilterForm(request.GET or None, users=users)
    criteria = {}
    if filters.is_valid():
        by_id = {user.pk: user for user in users}
        criteria = {
            "kind": filters.cleaned_data["kind"],
            "user": by_id.get(filters.cleaned_data["person"]),
            "ip_address": filters.cleaned_data["ip"] or "",
        }
    page = Paginator(login_event_list(organisation=organisation, **criteria), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = {key: value for key, value in request.GET.items() if key != "page" and value}
    return filters, page, urlencode(kept)


@login_required
@require_http_methods(["GET", "POST"])
def users_index(request):
    """GET: the page. POST: invite someone (the form comes back with the refusal when the service refuses)."""
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    organisation = organisation_for_user(request.user)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = invitation_create(
                    actor=request.user,
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except ApplicationError as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect_after_post(request, _users_url())
        status = 400
    users = list(user_list(organisation=organisation))
    locked = locked_usernames([user.username for user in users])
    filters, page, query_string = _audit(request, organisation, users)
    context = {
        "form": form,
        "users": [(user, user.username in locked) for user in users],
        "roles": RoleForm.base_fields["role"].choices,
        "invitations": invitation_pending_list(organisation=organisation),
        "filters": filters,
        "page": page,
        "query_string": query_string,
        "sso_enabled": sso_enabled(),
        "password_login": password_login_enabled(organisation=organisation),
    }
    return render(request, "accounts/users.html", context, status=status)


def _act(request, action, success: str):
    try:
        action()
    except ApplicationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, success)
    return redirect_after_post(request, _users_url())


def _user(request, pk: int):
    return user_get(organisation=organisation_for_user(request.user), pk=pk)


@login_required
@require_POST
def user_role_view(request, pk: int):
    user = _user(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect_after_post(request, _users_url())
    role = form.cleaned_data["role"]
    return _act(
        request,
        lambda: user_change_role(actor=request.user, user=user, role=role, request=request),
        f"{user} is now {dict(form.fields['role'].choices)[role]}.",
    )


@login_required
@require_POST
def user_active_view(request, pk: int):
    user = _user(request, pk)
    active = request.POST.get("active") == "1"
    return _act(
        request,
        lambda: user_set_active(actor=request.user, user=user, active=active, request=request),
        f"{user} is {'active again' if active else 'deactivated: their sessions have ended'}.",
    )


@login_required
@require_POST
def user_unlock_view(request, pk: int):
    user = _user(request, pk)
    return _act(
        request,
        lambda: user_unlock(actor=request.user, user=user, request=request),
        f"{user} can sign in again.",
    )


@login_required
@require_POST
def invitation_revoke_view(request, pk: int):
    invitation = invitation_get(organisation=organisation_for_user(request.user), pk=pk)
    return _act(
        request,
        lambda: invitation_revoke(actor=request.user, invitation=invitation, request=request),
        f"The invitation to {invitation.email} is revoked.",
    )


@login_required
@require_POST
def invitation_resend_view(request, pk: int):
    invitation = invitation_get(organisation=organisation_for_user(request.user), pk=pk)
    return _act(
        request,
        lambda: invitation_resend(actor=request.user, invitation=invitation),
        f"A new link went to {invitation.email}; the old one no longer works.",
    )


@login_required
@require_POST
def access_policy_view(request):
    password_login = request.POST.get("password_login") == "1"
    return _act(
        request,
        lambda: access_policy_set(
            actor=request.user,
            organisation=organisation_for_user(request.user),
            password_login=password_login,
            request=request,
        ),
        "People sign in with passwords or single sign-on."
        if password_login
        else "People now sign in with single sign-on only.",
    )
