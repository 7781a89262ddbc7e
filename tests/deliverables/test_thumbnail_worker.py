"""A thumbnail made by a real Celery worker on Redis: the upload's request returns with the revision PENDING and
the worker, handed the task on commit, makes the picture."""

import io
import time

import pytest
from django.urls import reverse
from PIL import Image

from deliverables.models import Revision
from tests.conftest import require_postgres
from tests.factories import make_deliverable


def wait_for_thumbnail(pk: int, timeout: float = 120.0) -> Revision:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        revision = Revision.objects.get(pk=pk)
        if revision.thumbnail_status != Revision.ThumbnailStatus.PENDING:
            return revision
        time.sleep(0.2)
    raise AssertionError(f"revision {pk} still has no thumbnail after {timeout:.0f} s")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_pictured_by_the_worker(client, producer, celery_worker_process):
    require_postgres()  # the worker process must see the test database
    deliverable = make_deliverable()
    picture = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 60, 220)).save(picture, "PNG")
    picture.name = "worker.png"
    picture.seek(0)
    client.force_login(producer)
    response = client.post(reverse("reviews:revision_upload", args=[deliverable.pk]), {"file": picture})
    assert response.status_code == 302
    revision = wait_for_thumbnail(deliverable.revisions.get().pk)
    assert revision.thumbnail_status == Revision.ThumbnailStatus.READY
    with revision.thumbnail.open("rb") as handle:
        assert Image.open(handle).size == (480, 320)
