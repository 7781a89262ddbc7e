"""Settings → API keys (ADMIN_SETTINGS): create a key (its secret shown once), list keys, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracker.api.forms import ApiKeyForm
from tracker.api.selectors import api_key_get, api_key_list
from tracker.api.services import api_key_create, api_key_revoke
from tracker.permissions import Permission, require_permission
from tracker.services import organisation_for_user
from tracker.views import redirect_after_post


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_key_index(request):
    """GET lists the keys; POST creates one and answers the page with its secret, the only time it is shown.

    The secret is rendered into this response only (never put in the session or a message cookie), and the
    response is marked no-store so no cache keeps it.
    """
    require_permission(request.user, Permission.ADMIN_SETTINGS)
    organisation = organisation_for_user(request.user)
    form = ApiKeyForm(request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created, secret = api_key_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
            )
            form = ApiKeyForm()
        else:
            status = 400
    context = {"form": form, "keys": api_key_list(organisation=organisation), "created": created, "secret": secret}
    return render(request, "settings/api_keys.html", context, status=status)


@login_required
@require_POST
def api_key_revoke_view(request, pk: int):
    api_key = api_key_get(organisation=organisation_for_user(request.user), pk=pk)
    api_key_revoke(api_key=api_key, actor=request.user)
    messages.success(request, f"Revoked “{api_key.name}”. Clients using it now get 401.")
    return redirect_after_post(request, reverse("api_keys"))
