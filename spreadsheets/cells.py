"""From a spreadsheet cell to the value an intake service takes, through the same wire fields the webhooks use.

A cell arrives typed (text, number, date, datetime, bool) or, from a CSV, as text. Each column turns it into what
the webhook body would carry (text, a whole number, an ISO date) and validates that with the field type the
webhooks use (`tracker.api.fields`), so a value the OMG webhook refuses is refused here with the same words.
A blank cell leaves the stored value alone, as an omitted key does on the webhook.
"""

import re
from datetime import date, datetime, timedelta

from rest_framework import serializers

from deliverables.models import Deliverable
from projects.models import Project
from projects.omg import omg_priority, omg_status
from tracker.api.fields import CountField, DateOrDateTimeField, IdentifierField, StringField
from tracker.constants import Priority
from tracker.models import ClientTeam

# Excel stores a date as days since 1899-12-30 (the 1900 leap-year bug folded in); 2958465 is 9999-12-31.
EXCEL_EPOCH = date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2_958_465
DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


class CellError(ValueError):
    """The cell's value cannot be used; the message says why, in words a producer can act on."""


def _first_error(error: serializers.ValidationError) -> str:
    detail = error.detail
    while isinstance(detail, list | dict):
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail).rstrip(".")


def _validated(field: serializers.Field, value):
    try:
        return field.run_validation(value)
    except serializers.ValidationError as error:
        raise CellError(_first_error(error)) from error


def as_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a job number typed as a number reads back as 12345.0
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell).strip()


def as_date(cell) -> date:
    """Any form Excel gives a date in: a date cell, a datetime, an unformatted serial number, or text
    ("2026-05-15", "2026-05-15T17:00:00Z", "15/05/2026")."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 1 <= cell <= MAX_EXCEL_SERIAL:
            return EXCEL_EPOCH + timedelta(days=int(cell))
        raise CellError("Must be a date")
    text = str(cell).strip()
    match = DAY_FIRST.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError as error:
            raise CellError("Must be a date") from error
    return _validated(DateOrDateTimeField(), text)


def as_count(cell) -> int:
    if isinstance(cell, str):
        text = cell.strip()
        if not text.isdigit():
            raise CellError("Must be a whole number")
        cell = int(text)
    return _validated(CountField(), cell)


def text_field(max_length: int | None = None):
    field = StringField(max_length=max_length)
    return lambda cell: _validated(field, as_text(cell))


def identifier(cell) -> str:
    return _validated(IdentifierField(max_length=64), as_text(cell))


def _by_value_or_label(choices, text: str) -> str | None:
    key = " ".join(text.replace("_", " ").split()).lower()
    return next((value for value, label in choices if key in (value.replace("_", " ").lower(), label.lower())), None)


def priority(cell) -> str:
    """The tracker's own priorities (what an export writes) or OMG's words ("priority" is URGENT)."""
    text = as_text(cell)
    found = _by_value_or_label(Priority.choices, text) or omg_priority(text)
    if found is None:
        raise CellError(f"Unknown priority {text!r}: use Low, Medium, High or Urgent")
    return found


def project_status(cell) -> str:
    """The tracker's own statuses (what an export writes), else OMG's free-form status through its map."""
    text = as_text(cell)
    return _by_value_or_label(Project.Status.choices, text) or omg_status(text)


def deliverable_status(cell) -> str:
    text = as_text(cell)
    found = _by_value_or_label(Deliverable.Status.choices, text)
    if found is None:
        names = ", ".join(label for _value, label in Deliverable.Status.choices)
        raise CellError(f"Unknown status {text!r}: use one of {names}")
    return found


PROJECT_CONVERTERS = {
    "omg_job_number": identifier,
    "project_code": identifier,
    "name": text_field(500),
    "client": text_field(200),
    "business_unit": text_field(200),
    "priority": priority,
    "status": project_status,
    "outputs": as_count,
    "start_date": as_date,
    "due_date": as_date,
    "requestor": text_field(320),
    "notes": text_field(),
    "description": text_field(),
}
DELIVERABLE_CONVERTERS = {
    "project_omg_job_number": identifier,
    "name": text_field(500),
    "priority": priority,
    "status": deliverable_status,
    "due_date": as_date,
    "notes": text_field(),
    "cmf_sku": text_field(120),
    "asset_count": as_count,
}

DATE_FIELDS = ("start_date", "due_date")


def values_to_json(values: dict) -> dict:
    """A row's converted values as an import row stores them until the commit: dates as ISO text, the team by id."""
    stored = {}
    for name, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, ClientTeam):
            value = value.pk
        stored[name] = value
    return stored


def values_from_json(stored: dict, teams: dict) -> dict:
    """Back from `values_to_json`; `teams` (id -> ClientTeam) is filled as teams are met, once per import."""
    values = dict(stored)
    for name in DATE_FIELDS:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    if values.get("client_team") is not None:
        team_id = values.pop("client_team")
        if team_id not in teams:
            teams[team_id] = ClientTeam.objects.filter(pk=team_id).first()
        if teams[team_id] is not None:  # a team deleted since the dry run is left as it is, as an unknown one
            values["client_team"] = teams[team_id]
    return values
