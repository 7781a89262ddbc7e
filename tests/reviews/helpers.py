"""Shared set-up for review tests (also used by the browser test)."""

import importlib

from django.apps import apps

from deliverables.models import Deliverable, Revision
from reviews.models import FeedbackItem, ReviewSession
from reviews.services.feedback import annotation_create
from reviews.services.sessions import review_session_create, review_session_start
from tests.factories import advance_to  # noqa: F401  (re-exported for the review tests)


def restore_defaults() -> None:
    """Transactional tests start from an emptied database: put back what the first migrations create (the
    default organisation, its teams and the default pipeline), the same way the migration does."""
    migration = importlib.import_module("projects.migrations.0003_default_organisation_teams_pipeline")
    migration.create_defaults(apps, None)


def latest(deliverable: Deliverable) -> Revision:
    return deliverable.revisions.order_by("-round").first()


def pin(deliverable: Deliverable, actor, body="Logo too small", x=0.25, y=0.5) -> FeedbackItem:
    """Drop a pin on the latest round; returns its action item."""
    annotation = annotation_create(revision=latest(deliverable), x=x, y=y, body=body, actor=actor)
    return annotation.feedback_items.get()


def running_session(deliverables: list[Deliverable], actor, title="Client review Monday") -> ReviewSession:
    session = review_session_create(title=title, actor=actor, deliverables=deliverables)
    return review_session_start(session=session, actor=actor)
