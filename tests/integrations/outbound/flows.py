"""A studio's day that emits every event of the webhook catalogue, through the domain's own services."""

from django.test import override_settings

from briefs.services import brief_promote, brief_reject, brief_reopen, brief_upsert
from deliverables.models import Deliverable
from deliverables.services import deliverable_set_by_upstream, deliverable_update
from projects.services import project_update
from reviews.models import FeedbackItem, ReviewSessionItem
from reviews.services.feedback import feedback_item_set_status
from reviews.services.revisions import revision_upload
from reviews.services.sessions import review_session_complete, review_session_decide
from tests.factories import default_organisation, make_deliverable
from tests.reviews.files import upload
from tests.reviews.helpers import advance_to, pin, running_session


def studio_day(*, producer, reviewer, capture_on_commit, box_config_file) -> Deliverable:
    """Brief in, promoted to a project, a deliverable through review (changes requested), approved; a rejected
    and reopened brief on the side. Then, with Box configured (`box_config_file`, a settings override the caller
    undoes), a second deliverable is approved before it has a file, so its push fails (box.push_failed).
    `capture_on_commit` is pytest-django's `django_capture_on_commit_callbacks`: after-commit subscribers (the
    Box push) run inside it."""
    organisation = default_organisation()
    brief, _ = brief_upsert(
        organisation=organisation,
        external_id="MKTO-4411",
        title="Summer launch banners",
        requestor_name="Alex Smith",
        requestor_email="alex.smith@client.example",
        priority="HIGH",
        create_only={"source": "webhook:mkto"},
    )
    brief_upsert(organisation=organisation, external_id="MKTO-4411", title="Summer launch banners, 3 sizes")
    duplicate, _ = brief_upsert(organisation=organisation, external_id="MKTO-4412", title="Summer banners (again)")
    brief_reject(brief=duplicate, actor=producer, reason="Duplicate of MKTO-4411")
    brief_reopen(brief=duplicate, actor=producer)
    project = brief_promote(brief=brief, actor=producer, name="Summer launch", omg_job_number="OMG-24017")
    project_update(project=project, actor=producer, client="L'Oréal Paris")
    deliverable = make_deliverable(project=project, name="Hero banner", assignee=producer)
    deliverable_update(deliverable=deliverable, actor=producer, notes="1200x628 and 1080x1080")
    advance_to(deliverable, "Client Review", producer)
    revision_upload(deliverable=deliverable, file=upload(), actor=producer)
    item = pin(deliverable, reviewer, body="Logo too small")
    feedback_item_set_status(item=item, status=FeedbackItem.Status.RESOLVED, actor=producer)
    session = running_session([deliverable], producer, title="Client review, Monday")
    review_session_decide(
        session=session,
        item=session.items.get(),
        decision=ReviewSessionItem.Decision.CHANGES_REQUESTED,
        actor=producer,
        notes="Warmer background, please",
    )
    review_session_complete(session=session, actor=producer)
    with capture_on_commit(execute=True):
        deliverable_set_by_upstream(
            deliverable=deliverable, status=Deliverable.Status.APPROVED, source="api", system="test"
        )
    teaser = make_deliverable(project=project, name="Teaser")
    with override_settings(BOX_CONFIG_FILE=box_config_file), capture_on_commit(execute=True):
        deliverable_set_by_upstream(deliverable=teaser, status=Deliverable.Status.APPROVED, source="api", system="test")
    return deliverable
