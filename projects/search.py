"""Custom-field keys the project search looks in, besides name, project code and OMG job number.

An upstream system that keeps its own job code in a project's custom fields (Creative Force's JobCode) registers
the key from its `AppConfig.ready()`, so people find the project by the code they know from that system.
`projects` never learns which systems exist.
"""

from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform

_keys: list[str] = []


def register_searchable_custom_field(key: str) -> None:
    """Search the custom field `key` too (idempotent)."""
    if key not in _keys:
        _keys.append(key)


def custom_field_aliases() -> dict[str, KeyTextTransform]:
    """The registered keys as text expressions to `alias()` a queryset with, under names of our own."""
    return {f"_custom_search_{index}": KeyTextTransform(key, "custom_fields") for index, key in enumerate(_keys)}


def custom_field_match(aliases: dict, search: str) -> Q:
    match = Q()
    for name in aliases:
        match |= Q(**{f"{name}__icontains": search})
    return match
