"""Revision thumbnails: made by the Celery task queued when a revision commits, for PNG, JPEG, PDF and MP4; the
icon (status NONE) for what cannot be pictured, with no exception escaping; served like the revision's file."""

import io
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from deliverables.models import Revision
from deliverables.revisions import revision_create
from deliverables.thumbnails import SWEEP_GRACE, revision_thumbnail_make, revision_thumbnail_sweep
from projects.models import Project
from tests.conftest import require_program
from tests.factories import ClientTeamFactory, ProjectFactory, UserFactory, make_deliverable
from tests.reviews.files import FILE_SAMPLES
from tracker.models import Organisation

pytestmark = pytest.mark.django_db

RED, BLUE, GREEN = (220, 30, 30), (30, 60, 220), (20, 170, 60)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def picture_bytes(fmt: str, colour=RED, size=(800, 500), mode="RGB") -> bytes:
    image = Image.new(mode, size, colour if mode == "RGB" else (*colour, 0))
    if mode == "RGBA":  # transparent except a coloured block in the middle
        image.paste((*colour, 255), (size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def mp4_bytes(tmp_path, colour="blue") -> bytes:
    """A two-second MP4 of one colour, made by the ffmpeg on this machine."""
    require_program("ffmpeg", "apt-get install ffmpeg")
    path = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c={colour}:s=320x180:d=2", "-c:v", "mpeg4",
         "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path.read_bytes()


def upload_revision(producer, name: str, content: bytes, capture, deliverable=None) -> Revision:
    """Upload through the one writer and run what it queued on commit (Celery runs eagerly in tests)."""
    with capture(execute=True):
        revision = revision_create(
            deliverable=deliverable or make_deliverable(),
            file=SimpleUploadedFile(name, content),
            name=name,
            source=Revision.Source.UPLOAD,
            actor=producer,
        )
    revision.refresh_from_db()
    return revision


def thumbnail_image(revision: Revision) -> Image.Image:
    with revision.thumbnail.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def close_to(pixel, colour, tolerance=30) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


@pytest.mark.parametrize(
    "name, make, colour",
    [
        ("poster.png", lambda tmp: picture_bytes("PNG", RED), RED),
        ("photo.jpg", lambda tmp: picture_bytes("JPEG", GREEN), GREEN),
        ("layout.pdf", lambda tmp: picture_bytes("PDF", BLUE), BLUE),
        ("spot.mp4", lambda tmp: mp4_bytes(tmp, "blue"), (0, 0, 255)),
    ],
)
def test_each_kind_gets_a_jpeg_of_its_content_after_commit(
    producer, django_capture_on_commit_callbacks, tmp_path, settings, name, make, colour
):
    revision = upload_revision(producer, name, make(tmp_path), django_capture_on_commit_callbacks)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.READY
    assert revision.thumbnail_attempts == 1
    image = thumbnail_image(revision)
    assert image.format == "JPEG"
    assert max(image.size) == settings.THUMBNAIL_SIZE  # shrunk (the PNG/JPEG/PDF are 800 wide) or grown (the PDF)
    assert close_to(image.getpixel((image.width // 2, image.height // 2)), colour)


def test_a_revision_is_pending_until_its_transaction_commits(producer):
    revision = revision_create(
        deliverable=make_deliverable(), file=SimpleUploadedFile("a.png", picture_bytes("PNG")), name="a.png",
        source=Revision.Source.UPLOAD, actor=producer,
    )  # fmt: skip
    revision.refresh_from_db()
    assert revision.thumbnail_status == Revision.ThumbnailStatus.PENDING and not revision.thumbnail


def test_transparency_is_flattened_onto_white(producer, django_capture_on_commit_callbacks):
    content = picture_bytes("PNG", RED, mode="RGBA")
    image = thumbnail_image(upload_revision(producer, "cut-out.png", content, django_capture_on_commit_callbacks))
    assert close_to(image.getpixel((2, 2)), (255, 255, 255))
    assert close_to(image.getpixel((image.width // 2, image.height // 2)), RED)


@pytest.mark.parametrize("ffmpeg", ["", "no-such-ffmpeg", "/nonexistent/bin/ffmpeg"])
def test_without_ffmpeg_a_video_gets_the_icon(
    producer, client, django_capture_on_commit_callbacks, tmp_path, settings, ffmpeg
):
    # A real MP4 where this machine can make one, so the icon is because ffmpeg is missing, not the file.
    content = mp4_bytes(tmp_path) if shutil.which("ffmpeg") else FILE_SAMPLES["art.mp4"]
    settings.THUMBNAIL_FFMPEG = ffmpeg
    revision = upload_revision(producer, "spot.mp4", content, django_capture_on_commit_callbacks)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.NONE and not revision.thumbnail
    client.force_login(producer)
    page = client.get(reverse("deliverables:detail", args=[revision.deliverable_id])).content.decode()
    assert 'data-testid="thumb-icon" data-kind="video"' in page


@pytest.mark.parametrize("name", ["art.jpg", "art.webp", "art.pdf", "art.png"])
def test_a_broken_file_gets_the_icon_and_nothing_raises(producer, django_capture_on_commit_callbacks, name):
    content = FILE_SAMPLES[name] if name != "art.png" else FILE_SAMPLES[name][:60]  # a PNG cut short
    revision = upload_revision(producer, name, content, django_capture_on_commit_callbacks)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.NONE and not revision.thumbnail


def test_a_broken_video_gets_the_icon(producer, django_capture_on_commit_callbacks):
    require_program("ffmpeg", "apt-get install ffmpeg")
    revision = upload_revision(producer, "art.mp4", FILE_SAMPLES["art.mp4"], django_capture_on_commit_callbacks)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.NONE


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` with almost no pixel data: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_an_image_declaring_too_many_pixels_is_not_decoded(producer, django_capture_on_commit_callbacks):
    content = _png_declaring(30_000, 30_000)
    revision = upload_revision(producer, "bomb.png", content, django_capture_on_commit_callbacks)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.NONE


def test_the_pixel_limit_is_a_setting(producer, django_capture_on_commit_callbacks, settings):
    settings.THUMBNAIL_MAX_PIXELS = 100 * 100
    revision = upload_revision(producer, "big.png", picture_bytes("PNG"), django_capture_on_commit_callbacks)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.NONE


def test_making_it_again_changes_nothing(producer, django_capture_on_commit_callbacks):
    revision = upload_revision(producer, "a.png", picture_bytes("PNG"), django_capture_on_commit_callbacks)
    name = revision.thumbnail.name
    assert revision_thumbnail_make(revision_id=revision.pk) == Revision.ThumbnailStatus.READY
    revision.refresh_from_db()
    assert revision.thumbnail.name == name and revision.thumbnail_attempts == 1


def test_a_file_that_used_up_its_tries_gets_the_icon(producer):
    revision = revision_create(
        deliverable=make_deliverable(), file=SimpleUploadedFile("a.png", picture_bytes("PNG")), name="a.png",
        source=Revision.Source.UPLOAD, actor=producer,
    )  # fmt: skip
    # As if the worker had died rendering it three times: each try was counted before it started.
    Revision.objects.filter(pk=revision.pk).update(thumbnail_attempts=3)
    assert revision_thumbnail_make(revision_id=revision.pk) == Revision.ThumbnailStatus.NONE


def test_the_sweep_sends_again_only_what_waited_past_the_grace(producer):
    old, fresh = (
        revision_create(
            deliverable=make_deliverable(name=name), file=SimpleUploadedFile("a.png", picture_bytes("PNG")),
            name="a.png", source=Revision.Source.UPLOAD, actor=producer,
        )
        for name in ("Old", "Fresh")
    )  # fmt: skip
    Revision.objects.filter(pk=old.pk).update(created_at=timezone.now() - SWEEP_GRACE - timedelta(seconds=5))
    assert revision_thumbnail_sweep() == 1  # and Celery, eager here, made it
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.thumbnail_status == Revision.ThumbnailStatus.READY
    assert fresh.thumbnail_status == Revision.ThumbnailStatus.PENDING
    assert revision_thumbnail_sweep() == 0


def test_the_thumbnail_is_served_like_the_file(client, producer, django_capture_on_commit_callbacks):
    revision = upload_revision(producer, "a.png", picture_bytes("PNG"), django_capture_on_commit_callbacks)
    url = reverse("deliverables:revision_thumbnail", args=[revision.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(producer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert response["Cache-Control"] == "private, max-age=86400"
    other = Organisation.objects.create(name="Other", slug="other")
    client.force_login(UserFactory(username="outsider", organisation=other))
    assert client.get(url).status_code == 404


def test_a_thumbnail_not_made_is_not_found(client, producer):
    revision = revision_create(
        deliverable=make_deliverable(), file=SimpleUploadedFile("a.png", picture_bytes("PNG")), name="a.png",
        source=Revision.Source.UPLOAD, actor=producer,
    )  # fmt: skip
    client.force_login(producer)
    assert client.get(reverse("deliverables:revision_thumbnail", args=[revision.pk])).status_code == 404
    page = client.get(reverse("deliverables:detail", args=[revision.deliverable_id])).content.decode()
    assert 'data-testid="thumb-icon" data-kind="image"' in page


def _projects_with_revisions(organisation, rows: int, start: int = 0) -> None:
    """`rows` projects, each with a deliverable and a READY revision, written in bulk (no files needed)."""
    from deliverables.models import Deliverable

    team = ClientTeamFactory()
    projects = Project.objects.bulk_create(
        [Project(organisation=organisation, project_code=f"P-{i}", name=f"Project {i}", client_team=team)
         for i in range(start, start + rows)]
    )  # fmt: skip
    deliverables = Deliverable.objects.bulk_create(
        [Deliverable(project=project, name="Hero", slug="hero") for project in projects]
    )
    Revision.objects.bulk_create(
        [Revision(deliverable=d, round=r, file=f"revisions/{d.pk}/r{r}/a.png", content_type="image/png",
                  thumbnail=f"revisions/{d.pk}/r{r}/thumbnail/r{r}.jpg", thumbnail_status="READY")
         for d in deliverables for r in (1, 2)]
    )  # fmt: skip


def test_the_projects_list_shows_each_projects_latest_revision_in_constant_queries(client, producer):
    client.force_login(producer)

    def load() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("projects:list"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    _projects_with_revisions(producer.organisation, 10)
    few, page = load()
    newest = Revision.objects.filter(deliverable__project__name="Project 9", round=2).get()
    assert reverse("deliverables:revision_thumbnail", args=[newest.pk]) in page
    assert page.count('data-testid="thumb"') == 10
    _projects_with_revisions(producer.organisation, 190, start=10)
    many, page = load()
    assert many == few
    assert page.count('data-testid="thumb"') == 25  # a page of the list


def test_a_project_without_revisions_shows_an_empty_frame(client, producer):
    ProjectFactory(name="Nothing yet")
    client.force_login(producer)
    assert 'data-testid="thumb-empty"' in client.get(reverse("projects:list")).content.decode()
