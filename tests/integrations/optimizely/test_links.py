"""A task not linked yet becomes a brief in the inbox; promoting it creates the project with one deliverable linked
to the task (through the `brief.accepted` event); a deliverable can be linked to a task by hand on its page."""

import pytest
from django.urls import reverse

from briefs.models import Brief
from briefs.services import brief_promote, brief_reject
from integrations.inbound.models import WebhookReceipt
from integrations.optimizely.models import CmpAssetFetch
from integrations.optimizely.services import task_link, task_link_promoted
from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject
from tests.factories import ProjectFactory, UserFactory, default_organisation, make_deliverable
from tracker.errors import ConflictError, PermissionDeniedError
from tracker.events import emit

from .conftest import TASK_ID, post_cmp


def _task() -> UpstreamObject:
    return UpstreamObject.objects.get(provider=Provider.OPTIMIZELY, kind="task", external_id=TASK_ID)


def test_an_unlinked_tasks_first_event_becomes_a_brief_in_the_inbox(client, db):
    response = post_cmp(client, "task__step_completed")
    assert response.json() == {"ok": True, "outcome": "applied", "action": "brief"}
    brief = Brief.objects.get()
    assert (brief.external_id, brief.source, brief.status) == (f"cmp:{TASK_ID}", "webhook:optimizely-cmp", "PENDING")
    assert brief.title == f"Optimizely CMP task {TASK_ID}" and "step 'Brief' completed" in brief.description
    assert brief.raw_payload["event_name"] == "task_step_completed"
    assert _task().brief == brief
    receipt = WebhookReceipt.objects.latest("id")
    assert receipt.object_id == str(brief.pk) and f"brief #{brief.pk}" in receipt.detail


def test_later_events_update_the_same_brief_and_are_kept_for_the_deliverable(client, db):
    post_cmp(client, "task__step_started")
    post_cmp(client, "task__due_date_changed")
    post_cmp(client, "task__assignee_changed")
    brief = Brief.objects.get()
    assert brief.requested_due_date.date().isoformat() == "2024-06-21"
    assert _task().data["assignee"] == {"id": "5e8f1a2b3c4d5e6f7a8b9c0d", "name": "Priya Raman"}


def test_promoting_the_brief_creates_one_deliverable_linked_to_the_task(
    client, producer, django_capture_on_commit_callbacks, sent_fetches
):
    sent = sent_fetches
    priya = UserFactory(username="praman")
    UpstreamMapping.objects.create(
        organisation=default_organisation(),
        provider=Provider.OPTIMIZELY,
        kind=UpstreamMapping.Kind.USER,
        upstream_value="Priya Raman",
        target="praman",
    )
    for name in ("task__due_date_changed", "task__assignee_changed", "task__asset_added"):
        post_cmp(client, name)
    brief = Brief.objects.get()
    assert CmpAssetFetch.objects.get().status == CmpAssetFetch.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        project = brief_promote(brief=brief, actor=producer, name="Summer Glow")
    (deliverable,) = project.deliverables.all()
    assert deliverable.name == brief.title and deliverable.due_date.isoformat() == "2024-06-21"
    assert deliverable.assignee == priya
    task = _task()
    assert (task.deliverable, task.project) == (deliverable, project)
    assert "Linked to CMP task" in deliverable.transitions.latest("id").note
    fetch = CmpAssetFetch.objects.get()
    assert fetch.status == CmpAssetFetch.Status.PENDING and fetch.deliverable == deliverable
    assert sent == [fetch.pk] and callbacks  # the event's dispatch queued the download on commit
    # Later events reach the deliverable.
    post_cmp(client, "task__step_skipped")
    assert "skipped" in deliverable.transitions.latest("id").note


def test_the_promotion_subscriber_is_idempotent(client, producer, django_capture_on_commit_callbacks):
    post_cmp(client, "task__step_started")
    brief = Brief.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        project = brief_promote(brief=brief, actor=producer, name="Summer Glow")
    payload = {"briefId": str(brief.pk), "convertedProjectId": str(project.pk)}
    task_link_promoted("brief.accepted", payload)  # delivered again
    emit("brief.accepted", {"briefId": "999999"})  # a brief that is not ours
    assert project.deliverables.count() == 1


def test_promoting_through_the_inbox_page_links_the_deliverable(client, producer, django_capture_on_commit_callbacks):
    post_cmp(client, "task__step_started")
    brief = Brief.objects.get()
    client.force_login(producer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("briefs:promote", args=[brief.pk]), {"name": "Summer Glow", "priority": "MEDIUM"}
        )
    assert response.status_code == 302
    brief.refresh_from_db()
    (deliverable,) = brief.converted_project.deliverables.all()
    assert _task().deliverable == deliverable


def test_a_rejected_briefs_task_events_are_ignored(client, producer):
    post_cmp(client, "task__step_started")
    brief_reject(brief=Brief.objects.get(), actor=producer, reason="Not ours")
    response = post_cmp(client, "task__step_skipped")
    assert response.json()["outcome"] == "ignored" and "was rejected" in WebhookReceipt.objects.latest("id").detail


# --- By hand, on the deliverable's page ---------------------------------------------------------------------------


def _page(client, deliverable) -> str:
    return client.get(reverse("deliverables:detail", args=[deliverable.pk])).content.decode()


def test_a_producer_links_a_task_by_hand_and_the_panel_shows_it(client, deliverable, producer):
    client.force_login(producer)
    assert 'data-testid="cmp-task-none"' in _page(client, deliverable)
    url = reverse("optimizely:task-link", args=[deliverable.pk])
    response = client.post(url, {"task_id": f"  {TASK_ID} "})
    assert response.status_code == 302
    assert _task().deliverable == deliverable
    page = _page(client, deliverable)
    assert f'data-testid="cmp-task-id">{TASK_ID}<' in page and f"Linked to CMP task {TASK_ID}." in page
    note = deliverable.transitions.latest("id")
    assert (note.intent, note.source) == ("note", "ui") and "by" in note.note


def test_the_link_form_needs_csrf(deliverable, producer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(producer)
    response = strict.post(reverse("optimizely:task-link", args=[deliverable.pk]), {"task_id": TASK_ID})
    assert response.status_code == 403 and not UpstreamObject.objects.exists()


def test_a_task_linked_elsewhere_is_refused_clearly(client, linked, producer):
    other = make_deliverable(ProjectFactory(name="Autumn"), name="Lookbook")
    client.force_login(producer)
    client.post(reverse("optimizely:task-link", args=[other.pk]), {"task_id": TASK_ID})
    page = _page(client, other)
    assert f"CMP task {TASK_ID} is already linked to Hero banner in Summer Glow." in page
    assert _task().deliverable == linked


def test_a_deliverable_linked_to_another_task_must_be_unlinked_first(linked, producer):
    with pytest.raises(ConflictError, match="already linked to CMP task .*: unlink it first"):
        task_link(deliverable=linked, task_id="another-task", actor=producer)


def test_linking_the_same_task_again_changes_nothing(linked, producer):
    history = linked.transitions.count()
    task_link(deliverable=linked, task_id=TASK_ID, actor=producer)
    assert linked.transitions.count() == history


def test_viewers_and_reviewers_cannot_link_and_see_no_form(client, deliverable, viewer, reviewer):
    for user in (viewer, reviewer):
        client.force_login(user)
        assert 'data-testid="cmp-task-panel"' not in _page(client, deliverable)
        response = client.post(reverse("optimizely:task-link", args=[deliverable.pk]), {"task_id": TASK_ID})
        assert response.status_code == 403
    with pytest.raises(PermissionDeniedError):
        task_link(deliverable=deliverable, task_id=TASK_ID, actor=viewer)
    assert not UpstreamObject.objects.exists()


def test_linking_by_hand_closes_the_tasks_pending_brief_and_starts_its_downloads(
    client, deliverable, producer, django_capture_on_commit_callbacks, sent_fetches
):
    sent = sent_fetches
    post_cmp(client, "task__asset_added")
    brief = Brief.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        task_link(deliverable=deliverable, task_id=TASK_ID, actor=producer)
    brief.refresh_from_db()
    assert brief.status == "REJECTED" and "linked by hand to Hero banner" in brief.rejection_reason
    fetch = CmpAssetFetch.objects.get()
    assert (fetch.status, fetch.deliverable, sent) == (CmpAssetFetch.Status.PENDING, deliverable, [fetch.pk])


def test_unlink_removes_the_link_and_later_events_wait_again(client, linked, producer):
    client.force_login(producer)
    client.post(reverse("optimizely:task-unlink", args=[linked.pk]))
    assert _task().deliverable is None
    assert "Unlinked from CMP task" in linked.transitions.latest("id").note
    assert post_cmp(client, "task__step_skipped").json()["action"] == "brief"


def test_another_organisations_deliverable_is_not_found(client, producer):
    from tracker.models import Organisation

    elsewhere = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    theirs = make_deliverable(ProjectFactory(organisation=elsewhere), name="Theirs")
    client.force_login(producer)
    assert client.post(reverse("optimizely:task-link", args=[theirs.pk]), {"task_id": TASK_ID}).status_code == 404
