"""Domain events: how a domain change reaches the edges without the domain importing them.

A service calls `emit("deliverable.approved", {...})` inside its transaction. Subscribers (registered by the
integrations in their `AppConfig.ready()`) run after that transaction commits, and never for a rolled-back
one. A subscriber that raises is logged and does not stop the others: they must only record work and queue
it (a database row, then a Celery task), never talk to the outside world inline.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
ALL_EVENTS = "*"

_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    """Register `handler(name, payload)` for one event name, or for every event with `ALL_EVENTS`."""
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def emit(name: str, payload: dict[str, Any]) -> None:
    """Deliver the event to its subscribers once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _deliver(name, payload))


def _deliver(name: str, payload: dict[str, Any]) -> None:
    for handler in [*_subscribers[name], *_subscribers[ALL_EVENTS]]:
        try:
            handler(name, payload)
        except Exception:
            logger.exception("events.subscriber_failed", extra={"event": name, "handler": repr(handler)})
