"""Revision rows: the file check, race-safe round numbering, the permission and organisation gates, the event."""

import pytest
from django.urls import reverse

from deliverables.models import Revision
from deliverables.revisions import revision_create
from tests.concurrency import run_at_once
from tests.conftest import require_postgres
from tests.factories import UserFactory, make_deliverable
from tests.reviews.files import FILE_SAMPLES, png_bytes, upload
from tracker import events
from tracker.errors import ApplicationError, NotFoundError, PermissionDeniedError
from tracker.models import Organisation, User

pytestmark = pytest.mark.django_db

UPLOAD = Revision.Source.UPLOAD


def create(deliverable, file, actor, **extra) -> Revision:
    return revision_create(deliverable=deliverable, file=file, name=None, source=UPLOAD, actor=actor, **extra)


@pytest.mark.parametrize("name", sorted(FILE_SAMPLES))
def test_every_accepted_file_kind_is_stored_as_the_next_round(producer, name):
    deliverable = make_deliverable()
    first = create(deliverable, upload(name), producer)
    second = create(deliverable, upload(name), producer, note="Tighter crop")
    assert (first.round, second.round) == (1, 2)
    assert first.original_name == name and first.size == len(FILE_SAMPLES[name]) and first.created_by == producer
    assert first.content_type.split("/")[0] in ("image", "application", "video")
    assert first.file.read() == FILE_SAMPLES[name]
    assert (second.note, second.source) == ("Tighter crop", UPLOAD)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("art.gif", b"GIF89a" + b"\x00" * 20, ".gif is not accepted"),
        ("art", png_bytes(), "files without an extension is not accepted"),
        ("art.png", b"%PDF-1.4 pretending", "not a PNG file"),
        ("art.jpg", png_bytes(), "not a JPG file"),
        ("art.mp4", b"plain text, not a video", "not a MP4 file"),
        ("art.png", b"", "the file is empty"),
    ],
)
def test_wrong_type_or_empty_file_is_refused_with_a_clear_message(producer, name, content, message):
    deliverable = make_deliverable()
    with pytest.raises(ApplicationError, match=message):
        create(deliverable, upload(name, content), producer)
    assert not deliverable.revisions.exists()


def test_a_file_over_the_size_limit_is_refused(producer, settings):
    settings.REVISION_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ApplicationError, match="the limit is 100 bytes"):
        create(make_deliverable(), upload("art.png", png_bytes(200, 200)), producer)


def test_the_name_given_wins_over_the_files_own(producer):
    revision = revision_create(
        deliverable=make_deliverable(), file=upload(), name="folder/hero.png", source=UPLOAD, actor=producer
    )
    assert revision.original_name == "hero.png" and "/r1/hero" in revision.file.name


def test_needs_the_revision_upload_permission(viewer):
    with pytest.raises(PermissionDeniedError):
        create(make_deliverable(), upload(), viewer)


def test_another_organisations_deliverable_is_not_found(producer):
    other = Organisation.objects.create(name="Other studio", slug="other")
    outsider = UserFactory(role=User.Role.PRODUCER, organisation=other)
    with pytest.raises(NotFoundError):
        create(make_deliverable(), upload(), outsider)


def test_an_upstream_system_stores_a_revision_without_a_user():
    revision = revision_create(
        deliverable=make_deliverable(), file=upload(), name="box.png", source=Revision.Source.BOX, actor=None
    )
    assert revision.created_by is None and revision.source == Revision.Source.BOX and revision.round == 1


def test_emits_revision_created_after_commit(producer, django_capture_on_commit_callbacks):
    heard = []

    def handler(name, payload):
        heard.append((name, payload))

    events.subscribe("revision.created", handler)
    try:
        deliverable = make_deliverable()
        with django_capture_on_commit_callbacks(execute=True):
            revision = create(deliverable, upload(), producer)
    finally:
        events.unsubscribe("revision.created", handler)
    assert heard == [
        (
            "revision.created",
            {"deliverableId": str(deliverable.pk), "revisionId": str(revision.pk), "round": 1, "source": "upload"},
        )
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_get_distinct_rounds(producer):
    require_postgres()
    deliverable = make_deliverable()
    results = run_at_once([lambda: create(deliverable, upload(), producer)] * 4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(deliverable.revisions.values_list("round", flat=True)) == [1, 2, 3, 4]


def test_admin_lists_revisions_but_cannot_add_them(client, admin_user, producer):
    revision = create(make_deliverable(), upload(), producer)
    client.force_login(admin_user)
    assert client.get(reverse("admin:deliverables_revision_changelist")).status_code == 200
    assert client.get(reverse("admin:deliverables_revision_add")).status_code == 403
    assert client.get(reverse("admin:deliverables_revision_change", args=[revision.pk])).status_code == 200
