"""Wire field types every input serializer shares (webhooks, REST twins, /api/v1).

They speak the Upstream Integration Guide's camelCase names and produce `validated_data` keyed by the model's
field names (through `source=`), holding only the keys the caller sent. That is what lets an update that omits
an optional field keep the stored value: pass `validated_data` straight to the service.

They are strict about JSON types (a number is not a string, `true` is not a number), so a wrong type is an
`invalid payload` issue and never reaches the database.
"""

import json
import math
import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from tracker.ids import MAX_ID, parse_id
from tracker.models import ClientTeam

from .parsers import json_nesting

# The widest value a PositiveIntegerField holds on every database we run on (Postgres `integer`).
MAX_DB_INTEGER = 2_147_483_647
# Upstream pass-through objects (raw, rawPayload, customFields) may nest this deep, no deeper.
MAX_JSON_DEPTH = 32
# Dates and date-times outside these years are refused: converting year 1 or 9999 between time zones overflows
# Python's datetime (a 500 on intake, or on every page that shows the date), and no brief, project or deliverable
# is due in either.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
# A NUL character in JSON text: the escape \u0000 whose backslash is not itself escaped.
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
OUT_OF_RANGE = f"Must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."


class TemplateCopyMixin:
    """A cheap copy of an unbound field. DRF's serializers deep-copy their declared fields for every instance they
    make, and DRF copies a field by running its `__init__` again with the arguments it was made with: for the
    webhooks that was a quarter of the CPU of a call. A field of ours keeps nothing beyond what `__init__` set and
    `bind` overwrites, so a shallow copy of the class's unbound template with its own validators list is the same
    field. A bound field, or one whose default is a mutable container, is copied DRF's way."""

    def __deepcopy__(self, memo):
        default = self._kwargs.get("default")
        if self.parent is not None or isinstance(default, dict | list | set):
            return super().__deepcopy__(memo)
        clone = object.__new__(type(self))  # copy.copy, without its pickling protocol's detour
        clone.__dict__.update(self.__dict__)
        if "_validators" in clone.__dict__:
            clone._validators = list(clone._validators)
        return clone


def storable_text(value: str) -> bool:
    """Whether a database can store the text as sent: no NUL characters (Postgres refuses them) and no lone
    UTF-16 surrogates (valid JSON escapes such as "\\ud800", but not encodable as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class StorableTextMixin:
    """Refuses text no database column could store (see `storable_text`), as an invalid value of the field."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and not storable_text(data):
            raise serializers.ValidationError("Must be valid Unicode text without NUL characters.", code="unstorable")
        return super().run_validation(data)


class TextField(TemplateCopyMixin, StorableTextMixin, serializers.CharField):
    """DRF's CharField (which already refuses NUL) that also refuses lone surrogates no database can store."""


class IdField(TemplateCopyMixin, serializers.IntegerField):
    """A database id sent as a number: 1 to the largest id a database holds, so a lookup never overflows."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class OptionalTextMixin:
    """An optional JSON string and only a string; `null` clears the stored text (it becomes "")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None and self.allow_null:
            return True, ""
        return super().validate_empty_values(data)

    def run_validation(self, data=serializers.empty):
        if data is not serializers.empty and data is not None and not isinstance(data, str):
            self.fail("invalid")
        return super().run_validation(data)


class StringField(TemplateCopyMixin, OptionalTextMixin, StorableTextMixin, serializers.CharField):
    """A JSON string, and only a string: numbers, booleans, lists and objects are refused.

    Optional by default; `null` clears the stored text (it becomes ""), which is not the same as leaving
    the key out (the stored value is kept).
    """

    default_error_messages = {"invalid": "Must be a string."}


class RequiredStringField(StringField):
    """A required, non-blank JSON string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("allow_blank", False)
        kwargs.setdefault("allow_null", False)
        super().__init__(**kwargs)


class EmailStringField(TemplateCopyMixin, OptionalTextMixin, StorableTextMixin, serializers.EmailField):
    """An e-mail address sent as a JSON string; `null` clears it."""

    default_error_messages = {"invalid": "Enter a valid email address."}


class IdentifierField(TemplateCopyMixin, StorableTextMixin, serializers.CharField):
    """An upstream identifier (externalId, job number): a JSON string, or an integer sent as a number."""

    default_error_messages = {"invalid": "Must be a string or an integer."}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        return super().to_internal_value(str(data))


class CountField(TemplateCopyMixin, serializers.IntegerField):
    """A whole number >= 0 sent as a JSON number (not a string, not a boolean); `null` clears it."""

    default_error_messages = {"invalid": "Must be a whole number."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_DB_INTEGER)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not (math.isfinite(data) and data.is_integer()):
            self.fail("invalid")
        return super().to_internal_value(int(data))


class ChoiceStringField(TemplateCopyMixin, serializers.ChoiceField):
    """One of a fixed set of strings, matched exactly (`"HIGH"`, not `"high"`)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class BoundedListField(serializers.ListField):
    """A JSON array whose length is checked before any item is: a list far over `max_length` costs one `len()`,
    not a validation of every item (DRF's ListField checks the length last)."""

    def __init__(self, **kwargs):
        if kwargs.get("max_length") is None:
            raise TypeError("BoundedListField needs a max_length")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def _in_range(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


class DateOrDateTimeField(TemplateCopyMixin, serializers.Field):
    """A calendar date from `"2026-05-15"` or an ISO-8601 datetime such as `"2026-05-15T17:00:00Z"`.

    A datetime is converted to the tracker's time zone (TIME_ZONE) before its date is taken; `null` clears it.
    Dates outside EARLIEST_DATE..LATEST_DATE are refused.
    """

    default_error_messages = {
        "invalid": "Must be an ISO-8601 date (YYYY-MM-DD) or date-time.",
        "out_of_range": OUT_OF_RANGE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> date:
        if not isinstance(data, str) or len(data) > 64:
            self.fail("invalid")
        try:
            parsed = parse_date(data) or parse_datetime(data)
        except ValueError:
            self.fail("invalid")
        if parsed is None:
            self.fail("invalid")
        if not isinstance(parsed, datetime):
            if not _in_range(parsed):
                self.fail("out_of_range")
            return parsed
        # Check the date as sent before converting it: the conversion itself overflows at the ends of time.
        if not _in_range(parsed.date()):
            self.fail("out_of_range")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        localdate = timezone.localdate(parsed)
        if not _in_range(localdate):
            self.fail("out_of_range")
        return localdate

    def to_representation(self, value):
        return value.isoformat() if value else None


class DateTimeStringField(TemplateCopyMixin, serializers.DateTimeField):
    """An ISO-8601 date-time sent as a JSON string (a bare date means its midnight); `null` clears it.

    Date-times outside EARLIEST_DATE..LATEST_DATE are refused.
    """

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, value) -> datetime:
        if not isinstance(value, str) or len(value) > 64:
            self.fail("invalid", format="ISO-8601")
        try:
            sent = parse_datetime(value) or parse_date(value)
        except ValueError:
            sent = None
        if sent is not None and not _in_range(sent.date() if isinstance(sent, datetime) else sent):
            self.fail("out_of_range")
        parsed = super().to_internal_value(value)
        if not _in_range(timezone.localdate(parsed) if timezone.is_aware(parsed) else parsed.date()):
            self.fail("out_of_range")
        return parsed


class JSONObjectField(TemplateCopyMixin, serializers.Field):
    """A JSON object passed through verbatim (`raw`, `rawPayload`, `customFields`).

    Refuses what no database column could store faithfully: non-finite numbers, NUL characters (Postgres
    `jsonb` rejects them) and nesting deeper than MAX_JSON_DEPTH. `null` stores an empty object.
    """

    default_error_messages = {
        "invalid": "Must be a JSON object.",
        "too_deep": f"Nested deeper than {MAX_JSON_DEPTH} levels.",
        "not_finite": "Numbers must be finite.",
        "nul": "Strings may not contain NUL (\\u0000) characters.",
        "surrogate": "Must be valid Unicode.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None and self.allow_null:
            return True, {}
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> dict:
        if not isinstance(data, dict):
            self.fail("invalid")
        # Checked on the object's JSON text, in C, rather than by walking it in Python: a megabyte-wide object
        # costs milliseconds. json.dumps refuses non-finite numbers (`1e400` decodes to infinity).
        try:
            text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        except ValueError:
            self.fail("not_finite")
        except RecursionError:
            self.fail("too_deep")
        if json_nesting(text) > MAX_JSON_DEPTH:
            self.fail("too_deep")
        if "\\u0000" in text and _NUL_ESCAPE.search(text):  # the substring test is C-fast; the regex is exact
            self.fail("nul")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("surrogate")
        return data

    def to_representation(self, value):
        return value


class ClientTeamIdField(TemplateCopyMixin, serializers.Field):
    """`clientTeamId`: a ClientTeam id as a string or a number, within the organisation in the context.

    The serializer's context must carry `organisation`. `null` clears the team.
    """

    default_error_messages = {
        "invalid": "Must be a client team id (string or number).",
        "unknown": "Unknown client team.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> ClientTeam:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        pk = parse_id(data)
        if pk is None:
            self.fail("unknown")
        team = ClientTeam.objects.filter(organisation=self.context["organisation"], pk=pk).first()
        if team is None:
            self.fail("unknown")
        return team

    def to_representation(self, value):
        return str(value.pk) if value else None
