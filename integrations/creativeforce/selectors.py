"""Reads of the adapter's own links (UpstreamObject rows), scoped to the organisation."""

from django.db.models import QuerySet

from deliverables.models import Deliverable
from integrations.upstream.models import Provider, UpstreamObject
from tracker.models import Organisation

from .keys import Kind, product_key


def product_deliverables(
    *, organisation: Organisation, product_id: str, except_job_id: str | None = None
) -> QuerySet[Deliverable]:
    """The deliverables linked to CF product `product_id` in any job (a moved product has one per job it was in),
    newest link first; `except_job_id` leaves out the one in that job."""
    links = UpstreamObject.objects.filter(
        organisation=organisation,
        provider=Provider.CREATIVE_FORCE,
        kind=Kind.PRODUCT,
        external_id__startswith=f"{product_id}/",
        deliverable__isnull=False,
    )
    if except_job_id:
        links = links.exclude(external_id=product_key(except_job_id, product_id))
    return (
        Deliverable.objects.filter(pk__in=links.values("deliverable_id"))
        .select_related("project")
        .order_by("-updated_at", "-id")
    )
