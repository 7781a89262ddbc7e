import pytest

from deliverables.models import Deliverable
from reviews.services.revisions import revision_upload
from tests.factories import ProjectFactory, make_deliverable

from .files import upload
from .helpers import advance_to


@pytest.fixture
def at_client_review(producer):
    """A deliverable assigned to the producer, waiting at Client Review (FORMAL) with round 1 uploaded."""

    def build(name: str = "Hero banner", project=None, with_revision: bool = True) -> Deliverable:
        deliverable = make_deliverable(project or ProjectFactory(), name, assignee=producer)
        advance_to(deliverable, "Client Review", producer)
        if with_revision:
            revision_upload(deliverable=deliverable, file=upload(), actor=producer)
        deliverable.refresh_from_db()
        return deliverable

    return build
