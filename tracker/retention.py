"""Retention: the one mechanism that deletes old log and outbox rows, for the beat task `tracker.retention_prune`
and `manage.py prune` alike.

Each table that grows for ever registers a policy: which rows are old enough to go, given `now`. The tracker
registers its own (dispatched events, expired idempotency records); the integrations register theirs in their
`AppConfig.ready()` (webhook receipts, Box logs, finished outbound deliveries), as the sidebar registry works, so
this module imports no app above it.

Deleting is done in batches: the ids of the next RETENTION_BATCH_SIZE old rows are read (oldest first), then those
rows are deleted in their own short transaction, re-checking the policy's filter so a row that changed in between
(a failed delivery resent) is kept. Each transaction locks only the rows it deletes and their cascaded children,
for milliseconds; nothing ever holds a table. A run may stop between batches (`max_seconds`) and lose nothing:
the next run goes on where it stopped.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionPolicy:
    """`old_rows(now)` is the queryset of rows that may be deleted at `now` (it reads its setting when called)."""

    name: str
    old_rows: Callable[[datetime], QuerySet]
    description: str = ""


_policies: dict[str, RetentionPolicy] = {}


def register_retention(name: str, old_rows: Callable[[datetime], QuerySet], description: str = "") -> None:
    _policies[name] = RetentionPolicy(name=name, old_rows=old_rows, description=description)


def retention_policies() -> list[RetentionPolicy]:
    return [_policies[name] for name in sorted(_policies)]


@dataclass
class PruneReport:
    """What a run removed (or, in a dry run, would remove): rows per table (`app_label.Model`, cascades
    included), and whether it stopped early for time."""

    removed: Counter
    eligible: dict[str, int]
    finished: bool = True

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def _prune_one(policy: RetentionPolicy, now: datetime, batch_size: int, deadline: float | None, removed: Counter):
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            return False
        old = policy.old_rows(now)
        ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return True
        with transaction.atomic():
            _, per_model = policy.old_rows(now).filter(pk__in=ids).delete()
        removed.update({label: count for label, count in per_model.items() if count})
        if len(ids) < batch_size:
            return True


def retention_prune(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    max_seconds: float | None = None,
    dry_run: bool = False,
    only: list[str] | None = None,
) -> PruneReport:
    """Delete every registered policy's old rows in batches. `dry_run` only counts them. Safe to run at any time, in
    several processes at once (a row deleted by another run is simply not found)."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    deadline = time.monotonic() + max_seconds if max_seconds else None
    policies = [p for p in retention_policies() if only is None or p.name in only]
    report = PruneReport(removed=Counter(), eligible={})
    for policy in policies:
        if dry_run:
            report.eligible[policy.name] = policy.old_rows(now).count()
            continue
        if not _prune_one(policy, now, batch_size, deadline, report.removed):
            report.finished = False
            break
    if report.total:
        logger.info("retention.pruned", extra={"removed": dict(report.removed), "finished": report.finished})
    return report
