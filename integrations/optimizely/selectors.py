"""Reads for the CMP panel on the deliverable page. Every selector takes the `organisation`; another
organisation's deliverable is "not found"."""

from django.db.models import QuerySet

from deliverables.models import Deliverable
from deliverables.selectors import deliverable_detail
from integrations.upstream.models import UpstreamObject
from tracker.models import Organisation

from .constants import PROVIDER, TASK
from .models import CmpAssetFetch


def cmp_deliverable(*, organisation: Organisation, pk: int) -> Deliverable:
    return deliverable_detail(organisation=organisation, pk=pk)


def cmp_task_for_deliverable(*, organisation: Organisation, deliverable: Deliverable) -> UpstreamObject | None:
    """The CMP task linked to the deliverable, if any: one query."""
    return UpstreamObject.objects.filter(
        organisation=organisation, provider=PROVIDER, kind=TASK, deliverable=deliverable
    ).first()


def cmp_asset_fetches(*, organisation: Organisation, deliverable: Deliverable) -> QuerySet[CmpAssetFetch]:
    """The deliverable's asset downloads still in flight or failed, newest first (done ones are its revisions)."""
    return CmpAssetFetch.objects.filter(organisation=organisation, deliverable=deliverable).exclude(
        status=CmpAssetFetch.Status.DONE
    )[:5]
