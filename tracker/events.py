"""Domain events as rows first (a transactional outbox): how a domain change reaches the edges without the
domain importing them, and without being lost.

A service calls `emit("deliverable.approved", {...})` inside its transaction: that writes an `Event` row in the
same transaction, so the event exists exactly when the change does. Subscribers (registered by the edges in their
`AppConfig.ready()`) are dispatched from the row:

- right after the transaction commits (`on_commit`), in the same process, for speed;
- by `events_dispatch_pending` (the beat task `tracker.events_sweep` and `manage.py dispatch_events`) for rows
  still undispatched past EVENTS_SWEEP_DELAY_SECONDS: a process that died before its callback, a subscriber that
  raised, a database blip.

Each subscriber's handling is recorded per event id (`EventDelivery`) inside the subscriber's own transaction:
the delivery row and the subscriber's work commit together or not at all. A redelivered event never acts twice,
and a subscriber that raised is retried later (with growing spacing) without repeating the others. Subscribers
only record work (a row) and queue it; they never talk to the outside world inline.

Recorders: `subscribe_in_transaction(name | ALL_EVENTS, recorder)` registers `recorder(event)`, which `emit()` calls
synchronously inside the emitting transaction, right after writing the Event row, with that row. Use it for work
that must commit together with the change itself (an outbound webhook's delivery rows): a recorder only writes rows
(and may ask for them to be picked up with `transaction.on_commit`); it never talks to the outside world and never
swallows its own errors, because one that raises rolls back the change that emitted the event. Keep it to a few
queries: it runs in every emitting transaction.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .db import insert
from .models import Event, EventDelivery

logger = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
Recorder = Callable[[Event], None]
ALL_EVENTS = "*"
MAX_RETRY_SPACING = timedelta(hours=1)
ERROR_TEXT_LIMIT = 2000

_subscribers: dict[str, list[Handler]] = defaultdict(list)
_recorders: dict[str, list[Recorder]] = defaultdict(list)


def subscriber_name(handler: Handler) -> str:
    """The stable name a handler's deliveries are recorded under (module and qualified name)."""
    return f"{handler.__module__}.{handler.__qualname__}"[:255]


def subscribe(name: str, handler: Handler) -> None:
    """Register `handler(name, payload)` for one event name, or for every event with `ALL_EVENTS`."""
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def subscribers_for(name: str) -> list[Handler]:
    return [*_subscribers[name], *_subscribers[ALL_EVENTS]]


def subscribe_in_transaction(name: str, recorder: Recorder) -> None:
    """Register `recorder(event)` to run inside every emitting transaction of `name` (or of every event with
    `ALL_EVENTS`), right after the Event row is written. See the module docstring for what a recorder may do."""
    if recorder not in _recorders[name]:
        _recorders[name].append(recorder)


def unsubscribe_in_transaction(name: str, recorder: Recorder) -> None:
    if recorder in _recorders[name]:
        _recorders[name].remove(recorder)


def emit(name: str, payload: dict[str, Any]) -> Event:
    """Write the event in the surrounding transaction, run the in-transaction recorders on it, and dispatch it
    to subscribers once the transaction commits.

    A rolled-back transaction (or savepoint) takes its event rows, and whatever the recorders wrote, with it, so
    nothing is ever heard of a change that did not happen."""
    # savepoint=False: inside a transaction this adds nothing (a recorder's error fails the whole of it); called
    # in autocommit, it still makes the event and the recorders' rows one transaction.
    now = timezone.now()
    # An event nobody subscribes to is dispatched the moment it commits: it is written so, and nothing is
    # scheduled (intake's events mostly; a dispatch would cost a read, an update and a commit per call).
    heard = bool(subscribers_for(name))
    with transaction.atomic(savepoint=False):
        event = Event(
            name=name,
            payload=payload,
            next_attempt_at=_sweep_due(now) if heard else None,
            dispatched_at=None if heard else now,
        )
        insert(event)  # `Event.objects.create` without its compile: every intake call writes one
        for recorder in [*_recorders[name], *_recorders[ALL_EVENTS]]:
            recorder(event)
    if heard:
        transaction.on_commit(lambda: event_dispatch(event_id=event.pk))
    return event


def _sweep_due(now):
    return now + timedelta(seconds=settings.EVENTS_SWEEP_DELAY_SECONDS)


def _handle(event: Event, handler: Handler) -> bool:
    """Run one subscriber for one event, recording it. False when it raised (it is retried later)."""
    try:
        with transaction.atomic():
            # The delivery row is inserted first: a concurrent dispatcher of the same event waits on the unique
            # index and then skips, and a handler that raises rolls its delivery row back with its own work.
            EventDelivery.objects.create(event=event, subscriber=subscriber_name(handler))
            handler(event.name, event.payload)
    except IntegrityError:
        return True  # another dispatcher handled it
    except Exception:
        logger.exception(
            "events.subscriber_failed",
            extra={"event": event.name, "event_id": event.pk, "subscriber": subscriber_name(handler)},
        )
        return False
    return True


def event_dispatch(*, event_id: int) -> bool:
    """Hand one undispatched event to every subscriber that has not handled it yet. True when all have."""
    event = Event.objects.filter(pk=event_id, dispatched_at__isnull=True).first()
    if event is None:
        return True
    handlers = subscribers_for(event.name)
    done = set(EventDelivery.objects.filter(event=event).values_list("subscriber", flat=True)) if handlers else set()
    failed = [h for h in handlers if subscriber_name(h) not in done and not _handle(event, h)]
    now = timezone.now()
    if not failed:
        Event.objects.filter(pk=event.pk).update(dispatched_at=now, next_attempt_at=None, last_error="")
        return True
    spacing = min(
        timedelta(seconds=settings.EVENTS_SWEEP_DELAY_SECONDS) * 2 ** min(event.attempts, 16), MAX_RETRY_SPACING
    )
    Event.objects.filter(pk=event.pk).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + spacing,
        last_error=("failed: " + ", ".join(subscriber_name(h) for h in failed))[:ERROR_TEXT_LIMIT],
    )
    return False


def events_dispatch_pending(*, now=None, limit: int = 500) -> int:
    """The sweep: dispatch events left undispatched past their due time, oldest first. Returns how many were
    fully dispatched. Safe to run at any time, in several processes at once."""
    now = now or timezone.now()
    due = Event.objects.filter(dispatched_at__isnull=True).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    )
    ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
    return sum(1 for event_id in ids if event_dispatch(event_id=event_id))


def events_old(now):
    """Retention (tracker/retention.py): dispatched events older than EVENTS_RETENTION_DAYS (their deliveries go
    with them). An event that has not been dispatched is never pruned, however old."""
    cutoff = now - timedelta(days=settings.EVENTS_RETENTION_DAYS)
    return Event.objects.filter(dispatched_at__isnull=False, created_at__lt=cutoff)
