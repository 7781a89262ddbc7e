"""The floor of the intake comparison (bench/intake.py): a bare Django view doing the briefs webhook's durable
work and nothing else, served by gunicorn exactly as the project is.

    gunicorn bench.bare:application      # with DATABASE_URL, CACHE_URL and BRIEF_WEBHOOK_SECRET set

Per call: the per-IP rate limit as one Redis round trip (INCR and EXPIRE pipelined), the HMAC of the raw body
checked in constant time, the JSON parsed, and one psycopg transaction on a connection kept by the process that
upserts the brief with `INSERT ... ON CONFLICT` and inserts the receipt. No middleware, no ORM, no DRF, no
serializer, no event: what a call must cost at the least on this machine, so the project's rate is read against it.
"""

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        SECRET_KEY="bench-bare",  # noqa: S106 - nothing is signed with it
    )
    django.setup()

import psycopg  # noqa: E402
import redis  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

SECRET = os.environ.get("BRIEF_WEBHOOK_SECRET", "").encode()
LIMIT = 10**9

_connection: psycopg.Connection | None = None
_redis = redis.Redis.from_url(os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/0"))
_organisation_id: int | None = None

UPSERT = """
INSERT INTO briefs_brief (created_at, updated_at, organisation_id, external_id, title, description, requestor_name,
    requestor_email, priority, source, raw_payload, status, rejection_reason)
VALUES (%(now)s, %(now)s, %(organisation)s, %(external_id)s, %(title)s, '', '', '', 'MEDIUM', %(source)s, '{}',
    'PENDING', '')
ON CONFLICT (organisation_id, external_id) WHERE external_id IS NOT NULL
DO UPDATE SET title = EXCLUDED.title, updated_at = EXCLUDED.updated_at
RETURNING id, (xmax = 0) AS created
"""
RECEIPT = """
INSERT INTO inbound_webhookreceipt (created_at, updated_at, route, source_ip, external_key, event, payload_id,
    body_sha256, body_bytes, signature_verified, status_code, outcome, error, detail, action, object_id)
VALUES (%(now)s, %(now)s, 'briefs', %(ip)s, %(external_id)s, '', '', %(sha)s, %(size)s, true, 200, 'ACCEPTED', '',
    '', %(action)s, %(object_id)s)
"""


def _db() -> psycopg.Connection:
    global _connection, _organisation_id
    if _connection is None or _connection.closed:
        url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        _connection = psycopg.connect(url)
        slug = os.environ.get("TRACKER_DEFAULT_ORGANISATION", "default")
        row = _connection.execute("SELECT id FROM tracker_organisation WHERE slug = %s", [slug]).fetchone()
        _organisation_id = row[0]
        _connection.commit()
    return _connection


@csrf_exempt
def briefs_webhook(request):
    if request.method != "POST":
        return JsonResponse({"error": "method not allowed"}, status=405)
    ip = request.META.get("REMOTE_ADDR", "")
    key = f"bare:rl:{ip}:{int(datetime.now(UTC).timestamp()) // 60}"
    count, _ = _redis.pipeline().incr(key).expire(key, 120).execute()
    if count > LIMIT:
        return JsonResponse({"error": "rate limit exceeded"}, status=429)
    body = request.body
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Brief-Signature", "")):
        return JsonResponse({"error": "signature mismatch"}, status=401)
    payload = json.loads(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("title"), str):
        return JsonResponse({"error": "invalid payload"}, status=400)
    external_id = str(payload.get("externalId", ""))
    connection = _db()
    now = datetime.now(UTC)
    with connection.transaction():
        brief_id, created = connection.execute(
            UPSERT,
            {"now": now, "organisation": _organisation_id, "external_id": external_id, "title": payload["title"],
             "source": f"webhook:{payload.get('system', '')}"},
        ).fetchone()  # fmt: skip
        action = "created" if created else "updated"
        connection.execute(
            RECEIPT,
            {"now": now, "ip": ip or None, "external_id": external_id, "sha": hashlib.sha256(body).hexdigest(),
             "size": len(body), "action": action, "object_id": str(brief_id)},
        )  # fmt: skip
    return JsonResponse({"ok": True, "briefId": str(brief_id), "status": "PENDING", "action": action})


urlpatterns = [path("api/webhooks/briefs", briefs_webhook)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
