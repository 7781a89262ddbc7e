"""The time outbound webhooks run on. Every schedule decision (when an attempt is due, when an endpoint has failed
for long enough, when a rotated secret expires) reads `now()`, so tests can drive the retry schedule with a
clock they move by hand instead of waiting 30 minutes."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
