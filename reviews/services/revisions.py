"""A new round for review: the file is stored by `deliverables.revisions` (the one writer of Revision rows);
reviews carries the previous round's open action items forward and asks the reviewers."""

import logging

from django.db import transaction
from django.utils import timezone

from deliverables.models import Deliverable, Revision
from deliverables.revisions import revision_create
from projects.models import ApprovalType
from tracker.models import Notification, User

from ..models import FeedbackItem
from .common import notify, review_url, stage_under_review

logger = logging.getLogger(__name__)


@transaction.atomic
def revision_upload(
    *,
    deliverable: Deliverable,
    file,
    actor,
    name: str | None = None,
    source: str = Revision.Source.UPLOAD,
    note: str = "",
) -> Revision:
    """Store a file as the deliverable's next round (N+1) and carry round N's open action items into it.

    `revision_create` checks the permission and the file and allocates the round under a lock on the
    deliverable, which this transaction holds while the items move. Each OPEN action item on round N becomes a
    new OPEN item on round N+1 with `carried_from` pointing back; the old item turns CARRIED. `actor` may be
    None for files arriving from an integration.
    """
    revision = revision_create(deliverable=deliverable, file=file, name=name, source=source, actor=actor, note=note)
    deliverable = revision.deliverable
    previous = Revision.objects.filter(deliverable=deliverable, round__lt=revision.round).order_by("-round").first()
    carried = _carry_forward(previous, revision) if previous else 0
    stage = stage_under_review(deliverable)
    if stage is not None and stage.approval_type != ApprovalType.NONE:
        reviewers = User.objects.filter(
            organisation=deliverable.project.organisation, role=User.Role.REVIEWER, is_active=True
        )
        for reviewer in reviewers:
            notify(
                reviewer,
                actor=actor,
                kind=Notification.Kind.REVIEW_REQUESTED,
                title=f"Review requested: {deliverable.name} round {revision.round}",
                body=f"Ready for {stage.name}." + (f" {carried} open item(s) carried forward." if carried else ""),
                url=review_url(deliverable),
            )
    logger.info(
        "reviews.revision_uploaded",
        extra={"deliverable_id": deliverable.pk, "round": revision.round, "carried": carried},
    )
    return revision


def _carry_forward(previous: Revision, revision: Revision) -> int:
    open_items = list(
        FeedbackItem.objects.select_for_update().filter(
            revision=previous, is_action_item=True, status=FeedbackItem.Status.OPEN
        )
    )
    FeedbackItem.objects.bulk_create(
        [
            FeedbackItem(
                stage_id=item.stage_id,
                revision=revision,
                annotation_id=item.annotation_id,
                author_id=item.author_id,
                body=item.body,
                is_action_item=True,
                status=FeedbackItem.Status.OPEN,
                carried_from=item,
            )
            for item in open_items
        ]
    )
    FeedbackItem.objects.filter(pk__in=[item.pk for item in open_items]).update(
        status=FeedbackItem.Status.CARRIED, updated_at=timezone.now()
    )
    return len(open_items)
