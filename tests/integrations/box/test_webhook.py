"""`POST /api/webhooks/box`: Box's signed file events become revisions, or notifications when they match nothing."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from box_sdk_gen.internal.utils import compute_webhook_signature
from django.urls import reverse

from deliverables.models import Revision
from integrations.box.models import BoxInboundLog, BoxPushLog
from integrations.box.services import inbound as inbound_services
from tests.factories import UserFactory
from tracker.models import Notification, Organisation, User

from .conftest import PNG, PRIMARY_KEY, SECONDARY_KEY, add_revision, approve

pytestmark = pytest.mark.django_db

FIXTURES = __import__("pathlib").Path(__file__).resolve().parent.parent / "fixtures" / "box"


def event(trigger="FILE.UPLOADED", *, event_id="evt-1", file_id="1", version_id="2", name="hero.png", folder=None):
    body = json.loads((FIXTURES / "file__uploaded.json").read_text())
    body["id"], body["trigger"] = event_id, trigger
    body["source"].update({"id": file_id, "name": name, "file_version": {"type": "file_version", "id": version_id}})
    if folder is not None:
        body["source"]["parent"] = {"type": "folder", "id": folder[0], "name": folder[1]}
    return json.dumps(body).encode()


def stamp(delta=timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def signed_headers(body: bytes, *, timestamp=None, primary=PRIMARY_KEY, secondary=SECONDARY_KEY, **overrides):
    headers = {
        "box-delivery-id": "delivery-1",
        "box-delivery-timestamp": timestamp or stamp(),
        "box-signature-version": "1",
        "box-signature-algorithm": "HmacSHA256",
    }
    # Box's own SDK computes the reference signatures, independently of the code under test.
    if primary:
        headers["box-signature-primary"] = compute_webhook_signature(body.decode(), headers, primary)
    if secondary:
        headers["box-signature-secondary"] = compute_webhook_signature(body.decode(), headers, secondary)
    headers.update(overrides)
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if value is not None}


def post(client, body: bytes, headers):
    return client.post(reverse("box:webhook"), data=body, content_type="application/json", **headers)


@pytest.fixture
def box_file(fake_box, deliverable):
    """A PNG the client dropped into the deliverable's delivery folder in Box."""
    folder = fake_box.add_folder("OMG-24017_hero-banner_v1", fake_box.root_id)
    file_id, version_id = fake_box.add_file(folder, "hero-amended.png", PNG + b"from the client")
    return {"file_id": file_id, "version_id": version_id, "folder": (folder, "OMG-24017_hero-banner_v1")}


def test_a_signed_upload_becomes_a_revision_and_tells_the_assignee(
    client, fake_box, deliverable, assignee, box_file, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    body = event(name="hero-amended.png", **box_file)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body, signed_headers(body))

    assert response.status_code == 200 and response.json() == {"status": "queued", "id": "evt-1"}
    revision = Revision.objects.get(deliverable=deliverable, round=2)
    assert (revision.source, revision.original_name) == ("box", "hero-amended.png")
    assert revision.file.read() == PNG + b"from the client"
    log = BoxInboundLog.objects.get()
    assert (log.outcome, log.revision, log.deliverable, log.signature_key) == (
        "matched",
        revision,
        deliverable,
        "primary",
    )
    notification = Notification.objects.get(kind=Notification.Kind.NEW_FILE_AWAITING_REVIEWER)
    assert notification.recipient == assignee and "round 2" in notification.title


def test_without_an_assignee_the_project_owner_is_told(
    client, fake_box, deliverable, owner, box_file, django_capture_on_commit_callbacks
):
    deliverable.assignee = None
    deliverable.save()
    body = event(**box_file)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signed_headers(body))

    assert Revision.objects.filter(deliverable=deliverable, source="box").count() == 1
    notification = Notification.objects.get(kind=Notification.Kind.NEW_FILE_AWAITING_REVIEWER)
    assert notification.recipient == owner


def test_a_file_moved_into_a_delivery_folder_counts_and_one_moved_elsewhere_does_not(
    client, fake_box, deliverable, box_file, django_capture_on_commit_callbacks
):
    moved_in = event("FILE.MOVED", event_id="evt-in", **box_file)
    elsewhere = event("FILE.MOVED", event_id="evt-out", file_id=box_file["file_id"], folder=("77", "Archive"))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, moved_in, signed_headers(moved_in)).json()["status"] == "queued"
        assert post(client, elsewhere, signed_headers(elsewhere)).json()["status"] == "ignored"

    assert Revision.objects.filter(deliverable=deliverable, source="box").count() == 1


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"box-signature-primary": "AAAA", "box-signature-secondary": "BBBB"}, "signature does not match"),
        ({"box-signature-primary": None, "box-signature-secondary": None}, "missing BOX-SIGNATURE-PRIMARY"),
        ({"box-signature-version": "2"}, "unsupported BOX-SIGNATURE-VERSION"),
        ({"box-signature-algorithm": "HmacSHA1"}, "unsupported BOX-SIGNATURE-ALGORITHM"),
        ({"box-delivery-timestamp": None}, "missing BOX-DELIVERY-TIMESTAMP"),
    ],
    ids=["bad-signature", "no-signature", "wrong-version", "wrong-algorithm", "no-timestamp"],
)
def test_a_delivery_that_fails_verification_is_refused_and_logged(client, fake_box, headers, reason):
    body = event()
    response = post(client, body, signed_headers(body, **headers))

    assert response.status_code == 401 and reason in response.json()["error"]
    log = BoxInboundLog.objects.get()
    assert (log.outcome, log.delivery_id, log.event_id) == ("rejected", "delivery-1", None)
    assert reason in log.error


@pytest.mark.parametrize(
    ("delta", "status"),
    [
        (timedelta(minutes=-11), 401),
        (timedelta(minutes=-9), 200),
        (timedelta(seconds=30), 200),
        (timedelta(minutes=5), 401),
    ],
    ids=["stale", "nine-minutes-old", "small-skew", "future"],
)
def test_the_delivery_timestamp_must_be_within_ten_minutes(client, fake_box, delta, status):
    body = event(trigger="FOLDER.CREATED")
    response = post(client, body, signed_headers(body, timestamp=stamp(delta)))

    assert response.status_code == status
    if status == 401:
        assert BoxInboundLog.objects.get().outcome == "rejected"
        assert response.json()["error"] in (
            "the delivery is older than 10 minutes",
            "the delivery timestamp is in the future",
        )


def test_a_signature_replayed_with_a_new_timestamp_fails(client, fake_box):
    body = event()
    old = signed_headers(body, timestamp=stamp(timedelta(minutes=-20)))
    old["HTTP_BOX_DELIVERY_TIMESTAMP"] = stamp()
    assert post(client, body, old).status_code == 401


@pytest.mark.parametrize(
    ("primary", "secondary", "key_name"),
    [(None, SECONDARY_KEY, "secondary"), ("retired-key", SECONDARY_KEY, "secondary"), (PRIMARY_KEY, None, "primary")],
    ids=["only-secondary", "primary-under-an-old-key", "only-primary"],
)
def test_either_key_passes_so_keys_can_be_rotated(client, fake_box, primary, secondary, key_name):
    body = event(trigger="FOLDER.CREATED")
    response = post(client, body, signed_headers(body, primary=primary, secondary=secondary))

    assert response.status_code == 200
    assert BoxInboundLog.objects.get().signature_key == key_name


def test_no_keys_configured_refuses_everything(client, fake_box, settings):
    settings.BOX_WEBHOOK_PRIMARY_KEY = settings.BOX_WEBHOOK_SECONDARY_KEY = ""
    body = event()
    response = post(client, body, signed_headers(body))
    assert response.status_code == 401 and response.json() == {"error": "Box webhook signature keys are not configured"}


def test_a_redelivered_event_makes_one_revision(
    client, fake_box, deliverable, box_file, django_capture_on_commit_callbacks
):
    body = event(**box_file)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, body, signed_headers(body))
        again = post(client, body, signed_headers(body, timestamp=stamp(timedelta(seconds=-1))))

    assert (first.json()["status"], again.json()["status"]) == ("queued", "duplicate")
    assert Revision.objects.filter(deliverable=deliverable, source="box").count() == 1
    assert sorted(BoxInboundLog.objects.values_list("outcome", flat=True)) == ["duplicate", "matched"]
    assert len(fake_box.calls("GET", "/dl/")) == 1


def test_an_event_for_a_folder_of_no_deliverable_tells_the_project_owner(
    client, fake_box, deliverable, owner, admin_user, django_capture_on_commit_callbacks
):
    body = event(folder=("55", "OMG-24017_unknown-slug_v1"))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signed_headers(body))

    log = BoxInboundLog.objects.get()
    assert log.outcome == "unmatched" and "no deliverable of project OMG-24017" in log.detail
    [notification] = Notification.objects.filter(kind=Notification.Kind.BOX_UNMATCHED_FILE)
    assert notification.recipient == owner
    assert notification.url == reverse("projects:detail", args=[deliverable.project_id])
    assert not Revision.objects.filter(source="box").exists()


@pytest.mark.parametrize(
    "folder_name", ["OMG-99999_hero-banner_v1", "Random client folder"], ids=["unknown-omg", "not-a-delivery-folder"]
)
def test_an_event_whose_omg_number_resolves_nowhere_tells_the_admins(
    client, fake_box, deliverable, owner, admin_user, folder_name, django_capture_on_commit_callbacks
):
    other_admin = UserFactory(username="ally", role=User.Role.ADMIN)
    # The event belongs to the organisation webhook intake goes to: another organisation's admins are not told.
    UserFactory(username="oscar", role=User.Role.ADMIN, organisation=Organisation.objects.create(name="O", slug="o"))
    body = event(folder=("55", folder_name))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signed_headers(body))

    assert BoxInboundLog.objects.get().outcome == "unmatched"
    recipients = set(
        Notification.objects.filter(kind=Notification.Kind.BOX_UNMATCHED_FILE).values_list("recipient", flat=True)
    )
    assert recipients == {admin_user.pk, other_admin.pk}


def test_files_this_tracker_pushed_are_not_imported_back(
    client, fake_box, deliverable, django_capture_on_commit_callbacks
):
    add_revision(deliverable)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deliverable)
    push = BoxPushLog.objects.get(outcome="sent")
    body = event(
        file_id=push.box_file_id, version_id=push.box_file_version_id, folder=(push.box_folder_id, push.folder_name)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, body, signed_headers(body)).json()["status"] == "ignored"
    assert Revision.objects.filter(deliverable=deliverable).count() == 1


def test_a_download_failure_is_retried(client, fake_box, deliverable, box_file, django_capture_on_commit_callbacks):
    fake_box.fail_next(1, status=503, path="/2.0/files/")
    body = event(**box_file)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signed_headers(body))

    log = BoxInboundLog.objects.get()
    assert (log.outcome, log.attempts) == ("matched", 2)


def test_a_file_the_tracker_cannot_take_is_logged_and_reported(
    client, fake_box, deliverable, assignee, owner, django_capture_on_commit_callbacks
):
    folder = fake_box.add_folder("OMG-24017_hero-banner_v1", fake_box.root_id)
    file_id, version_id = fake_box.add_file(folder, "notes.txt", b"plain text")
    body = event(file_id=file_id, version_id=version_id, name="notes.txt", folder=(folder, "OMG-24017_hero-banner_v1"))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signed_headers(body))

    log = BoxInboundLog.objects.get()
    assert log.outcome == "failed" and ".txt is not accepted" in log.error
    notified = Notification.objects.filter(kind=Notification.Kind.BOX_UNMATCHED_FILE)
    assert {n.recipient for n in notified} == {assignee, owner}


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"trigger": "FILE.UPLOADED"}'], ids=["text", "list", "no-id"])
def test_a_signed_body_that_is_not_an_event_is_a_400(client, fake_box, body):
    response = post(client, body, signed_headers(body))
    assert response.status_code == 400 and response.json()["error"] == "invalid payload"
    assert BoxInboundLog.objects.get().outcome == "invalid"


@pytest.mark.parametrize("bad", ["nul \x00 char", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_text_a_database_cannot_store_is_cleaned_not_a_500(client, fake_box, bad, django_capture_on_commit_callbacks):
    body = json.loads(event(folder=("55", f"OMG-1_{bad}_v1"), name=bad))
    body["source"]["size"] = 2**70
    raw = json.dumps(body).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, raw, signed_headers(raw))

    assert response.status_code == 200
    log = BoxInboundLog.objects.exclude(outcome="rejected").get()
    assert "\x00" not in log.file_name and log.file_size is None and log.outcome == "unmatched"


def test_an_oversized_body_is_refused(client, fake_box, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    body = event()
    response = post(client, body, signed_headers(body))
    assert response.status_code == 413 and response.json() == {"error": "payload too large", "maxBytes": 100}
    assert not BoxInboundLog.objects.exists()


def test_only_post_is_accepted(client, fake_box):
    response = client.get(reverse("box:webhook"))
    assert response.status_code == 405 and response.json() == {"error": "method not allowed"}


def test_secrets_never_reach_the_logs(
    client, fake_box, deliverable, box_file, caplog, django_capture_on_commit_callbacks
):
    from .conftest import CLIENT_SECRET, PASSPHRASE

    add_revision(deliverable)
    caplog.set_level(logging.DEBUG)
    body = event(**box_file)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body, signed_headers(body))
        post(client, body, signed_headers(body, primary="wrong", secondary="wrong"))
        approve(deliverable)

    text = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    tokens = list(fake_box.tokens)
    assert tokens and BoxPushLog.objects.filter(outcome="sent").exists()
    for secret in [PRIMARY_KEY, SECONDARY_KEY, CLIENT_SECRET, PASSPHRASE, *tokens]:
        assert secret not in text
    headers = signed_headers(body)
    assert headers["HTTP_BOX_SIGNATURE_PRIMARY"] not in text


def test_over_the_rate_limit_answers_429_and_writes_no_log_row(client, fake_box, settings, monkeypatch):
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    verified = []
    real_verify = inbound_services.box_webhook_verify
    monkeypatch.setattr(inbound_services, "box_webhook_verify", lambda **kw: verified.append(1) or real_verify(**kw))
    bodies = [event(event_id=f"evt-{n}", trigger="FOLDER.CREATED") for n in range(4)]
    statuses = [post(client, body, signed_headers(body)).status_code for body in bodies[:2]]
    refused = [post(client, body, signed_headers(body)) for body in bodies[2:]]

    assert statuses == [200, 200]
    assert [r.status_code for r in refused] == [429, 429]
    assert refused[0].json() == {"error": "rate limit exceeded"} and 1 <= int(refused[0]["Retry-After"]) <= 60
    # The refused calls cost neither a row nor a signature check.
    assert list(BoxInboundLog.objects.values_list("event_id", flat=True).order_by("id")) == ["evt-0", "evt-1"]
    assert len(verified) == 2


def test_the_rate_limit_counts_per_source_ip_and_apart_from_the_other_webhooks(client, fake_box, settings):
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    body = event(trigger="FOLDER.CREATED")
    assert post(client, body, signed_headers(body)).status_code == 200
    assert post(client, b"junk", {}).status_code == 429
    assert post(client, b"junk", {"REMOTE_ADDR": "10.0.0.9"}).status_code == 401  # another caller: its own count
    brief = client.post(reverse("inbound:webhook-briefs"), data=b"{}", content_type="application/json")
    assert brief.status_code != 429  # the Box route's count is not the briefs webhook's
    assert BoxInboundLog.objects.count() == 2
