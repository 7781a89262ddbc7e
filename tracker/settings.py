"""Studio Tracker settings: everything comes from the environment (django-environ).

`.env` is read when present; `.env.example` documents every variable. With nothing set, the tracker runs
on SQLite under `var/`, in-process (eager) Celery and a local-memory cache. Setting `DATABASE_URL`,
`CELERY_BROKER_URL` and `CACHE_URL` switches to Postgres, a Redis broker and a Redis cache.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp_constants

from tracker.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# A development-only key. `tracker.checks` refuses it (an error) whenever DEBUG is off.
INSECURE_DEV_SECRET_KEY = "django-insecure-studio-tracker-development-key-do-not-use"
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Deployment identity -------------------------------------------------------------------------------------
# The whole site lives under this path ("" = the root), e.g. "/loreal-prod-tracker".
_base_path = env("TRACKER_BASE_PATH", default="").strip("/")
TRACKER_BASE_PATH = f"/{_base_path}" if _base_path else ""
# Old base paths that answer 308 to the same URL under TRACKER_BASE_PATH (comma-separated).
TRACKER_LEGACY_BASE_PATHS = [
    "/" + p.strip("/") for p in env.list("TRACKER_LEGACY_BASE_PATHS", default=[]) if p.strip("/")
]
TRACKER_BRAND_NAME = env("TRACKER_BRAND_NAME", default="Studio Tracker")
TRACKER_SIDEBAR_COLOUR = env("TRACKER_SIDEBAR_COLOUR", default="#1f2933")
# Webhook intake and anything without a user goes to this organisation (by slug).
TRACKER_DEFAULT_ORGANISATION = env("TRACKER_DEFAULT_ORGANISATION", default="default")
# Hosts that images in brief descriptions (Markdown) may load from; none by default, so a tracking pixel in an
# upstream brief never loads (tracker/markdown.py). Comma-separated host names, e.g. "assets.example.com".
TRACKER_MARKDOWN_IMAGE_HOSTS = [h.strip().lower() for h in env.list("TRACKER_MARKDOWN_IMAGE_HOSTS", default=[]) if h]
# How many reverse proxies in front of us append to X-Forwarded-For (0 = trust REMOTE_ADDR only).
TRACKER_TRUSTED_PROXIES = env.int("TRACKER_TRUSTED_PROXIES", default=0)

# --- Inbound webhooks (Upstream Integration Guide) -----------------------------------------------------------
BRIEF_WEBHOOK_SECRET = env("BRIEF_WEBHOOK_SECRET", default="")
OMG_WEBHOOK_SECRET = env("OMG_WEBHOOK_SECRET", default="")
DELIVERABLE_WEBHOOK_SECRET = env("DELIVERABLE_WEBHOOK_SECRET", default="")
# Upstream adapters (docs/ADAPTERS.md): Creative Force, Optimizely CMP, Optumus Analytics.
CREATIVE_FORCE_WEBHOOK_SECRET = env("CREATIVE_FORCE_WEBHOOK_SECRET", default="")
OPTIMIZELY_CMP_CALLBACK_SECRET = env("OPTIMIZELY_CMP_CALLBACK_SECRET", default="")
OPTUMUS_WEBHOOK_SECRET = env("OPTUMUS_WEBHOOK_SECRET", default="")
# Rotation: every inbound secret above has a `<NAME>_PREVIOUS`, accepted as well until the sender has switched.
BRIEF_WEBHOOK_SECRET_PREVIOUS = env("BRIEF_WEBHOOK_SECRET_PREVIOUS", default="")
OMG_WEBHOOK_SECRET_PREVIOUS = env("OMG_WEBHOOK_SECRET_PREVIOUS", default="")
DELIVERABLE_WEBHOOK_SECRET_PREVIOUS = env("DELIVERABLE_WEBHOOK_SECRET_PREVIOUS", default="")
CREATIVE_FORCE_WEBHOOK_SECRET_PREVIOUS = env("CREATIVE_FORCE_WEBHOOK_SECRET_PREVIOUS", default="")
OPTIMIZELY_CMP_CALLBACK_SECRET_PREVIOUS = env("OPTIMIZELY_CMP_CALLBACK_SECRET_PREVIOUS", default="")
OPTUMUS_WEBHOOK_SECRET_PREVIOUS = env("OPTUMUS_WEBHOOK_SECRET_PREVIOUS", default="")
# Local development only: accept unsigned POSTs. A system check error when DEBUG is off.
BRIEF_WEBHOOK_ALLOW_INSECURE = env.bool("BRIEF_WEBHOOK_ALLOW_INSECURE", default=False)
OMG_WEBHOOK_ALLOW_INSECURE = env.bool("OMG_WEBHOOK_ALLOW_INSECURE", default=False)
DELIVERABLE_WEBHOOK_ALLOW_INSECURE = env.bool("DELIVERABLE_WEBHOOK_ALLOW_INSECURE", default=False)
WEBHOOK_RATE_LIMIT = env("WEBHOOK_RATE_LIMIT", default="100/m")
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)

# --- JSON APIs (REST twins, reviews, /api/v1) --------------------------------------------------------------
# Larger JSON bodies are answered 413 {"error": "payload too large", "maxBytes": ...} before they are parsed.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

# --- External API v1 ------------------------------------------------------------------------------------------
API_KEY_RATE_LIMIT = env("API_KEY_RATE_LIMIT", default="600/m")
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# Domain events (tracker/events.py): an event still undispatched this long after it was written is picked up by
# the sweep; dispatched events are deleted after the retention period.
EVENTS_SWEEP_DELAY_SECONDS = env.int("EVENTS_SWEEP_DELAY_SECONDS", default=30)
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=30)

# --- Box ------------------------------------------------------------------------------------------------------
BOX_CONFIG_FILE = env("BOX_CONFIG_FILE", default="")
BOX_API_BASE_URL = env("BOX_API_BASE_URL", default="https://api.box.com")
BOX_UPLOAD_BASE_URL = env("BOX_UPLOAD_BASE_URL", default="https://upload.box.com/api")
BOX_OAUTH_BASE_URL = env("BOX_OAUTH_BASE_URL", default="https://account.box.com/api/oauth2")
BOX_ROOT_FOLDER_ID = env("BOX_ROOT_FOLDER_ID", default="0")
BOX_WEBHOOK_PRIMARY_KEY = env("BOX_WEBHOOK_PRIMARY_KEY", default="")
BOX_WEBHOOK_SECONDARY_KEY = env("BOX_WEBHOOK_SECONDARY_KEY", default="")
# Pushes: attempts per push, exponential backoff between them, when a "queued" row counts as lost.
BOX_PUSH_MAX_ATTEMPTS = env.int("BOX_PUSH_MAX_ATTEMPTS", default=3)
BOX_RETRY_BACKOFF_SECONDS = env.float("BOX_RETRY_BACKOFF_SECONDS", default=30.0)
BOX_RETRY_BACKOFF_MAX_SECONDS = env.float("BOX_RETRY_BACKOFF_MAX_SECONDS", default=600.0)
BOX_PUSH_STUCK_AFTER_SECONDS = env.int("BOX_PUSH_STUCK_AFTER_SECONDS", default=300)
# A running attempt holds a lease it renews as it works (each Box call, upload progress); a lease that ran out
# means its worker died, and the sweep (every BOX_PUSH_SWEEP_SECONDS) hands the push to another attempt.
BOX_PUSH_LEASE_SECONDS = env.int("BOX_PUSH_LEASE_SECONDS", default=120)
BOX_PUSH_SWEEP_SECONDS = env.int("BOX_PUSH_SWEEP_SECONDS", default=60)
BOX_REQUEST_TIMEOUT_SECONDS = env.float("BOX_REQUEST_TIMEOUT_SECONDS", default=60.0)
BOX_WEBHOOK_MAX_AGE_SECONDS = env.int("BOX_WEBHOOK_MAX_AGE_SECONDS", default=600)
BOX_WEBHOOK_CLOCK_SKEW_SECONDS = env.int("BOX_WEBHOOK_CLOCK_SKEW_SECONDS", default=60)
BOX_APP_URL = env("BOX_APP_URL", default="https://app.box.com")

# --- Outbound webhooks (docs/WEBHOOKS.md) ----------------------------------------------------------------------
# The origin our page URLs in webhook bodies start with (the base path is added to it).
TRACKER_PUBLIC_URL = env("TRACKER_PUBLIC_URL", default="http://127.0.0.1:8000")
# Hosts exempt from the URL rules of every outside address (outbound webhooks, files fetched from upstream
# systems): plain http, loopback. Local development and tests only; a warning otherwise. The older name
# OUTBOUND_WEBHOOK_EXEMPT_HOSTS is still read, and the two lists add up.
WEBHOOK_EXEMPT_HOSTS = env.list("WEBHOOK_EXEMPT_HOSTS", default=[])
OUTBOUND_WEBHOOK_EXEMPT_HOSTS = env.list("OUTBOUND_WEBHOOK_EXEMPT_HOSTS", default=[])
OUTBOUND_WEBHOOK_TIMEOUT_SECONDS = env.float("OUTBOUND_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Waits after attempt 1, 2, 3 (seconds); one more attempt than waits, then the delivery has failed.
OUTBOUND_WEBHOOK_RETRY_SCHEDULE = env.list("OUTBOUND_WEBHOOK_RETRY_SCHEDULE", cast=float, default=[30, 300, 1800])
OUTBOUND_WEBHOOK_DISABLE_AFTER_DAYS = env.float("OUTBOUND_WEBHOOK_DISABLE_AFTER_DAYS", default=5)
OUTBOUND_WEBHOOK_SECRET_OVERLAP_HOURS = env.float("OUTBOUND_WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
OUTBOUND_WEBHOOK_MAX_IN_FLIGHT = env.int("OUTBOUND_WEBHOOK_MAX_IN_FLIGHT", default=4)
OUTBOUND_WEBHOOK_SWEEP_GRACE_SECONDS = env.int("OUTBOUND_WEBHOOK_SWEEP_GRACE_SECONDS", default=60)
OUTBOUND_WEBHOOK_STUCK_AFTER_SECONDS = env.int("OUTBOUND_WEBHOOK_STUCK_AFTER_SECONDS", default=300)
OUTBOUND_WEBHOOK_RETENTION_DAYS = env.int("OUTBOUND_WEBHOOK_RETENTION_DAYS", default=30)

# --- Email (notifications that need action; docs/OPERATIONS.md) -----------------------------------------------
# Console in development (the message is printed by the worker, or by runserver when Celery is eager); SMTP with
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST ...; any provider django-anymail supports with
# anymail.backends.<provider>.EmailBackend and its ANYMAIL_* variables.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A mail server that does not answer holds a worker this long, never a web request.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{TRACKER_BRAND_NAME} <tracker@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# django-anymail's settings, one variable each: ANYMAIL_MAILGUN_API_KEY=... becomes ANYMAIL["MAILGUN_API_KEY"].
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}
# How a user without a saved preference hears of what needs them: IMMEDIATE, DAILY or NONE (the bell only).
NOTIFICATION_EMAIL_DEFAULT = env("NOTIFICATION_EMAIL_DEFAULT", default="IMMEDIATE")
# The daily digest goes out at this hour (TIME_ZONE) and lists the unread notifications of the 24 hours before.
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=7)
# Attempts per email before it is marked failed; the waits between them double from the first.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_BACKOFF_SECONDS = env.float("EMAIL_RETRY_BACKOFF_SECONDS", default=60.0)
# The sweep sends emails still pending this long after they were due (a lost message), and takes back a send
# whose worker has held it past its lease.
EMAIL_SWEEP_GRACE_SECONDS = env.int("EMAIL_SWEEP_GRACE_SECONDS", default=60)
EMAIL_SEND_LEASE_SECONDS = env.int("EMAIL_SEND_LEASE_SECONDS", default=120)

# --- Uploads --------------------------------------------------------------------------------------------------
REVISION_MAX_UPLOAD_BYTES = env.int("REVISION_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Revision thumbnails (deliverables/thumbnails.py), made by a Celery task after each upload ------------------
# The longest side of a thumbnail, in pixels (pages draw them at up to half that, sharp on high-density screens).
THUMBNAIL_SIZE = env.int("THUMBNAIL_SIZE", default=480)
# An image declaring more pixels than this gets the icon instead of being decoded (a decompression bomb).
THUMBNAIL_MAX_PIXELS = env.int("THUMBNAIL_MAX_PIXELS", default=60_000_000)
# The ffmpeg that takes a video's poster frame: a name looked up on PATH or a full path. Empty (or not installed):
# videos get the icon.
THUMBNAIL_FFMPEG = env("THUMBNAIL_FFMPEG", default="ffmpeg")
THUMBNAIL_FFMPEG_TIMEOUT_SECONDS = env.float("THUMBNAIL_FFMPEG_TIMEOUT_SECONDS", default=30.0)
# Tries counted before each rendering: a file that kills or hangs the worker gets the icon after this many.
THUMBNAIL_MAX_ATTEMPTS = env.int("THUMBNAIL_MAX_ATTEMPTS", default=3)

# --- Files fetched from upstream systems (an Optimizely CMP task's asset, docs/adapters/optimizely.md) -----------
# Larger files are refused before or while downloading; the timeout bounds each request, connect to last byte.
UPSTREAM_FETCH_MAX_BYTES = env.int("UPSTREAM_FETCH_MAX_BYTES", default=REVISION_MAX_UPLOAD_BYTES)
UPSTREAM_FETCH_TIMEOUT_SECONDS = env.float("UPSTREAM_FETCH_TIMEOUT_SECONDS", default=60.0)
UPSTREAM_FETCH_MAX_ATTEMPTS = env.int("UPSTREAM_FETCH_MAX_ATTEMPTS", default=5)

# --- Health checks (tracker/health: /healthz, /readyz) and error reporting ------------------------------------
# Beat queues a heartbeat task this often; /readyz reports "worker" down when a worker last ran one longer ago
# than the max age (beat, the broker or every worker has stopped).
HEALTH_HEARTBEAT_SECONDS = env.int("HEALTH_HEARTBEAT_SECONDS", default=30)
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=120)
# A readiness check that takes longer than this (seconds) counts as failed.
HEALTH_CHECK_TIMEOUT_SECONDS = env.float("HEALTH_CHECK_TIMEOUT_SECONDS", default=3.0)
# Errors go to Sentry only when a DSN is set; tracker/sentry.py scrubs secrets and signatures before sending.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from tracker.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

# --- Django ---------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_ratelimit",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tracker",
    "tracker.health",
    "axes",
    "accounts",
    "briefs",
    "projects",
    "deliverables",
    "reviews",
    "integrations.inbound",
    "integrations.box",
    "integrations.outbound",
    "integrations.upstream",
    "integrations.creativeforce",
    "integrations.optumus",
    "integrations.optimizely",
    "api_v1",
    "spreadsheets",
    "demo",
]

MIDDLEWARE = [
    # First: probes skip the host check, the HTTPS and legacy redirects (see the class).
    "tracker.health.middleware.HealthCheckMiddleware",
    "tracker.logging.RequestIdMiddleware",
    "tracker.middleware.LegacyBasePathRedirectMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tracker.middleware.HtmxMessagesMiddleware",
    "tracker.middleware.ApplicationErrorMiddleware",
    # Signs out a session idle for SESSION_IDLE_TIMEOUT_SECONDS (after AuthenticationMiddleware has the user).
    "accounts.middleware.IdleTimeoutMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (accounts.views.locked_out).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"
AUTH_USER_MODEL = "tracker.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.tracker",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a worker's database connection between requests instead of opening one (a TCP and auth handshake, several
# milliseconds on Postgres) for every request; check it before reusing it after it sat idle, so one the server
# dropped is replaced rather than failing the request. 0 closes it after each request, as Django does by default
# (and development does).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, pinging a kept connection only after it sat idle this long (tracker/db_backends/).
    DATABASES["default"]["ENGINE"] = "tracker.db_backends.postgresql"
    DATABASES["default"]["HEALTH_CHECK_AFTER_IDLE_SECONDS"] = env.float(
        "DATABASE_CONN_HEALTH_CHECK_AFTER_IDLE_SECONDS", default=1.0
    )
    # Send the values apart from the SQL (server-side binding) and let psycopg prepare a statement the second time
    # its connection runs it: Postgres then neither parses nor plans it again. Intake runs the same few statements
    # on every call, and this halves what Postgres spends on one. Behind a pooler in transaction mode that cannot
    # keep prepared statements (PgBouncer before 1.21, or without `max_prepared_statements`), set
    # DATABASE_PREPARED_STATEMENTS=false; DATABASE_SERVER_SIDE_BINDING=false goes back to Django's default.
    _server_side_binding = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    _prepared = _server_side_binding and env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": _server_side_binding, "prepare_threshold": 2 if _prepared else None}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once ("database is locked"); take the write lock at
    # the start of a transaction so two writers never deadlock upgrading read locks; WAL lets pages read while
    # a webhook writes, and with WAL `synchronous=NORMAL` is still crash-safe.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://tracker")}
CACHE_IS_SHARED = "locmem" not in CACHES["default"]["BACKEND"].lower()
# The cache only holds rate-limit counters, which fail open: a Redis that is down or hung must cost a request
# milliseconds, never seconds, so every connect and every command gives up quickly (redis-py waits for ever by
# default). Redis answers in well under a millisecond when it is well.
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT_SECONDS", default=0.2),
    "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=0.2),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(REDIS_CACHE_OPTIONS)
    CACHES["default"]["BACKEND"] = "tracker.redis_cache.RedisCache"  # Django's, one client per pool
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "tracker.api.errors.rate_limited"
# django-ratelimit only knows third-party Redis backends by name; Django's own RedisCache has the atomic
# `incr` it needs, so its "not officially supported" warning does not apply.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not CACHE_IS_SHARED:
    # django-ratelimit refuses a per-process cache because counters would not be shared between web
    # processes. The zero-setup default is a single runserver process, so the counts are exact there;
    # production and CI set CACHE_URL to Redis and keep the check on.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
    # Likewise django-axes' warning that sign-in failures counted in a per-process cache are not shared.
    SILENCED_SYSTEM_CHECKS.append("axes.W001")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = f"{TRACKER_BASE_PATH}/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders; it only warns when this is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = f"{TRACKER_BASE_PATH}/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by WhiteNoise straight from the finders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Accounts and access (accounts/, docs/OPERATIONS.md#accounts-and-access) -----------------------------------
# First the lockout check (django-axes, refuses a locked account or address before any password is checked), then
# passwords (refused for an organisation that signs in with SSO only), then OpenID Connect (inert unless set up).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "accounts.backends.PasswordBackend",
    "accounts.oidc.SsoBackend",
]
# Brute force (django-axes): failed sign-ins are counted per account and per source address, separately, in the
# shared cache (CACHE_URL: Redis, so every web process adds to one count). AXES_FAILURE_LIMIT failures lock that
# account, or that address, for AXES_COOLOFF_MINUTES after the last failure; then it opens by itself.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "accounts.lockout.FailOpenCacheHandler"  # axes' cache handler, open when the cache is down
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = "accounts.lockout.lockout_parameters"
# The address behind TRACKER_TRUSTED_PROXIES, worked out the one way the webhooks' rate limits do.
AXES_CLIENT_IP_CALLABLE = "tracker.network.source_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views_auth.locked_out"
AXES_RESET_ON_SUCCESS = True
# The cache handler keeps no rows: the login audit (accounts.LoginEvent) is the record, so axes' admin is off.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Password reset (Django's own views at /password-reset/): a link valid this long, requests limited per source
# address and per e-mail address (django-ratelimit, same cache).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 60 * 60)
PASSWORD_RESET_RATE_LIMIT = env("PASSWORD_RESET_RATE_LIMIT", default="5/h")
# An invitation link is valid this many days.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# Sessions: a session ends SESSION_IDLE_TIMEOUT_SECONDS after its last request (0 = never idle out), and in any
# case SESSION_COOKIE_AGE after sign-in.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=8 * 60 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 60 * 60)
# Sign-in events are kept this many days (tracker/retention.py).
LOGIN_AUDIT_RETENTION_DAYS = env.int("LOGIN_AUDIT_RETENTION_DAYS", default=365)
# Single sign-on, OpenID Connect (mozilla-django-oidc): off unless OIDC_RP_CLIENT_ID is set. Endpoints come from
# the provider's discovery document (OIDC_OP_DISCOVERY_URL) unless each is set on its own.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_URL = env("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="single sign-on")
# A person the provider vouches for whose e-mail matches no user and no invitation is let in (and created with
# OIDC_DEFAULT_ROLE in TRACKER_DEFAULT_ORGANISATION) only when the address's domain is listed here.
OIDC_ALLOWED_DOMAINS = [d.strip().lower() for d in env.list("OIDC_ALLOWED_DOMAINS", default=[]) if d.strip()]
OIDC_DEFAULT_ROLE = env("OIDC_DEFAULT_ROLE", default="VIEWER")
# Roles from the provider: the claim (e.g. "groups" or "roles") and which of its values means which role,
# "tracker-admins=ADMIN,tracker-producers=PRODUCER". Unset: roles are managed on the users page only.
OIDC_ROLE_CLAIM = env("OIDC_ROLE_CLAIM", default="")
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={})
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = False
LOGIN_REDIRECT_URL_FAILURE = "login"
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# Notifications and account e-mails (password reset, invitations) go through EMAIL_BACKEND (above).

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRACKER_TRUSTED_PROXIES else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp). Scripts and style sheets come only from our own static
# files: no inline <script>, no on*= handler, no <style> element, no eval (htmx runs with allowEval off). Style
# *attributes* are allowed (style-src-attr): the pages set positions and widths from data (review pins, progress
# bars, the brand colour), a style attribute cannot run script, and its url()s are still held to img-src. Images
# load from us, data: URLs (the empty favicon) and TRACKER_MARKDOWN_IMAGE_HOSTS only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "style-src-attr": [csp_constants.UNSAFE_INLINE],
        "img-src": [csp_constants.SELF, "data:", *TRACKER_MARKDOWN_IMAGE_HOSTS],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}
SESSION_COOKIE_PATH = TRACKER_BASE_PATH or "/"
CSRF_COOKIE_PATH = TRACKER_BASE_PATH or "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tracker.api.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tracker.api.parsers.JSONBodyParser"],
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# The OpenAPI schema at /api/v1/schema/ describes the external API v1 only (see tracker.api.schema).
SPECTACULAR_SETTINGS = {
    "TITLE": f"{TRACKER_BRAND_NAME} external API",
    "DESCRIPTION": "Projects and deliverables for machine clients. Authenticate with `Authorization: Bearer <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["tracker.api.schema.only_api_v1"],
    "SCHEMA_PATH_PREFIX": f"{TRACKER_BASE_PATH}/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.models.Project.Status",
        "DeliverableStatusEnum": "deliverables.models.Deliverable.Status",
        "PriorityEnum": "tracker.constants.Priority",
    },
    # Swagger UI is served from drf-spectacular-sidecar's static files: the docs work without a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process, so `make run` needs nothing else running.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# The queue tasks are sent to when nothing routes them elsewhere (Celery's own default is "celery").
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
# A down or hung broker must not hold a web request for long: every message we send is a database row first
# (a Box push, an inbound download) and a sweep re-sends what was not sent, so a send connects and publishes
# once (no retries), gives up after these socket timeouts, and is logged. The socket timeout stays above the
# worker's 1 s BRPOP poll; the worker reconnects by its own loop (broker_connection_retry), unaffected.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 0,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT_SECONDS", default=2.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT_SECONDS", default=5.0),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers log through LOGGING (JSON lines with the request id), not Celery's own handler (tracker/celery.py).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["box.push_sweep"] = {"task": "box.push_sweep", "schedule": float(BOX_PUSH_SWEEP_SECONDS)}
CELERY_BEAT_SCHEDULE["optimizely.asset_fetch_sweep"] = {"task": "optimizely.asset_fetch_sweep", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["outbound.sweep"] = {"task": "outbound.sweep", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["tracker.events_sweep"] = {"task": "tracker.events_sweep", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["tracker.health_heartbeat"] = {
    "task": "tracker.health_heartbeat",
    "schedule": float(HEALTH_HEARTBEAT_SECONDS),
    # A heartbeat no worker took in time is worthless later: dropped, so a stopped worker never comes back to a
    # backlog of them.
    "options": {"expires": float(HEALTH_HEARTBEAT_SECONDS)},
}
CELERY_BEAT_SCHEDULE["tracker.emails_sweep"] = {"task": "tracker.emails_sweep", "schedule": 60.0}
# Hourly, so a beat that was down at NOTIFICATION_DIGEST_HOUR still sends the day's digests (once: one per day).
CELERY_BEAT_SCHEDULE["tracker.email_digests"] = {"task": "tracker.email_digests", "schedule": crontab(minute=5)}
# One pruning task for every log and outbox table (tracker/retention.py).
CELERY_BEAT_SCHEDULE["tracker.retention_prune"] = {"task": "tracker.retention_prune", "schedule": 3600.0}

# --- Spreadsheet import (spreadsheets/) -----------------------------------------------------------------------
# A file over either limit is refused up front, before anything is stored or planned.
SPREADSHEET_IMPORT_MAX_ROWS = env.int("SPREADSHEET_IMPORT_MAX_ROWS", default=20_000)
SPREADSHEET_IMPORT_MAX_BYTES = env.int("SPREADSHEET_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Seconds a dry run or commit may take in the worker (10,000 rows take well under a minute).
SPREADSHEET_IMPORT_TIME_LIMIT = env.int("SPREADSHEET_IMPORT_TIME_LIMIT", default=900)
# A running step moves its import on after every chunk of rows (a few seconds at most). One that has not moved for
# this long lost its message or its worker: the page offers Retry, and the sweep re-queues it by itself up to
# SPREADSHEET_IMPORT_AUTO_RETRIES times (after that a person decides, so a file that kills its worker is not
# retried forever).
SPREADSHEET_IMPORT_STALL_SECONDS = env.int("SPREADSHEET_IMPORT_STALL_SECONDS", default=300)
SPREADSHEET_IMPORT_AUTO_RETRIES = env.int("SPREADSHEET_IMPORT_AUTO_RETRIES", default=2)
CELERY_BEAT_SCHEDULE["spreadsheets.requeue_stalled"] = {"task": "spreadsheets.requeue_stalled", "schedule": 60.0}
# Thumbnails still PENDING a few minutes after their revision (a lost message, a killed worker) are sent again.
CELERY_BEAT_SCHEDULE["deliverables.thumbnail_sweep"] = {"task": "deliverables.thumbnail_sweep", "schedule": 300.0}

# --- Logging (tracker/logging.py) -----------------------------------------------------------------------------
# JSON lines for the log shipper in production, readable lines on a developer's terminal. Every line carries the
# request id (X-Request-ID, echoed on the response and carried into the Celery tasks the request queued).
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))

# --- Metrics (tracker/metrics.py) ------------------------------------------------------------------------------
# GET <base>/metrics with `Authorization: Bearer <METRICS_TOKEN>`; unset, the endpoint answers 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Read by prometheus_client itself from the environment: a directory every web and worker process on the host
# shares (a tmpfs volume), so one scrape sums them all. Unset: each process counts on its own (development).
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")

# --- Retention (tracker/retention.py) ----------------------------------------------------------------------------
# Days each log is kept; `tracker.retention_prune` (beat, hourly) and `manage.py prune` delete older rows in
# batches of RETENTION_BATCH_SIZE, each batch its own short transaction. Dispatched events: EVENTS_RETENTION_DAYS;
# finished outbound deliveries and their attempts: OUTBOUND_WEBHOOK_RETENTION_DAYS; idempotency records go when
# they expire (IDEMPOTENCY_KEY_TTL_HOURS).
WEBHOOK_RECEIPT_RETENTION_DAYS = env.int("WEBHOOK_RECEIPT_RETENTION_DAYS", default=90)
BOX_LOG_RETENTION_DAYS = env.int("BOX_LOG_RETENTION_DAYS", default=180)
# How long the adapters remember a payload they applied (a redelivery within it changes nothing). Upstream retries
# end within hours; the days cover a manual resend from the sender's dashboard.
EMAIL_RETENTION_DAYS = env.int("EMAIL_RETENTION_DAYS", default=90)
UPSTREAM_PAYLOAD_RETENTION_DAYS = env.int("UPSTREAM_PAYLOAD_RETENTION_DAYS", default=30)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
# The beat task stops after this long and goes on at its next run, well inside CELERY_TASK_SOFT_TIME_LIMIT.
RETENTION_MAX_SECONDS_PER_RUN = env.int("RETENTION_MAX_SECONDS_PER_RUN", default=60)
