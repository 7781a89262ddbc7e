"""System checks: a dangerous setting in production is an error, not a surprise at runtime."""

from django.conf import settings
from django.core.checks import Error, Tags, register

INSECURE_FLAGS = ("BRIEF_WEBHOOK_ALLOW_INSECURE", "OMG_WEBHOOK_ALLOW_INSECURE", "DELIVERABLE_WEBHOOK_ALLOW_INSECURE")


@register(Tags.security, deploy=False)
def check_insecure_webhooks(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    return [
        Error(
            f"{name}=true accepts unsigned webhooks; it is for local development only.",
            hint=f"Unset {name}, or run with DEBUG=true on a machine that is not shared.",
            id="tracker.E001",
        )
        for name in INSECURE_FLAGS
        if getattr(settings, name, False)
    ]


# A deploy check, like Django's own SECRET_KEY checks: `manage.py check --deploy` is part of every release.
@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY != settings.INSECURE_DEV_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is the built-in development key while DEBUG is off.",
            hint="Set SECRET_KEY in the environment to a long random value.",
            id="tracker.E002",
        )
    ]
