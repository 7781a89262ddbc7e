"""The catalogue as receivers see it: every event happens in a studio's day and arrives in seed 004's envelope,
shaped exactly like its example in docs/WEBHOOKS.md."""

import json
import re
from pathlib import Path

import pytest

from integrations.outbound.catalogue import EVENT_NAMES, SUBSCRIBABLE
from integrations.outbound.models import OutboundDelivery
from integrations.outbound.services import outbound_endpoint_send_test

from .flows import studio_day

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs" / "WEBHOOKS.md"


def documented_examples() -> dict[str, dict]:
    """Each "### `event.name`" heading of the catalogue and the JSON example under it."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.findall(r"^### `([a-z_.]+)`\n.*?```json\n(.*?)\n```", text, flags=re.S | re.M)
    return {name: json.loads(body) for name, body in found}


def shape(value):
    """Keys all the way down; a list by its first element; scalars (and null) by nothing."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def same_shape(documented, real, path="") -> list[str]:
    if documented is None or real is None:
        return []
    if isinstance(documented, dict) and isinstance(real, dict):
        problems = [f"{path}.{k}: documented, not sent" for k in documented.keys() - real.keys()]
        problems += [f"{path}.{k}: sent, not documented" for k in real.keys() - documented.keys()]
        for key in documented.keys() & real.keys():
            problems += same_shape(documented[key], real[key], f"{path}.{key}")
        return problems
    if isinstance(documented, list) and isinstance(real, list):
        return same_shape(documented[0], real[0], f"{path}[0]") if documented and real else []
    return [f"{path}: documented {type(documented).__name__}, sent {type(real).__name__}"]


@pytest.fixture
def box_config_file(tmp_path):
    """A Box app config with every field Box needs to count as configured (no request is made with it)."""
    app = {"clientID": "c", "clientSecret": "s", "appAuth": {"publicKeyID": "k", "privateKey": "-----BEGIN-----"}}
    path = tmp_path / "box.json"
    path.write_text(json.dumps({"boxAppSettings": app, "enterpriseID": "1"}))
    return str(path)


@pytest.fixture
def bodies(receiver, endpoint_for, producer, reviewer, admin_user, django_capture_on_commit_callbacks, box_config_file):
    endpoint, _ = endpoint_for(receiver.url, all_events=True)
    studio_day(
        producer=producer,
        reviewer=reviewer,
        capture_on_commit=django_capture_on_commit_callbacks,
        box_config_file=box_config_file,
    )
    outbound_endpoint_send_test(endpoint=endpoint, actor=admin_user)
    found: dict[str, dict] = {}
    for delivery in OutboundDelivery.objects.order_by("id"):
        found.setdefault(delivery.event_name, json.loads(delivery.body))
    return found


def test_a_studio_day_sends_every_event_of_the_catalogue(bodies):
    assert set(bodies) == set(EVENT_NAMES)


def test_every_event_is_in_the_envelope_with_its_organisation(bodies):
    for name, body in bodies.items():
        assert list(body) == ["event", "occurredAt", "organisationId", "organisationName", "data"], name
        assert body["event"] == name and body["organisationId"] and body["organisationName"] == "Default"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["occurredAt"])


def test_the_docs_show_an_example_for_every_event_shaped_like_what_is_sent(bodies):
    examples = documented_examples()
    assert list(examples) == list(EVENT_NAMES)  # every event, in the catalogue's order
    problems = {name: same_shape(shape(examples[name]), shape(bodies[name])) for name in EVENT_NAMES}
    assert {name: p for name, p in problems.items() if p} == {}


def test_data_carries_what_a_receiver_acts_on_without_calling_back(bodies):
    accepted = bodies["brief.accepted"]["data"]
    assert accepted["brief"]["externalId"] == "MKTO-4411" and accepted["project"]["omgJobNumber"] == "OMG-24017"
    assert bodies["brief.rejected"]["data"]["reason"] == "Duplicate of MKTO-4411"
    completed = bodies["review_session.completed"]["data"]
    assert [d["decision"] for d in completed["decisions"]] == ["CHANGES_REQUESTED"]
    assert completed["decisions"][0]["notes"] == "Warmer background, please"
    assert bodies["deliverable.changes_requested"]["data"]["amendsStage"] == "Amends"
    assert bodies["feedback.created"]["data"]["feedback"]["body"] == "Logo too small"
    failed = bodies["box.push_failed"]["data"]
    assert failed["push"]["error"] == "the deliverable has no revision to send"
    assert failed["deliverable"]["name"] == "Teaser"
    for body in bodies.values():
        for value in _walk(body["data"]):
            if isinstance(value, dict) and "id" in value:
                assert isinstance(value["id"], str), value  # ids as strings
            if isinstance(value, dict) and "url" in value:
                assert value["url"].startswith("https://tracker.example.com/loreal-prod-tracker/")


def test_subscribable_events_leave_out_only_the_test_event():
    assert set(EVENT_NAMES) - set(SUBSCRIBABLE) == {"webhook.test"}


def _walk(value):
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
