"""Reading CMP events (seed 003's AsyncAPI schemas) into checked values, with the wire field types every intake
shares. A known event with a malformed field is `invalid payload` (400); an event name we do not act on never
reaches these serializers (it is answered 200 and recorded as ignored)."""

from dataclasses import dataclass
from datetime import date, datetime

from rest_framework import serializers

from tracker.api.fields import DateOrDateTimeField, DateTimeStringField, IdentifierField, StringField

TASK_ASSET_ADDED = "task_asset_added"
TASK_STEP_EVENTS = {"task_step_started": "started", "task_step_completed": "completed", "task_step_skipped": "skipped"}
TASK_ASSIGNEE_CHANGED = "task_assignee_changed"
TASK_DUE_DATE_CHANGED = "task_due_date_changed"
ASSET_ADDED = "asset_added"
CONTENT_PUBLISHED = "content_published"

ASSET_TYPES = ("image", "video", "article", "raw_file")
MAX_URL_LENGTH = 2000


class _Event(serializers.Serializer):
    # CMP always sends a time; one without it is applied in arrival order (never stale).
    timestamp = DateTimeStringField(required=False, allow_null=True)


class _TaskEvent(_Event):
    task_id = IdentifierField(max_length=200)


class _Links(serializers.Serializer):
    self = StringField(required=True, allow_blank=False, allow_null=False, max_length=MAX_URL_LENGTH)


class _TaskAsset(serializers.Serializer):
    id = IdentifierField(max_length=200)
    type = serializers.ChoiceField(choices=ASSET_TYPES)
    links = _Links()


class TaskAssetSerializer(_TaskEvent):
    asset = _TaskAsset()


class _Step(serializers.Serializer):
    id = IdentifierField(max_length=200, required=False)
    name = StringField(required=True, allow_blank=False, allow_null=False, max_length=200)
    status = StringField(max_length=20)


class TaskStepSerializer(_TaskEvent):
    step = _Step()


class _Assignee(serializers.Serializer):
    id = IdentifierField(max_length=200, required=False)
    name = StringField(max_length=200)


class TaskAssigneeSerializer(_TaskEvent):
    assignee = _Assignee(required=False, allow_null=True)  # null or absent: unassigned


class TaskDueDateSerializer(_TaskEvent):
    due_date = DateOrDateTimeField(required=True, allow_null=True)  # null: the due date was cleared


class _LibraryAsset(serializers.Serializer):
    id = IdentifierField(max_length=200)
    title = StringField(max_length=500)
    type = StringField(max_length=50)
    url = StringField(max_length=MAX_URL_LENGTH)


class AssetSerializer(_Event):
    asset = _LibraryAsset()


class _Content(serializers.Serializer):
    id = IdentifierField(max_length=200)
    title = StringField(max_length=500)
    content_type = StringField(max_length=50)


class ContentSerializer(_Event):
    content = _Content()


SERIALIZERS = {
    TASK_ASSET_ADDED: TaskAssetSerializer,
    **dict.fromkeys(TASK_STEP_EVENTS, TaskStepSerializer),
    TASK_ASSIGNEE_CHANGED: TaskAssigneeSerializer,
    TASK_DUE_DATE_CHANGED: TaskDueDateSerializer,
    ASSET_ADDED: AssetSerializer,
    CONTENT_PUBLISHED: ContentSerializer,
}
TASK_EVENTS = (TASK_ASSET_ADDED, *TASK_STEP_EVENTS, TASK_ASSIGNEE_CHANGED, TASK_DUE_DATE_CHANGED)
CONTENT_EVENTS = (ASSET_ADDED, CONTENT_PUBLISHED)


@dataclass(frozen=True)
class Event:
    """A checked event: its name, time (None when CMP sent none) and fields as the serializer left them."""

    name: str
    at: datetime | None
    data: dict

    @property
    def task_id(self) -> str:
        return self.data.get("task_id", "")

    @property
    def due_date(self) -> date | None:
        return self.data.get("due_date")


def event_name(payload: dict) -> str:
    name = payload.get("event_name")
    return name.strip() if isinstance(name, str) else ""


def read_event(payload: dict) -> Event:
    """The event checked against its schema. Raises DRF's ValidationError (400 `invalid payload` with the issues)
    for a known event with a missing or malformed field; call it only for names in SERIALIZERS."""
    name = event_name(payload)
    serializer = SERIALIZERS[name](data=payload)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return Event(name=name, at=data.get("timestamp"), data=data)
