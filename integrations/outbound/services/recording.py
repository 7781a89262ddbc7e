"""The recorder: inside the transaction that emits an event, one delivery row per endpoint that wants it.

Registered with `tracker.events.subscribe_in_transaction(ALL_EVENTS, ...)`, so the rows commit with the change or
not at all; the messages that send them go to Celery once the transaction commits, and the sweep sends whatever a
lost message left behind. Cost inside the emitting transaction: one query to find the organisation when the
payload does not carry it, one for its endpoints, and, only when an endpoint wants the event, the reads that build
its body and one insert.
"""

import uuid

from django.db import transaction

from tracker.db import rows
from tracker.models import Event

from .. import clock, queue
from ..catalogue import EVENT_NAMES, TEST_EVENT
from ..envelope import envelope_body, subject_for
from ..models import OutboundDelivery, OutboundEndpoint


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _endpoints(organisation_id, name: str, payload: dict) -> list[OutboundEndpoint]:
    if name == TEST_EVENT:
        # A test goes only to the endpoint that asked for it, also while that endpoint is disabled.
        return list(OutboundEndpoint.objects.filter(organisation_id=organisation_id, pk=payload.get("endpointId")))
    # Every emitting transaction runs this read: `rows` keeps its SQL compiled.
    endpoints = rows(OutboundEndpoint, organisation_id=organisation_id, is_active=True)
    return [endpoint for endpoint in endpoints if endpoint.subscribes_to(name)]


def outbound_record_event(event: Event) -> None:
    """Write the deliveries of one event (see the module docstring). Runs inside `emit`; never sends."""
    name, payload = event.name, event.payload or {}
    if name not in EVENT_NAMES:
        return
    subject = None
    organisation_id = payload.get("organisationId")
    if organisation_id is None:
        subject = subject_for(name, payload)
        if subject is None:
            return
        organisation_id = subject.organisation_id
    endpoints = _endpoints(organisation_id, name, payload)
    if not endpoints:
        return
    subject = subject or subject_for(name, payload)
    organisation = subject.organisation_row() if subject is not None else None
    if organisation is None:
        return
    body = envelope_body(name=name, occurred_at=event.created_at, organisation=organisation, data=subject.data())
    now = clock.now()
    rows = OutboundDelivery.objects.bulk_create(
        [
            OutboundDelivery(
                endpoint=endpoint,
                event=event,
                event_name=name,
                message_id=new_message_id(),
                ordering_key=subject.ordering_key,
                trigger=OutboundDelivery.Trigger.TEST if name == TEST_EVENT else OutboundDelivery.Trigger.EVENT,
                body=body,
                occurred_at=event.created_at,
                next_attempt_at=now,
                requested_by_id=payload.get("actorId") if name == TEST_EVENT else None,
            )
            for endpoint in endpoints
        ]
    )
    if name != TEST_EVENT:  # the test button sends its own delivery at once, in the request
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: queue.send_deliveries(ids))
