"""What each Optumus event does here: briefs in the inbox, a dismissal rejecting a pending brief, the rest recorded;
redelivery, order, unknown events and payloads that are not Optumus envelopes."""

from datetime import UTC, datetime

import pytest

from briefs.models import Brief
from briefs.services import brief_promote
from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import ProcessedPayload, Provider, UpstreamMapping, UpstreamObject
from tests.factories import ClientTeamFactory, default_organisation
from tracker.models import Event

from .conftest import FIXTURE_NAMES, OPPORTUNITY, fixture_bytes, fixture_json, post, post_fixture

pytestmark = pytest.mark.django_db

OUTCOMES = {
    "content_brief__sent": ("applied", "created"),
    "content_brief__sent_minimal": ("applied", "created"),
    "opportunity__created": ("applied", "recorded"),
    "opportunity__status_changed": ("applied", "recorded"),
    "opportunity__status_changed_dismissed": ("applied", "recorded"),  # no brief was sent before it
}


def _opportunity(external_id: str = OPPORTUNITY) -> UpstreamObject:
    return UpstreamObject.objects.get(provider=Provider.OPTUMUS, kind="opportunity", external_id=external_id)


def _receipt() -> WebhookReceipt:
    return WebhookReceipt.objects.latest("id")


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_signed_as_optumus_signs_is_accepted_and_receipted(client, name):
    assert set(FIXTURE_NAMES) == set(OUTCOMES)
    response = post_fixture(client, name)
    assert response.status_code == 200, response.content
    outcome, action = OUTCOMES[name]
    assert response.json() == {"ok": True, "outcome": outcome, "action": action}
    body = fixture_json(name)
    receipt = _receipt()
    assert (receipt.route, receipt.status_code, receipt.outcome) == ("optumus", 200, WebhookReceipt.Outcome.ACCEPTED)
    assert receipt.signature_verified is True
    assert receipt.event == body["event"]
    assert receipt.external_key == f"opportunity:{body['data']['opportunityId']}"
    assert receipt.payload_id == receipt.body_sha256 and len(receipt.payload_id) == 64
    assert receipt.detail
    assert _opportunity(body["data"]["opportunityId"]).last_event_at is not None


def test_a_sent_content_brief_becomes_a_pending_brief_in_the_inbox(client):
    post_fixture(client, "content_brief__sent")
    brief = Brief.objects.get()
    sent = fixture_json("content_brief__sent")
    assert (brief.external_id, brief.status, brief.source) == (OPPORTUNITY, Brief.Status.PENDING, "webhook:optumus")
    assert brief.title == "Vitamin C serum guide: refresh for the summer range"
    assert brief.description.startswith("## Goal\n\nWin back the top three positions")
    assert "Sérum Éclat 15%" in brief.description  # non-ASCII text, signed and stored as sent
    assert "- Target keyword: vitamin c serum" in brief.description
    assert "- Page: <https://www.example.com/skincare/vitamin-c-serum-guide>" in brief.description
    assert (brief.requestor_name, brief.requestor_email) == ("Camille Durand", "camille.durand@example.com")
    assert brief.requested_due_date == datetime(2026, 5, 29, tzinfo=UTC)
    assert brief.priority == Brief.Priority.HIGH
    assert brief.raw_payload == sent["data"]  # the whole `data`, as sent
    assert brief.client_team is None  # "L’Oréal Paris" is no team's name and there is no mapping row
    assert list(Event.objects.values_list("name", flat=True)) == ["brief.received"]
    opportunity = _opportunity()
    assert opportunity.brief == brief
    assert opportunity.last_event_at == datetime(2026, 5, 6, 10, tzinfo=UTC)
    assert opportunity.data["status"] == "sent" and opportunity.data["brandName"] == "L’Oréal Paris"
    assert _receipt().object_id == str(brief.pk)


def test_a_brief_without_markdown_or_a_time_is_built_from_what_it_has(client):
    response = post_fixture(client, "content_brief__sent_minimal")
    assert response.status_code == 200
    brief = Brief.objects.get()
    assert brief.title == "New page: retinol for beginners"  # the brief has none: the opportunity's
    assert brief.description.startswith("Searches for 'retinol for beginners' grew 40% this quarter.")
    assert brief.priority == Brief.Priority.MEDIUM and brief.requested_due_date is None
    # No occurredAt: ordered by the signed X-Optumus-Timestamp.
    assert _opportunity("c2a71e94-5d3b-4f08-a6e2-1b9c7d4e3f50").last_event_at is not None


def test_odd_brief_fields_are_skipped_not_refused(client):
    body = fixture_json("content_brief__sent")
    body["data"]["brief"] = {"title": 42, "markdown": ["no"], "dueDate": "soon", "author": {"email": "not-an-email"}}
    body["data"]["opportunity"]["priority"] = "whenever"
    assert post(client, body).status_code == 200
    brief = Brief.objects.get()
    assert brief.title == "Refresh the vitamin C serum guide"  # the opportunity's title
    assert (brief.requested_due_date, brief.requestor_email, brief.priority) == (None, "", Brief.Priority.MEDIUM)


def test_the_brand_name_finds_the_team_of_that_name(client):
    team = ClientTeamFactory(name="L’Oréal Paris")
    post_fixture(client, "content_brief__sent")
    assert Brief.objects.get().client_team == team


@pytest.mark.parametrize("upstream_value", ["l’oréal PARIS", "7f3c2a9e-1b4d-4e8a-9c61-0d5e8b2f4a17"])
def test_a_brand_mapping_row_by_name_or_id_picks_the_team(client, upstream_value):
    UpstreamMapping.objects.create(
        organisation=default_organisation(),
        provider=Provider.OPTUMUS,
        kind=UpstreamMapping.Kind.BRAND,
        upstream_value=upstream_value,
        target="Content",
    )
    post_fixture(client, "content_brief__sent")
    assert Brief.objects.get().client_team.name == "Content"


def test_a_brief_sent_again_updates_its_text_and_keeps_its_decision(client, producer):
    post_fixture(client, "content_brief__sent")
    brief = Brief.objects.get()
    brief_promote(brief=brief, actor=producer)
    body = fixture_json("content_brief__sent")
    body["occurredAt"] = "2026-05-06T12:00:00Z"
    body["data"]["brief"]["title"] = "Vitamin C serum guide (v2)"
    response = post(client, body)
    assert response.json() == {"ok": True, "outcome": "applied", "action": "updated"}
    brief.refresh_from_db()
    assert (brief.title, brief.status) == ("Vitamin C serum guide (v2)", Brief.Status.ACCEPTED)
    assert Brief.objects.count() == 1
    assert _receipt().detail == "brief updated (it is accepted)"


def test_dismissed_rejects_the_pending_brief_with_the_reason(client):
    post_fixture(client, "content_brief__sent")
    response = post_fixture(client, "opportunity__status_changed_dismissed")
    assert response.json() == {"ok": True, "outcome": "applied", "action": "rejected"}
    brief = Brief.objects.get()
    assert brief.status == Brief.Status.REJECTED
    assert (
        brief.rejection_reason == "Dismissed in Optumus by Camille Durand: Covered by the summer campaign landing page"
    )
    assert brief.decided_by is None and brief.decided_at is not None  # decided by the upstream system, no person
    assert Event.objects.filter(name="brief.rejected").count() == 1
    assert _opportunity().data["status"] == "dismissed"
    assert _receipt().detail == "status sent → dismissed: brief rejected"


def test_dismissed_without_a_reason_says_where_it_was_dismissed(client):
    post_fixture(client, "content_brief__sent")
    body = fixture_json("opportunity__status_changed_dismissed")
    del body["data"]["reason"], body["data"]["changedBy"]
    post(client, body)
    assert Brief.objects.get().rejection_reason == "Dismissed in Optumus"


def test_dismissed_leaves_a_promoted_brief_and_its_project_alone(client, producer):
    post_fixture(client, "content_brief__sent")
    project = brief_promote(brief=Brief.objects.get(), actor=producer)
    response = post_fixture(client, "opportunity__status_changed_dismissed")
    assert response.json() == {"ok": True, "outcome": "applied", "action": "recorded"}
    brief = Brief.objects.get()
    assert (brief.status, brief.converted_project, brief.rejection_reason) == (Brief.Status.ACCEPTED, project, "")
    assert brief.decided_by == producer
    assert _receipt().detail == "status sent → dismissed recorded; the brief is accepted and was left as it is"
    assert _opportunity().data["status"] == "dismissed"


def test_other_statuses_are_recorded_on_the_opportunity_and_the_receipt(client):
    post_fixture(client, "content_brief__sent")
    post_fixture(client, "opportunity__status_changed")
    assert Brief.objects.get().status == Brief.Status.PENDING
    opportunity = _opportunity()
    assert opportunity.data["status"] == "in_progress"
    assert opportunity.data["statusHistory"] == [
        {"status": "in_progress", "previous": "sent", "at": "2026-05-07T09:30:00+00:00"}
    ]
    assert _receipt().detail == "status sent → in_progress recorded"


def test_opportunity_created_is_recorded_and_puts_nothing_in_the_inbox(client):
    post_fixture(client, "opportunity__created")
    assert not Brief.objects.exists()
    opportunity = _opportunity()
    assert opportunity.brief is None
    assert opportunity.data["title"] == "Refresh the vitamin C serum guide" and opportunity.data["status"] == "new"


def test_a_redelivery_changes_nothing(client):
    post_fixture(client, "content_brief__sent")
    post_fixture(client, "opportunity__status_changed_dismissed")
    brief = Brief.objects.get()
    updated_at = brief.updated_at
    # Optumus retries with the same body, signed afresh.
    for name in ("content_brief__sent", "opportunity__status_changed_dismissed"):
        response = post_fixture(client, name)
        assert response.json() == {"ok": True, "outcome": "duplicate", "action": None}
        assert _receipt().outcome == WebhookReceipt.Outcome.DUPLICATE
    brief.refresh_from_db()
    assert (brief.updated_at, Brief.objects.count()) == (updated_at, 1)
    assert ProcessedPayload.objects.filter(provider=Provider.OPTUMUS).count() == 2
    assert Event.objects.count() == 2  # received, rejected: nothing from the redeliveries


def test_a_status_change_older_than_the_last_applied_is_stale(client):
    post_fixture(client, "content_brief__sent")
    post_fixture(client, "opportunity__status_changed_dismissed")  # 11:45
    late = post_fixture(client, "opportunity__status_changed")  # 09:30, sent before the dismissal, arrives after
    assert late.json() == {"ok": True, "outcome": "stale", "action": None}
    receipt = _receipt()
    assert receipt.outcome == WebhookReceipt.Outcome.STALE and "before the last event applied" in receipt.detail
    opportunity = _opportunity()
    assert opportunity.data["status"] == "dismissed"
    assert opportunity.last_event_at == datetime(2026, 5, 7, 11, 45, tzinfo=UTC)
    assert Brief.objects.get().status == Brief.Status.REJECTED


def test_a_brief_sent_before_a_dismissal_that_arrives_after_it_stays_out_of_the_inbox(client):
    post_fixture(client, "opportunity__status_changed_dismissed")
    assert _receipt().detail == "status sent → dismissed recorded; no brief was sent for this opportunity"
    assert post_fixture(client, "content_brief__sent").json()["outcome"] == "stale"
    assert not Brief.objects.exists()


def test_an_opportunity_created_arriving_after_its_brief_is_stale_and_harmless(client):
    post_fixture(client, "content_brief__sent")
    assert post_fixture(client, "opportunity__created").json()["outcome"] == "stale"
    assert _opportunity().data["status"] == "sent"


def test_an_unknown_event_is_answered_200_and_recorded_as_ignored(client):
    body = {**fixture_json("opportunity__created"), "event": "opportunity.scored"}
    response = post(client, body)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "outcome": "ignored", "action": None}
    receipt = _receipt()
    assert (receipt.outcome, receipt.event) == (WebhookReceipt.Outcome.IGNORED, "opportunity.scored")
    assert receipt.detail == "event 'opportunity.scored' is not acted on"
    assert not UpstreamObject.objects.exists() and not ProcessedPayload.objects.exists()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"data": {"opportunityId": OPPORTUNITY}}, ["event"]),
        ({"event": 7}, ["event"]),
        ({"event": "content_brief.sent", "data": {}}, ["opportunityId"]),
        ({"event": "content_brief.sent", "data": {"opportunityId": ["x"]}}, ["opportunityId"]),
        ({"event": "content_brief.sent", "data": "text"}, ["data"]),
        ({"event": "opportunity.created", "occurredAt": "yesterday", "data": {"opportunityId": "o"}}, ["occurredAt"]),
        ({"event": "opportunity.status_changed", "data": {"opportunityId": "o"}}, ["status"]),
    ],
)
def test_a_body_that_is_not_an_optumus_envelope_is_an_invalid_payload(client, body, path):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid payload"
    assert [issue["path"] for issue in response.json()["issues"]] == [path]
    assert _receipt().outcome == WebhookReceipt.Outcome.REJECTED
    assert not Brief.objects.exists() and not ProcessedPayload.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_400(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid JSON body", "invalid payload"}


def test_the_fixture_bytes_are_what_was_signed(client):
    """The body goes through as bytes: the fixture's own formatting and non-ASCII characters are signed as is."""
    raw = fixture_bytes("content_brief__sent")
    assert "’".encode() in raw and b"\n  " in raw
    assert post(client, raw).status_code == 200
