import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deliverables.models import Deliverable
from reviews.models import FeedbackItem, ReviewSession, ReviewSessionItem
from reviews.services.feedback import annotation_create
from reviews.services.revisions import revision_upload
from reviews.services.sessions import review_session_create, review_session_start
from tests.factories import UserFactory, make_deliverable
from tracker.models import Organisation, User

from .files import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


def url(name, *args):
    return reverse(name, args=args)


def test_every_endpoint_needs_a_signed_in_user(api):
    client = api()
    for path in (
        url("api-reviews"),
        url("api-review", 1),
        url("api-review-items", 1),
        url("api-review-start", 1),
        url("api-review-complete", 1),
        url("api-review-decision", 1, 1),
        url("api-stage-feedback", 1),
        url("api-feedback", 1),
    ):
        response = client.post(path, {}, format="json")
        assert response.status_code == 401, path
        assert response.json() == {"error": "authentication required"}


def test_paths_live_under_api(api):
    assert url("api-reviews") == "/loreal-prod-tracker/api/reviews/"
    assert url("api-review-decision", 3, 4) == "/loreal-prod-tracker/api/reviews/3/items/4/decision"
    assert url("api-stage-feedback", 5) == "/loreal-prod-tracker/api/stages/5/feedback"
    assert url("api-feedback", 6) == "/loreal-prod-tracker/api/feedback/6"


def test_create_list_get_and_update_a_session(api, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    client = api(reviewer)
    response = client.post(url("api-reviews"), {"title": "Monday", "deliverableIds": [deliverable.pk]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Monday" and body["status"] == "DRAFT" and body["presenter"]["id"] == str(reviewer.pk)
    [item] = body["items"]
    assert item["deliverable"]["name"] == "Hero banner" and item["stage"]["name"] == "Client Review"
    assert item["revision"]["round"] == 1 and item["decision"] == "PENDING"
    assert item["revision"]["url"] == reverse("reviews:revision_file", args=[item["revision"]["id"]])

    listing = client.get(url("api-reviews")).json()["results"]
    assert [(s["title"], s["itemCount"], s["decidedCount"]) for s in listing] == [("Monday", 1, 0)]
    assert client.get(url("api-reviews"), {"status": "COMPLETED"}).json() == {"results": [], "next": None}

    response = client.patch(
        url("api-review", body["id"]), {"title": "Tuesday", "presenterId": producer.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Tuesday" and response.json()["presenter"]["id"] == str(producer.pk)
    assert client.get(url("api-review", body["id"])).json()["title"] == "Tuesday"


def test_session_payload_errors(api, reviewer):
    client = api(reviewer)
    response = client.post(url("api-reviews"), {"deliverableIds": ["x"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid payload"
    paths = [issue["path"] for issue in response.json()["issues"]]
    assert ["title"] in paths and ["deliverableIds", 0] in paths
    response = client.post(url("api-reviews"), "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json() == {"error": "invalid JSON body"}
    response = client.get(url("api-reviews"), {"status": "LATER"})
    assert response.status_code == 400 and response.json()["issues"][0]["path"] == ["status"]
    response = client.post(url("api-reviews"), {"title": "x", "presenterId": 999999}, format="json")
    assert response.status_code == 400 and response.json()["issues"][0]["path"] == ["presenterId"]


def test_viewer_cannot_run_sessions(api, viewer, reviewer):
    response = api(viewer).post(url("api-reviews"), {"title": "Monday"}, format="json")
    assert response.status_code == 403 and response.json() == {"error": "permission denied"}
    session = review_session_create(title="Monday", actor=reviewer)
    for path in (url("api-review-start", session.pk), url("api-review-complete", session.pk)):
        assert api(viewer).post(path).status_code == 403
    assert api(viewer).get(url("api-review", session.pk)).status_code == 200


def test_unknown_and_other_organisations_sessions_are_404(api, reviewer):
    client = api(reviewer)
    assert client.get(url("api-review", 999999)).json() == {"error": "review session not found"}
    other = Organisation.objects.create(name="Other studio", slug="other")
    outsider = UserFactory(role=User.Role.REVIEWER, organisation=other)
    foreign = review_session_create(title="Theirs", actor=outsider)
    assert client.get(url("api-review", foreign.pk)).status_code == 404
    assert client.post(url("api-review-start", foreign.pk)).status_code == 404


def test_add_reorder_and_remove_items(api, reviewer, at_client_review):
    a, b = at_client_review("A"), at_client_review("B")
    client = api(reviewer)
    session = review_session_create(title="Monday", actor=reviewer)
    first = client.post(url("api-review-items", session.pk), {"deliverableId": a.pk}, format="json")
    second = client.post(url("api-review-items", session.pk), {"deliverableId": b.pk}, format="json")
    assert first.status_code == second.status_code == 201
    assert (first.json()["position"], second.json()["position"]) == (1, 2)

    duplicate = client.post(url("api-review-items", session.pk), {"deliverableId": a.pk}, format="json")
    assert duplicate.status_code == 409 and duplicate.json() == {
        "error": "A (Client Review) is already in this session"
    }

    ids = [second.json()["id"], first.json()["id"]]
    response = client.put(url("api-review-items", session.pk), {"itemIds": ids}, format="json")
    assert response.status_code == 200
    assert [i["deliverable"]["name"] for i in response.json()["results"]] == ["B", "A"]
    bad = client.put(url("api-review-items", session.pk), {"itemIds": ids[:1]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"] == "list every item of the session exactly once"
    listing = client.get(url("api-review-items", session.pk)).json()["results"]
    assert [i["deliverable"]["name"] for i in listing] == ["B", "A"]

    assert client.delete(url("api-review-item", session.pk, first.json()["id"])).status_code == 204
    assert client.delete(url("api-review-item", session.pk, first.json()["id"])).status_code == 404
    assert session.items.count() == 1


def test_adding_a_deliverable_not_at_a_formal_stage_is_409(api, reviewer, producer):
    early = make_deliverable(name="Early")
    revision_upload(deliverable=early, file=upload(), actor=producer)
    session = review_session_create(title="Monday", actor=reviewer)
    response = api(reviewer).post(url("api-review-items", session.pk), {"deliverableId": early.pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {"error": "Early is at Pipeline, not waiting at a formal review stage"}
    missing = api(reviewer).post(url("api-review-items", session.pk), {"deliverableId": 999999}, format="json")
    assert missing.status_code == 404


def test_start_decide_and_complete(api, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    client = api(reviewer)
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[deliverable])
    item = session.items.get()

    early = client.post(url("api-review-decision", session.pk, item.pk), {"decision": "APPROVED"}, format="json")
    assert early.status_code == 409
    assert early.json() == {"error": "the session is draft: you can only record decisions when it is in progress"}

    started = client.post(url("api-review-start", session.pk))
    assert started.status_code == 200 and started.json()["status"] == "IN_PROGRESS"
    assert started.json()["items"][0]["deliverable"]["status"] == "IN_REVIEW"
    again = client.post(url("api-review-start", session.pk))
    assert again.status_code == 409 and "you can only start a session when it is draft" in again.json()["error"]

    incomplete = client.post(url("api-review-complete", session.pk))
    assert incomplete.status_code == 409
    assert incomplete.json() == {"error": "1 item(s) still need a decision: Hero banner"}

    bad = client.post(url("api-review-decision", session.pk, item.pk), {"decision": "MAYBE"}, format="json")
    assert bad.status_code == 400 and bad.json()["issues"][0]["path"] == ["decision"]
    decided = client.post(
        url("api-review-decision", session.pk, item.pk),
        {"decision": "CHANGES_REQUESTED", "notes": "Bigger logo"},
        format="json",
    )
    assert decided.status_code == 200
    assert decided.json()["decision"] == "CHANGES_REQUESTED" and decided.json()["notes"] == "Bigger logo"
    assert decided.json()["decidedBy"]["id"] == str(reviewer.pk)

    completed = client.post(url("api-review-complete", session.pk))
    assert completed.status_code == 200 and completed.json()["status"] == "COMPLETED"
    deliverable.refresh_from_db()
    assert deliverable.current_stage.name == "Amends" and deliverable.status == Deliverable.Status.IN_PROGRESS
    assert client.post(url("api-review-decision", session.pk, 999999), {"decision": "APPROVED"}).status_code == 404


def test_approving_with_open_action_items_is_409_with_the_reason(api, reviewer, at_client_review):
    deliverable = at_client_review()
    annotation_create(revision=deliverable.revisions.get(), x=0.5, y=0.5, body="Logo", actor=reviewer)
    session = review_session_start(
        session=review_session_create(title="Monday", actor=reviewer, deliverables=[deliverable]), actor=reviewer
    )
    response = api(reviewer).post(
        url("api-review-decision", session.pk, session.items.get().pk), {"decision": "APPROVED"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"error": "cannot approve Hero banner: round 1 still has 1 open action item"}


def test_stage_feedback_list_and_create(api, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    client = api(reviewer)
    note = client.post(
        url("api-stage-feedback", stage.pk), {"body": "Warmer tones", "isActionItem": False}, format="json"
    )
    assert note.status_code == 201
    assert note.json()["isActionItem"] is False and note.json()["round"] == 1 and note.json()["annotation"] is None
    pin = client.post(url("api-stage-feedback", stage.pk), {"body": "Logo", "x": 0.2, "y": 0.8}, format="json")
    assert pin.status_code == 201
    assert pin.json()["annotation"]["x"] == 0.2 and pin.json()["isActionItem"] is True
    assert pin.json()["author"]["id"] == str(reviewer.pk) and pin.json()["status"] == "OPEN"
    listing = client.get(url("api-stage-feedback", stage.pk)).json()["results"]
    assert [f["body"] for f in listing] == ["Warmer tones", "Logo"]


def test_stage_feedback_errors(api, reviewer, viewer, producer, at_client_review):
    deliverable = at_client_review()
    stage = deliverable.current_stage
    client = api(reviewer)
    response = client.post(url("api-stage-feedback", stage.pk), {"body": "", "x": 1.5}, format="json")
    assert response.status_code == 400
    paths = sorted(issue["path"] for issue in response.json()["issues"])
    assert paths == [["body"], ["x"]]
    half = client.post(url("api-stage-feedback", stage.pk), {"body": "hi", "x": 0.5}, format="json")
    assert half.status_code == 400 and half.json()["issues"] == [
        {"path": ["y"], "message": "give both x and y for a pin"}
    ]
    denied = api(viewer).post(url("api-stage-feedback", stage.pk), {"body": "hi"}, format="json")
    assert denied.status_code == 403
    assert client.get(url("api-stage-feedback", 999999)).status_code == 404
    old = deliverable.revisions.get()
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    stale = client.post(url("api-stage-feedback", stage.pk), {"body": "hi", "revisionId": old.pk}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {"error": "round 1 is not the latest revision: feedback goes on round 2"}


def test_feedback_item_get_update_and_delete(api, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    client = api(reviewer)
    created = client.post(url("api-stage-feedback", deliverable.current_stage.pk), {"body": "Logo"}, format="json")
    item_url = url("api-feedback", created.json()["id"])
    assert client.get(item_url).json()["body"] == "Logo"

    edited = client.patch(item_url, {"body": "Bigger logo"}, format="json").json()
    assert edited["body"] == "Bigger logo" and edited["editedBy"]["id"] == str(reviewer.pk) and edited["editedAt"]
    resolved = api(producer).patch(item_url, {"status": "RESOLVED"}, format="json").json()
    assert resolved["status"] == "RESOLVED" and resolved["resolvedAt"]
    assert resolved["resolvedBy"]["id"] == str(producer.pk)
    conflict = client.patch(item_url, {"status": "WONT_FIX"}, format="json")
    assert conflict.status_code == 409
    assert conflict.json() == {"error": "an item that is resolved cannot become won't fix"}
    reopened = client.patch(item_url, {"status": "OPEN"}, format="json").json()
    assert reopened["status"] == "OPEN" and reopened["reopenedBy"]["id"] == str(reviewer.pk)
    invalid = client.patch(item_url, {"status": "CARRIED", "isActionItem": "maybe"}, format="json")
    assert invalid.status_code == 400
    assert sorted(i["path"] for i in invalid.json()["issues"]) == [["isActionItem"], ["status"]]

    assert client.delete(item_url).status_code == 204
    assert client.get(item_url).status_code == 404
    assert not FeedbackItem.objects.exists()


def test_feedback_item_refusals(api, reviewer, viewer, producer, at_client_review):
    deliverable = at_client_review()
    annotation = annotation_create(revision=deliverable.revisions.get(), x=0.5, y=0.5, body="Logo", actor=reviewer)
    item = annotation.feedback_items.get()
    assert api(viewer).patch(url("api-feedback", item.pk), {"status": "RESOLVED"}, format="json").status_code == 403
    assert api(viewer).delete(url("api-feedback", item.pk)).status_code == 403
    other_reviewer = UserFactory(role=User.Role.REVIEWER)
    denied = api(other_reviewer).delete(url("api-feedback", item.pk))
    assert denied.status_code == 403
    assert denied.json() == {"error": "only the author, a producer or an admin can delete this feedback"}
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    carried = api(reviewer).patch(url("api-feedback", item.pk), {"status": "RESOLVED"}, format="json")
    assert carried.status_code == 409
    assert carried.json() == {"error": "this item was carried forward to a later round: change it there"}
    assert api(reviewer).get(url("api-feedback", 999999)).json() == {"error": "feedback item not found"}


def id_values(data) -> list:
    """Every value under an `id` or `...Id` key, at any depth."""
    if isinstance(data, list):
        return [value for item in data for value in id_values(item)]
    if isinstance(data, dict):
        own = [value for key, value in data.items() if key == "id" or key.endswith("Id")]
        return own + [value for value in data.values() for value in id_values(value)]
    return []


def test_every_id_in_the_output_is_a_string(api, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    annotation_create(revision=deliverable.revisions.get(), x=0.5, y=0.5, body="Logo", actor=reviewer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[deliverable])
    client = api(reviewer)
    [carried] = client.get(url("api-stage-feedback", deliverable.current_stage.pk)).json()["results"][1:]
    outputs = [
        client.get(url("api-review", session.pk)).json(),
        client.get(url("api-reviews")).json(),
        client.get(url("api-review-items", session.pk)).json(),
        carried,
    ]
    values = id_values(outputs)
    assert carried["carriedFromId"] and carried["annotation"]["id"] and carried["stageId"]
    assert len(values) > 10 and all(isinstance(value, str) for value in values), values
    item = outputs[0]["items"][0]
    assert item["deliverable"]["id"] == str(deliverable.pk) and item["projectId"] == str(deliverable.project_id)


def test_method_not_allowed_is_json(api, reviewer):
    response = api(reviewer).delete(url("api-reviews"))
    assert response.status_code == 405 and response.json() == {"error": "method not allowed"}


def test_session_detail_query_count_does_not_grow_with_items(
    api, reviewer, at_client_review, django_assert_max_num_queries
):
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[at_client_review("A")])
    client = api(reviewer)
    with django_assert_max_num_queries(8) as one:
        client.get(url("api-review", session.pk))
    for name in ("B", "C", "D"):
        ReviewSessionItem.objects.create(
            session=session,
            deliverable=(d := at_client_review(name)),
            stage=d.current_stage,
            revision=d.revisions.get(),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url("api-review", session.pk))
    assert len(response.json()["items"]) == 4
    with django_assert_max_num_queries(6):
        client.get(url("api-reviews"))
    assert ReviewSession.objects.count() == 1
