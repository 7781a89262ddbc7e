"""Printed by `make run`: where the tracker is, who can sign in, and a signed webhook call ready to paste."""

import hashlib
import hmac
import json
import shlex

from django.conf import settings
from django.core.management.base import BaseCommand

from .demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the URL, the demo logins and a ready signed curl for the briefs webhook."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        root = f"http://{host}:{port}{settings.TRACKER_BASE_PATH}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{settings.TRACKER_BRAND_NAME} is starting at {root}/"))
        self.stdout.write(f"  Admin:  {root}/admin/")
        self.stdout.write(f"  Logins (password {DEMO_PASSWORD}): " + ", ".join(u for u, *_ in DEMO_USERS))
        secret = settings.BRIEF_WEBHOOK_SECRET
        if not secret:
            self.stdout.write("  BRIEF_WEBHOOK_SECRET is not set, so the briefs webhook answers 401.")
            return
        body = json.dumps(
            {"externalId": "CURL-0001", "title": "Brief sent with curl", "priority": "HIGH", "system": "curl"},
            separators=(",", ":"),
        )
        signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        self.stdout.write("  Send a signed brief webhook:")
        self.stdout.write(
            f"    curl -sS -X POST {root}/api/webhooks/briefs -H 'Content-Type: application/json' "
            f"-H 'X-Brief-Signature: sha256={signature}' -d {shlex.quote(body)}"
        )
        self.stdout.write("")
