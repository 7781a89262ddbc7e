"""Signs out a session that has been idle for SESSION_IDLE_TIMEOUT_SECONDS."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from .models import LoginEvent
from .services.audit import login_event_record

LAST_SEEN = "accounts.last_seen"
# The last-seen time is written at most this often, so a busy page does not save its session on every request;
# a session may so live up to this much longer than the timeout.
WRITE_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT_SECONDS
        user = getattr(request, "user", None)
        if timeout > 0 and user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > timeout:
                request.accounts_idle_timeout = True
                login_event_record(kind=LoginEvent.Kind.IDLE_TIMEOUT, request=request, user=user)
                logout(request)
                minutes = max(1, round(timeout / 60))
                messages.info(request, f"You were signed out after {minutes} minutes without activity.")
            elif last_seen is None or now - last_seen >= WRITE_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
