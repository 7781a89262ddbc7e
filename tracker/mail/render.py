"""An email's subject and plain-text and HTML bodies, drawn from `templates/tracker/email/`.

Links are absolute (TRACKER_PUBLIC_URL): a notification's link opens it through `notification_open`, which marks it
read and then goes to the page it points at (after sign-in when needed).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from ..links import absolute_url
from ..models import Notification, User


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _subject(text: str) -> str:
    # A subject is one line; titles come from names people typed.
    return " ".join(f"[{settings.TRACKER_BRAND_NAME}] {text}".split())[:255]


def _common() -> dict:
    return {
        "brand_name": settings.TRACKER_BRAND_NAME,
        "preferences_url": absolute_url(reverse("notification_preferences")),
    }


def notification_link(notification: Notification) -> str:
    return absolute_url(reverse("notification_open", args=[notification.pk]))


def render_notification(notification: Notification) -> Rendered:
    context = {**_common(), "notification": notification, "link": notification_link(notification)}
    return Rendered(
        subject=_subject(notification.title),
        text=render_to_string("tracker/email/notification.txt", context),
        html=render_to_string("tracker/email/notification.html", context),
    )


def render_digest(user: User, notifications: list[Notification], day: date) -> Rendered:
    entries = [(n, notification_link(n)) for n in notifications]
    count = len(entries)
    context = {**_common(), "user": user, "entries": entries, "day": day, "count": count}
    return Rendered(
        subject=_subject(f"{count} thing{'s' if count != 1 else ''} waiting for you ({day.day} {day:%b %Y})"),
        text=render_to_string("tracker/email/digest.txt", context),
        html=render_to_string("tracker/email/digest.html", context),
    )
