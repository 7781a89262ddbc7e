"""Content events name only an asset or a content item: the one a task added leads to the task's deliverable,
which gets a "published" note; nothing linked is the receipt alone (ignored, with the reason)."""

from integrations.inbound.models import WebhookReceipt

from .conftest import fixture_json, post_cmp


def test_an_asset_published_to_the_library_is_a_note_on_its_tasks_deliverable(client, linked, sent_fetches):
    post_cmp(client, "task__asset_added")
    response = post_cmp(client, "content__asset_added")
    assert response.json() == {"ok": True, "outcome": "applied", "action": "noted"}
    note = linked.transitions.latest("id")
    assert note.note == (
        "Published to the Optimizely CMP library: Summer Glow hero banner 1920x1080: "
        "https://cmp.optimizely.com/cloud/library/665a0d4e8b1f2c3a4d5e6f70"
    )
    receipt = WebhookReceipt.objects.latest("id")
    assert (receipt.route, receipt.external_key, receipt.object_id) == (
        "optimizely-content", "asset:665a0d4e8b1f2c3a4d5e6f70", str(linked.pk)
    )  # fmt: skip


def test_content_published_for_a_tasks_article_is_a_note(client, linked):
    post_cmp(client, "task__asset_added_article")
    assert post_cmp(client, "content__content_published").json()["action"] == "noted"
    assert linked.transitions.latest("id").note == (
        "Published from Optimizely CMP: Five ways to keep your glow all summer (article)"
    )


def test_an_asset_added_before_the_task_was_linked_still_finds_the_deliverable(client, deliverable, producer):
    from integrations.optimizely.services import task_link

    post_cmp(client, "task__asset_added_article")  # the task is not linked yet: a brief
    task_link(deliverable=deliverable, task_id=fixture_json("task__asset_added")["task_id"], actor=producer)
    assert post_cmp(client, "content__content_published").json()["outcome"] == "applied"


def test_nothing_linked_is_the_receipt_alone(client, db):
    for name in ("content__asset_added", "content__content_published"):
        response = post_cmp(client, name)
        assert response.status_code == 200 and response.json()["outcome"] == "ignored"
        receipt = WebhookReceipt.objects.latest("id")
        assert receipt.outcome == WebhookReceipt.Outcome.IGNORED and "no deliverable is linked" in receipt.detail
