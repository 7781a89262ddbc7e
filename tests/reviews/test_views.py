import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from deliverables.models import Deliverable
from reviews.models import FeedbackItem, ReviewSession, ReviewSessionItem
from reviews.services.feedback import annotation_create, feedback_item_edit, feedback_item_set_status
from reviews.services.revisions import revision_upload
from reviews.services.sessions import (
    review_session_complete,
    review_session_create,
    review_session_decide,
    review_session_start,
)
from tests.factories import UserFactory
from tracker.models import Organisation, User

from .files import png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_pages_need_sign_in(client, at_client_review):
    deliverable = at_client_review()
    for path in (
        reverse("reviews:list"),
        reverse("reviews:new"),
        reverse("reviews:annotate", args=[deliverable.pk]),
        reverse("reviews:revision_file", args=[deliverable.revisions.get().pk]),
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_session_list_groups_by_status_with_constant_queries(
    signed_in, reviewer, at_client_review, django_assert_max_num_queries
):
    client = signed_in(reviewer)
    review_session_create(title="Draft one", actor=reviewer, deliverables=[at_client_review("A")])
    with django_assert_max_num_queries(20) as first:
        response = client.get(reverse("reviews:list"))
    assert response.status_code == 200
    for n in range(4):
        review_session_create(title=f"Draft {n}", actor=reviewer, deliverables=[at_client_review(f"B{n}")])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("reviews:list"))
    html = response.content.decode()
    assert "Draft one" in html and "Draft 3" in html and "0 / 1 decided" in html
    assert reverse("reviews:new") in html


def test_builder_lists_deliverables_waiting_at_a_formal_stage_and_creates_the_session(
    signed_in, reviewer, producer, at_client_review
):
    ready = at_client_review("Ready")
    at_client_review("No file", with_revision=False)
    client = signed_in(reviewer)
    html = client.get(reverse("reviews:new")).content.decode()
    assert "Ready" in html and "No file" not in html
    response = client.post(reverse("reviews:new"), {"title": "Monday", "deliverables": [ready.pk]})
    session = ReviewSession.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:detail", args=[session.pk])
    assert list(session.items.values_list("deliverable__name", flat=True)) == ["Ready"]


def test_builder_without_a_title_shows_the_error(signed_in, reviewer):
    response = signed_in(reviewer).post(reverse("reviews:new"), {"title": ""})
    assert response.status_code == 200 and not ReviewSession.objects.exists()
    assert "This field is required." in response.content.decode()


def test_viewer_gets_the_403_page_from_the_builder(signed_in, viewer):
    response = signed_in(viewer).get(reverse("reviews:new"))
    assert response.status_code == 403
    assert "permission" in response.content.decode().lower()


def test_draft_detail_adds_moves_removes_and_starts(signed_in, reviewer, at_client_review):
    a, b = at_client_review("A"), at_client_review("B")
    session = review_session_create(title="Monday", actor=reviewer, deliverables=[a])
    client = signed_in(reviewer)
    detail = reverse("reviews:detail", args=[session.pk])
    assert "B" in client.get(detail).content.decode()
    client.post(reverse("reviews:add_items", args=[session.pk]), {"deliverables": [b.pk]})
    item_b = session.items.get(deliverable=b)
    client.post(reverse("reviews:move_item", args=[session.pk, item_b.pk]), {"direction": "up"})
    assert list(session.items.order_by("position").values_list("deliverable__name", flat=True)) == ["B", "A"]
    client.post(reverse("reviews:remove_item", args=[session.pk, item_b.pk]))
    assert list(session.items.values_list("deliverable__name", flat=True)) == ["A"]
    client.post(reverse("reviews:edit", args=[session.pk]), {"title": "Tuesday"})
    response = client.post(reverse("reviews:start", args=[session.pk]))
    assert response["Location"] == reverse("reviews:present", args=[session.pk])
    session.refresh_from_db()
    assert session.title == "Tuesday" and session.status == ReviewSession.Status.IN_PROGRESS


def test_a_refused_start_comes_back_as_a_message(signed_in, reviewer):
    session = review_session_create(title="Empty", actor=reviewer)
    response = signed_in(reviewer).post(reverse("reviews:start", args=[session.pk]), follow=True)
    assert "Add at least one deliverable before starting the session." in messages_of(response)


def test_presenter_shows_one_item_with_pins_checklist_and_decisions(signed_in, reviewer, at_client_review):
    a, b = at_client_review("A"), at_client_review("B")
    annotation_create(revision=a.revisions.get(), x=0.25, y=0.75, body="Logo too small", actor=reviewer)
    session = review_session_start(
        session=review_session_create(title="Monday", actor=reviewer, deliverables=[a, b]), actor=reviewer
    )
    client = signed_in(reviewer)
    present = reverse("reviews:present", args=[session.pk])
    html = client.get(present).content.decode()
    assert 'data-testid="present-title">A<' in html and "Item 1 of 2" in html
    assert 'style="left:25.000%;top:75.000%"' in html and "Logo too small" in html
    assert 'data-nav="next"' in html and 'data-nav="prev"' not in html
    assert 'value="APPROVED"' in html and 'value="CHANGES_REQUESTED"' in html and 'value="REJECTED"' in html
    second = client.get(present, {"item": 2}).content.decode()
    assert 'data-testid="present-title">B<' in second and 'data-nav="prev"' in second

    item_a = session.items.get(deliverable=a)
    refused = client.post(
        reverse("reviews:decide", args=[session.pk, item_a.pk]),
        {"decision": "APPROVED", "next": f"{present}?item=2"},
        follow=True,
    )
    assert "Cannot approve A: round 1 still has 1 open action item." in messages_of(refused)
    client.post(reverse("reviews:decide", args=[session.pk, item_a.pk]), {"decision": "CHANGES_REQUESTED"})
    item_a.refresh_from_db()
    assert item_a.decision == ReviewSessionItem.Decision.CHANGES_REQUESTED


def test_completing_leads_to_the_summary(signed_in, reviewer, at_client_review):
    a, b = at_client_review("A"), at_client_review("B")
    annotation_create(revision=a.revisions.get(), x=0.5, y=0.5, body="Crop tighter", actor=reviewer)
    session = review_session_start(
        session=review_session_create(title="Monday", actor=reviewer, deliverables=[a, b]), actor=reviewer
    )
    client = signed_in(reviewer)
    items = {item.deliverable.name: item for item in session.items.select_related("deliverable")}
    pending = client.post(reverse("reviews:complete", args=[session.pk]), follow=True)
    assert "2 item(s) still need a decision: A, B." in messages_of(pending)
    client.post(reverse("reviews:decide", args=[session.pk, items["A"].pk]), {"decision": "CHANGES_REQUESTED"})
    client.post(
        reverse("reviews:decide", args=[session.pk, items["B"].pk]), {"decision": "APPROVED", "notes": "Lovely"}
    )
    response = client.post(reverse("reviews:complete", args=[session.pk]))
    assert response["Location"] == reverse("reviews:summary", args=[session.pk])
    summary = client.get(response["Location"])
    html = summary.content.decode()
    assert summary.context["decision_counts"] == {"APPROVED": 1, "CHANGES_REQUESTED": 1, "REJECTED": 0, "PENDING": 0}
    assert summary.context["open_total"] == 1 and "Crop tighter" in html and "Lovely" in html
    assert client.get(reverse("reviews:detail", args=[session.pk]))["Location"] == response["Location"]


def test_annotation_page_drops_pins_resolves_and_shows_progress(signed_in, reviewer, at_client_review):
    deliverable = at_client_review()
    revision = deliverable.revisions.get()
    client = signed_in(reviewer)
    page = reverse("reviews:annotate", args=[deliverable.pk])
    html = client.get(page).content.decode()
    assert 'id="pin-form"' in html and "0 / 0" in html
    client.post(reverse("reviews:annotation_add", args=[revision.pk]), {"x": "0.1", "y": "0.2", "body": "One"})
    client.post(reverse("reviews:annotation_add", args=[revision.pk]), {"x": "0.6", "y": "0.7", "body": "Two"})
    first = FeedbackItem.objects.get(body="One")
    client.post(reverse("reviews:feedback_status", args=[first.pk]), {"status": "RESOLVED", "next": page})
    response = client.get(page)
    html = response.content.decode()
    assert 'data-testid="pin-1"' in html and 'data-testid="pin-2"' in html
    assert 'data-testid="progress-count">1 / 2<' in html
    bad = client.post(
        reverse("reviews:annotation_add", args=[revision.pk]), {"x": "3", "y": "0.2", "body": "Off"}, follow=True
    )
    assert any("X:" in m for m in messages_of(bad)) and FeedbackItem.objects.count() == 2


def test_annotation_page_round_switcher_shows_carried_items(signed_in, reviewer, producer, at_client_review):
    deliverable = at_client_review()
    annotation_create(revision=deliverable.revisions.get(), x=0.5, y=0.5, body="Logo", actor=reviewer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    client = signed_in(producer)
    html = client.get(reverse("reviews:annotate", args=[deliverable.pk])).content.decode()
    assert 'data-testid="round-1"' in html and 'data-testid="round-2"' in html
    assert "Carried from round 1" in html and "1 open item carried forward from round 1" in html
    old = client.get(reverse("reviews:annotate", args=[deliverable.pk]), {"round": 1}).content.decode()
    assert "round 2 is the latest" in old and "Carried forward" in old and 'id="pin-form"' not in old


def test_feedback_can_be_added_and_edited_from_the_page(signed_in, reviewer, at_client_review):
    deliverable = at_client_review()
    client = signed_in(reviewer)
    client.post(
        reverse("reviews:feedback_add", args=[deliverable.current_stage.pk]), {"body": "Warmer", "is_action_item": "on"}
    )
    item = FeedbackItem.objects.get()
    client.post(reverse("reviews:feedback_edit", args=[item.pk]), {"body": "Much warmer"})
    item.refresh_from_db()
    assert item.body == "Much warmer" and not item.is_action_item and item.edited_by == reviewer


def test_upload_view_makes_a_round_or_says_what_is_wrong(signed_in, producer, at_client_review, settings):
    deliverable = at_client_review(with_revision=False)
    client = signed_in(producer)
    url = reverse("reviews:revision_upload", args=[deliverable.pk])
    response = client.post(url, {"file": upload()}, follow=True)
    assert "Uploaded art.png." in messages_of(response) and deliverable.revisions.count() == 1
    wrong = client.post(url, {"file": upload("notes.txt", b"hello")}, follow=True)
    assert ".txt is not accepted: upload PNG, JPEG, WebP, PDF or MP4." in messages_of(wrong)
    settings.REVISION_MAX_UPLOAD_BYTES = 50
    big = client.post(url, {"file": upload("art.png", png_bytes(100, 100))}, follow=True)
    assert any("the limit is 50 bytes" in m for m in messages_of(big))
    assert deliverable.revisions.count() == 1


def test_viewer_cannot_upload(signed_in, viewer, at_client_review):
    deliverable = at_client_review(with_revision=False)
    response = signed_in(viewer).post(reverse("reviews:revision_upload", args=[deliverable.pk]), {"file": upload()})
    assert response.status_code == 403 and not deliverable.revisions.exists()


def test_revision_file_is_served_only_to_its_organisation(signed_in, client, reviewer, at_client_review):
    revision = at_client_review().revisions.get()
    url = reverse("reviews:revision_file", args=[revision.pk])
    response = signed_in(reviewer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="art.png"'
    assert b"".join(response.streaming_content) == revision.file.open("rb").read()
    other = Organisation.objects.create(name="Other studio", slug="other")
    client.force_login(UserFactory(role=User.Role.REVIEWER, organisation=other))
    assert client.get(url).status_code == 404


def test_stage_panel_shows_latest_revision_open_items_and_sessions(signed_in, reviewer, at_client_review):
    deliverable = at_client_review()
    annotation_create(revision=deliverable.revisions.get(), x=0.5, y=0.5, body="Logo", actor=reviewer)
    session = review_session_start(
        session=review_session_create(title="Monday", actor=reviewer, deliverables=[deliverable]), actor=reviewer
    )
    review_session_decide(session=session, item=session.items.get(), decision="CHANGES_REQUESTED", actor=reviewer)
    review_session_complete(session=session, actor=reviewer)
    stage = deliverable.stages.get(name="Client Review")
    html = signed_in(reviewer).get(reverse("reviews:stage_panel", args=[deliverable.pk, stage.pk])).content.decode()
    assert "Round 1" in html and "Logo" in html and "Monday" in html and "Changes requested" in html
    assert "Cannot pass yet: no completed review session approved round 1" in html
    other_stage = deliverable.stages.get(name="Amends")
    wrong = signed_in(reviewer).get(reverse("reviews:stage_panel", args=[deliverable.pk + 1000, other_stage.pk]))
    assert wrong.status_code == 404


def test_deliverable_revisions_partial_lists_rounds_and_the_upload_form(reviewer, producer, at_client_review):
    deliverable = at_client_review()
    annotation_create(revision=deliverable.revisions.get(), x=0.5, y=0.5, body="Logo", actor=reviewer)
    request = RequestFactory().get("/")
    request.user = producer
    template = Template('{% include "reviews/_deliverable_revisions.html" %}')
    html = template.render(
        Context(
            {"deliverable": deliverable, "request": request, "perms_for_user": {"REVISION_UPLOAD"}, "csrf_token": "x"}
        )
    )
    assert "Round 1" in html and "1 open / 1" in html and "Upload round 2" in html
    assert reverse("reviews:revision_file", args=[deliverable.revisions.get().pk]) in html
    viewer_html = template.render(Context({"deliverable": deliverable, "request": request, "perms_for_user": set()}))
    assert "Upload round" not in viewer_html


def test_deliverable_page_includes_the_revisions_panel(signed_in, producer, at_client_review):
    deliverable = at_client_review()
    response = signed_in(producer).get(reverse("deliverables:detail", args=[deliverable.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="revisions-panel"' in html and reverse("reviews:annotate", args=[deliverable.pk]) in html
    assert deliverable.status == Deliverable.Status.IN_PROGRESS


def _grow_session(session, reviewer, at_client_review, names):
    for name in names:
        deliverable = at_client_review(name)
        revision = deliverable.revisions.get()
        item = annotation_create(revision=revision, x=0.4, y=0.4, body=f"{name} pin", actor=reviewer)
        feedback = item.feedback_items.get()
        feedback_item_edit(item=feedback, body=f"{name} pin, edited", actor=reviewer)
        feedback_item_set_status(item=feedback, status=FeedbackItem.Status.RESOLVED, actor=reviewer)
        ReviewSessionItem.objects.create(
            session=session, deliverable=deliverable, stage=deliverable.current_stage, revision=revision
        )


@pytest.mark.parametrize("page", ["reviews:detail", "reviews:present", "reviews:summary"])
def test_session_pages_keep_a_constant_query_count(
    signed_in, reviewer, at_client_review, django_assert_max_num_queries, page
):
    session = review_session_create(title="Monday", actor=reviewer)
    _grow_session(session, reviewer, at_client_review, ["A"])
    if page != "reviews:detail":
        ReviewSession.objects.filter(pk=session.pk).update(status=ReviewSession.Status.IN_PROGRESS)
    client = signed_in(reviewer)
    url = reverse(page, args=[session.pk])
    with django_assert_max_num_queries(40) as first:
        assert client.get(url).status_code == 200
    _grow_session(session, reviewer, at_client_review, ["B", "C", "D"])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and "D" in response.content.decode()


def test_annotation_page_keeps_a_constant_query_count(
    signed_in, reviewer, producer, at_client_review, django_assert_max_num_queries
):
    deliverable = at_client_review()
    revision = deliverable.revisions.get()
    annotation_create(revision=revision, x=0.1, y=0.1, body="first", actor=reviewer)
    client = signed_in(reviewer)
    url = reverse("reviews:annotate", args=[deliverable.pk])
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    for n in range(4):
        pin = annotation_create(revision=revision, x=0.2, y=0.2 + n / 10, body=f"pin {n}", actor=reviewer)
        feedback_item_set_status(item=pin.feedback_items.get(), status=FeedbackItem.Status.RESOLVED, actor=producer)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert 'data-testid="pin-5"' in response.content.decode()
