"""Column mappings: proposed from the header spellings, remembered once a producer confirms one."""

import hashlib

from django.db import transaction

from tracker.db import upsert
from tracker.models import Organisation

from .columns import guess_mapping, normalise
from .models import ColumnMapping


def headers_key(headers: list[str]) -> str:
    """The same header row, whatever its case and punctuation, gives the same key."""
    return hashlib.sha256("\x1f".join(normalise(header) for header in headers).encode()).hexdigest()


def mapping_for(*, organisation: Organisation, kind: str, headers: list[str]) -> dict:
    """The mapping confirmed last time for these headers, else the recognised spellings."""
    remembered = ColumnMapping.objects.filter(
        organisation=organisation, kind=kind, headers_key=headers_key(headers)
    ).first()
    if remembered is not None:
        by_key = {normalise(header): field for header, field in remembered.mapping.items()}
        return {header: by_key[normalise(header)] for header in headers if normalise(header) in by_key}
    return guess_mapping(kind, headers)


@transaction.atomic
def mapping_remember(*, organisation: Organisation, kind: str, headers: list[str], mapping: dict) -> ColumnMapping:
    """Called by the service that confirms an import's mapping (it checks the permission)."""
    row, _created = upsert(
        ColumnMapping,
        lookup={"organisation": organisation, "kind": kind, "headers_key": headers_key(headers)},
        create_fields={"mapping": mapping},
        update_fields={"mapping": mapping},
    )
    return row
