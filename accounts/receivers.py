"""Django's and django-axes' sign-in signals, recorded in the audit.

Signals, against the house rule, because they are the only hook Django and axes give for a sign-in: every path
(the site's page, Django admin, single sign-on, `force_login`) sends them. Each receiver only writes audit and
session rows, through the services.
"""

import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tracker.models import User

from .middleware import LAST_SEEN
from .models import LoginEvent
from .services.audit import login_event_record
from .services.users import user_session_forget, user_session_record


def _session_key(request) -> str | None:
    session = getattr(request, "session", None)
    return session.session_key if session is not None else None


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def _logged_in(sender, request, user, **kwargs):
    login_event_record(kind=LoginEvent.Kind.LOGIN, request=request, user=user)
    user_session_record(user=user, session_key=_session_key(request))
    if getattr(request, "session", None) is not None:
        # The idle clock starts at sign-in, so the first page after it does not have to save the session.
        request.session[LAST_SEEN] = time.time()


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the name is kept. A single sign-on failure has
    # no name and is recorded by its callback view, with the reason.
    username = (credentials or {}).get("username") or ""
    if not username:
        return
    user = User.objects.filter(username=username).first()
    detail = {"locked_out": True} if getattr(request, "axes_locked_out", False) else {}
    login_event_record(kind=LoginEvent.Kind.LOGIN_FAILED, request=request, user=user, username=username, detail=detail)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # Axes sends this for every attempt while locked out; the audit records the moment the limit was reached.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    user = User.objects.filter(username=username).first() if username else None
    login_event_record(
        kind=LoginEvent.Kind.LOCKED_OUT,
        request=request,
        user=user,
        username=username or "",
        detail={"failures": failures, "minutes": settings.AXES_COOLOFF_MINUTES},
    )


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None and not getattr(request, "accounts_idle_timeout", False):
        login_event_record(kind=LoginEvent.Kind.LOGOUT, request=request, user=user)
    user_session_forget(session_key=_session_key(request))
