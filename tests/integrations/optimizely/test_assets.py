"""A task's file asset becomes the deliverable's next revision: recorded with the event, fetched by the Celery task
(eager here) from a real HTTP server on 127.0.0.1 through the shared address-checked, size-limited client."""

import pytest

from deliverables.models import Revision
from integrations.optimizely.models import CmpAssetFetch
from integrations.optimizely.services import asset_fetch_attempt, asset_fetch_sweep

from .conftest import PNG, fixture_json, post_cmp

ASSET_ID = "665a0d4e8b1f2c3a4d5e6f70"


def _asset_event(url: str) -> dict:
    body = fixture_json("task__asset_added")
    body["asset"]["links"]["self"] = url
    return body


def _post_and_run(client, body, capture):
    with capture(execute=True):
        return post_cmp(client, body)


def test_an_image_asset_is_fetched_and_becomes_the_next_revision(
    client, linked, files, django_capture_on_commit_callbacks
):
    files.redirect(f"/v3/images/{ASSET_ID}/download", "/storage/hero-banner.png")
    files.serve("/storage/hero-banner.png", PNG, content_type="image/png")
    response = _post_and_run(client, _asset_event(files.url(f"/v3/images/{ASSET_ID}/download")),
                             django_capture_on_commit_callbacks)  # fmt: skip
    assert response.json()["action"] == "queued"
    revision = Revision.objects.get(deliverable=linked)
    assert (revision.round, revision.source, revision.original_name) == (1, "upstream", "hero-banner.png")
    assert revision.file.read() == PNG and revision.created_by is None
    assert f"asset {ASSET_ID}" in revision.note
    fetch = CmpAssetFetch.objects.get()
    assert (fetch.status, fetch.revision, fetch.attempts) == (CmpAssetFetch.Status.DONE, revision, 1)


def test_a_download_link_without_an_extension_takes_one_from_the_content_type(
    client, linked, files, django_capture_on_commit_callbacks
):
    files.serve(f"/v3/images/{ASSET_ID}/download", PNG, content_type="image/png")
    _post_and_run(
        client, _asset_event(files.url(f"/v3/images/{ASSET_ID}/download")), django_capture_on_commit_callbacks
    )
    assert Revision.objects.get(deliverable=linked).original_name == f"cmp-{ASSET_ID}.png"


def test_a_private_address_is_refused_when_not_exempt(
    client, linked, files, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_EXEMPT_HOSTS = []
    files.serve("/hero.png", PNG, content_type="image/png")
    _post_and_run(client, _asset_event(files.url("/hero.png")), django_capture_on_commit_callbacks)
    fetch = CmpAssetFetch.objects.get()
    assert fetch.status == CmpAssetFetch.Status.FAILED and fetch.error.startswith("refused:")
    assert files.requests == [] and not Revision.objects.exists()
    assert "Could not fetch CMP asset" in linked.transitions.latest("id").note


def test_a_file_over_the_size_limit_is_refused(client, linked, files, settings, django_capture_on_commit_callbacks):
    settings.UPSTREAM_FETCH_MAX_BYTES = 100
    files.serve("/hero.png", PNG, content_type="image/png")
    _post_and_run(client, _asset_event(files.url("/hero.png")), django_capture_on_commit_callbacks)
    fetch = CmpAssetFetch.objects.get()
    assert fetch.status == CmpAssetFetch.Status.FAILED and "the limit is 100 bytes" in fetch.error
    assert fetch.attempts == 1 and not Revision.objects.exists()


def test_a_server_error_is_retried_until_the_file_comes(client, linked, files, django_capture_on_commit_callbacks):
    files.serve("/hero.png", PNG, content_type="image/png")
    files.fail("/hero.png", 503, times=2)
    _post_and_run(client, _asset_event(files.url("/hero.png")), django_capture_on_commit_callbacks)
    fetch = CmpAssetFetch.objects.get()
    assert (fetch.status, fetch.attempts) == (CmpAssetFetch.Status.DONE, 3)
    assert files.requests == ["/hero.png"] * 3


def test_retries_end_in_failure_after_the_last_attempt(
    client, linked, files, settings, django_capture_on_commit_callbacks
):
    settings.UPSTREAM_FETCH_MAX_ATTEMPTS = 2
    files.fail("/hero.png", 503, times=5)
    _post_and_run(client, _asset_event(files.url("/hero.png")), django_capture_on_commit_callbacks)
    fetch = CmpAssetFetch.objects.get()
    assert (fetch.status, fetch.attempts, fetch.error) == (CmpAssetFetch.Status.FAILED, 2, "the server answered 503")


def test_a_file_revisions_do_not_accept_fails_with_the_reason(
    client, linked, files, django_capture_on_commit_callbacks
):
    files.serve("/notes.txt", b"not an image", content_type="text/plain")
    _post_and_run(client, _asset_event(files.url("/notes.txt")), django_capture_on_commit_callbacks)
    fetch = CmpAssetFetch.objects.get()
    assert fetch.status == CmpAssetFetch.Status.FAILED and "is not accepted" in fetch.error


def test_the_same_asset_again_is_ignored_and_a_done_fetch_is_not_repeated(
    client, linked, files, django_capture_on_commit_callbacks
):
    files.serve("/hero.png", PNG, content_type="image/png")
    body = _asset_event(files.url("/hero.png"))
    _post_and_run(client, body, django_capture_on_commit_callbacks)
    body["timestamp"] = "2024-06-03T10:16:00Z"  # CMP tells us again, with other bytes
    assert _post_and_run(client, body, django_capture_on_commit_callbacks).json()["outcome"] == "ignored"
    asset_fetch_attempt(fetch_id=CmpAssetFetch.objects.get().pk)  # a redelivered task message
    assert Revision.objects.count() == 1 and files.requests == ["/hero.png"]


def test_an_asset_for_an_unlinked_task_waits(client, db, sent_fetches):
    sent = sent_fetches
    assert post_cmp(client, "task__asset_added").json()["action"] == "brief"
    fetch = CmpAssetFetch.objects.get()
    assert (fetch.status, fetch.deliverable, sent) == (CmpAssetFetch.Status.WAITING, None, [])
    assert asset_fetch_attempt(fetch_id=fetch.pk) is None


@pytest.mark.parametrize("stuck", [True, False])
def test_the_sweep_resends_pending_downloads_whose_message_was_lost(linked, sent_fetches, stuck):
    from datetime import timedelta

    from django.utils import timezone

    sent = sent_fetches
    due = timezone.now() - timedelta(minutes=10 if stuck else 1)
    fetch = CmpAssetFetch.objects.create(
        organisation=linked.project.organisation, task_id="t", asset_id="a", asset_type="image",
        url="https://cmp.example.com/a.png", deliverable=linked, next_attempt_at=due,
    )  # fmt: skip
    assert asset_fetch_sweep() == (1 if stuck else 0)
    assert sent == ([fetch.pk] if stuck else [])
