"""The Box settings page, the deliverable page's Box panel and "Send to client (Box)" button, and their POSTs."""

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from integrations.box.models import BoxInboundLog, BoxPushLog
from projects.models import ApprovalType
from tests.factories import UserFactory
from tracker.models import Organisation, User

from .conftest import ENTERPRISE_ID, add_revision, approve

pytestmark = pytest.mark.django_db


def test_the_settings_page_shows_the_connection_webhook_and_recent_activity(client, admin_user, fake_box, deliverable):
    add_revision(deliverable)
    BoxPushLog.objects.create(
        push_id="5b0c0c44-5a38-4b8e-a3a4-0a2d1b1c9c01",
        deliverable=deliverable,
        folder_name="OMG-24017_hero-banner_v1",
        outcome="failed",
        error="Box answered 500",
    )
    BoxInboundLog.objects.create(
        outcome="unmatched",
        event_id="evt-9",
        trigger="FILE.UPLOADED",
        folder_name="Random client folder",
        file_name="brief.pdf",
    )
    client.force_login(admin_user)
    response = client.get(reverse("box:settings"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-configured="yes"' in page and ENTERPRISE_ID in page and fake_box.root_id in page
    assert "http://testserver/loreal-prod-tracker/api/webhooks/box" in page
    assert "OMG-24017_hero-banner_v1" in page and "Box answered 500" in page
    assert reverse("box:push_retry", args=[BoxPushLog.objects.get().pk]) in page
    assert "Random client folder" in page and "brief.pdf" in page


def test_the_settings_page_filters_activity(client, admin_user, fake_box, deliverable):
    for outcome in ("sent", "failed"):
        BoxPushLog.objects.create(
            push_id=f"5b0c0c44-5a38-4b8e-a3a4-0a2d1b1c9c0{len(outcome)}",
            deliverable=deliverable,
            folder_name=f"folder-{outcome}",
            outcome=outcome,
        )
    client.force_login(admin_user)
    page = client.get(reverse("box:settings"), {"push_outcome": "failed"}).content.decode()
    assert "folder-failed" in page and "folder-sent" not in page


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "BOX_CONFIG_FILE is not set"), ("{}", "is empty ({})")],
    ids=["unset", "empty-object"],
)
def test_the_settings_page_says_why_box_is_not_configured(client, admin_user, settings, tmp_path, content, reason):
    settings.BOX_CONFIG_FILE = ""
    if content is not None:
        (tmp_path / "box.json").write_text(content)
        settings.BOX_CONFIG_FILE = str(tmp_path / "box.json")
    client.force_login(admin_user)
    page = client.get(reverse("box:settings")).content.decode()
    assert 'data-configured="no"' in page and reason in page


def test_a_private_key_that_cannot_be_read_is_reported(client, admin_user, fake_box):
    config = fake_box.config_path.read_text().replace("passphrase-for-tests-91c2", "wrong-passphrase")
    fake_box.config_path.write_text(config)
    client.force_login(admin_user)
    page = client.get(reverse("box:settings")).content.decode()
    assert 'data-configured="no"' in page and "cannot be read with its passphrase" in page
    assert "wrong-passphrase" not in page


def test_only_admins_see_the_settings_page(client, producer):
    assert client.get(reverse("box:settings")).status_code == 302
    client.force_login(producer)
    assert client.get(reverse("box:settings")).status_code == 403


def render_tags(user, deliverable, stages):
    request = RequestFactory().get("/")
    request.user = user
    template = Template(
        "{% load box_tags %}{% box_push_panel deliverable %}"
        "{% for stage in stages %}<row {{ stage.slug }}>{% box_send_button deliverable stage %}</row>{% endfor %}"
    )
    return template.render(Context({"request": request, "deliverable": deliverable, "stages": stages}))


def test_the_send_button_is_on_the_approval_stage_row_only_for_producers_and_admins(
    deliverable, producer, admin_user, reviewer, viewer, django_assert_max_num_queries
):
    add_revision(deliverable)
    deliverable = approve(deliverable)
    stages = list(deliverable.stages.order_by("order"))
    approval = [s for s in stages if s.approval_type == ApprovalType.FORMAL][-1]
    for user in (producer, admin_user):
        html = render_tags(user, deliverable, stages)
        assert html.count('data-testid="box-send"') == 1
        row = html.split(f"<row {approval.slug}>")[1].split("</row>")[0]
        assert "Send to client (Box)" in row and reverse("box:send", args=[deliverable.pk]) in row
    for user in (reviewer, viewer):
        assert 'data-testid="box-send"' not in render_tags(user, deliverable, stages)
    with django_assert_max_num_queries(4):  # the panel's push, the stages once, the latest round: not per row
        render_tags(producer, deliverable, stages)


def test_the_panel_shows_queued_then_sent_with_a_link(deliverable, producer, fake_box):
    from integrations.box.services import box_push_attempt, box_push_queue

    add_revision(deliverable)
    assert 'data-state="none"' in render_tags(producer, deliverable, [])
    row = box_push_queue(deliverable=deliverable, trigger="manual")  # its message is not sent: no commit here
    assert 'data-state="queued"' in render_tags(producer, deliverable, [])
    box_push_attempt(push_log_id=row.pk)
    html = render_tags(producer, deliverable, [])
    row.refresh_from_db()
    assert 'data-state="sent"' in html and f"https://app.box.com/folder/{row.box_folder_id}" in html


def test_send_to_client_pushes_now(client, deliverable, producer, fake_box, django_capture_on_commit_callbacks):
    add_revision(deliverable)
    approve(deliverable)
    client.force_login(producer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true")

    # The page answers once the push is recorded; the attempt itself runs after the commit.
    assert response.status_code == 200 and 'data-state="queued"' in response.content.decode()
    row = BoxPushLog.objects.get()
    assert (row.trigger, row.requested_by, row.outcome) == ("manual", producer, "sent")


def test_send_to_client_refuses_while_a_push_is_under_way(client, deliverable, producer, fake_box):
    add_revision(deliverable)
    approve(deliverable)
    client.force_login(producer)
    client.post(reverse("box:send", args=[deliverable.pk]))  # queued; its message waits for a commit
    response = client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true")
    assert "already under way" in response.content.decode()
    assert BoxPushLog.objects.count() == 1


def test_send_without_box_configured_says_why(client, deliverable, producer, settings):
    settings.BOX_CONFIG_FILE = ""
    add_revision(deliverable)
    approve(deliverable)
    client.force_login(producer)
    response = client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'data-state="failed"' in page and "Box is not configured: BOX_CONFIG_FILE is not set" in page


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_only_producers_and_admins_may_send_or_retry(client, deliverable, role, request, fake_box):
    add_revision(deliverable)
    row = BoxPushLog.objects.create(
        push_id="5b0c0c44-5a38-4b8e-a3a4-0a2d1b1c9c01", deliverable=deliverable, outcome="failed", error="x"
    )
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("box:send", args=[deliverable.pk])).status_code == 403
    assert client.post(reverse("box:push_retry", args=[row.pk])).status_code == 403
    assert BoxPushLog.objects.count() == 1


def test_the_posts_need_a_csrf_token(deliverable, producer, fake_box):
    add_revision(deliverable)
    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    assert client.post(reverse("box:send", args=[deliverable.pk])).status_code == 403
    assert not BoxPushLog.objects.exists()


def test_retry_after_a_failure_pushes_again(
    client, deliverable, producer, fake_box, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    approve(deliverable)
    fake_box.fail_next(1, status=400, path="/2.0/folders")
    client.force_login(producer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("box:send", args=[deliverable.pk]))
    failed = BoxPushLog.objects.get()
    assert failed.outcome == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("box:push_retry", args=[failed.pk]), {"next": "/elsewhere"})
    assert response.status_code == 302
    latest = BoxPushLog.objects.order_by("-id").first()
    assert (latest.trigger, latest.outcome) == ("retry", "sent")


def test_a_failed_inbound_event_can_be_queued_again(client, admin_user, fake_box, django_capture_on_commit_callbacks):
    log = BoxInboundLog.objects.create(outcome="failed", event_id="evt-3", folder_name="Random", error="boom")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("box:inbound_retry", args=[log.pk]))
    log.refresh_from_db()
    assert log.outcome == "unmatched"  # processed again, eagerly: the folder still matches nothing


@pytest.fixture
def other_admin(db):
    """An admin of a second organisation: none of the default organisation's Box activity is theirs."""
    other = Organisation.objects.create(name="Other studio", slug="other-studio")
    return UserFactory(username="oscar", role=User.Role.ADMIN, organisation=other)


def test_the_settings_page_shows_only_the_users_organisation(client, admin_user, other_admin, deliverable):
    BoxPushLog.objects.create(
        push_id="5b0c0c44-5a38-4b8e-a3a4-0a2d1b1c9c01",
        deliverable=deliverable,
        folder_name="OMG-24017_hero-banner_v1",
        outcome="failed",
    )
    BoxInboundLog.objects.create(
        outcome="matched", event_id="evt-1", folder_name="OMG-24017_hero-banner_v2", project=deliverable.project
    )
    BoxInboundLog.objects.create(outcome="rejected", delivery_id="dlv-unsigned", folder_name="Nobody's folder")

    client.force_login(other_admin)
    page = client.get(reverse("box:settings")).content.decode()
    assert "OMG-24017_hero-banner_v1" not in page and "OMG-24017_hero-banner_v2" not in page
    # An event no project claims belongs to the organisation webhook intake goes to (the default one).
    assert "Nobody&#x27;s folder" not in page and "Nobody's folder" not in page

    client.force_login(admin_user)
    page = client.get(reverse("box:settings")).content.decode()
    assert "OMG-24017_hero-banner_v1" in page and "OMG-24017_hero-banner_v2" in page
    assert "Nobody&#x27;s folder" in page


def test_another_organisations_inbound_event_cannot_be_retried(
    client, other_admin, deliverable, django_capture_on_commit_callbacks
):
    log = BoxInboundLog.objects.create(
        outcome="failed", event_id="evt-3", folder_name="OMG-24017_hero-banner_v2", project=deliverable.project
    )
    client.force_login(other_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("box:inbound_retry", args=[log.pk]))
    log.refresh_from_db()
    assert response.status_code == 404 and log.outcome == "failed" and not callbacks


def test_another_organisations_push_cannot_be_retried_sent_or_seen(
    client, other_admin, deliverable, fake_box, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    row = BoxPushLog.objects.create(
        push_id="5b0c0c44-5a38-4b8e-a3a4-0a2d1b1c9c01", deliverable=deliverable, outcome="failed", error="x"
    )
    client.force_login(other_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("box:push_retry", args=[row.pk])).status_code == 404
        assert client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("box:panel", args=[deliverable.pk])).status_code == 404
    assert BoxPushLog.objects.count() == 1 and not callbacks


def test_the_panel_shows_no_push_of_another_organisation(deliverable, producer, other_admin):
    BoxPushLog.objects.create(
        push_id="5b0c0c44-5a38-4b8e-a3a4-0a2d1b1c9c01", deliverable=deliverable, outcome="failed", error="x"
    )
    assert 'data-state="failed"' in render_tags(producer, deliverable, [])
    assert 'data-state="none"' in render_tags(other_admin, deliverable, [])


def test_send_refuses_work_that_is_not_approved_and_writes_nothing(client, deliverable, producer, fake_box):
    add_revision(deliverable)
    client.force_login(producer)
    url = reverse("box:send", args=[deliverable.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert "Only approved work is sent to the client" in response.content.decode()
    assert client.post(url, {"override": "confirmed"}).status_code == 403  # the override is an admin's
    assert not BoxPushLog.objects.exists()
    assert 'data-testid="box-send"' not in render_tags(producer, deliverable, list(deliverable.stages.all()))


def test_send_refuses_a_deliverable_without_a_revision(client, deliverable, producer, fake_box):
    approve(deliverable)
    client.force_login(producer)
    response = client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true")
    assert "no revision to send" in response.content.decode()
    assert not BoxPushLog.objects.exists()


def test_an_admin_may_override_only_with_the_explicit_confirmation(
    client, deliverable, admin_user, fake_box, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    html = render_tags(admin_user, deliverable, list(deliverable.stages.all()))
    assert "Send before approval" in html and 'data-testid="box-override"' in html
    client.force_login(admin_user)
    refused = client.post(reverse("box:send", args=[deliverable.pk]), HTTP_HX_REQUEST="true")
    assert "an admin can send it anyway" in refused.content.decode() and not BoxPushLog.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("box:send", args=[deliverable.pk]), {"override": "confirmed"}, HTTP_HX_REQUEST="true")
    row = BoxPushLog.objects.get()
    assert (row.trigger, row.requested_by, row.outcome) == ("override", admin_user, "sent")
