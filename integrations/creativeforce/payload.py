"""Reading a Creative Force webhook body: which group and action it is, and the fields each handler needs.

Creative Force is loose about spelling: the group comes as "Job", "job" or "work unit", an action as
"completed", "ProductReset", "Deadline Updated" or "ProductDeletedviaKelvin", and ids as strings or numbers.
Everything here folds those spellings into one form, so the handlers compare against a single word.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.utils import timezone

from tracker.errors import ApplicationError

# Groups whose events change nothing here: acknowledged and recorded as ignored.
IGNORED_GROUPS = frozenset({"sample", "user", "session"})
HANDLED_GROUPS = frozenset({"job", "product", "task", "workunit"})

# Fields an event of each handled group must carry for us to act on it.
# PayloadId is what makes a redelivery recognisable; EventDatetimeUtc is what orders the events of one object.
REQUIRED = {
    "job": ("PayloadId", "EventDatetimeUtc", "JobId"),
    "product": ("PayloadId", "EventDatetimeUtc", "JobId", "ProductId", "ProductCode"),
    "task": ("PayloadId", "EventDatetimeUtc", "TaskId", "JobId", "ProductId", "ProductCode"),
    "workunit": ("PayloadId", "EventDatetimeUtc", "ProductId"),
}

# CF sends "Kelvin" (its automation) variants of product actions: they mean the same as the plain ones.
_KELVIN_SUFFIX = "viakelvin"
# A millisecond timestamp beyond year 9999 is not a date anyone meant.
_MAX_MILLISECONDS = 253402300799999


def fold(value) -> str:
    """An upstream word in one spelling: lower case, letters and digits only ("Work Unit" -> "workunit")."""
    return re.sub(r"[^a-z0-9]", "", str(value).lower()) if isinstance(value, str | int) else ""


def text(value) -> str:
    """A string or number field as text; anything else (null, object, list, boolean) as ""."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def action_word(group: str, action) -> str:
    """The action without the group's own prefix or the Kelvin suffix: "ProductDeletedviaKelvin" -> "deleted"."""
    word = fold(action)
    if word.endswith(_KELVIN_SUFFIX):
        word = word[: -len(_KELVIN_SUFFIX)]
    if group and word.startswith(group) and len(word) > len(group):
        word = word[len(group) :]
    return word


def moment(value) -> datetime | None:
    """A CF Unix timestamp in milliseconds as an aware datetime; None when absent or not a timestamp."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= _MAX_MILLISECONDS:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def day(value) -> date | None:
    """A CF millisecond timestamp as a calendar date in the tracker's time zone (a job deadline -> a due date)."""
    when = moment(value)
    return timezone.localtime(when).date() if when else None


@dataclass(frozen=True)
class CfEvent:
    """One Creative Force delivery, its spellings folded."""

    group: str  # "job", "product", "task", "workunit", "sample", "user", "session", or another folded word
    action: str  # folded, group prefix and Kelvin suffix removed: "deleted", "statuschanged", "completed"
    payload_id: str
    event_at: datetime | None
    body: dict

    def get(self, key: str) -> str:
        return text(self.body.get(key))


def event_label(body: dict) -> str:
    """How the receipt names the event when CF sent no X-CF-Event header: "task completed"."""
    return f"{text(body.get('EventGroupName'))} {text(body.get('Action'))}".strip()


def object_keys(body: dict) -> str:
    """The CF ids the event names, for the receipt: `job=<id> product=<id> task=<id>`."""
    names = (("job", "JobId"), ("product", "ProductId"), ("task", "TaskId"), ("sample", "SampleId"))
    return " ".join(f"{name}={text(body.get(key))}" for name, key in names if text(body.get(key)))


def read_event(body: dict) -> CfEvent:
    """The event in `body`, or a 400 ApplicationError naming what a handled group's event lacks."""
    group = fold(body.get("EventGroupName"))
    event = CfEvent(
        group=group,
        action=action_word(group, body.get("Action")),
        payload_id=text(body.get("PayloadId")),
        event_at=moment(body.get("EventDatetimeUtc")),
        body=body,
    )
    if group in HANDLED_GROUPS:
        issues = [
            {"path": [key], "message": "This field is required."} for key in REQUIRED[group] if not event.get(key)
        ]
        if event.get("EventDatetimeUtc") and event.event_at is None:
            issues.append({"path": ["EventDatetimeUtc"], "message": "Expected Unix time in milliseconds."})
        if issues:
            raise ApplicationError("invalid payload", {"issues": issues})
    return event
