"""Reads for API key management (the settings page and the admin)."""

from django.db.models import F, QuerySet

from tracker.errors import NotFoundError
from tracker.models import ApiKey, Organisation


def api_key_list(*, organisation: Organisation) -> QuerySet[ApiKey]:
    """The organisation's keys, active first, newest first, with who created them (one query)."""
    return (
        ApiKey.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")
    )


def api_key_get(*, organisation: Organisation, pk: int) -> ApiKey:
    api_key = ApiKey.objects.filter(organisation=organisation, pk=pk).first()
    if api_key is None:
        raise NotFoundError("API key not found")
    return api_key
