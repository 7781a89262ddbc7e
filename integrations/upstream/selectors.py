"""Reads for the integrations settings page: per adapter, what arrived in the last days and how it was answered.
A fixed number of queries however many receipts there are."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from integrations.inbound.models import WebhookReceipt

from .registry import Adapter, adapters

WINDOW_DAYS = 7
RECENT_LIMIT = 50
OUTCOMES = [outcome for outcome, _ in WebhookReceipt.Outcome.choices]


@dataclass
class EventRow:
    """One event type of one adapter: how many calls, split by outcome (for the stacked bar)."""

    event: str
    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def segments(self, scale: int) -> list[tuple[str, int, int]]:
        """(outcome, count, width in % of the busiest event type) for each outcome present."""
        return [
            (outcome, self.by_outcome[outcome], max(1, round(100 * self.by_outcome[outcome] / scale)))
            for outcome in OUTCOMES
            if self.by_outcome.get(outcome)
        ]


@dataclass
class AdapterHealth:
    adapter: Adapter
    events: list[EventRow] = field(default_factory=list)
    total: int = 0
    failed: int = 0
    last_received_at: object = None

    @property
    def scale(self) -> int:
        return max((row.total for row in self.events), default=1)

    @property
    def bars(self) -> list[tuple[EventRow, list[tuple[str, int, int]]]]:
        return [(row, row.segments(self.scale)) for row in self.events]


def adapter_health_list(*, days: int = WINDOW_DAYS) -> list[AdapterHealth]:
    """Each registered adapter with its calls of the last `days` days by event type and outcome (one query)."""
    registered = adapters()
    by_route = {route: health for health in map(AdapterHealth, registered) for route, _ in health.adapter.routes}
    since = timezone.now() - timedelta(days=days)
    counts = (
        WebhookReceipt.objects.filter(route__in=list(by_route), created_at__gte=since)
        .values("route", "event", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows: dict[tuple[str, str], EventRow] = {}
    for item in counts:
        health = by_route[item["route"]]
        row = rows.get((health.adapter.provider, item["event"]))
        if row is None:
            row = rows[(health.adapter.provider, item["event"])] = EventRow(event=item["event"] or "(no event)")
            health.events.append(row)
        row.total += item["n"]
        row.by_outcome[item["outcome"]] = row.by_outcome.get(item["outcome"], 0) + item["n"]
        health.total += item["n"]
        if item["outcome"] in (WebhookReceipt.Outcome.REJECTED, WebhookReceipt.Outcome.FAILED):
            health.failed += item["n"]
    healths = list({id(h): h for h in by_route.values()}.values()) if by_route else []
    for health in healths:
        health.events.sort(key=lambda row: (-row.total, row.event))
    return sorted(healths, key=lambda health: health.adapter.label)


def receipt_problems_by_route(*, since) -> list[tuple[str, int]]:
    """Webhook calls refused (4xx) or failed (5xx) since `since`, per route of every inbound webhook (the intake
    routes and the adapters'), busiest first, as (route label, count): one query. Receipts carry no organisation:
    like every unattributed webhook they are the installation's."""
    labels = dict(WebhookReceipt.Route.choices)
    counts = (
        WebhookReceipt.objects.filter(
            created_at__gte=since, outcome__in=(WebhookReceipt.Outcome.REJECTED, WebhookReceipt.Outcome.FAILED)
        )
        .values("route")
        .annotate(n=Count("id"))
        .order_by("-n", "route")
    )
    return [(labels.get(row["route"], row["route"]), row["n"]) for row in counts]


def adapter_receipts(*, provider: str = "", outcome: str = "", event: str = "", limit: int = RECENT_LIMIT):
    """The most recent receipts of the adapters' routes, filtered (one query)."""
    routes = [route for adapter in adapters() if not provider or adapter.provider == provider
              for route, _ in adapter.routes]  # fmt: skip
    receipts = WebhookReceipt.objects.filter(route__in=routes)
    if outcome:
        receipts = receipts.filter(outcome=outcome)
    if event:
        receipts = receipts.filter(event__icontains=event)
    return list(receipts.order_by("-created_at", "-id")[:limit])
