"""Reads for the webhook settings pages and the admin. Every selector takes the `organisation` whose rows it may
return; another organisation's endpoint or delivery is NotFoundError. Query counts do not grow with rows: the
endpoints page is three queries however many endpoints and attempts there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from tracker.errors import NotFoundError
from tracker.models import Organisation

from .models import OutboundAttempt, OutboundDelivery, OutboundEndpoint

HEALTH_WINDOW = 30
OPEN = (OutboundDelivery.Status.PENDING, OutboundDelivery.Status.SENDING)


@dataclass
class EndpointHealth:
    """An endpoint with its last HEALTH_WINDOW attempts (oldest first), for the success rate and the bars."""

    endpoint: OutboundEndpoint
    recent: list[OutboundAttempt] = field(default_factory=list)

    @property
    def last(self) -> OutboundAttempt | None:
        return self.recent[-1] if self.recent else None

    @property
    def success_rate(self) -> int | None:
        if not self.recent:
            return None
        return round(100 * sum(1 for attempt in self.recent if attempt.succeeded) / len(self.recent))


def _endpoints(organisation: Organisation) -> QuerySet[OutboundEndpoint]:
    return OutboundEndpoint.objects.filter(organisation=organisation)


def endpoint_list(*, organisation: Organisation) -> QuerySet[OutboundEndpoint]:
    return _endpoints(organisation).order_by("created_at", "id")


def endpoint_get(*, organisation: Organisation, pk: int) -> OutboundEndpoint:
    endpoint = _endpoints(organisation).filter(pk=pk).first()
    if endpoint is None:
        raise NotFoundError("webhook endpoint not found")
    return endpoint


def recent_attempts(*, endpoint_ids: list[int], per_endpoint: int = HEALTH_WINDOW) -> dict[int, list[OutboundAttempt]]:
    """The last `per_endpoint` attempts of each endpoint, oldest first: one query (a window function)."""
    rows = (
        OutboundAttempt.objects.filter(endpoint_id__in=endpoint_ids)
        .annotate(recency=Window(RowNumber(), partition_by=[F("endpoint_id")], order_by=F("id").desc()))
        .filter(recency__lte=per_endpoint)
        .only(
            "id",
            "endpoint_id",
            "delivery_id",
            "number",
            "started_at",
            "duration_ms",
            "status_code",
            "error",
            "succeeded",
        )
        .order_by("endpoint_id", "id")
    )
    found: dict[int, list[OutboundAttempt]] = defaultdict(list)
    for attempt in rows:
        found[attempt.endpoint_id].append(attempt)
    return found


def endpoint_health_list(*, organisation: Organisation) -> list[EndpointHealth]:
    endpoints = list(
        _endpoints(organisation)
        .annotate(open_deliveries=Count("deliveries", filter=Q(deliveries__status__in=OPEN)))
        .order_by("created_at", "id")
    )
    recent = recent_attempts(endpoint_ids=[endpoint.pk for endpoint in endpoints])
    return [EndpointHealth(endpoint=endpoint, recent=recent.get(endpoint.pk, [])) for endpoint in endpoints]


def endpoint_health(*, endpoint: OutboundEndpoint) -> EndpointHealth:
    return EndpointHealth(endpoint=endpoint, recent=recent_attempts(endpoint_ids=[endpoint.pk]).get(endpoint.pk, []))


def delivery_list(
    *,
    organisation: Organisation,
    endpoint_id: int | None = None,
    event: str = "",
    status: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[OutboundDelivery]:
    """The delivery log, newest first, with each row's endpoint (no body: the list never shows it)."""
    rows = OutboundDelivery.objects.filter(endpoint__organisation=organisation).select_related("endpoint")
    if endpoint_id is not None:
        rows = rows.filter(endpoint_id=endpoint_id)
    if event:
        rows = rows.filter(event_name=event)
    if status:
        rows = rows.filter(status=status)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return rows.defer("body").order_by("-created_at", "-id")


def delivery_get(*, organisation: Organisation, pk: int) -> OutboundDelivery:
    """One delivery with its endpoint and every attempt (`attempt_rows`, in order)."""
    delivery = (
        OutboundDelivery.objects.filter(endpoint__organisation=organisation, pk=pk)
        .select_related("endpoint", "requested_by")
        .prefetch_related("attempt_rows")
        .first()
    )
    if delivery is None:
        raise NotFoundError("webhook delivery not found")
    return delivery


def latest_attempt(*, delivery: OutboundDelivery) -> OutboundAttempt | None:
    return delivery.attempt_rows.order_by("-number").first()
