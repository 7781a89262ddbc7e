"""A studio's morning for the home page tests: `n` of every thing a tile counts, built quickly.

Deliverables go through `deliverable_upsert` on a two-stage pipeline (Work, then a SIMPLE Sign-off); putting some
at their Sign-off, and the Box, webhook and outbound failures, are written as rows directly: the tiles read rows,
and how the rows came to be is each app's own tests' business."""

import uuid
from datetime import timedelta

from django.utils import timezone

from deliverables.models import Deliverable, Revision, Stage
from integrations.box.models import BoxInboundLog, BoxPushLog
from integrations.inbound.models import WebhookReceipt
from integrations.outbound.models import OutboundDelivery, OutboundEndpoint
from projects.models import ApprovalType
from reviews.models import ReviewSession
from tests.factories import (
    BriefFactory,
    PipelineStageTemplateFactory,
    PipelineTemplateFactory,
    ProjectFactory,
    default_organisation,
    make_deliverable,
)


def two_stage_pipeline():
    template = PipelineTemplateFactory()
    PipelineStageTemplateFactory(template=template, name="Work", slug="work", order=0)
    PipelineStageTemplateFactory(
        template=template, name="Sign-off", slug="sign-off", order=1, approval_type=ApprovalType.SIMPLE
    )
    PipelineStageTemplateFactory(
        template=template, name="Client review", slug="client-review", order=2, approval_type=ApprovalType.FORMAL
    )
    return template


def at_stage(deliverables: list[Deliverable], slug: str) -> None:
    """Put the deliverables at their stage `slug` (the ones before done)."""
    ids = [d.pk for d in deliverables]
    stages = Stage.objects.filter(deliverable_id__in=ids)
    target = {s.deliverable_id: s for s in stages.filter(slug=slug)}
    order = next(iter(target.values())).order
    stages.filter(order__lt=order).update(status=Stage.Status.DONE, completed_at=timezone.now())
    stages.filter(slug=slug).update(status=Stage.Status.ACTIVE)
    stages.filter(order__gt=order).update(status=Stage.Status.PENDING)
    for deliverable in deliverables:
        Deliverable.objects.filter(pk=deliverable.pk).update(
            current_stage=target[deliverable.pk], status=Deliverable.Status.IN_PROGRESS
        )


def studio(n: int, *, producer, reviewer=None, today=None) -> dict:
    """`n` pending briefs, and in one project the producer owns: `n` deliverables due this week, `n` overdue,
    `n` at the SIMPLE Sign-off; `n` failed Box pushes, `n` refused webhook calls, `n` failed outbound deliveries,
    and (with a reviewer) `n` review sessions they present and `n` revisions at the FORMAL stage."""
    today = today or timezone.localdate()
    organisation = default_organisation()
    BriefFactory.create_batch(n)
    project = ProjectFactory(name="Morning project", owner=producer, pipeline_template=two_stage_pipeline())
    due_week = [make_deliverable(project, f"Due {i}", due_date=today) for i in range(n)]
    overdue = [make_deliverable(project, f"Late {i}", due_date=today - timedelta(days=3)) for i in range(n)]
    waiting = [make_deliverable(project, f"Sign {i}") for i in range(n)]
    at_stage(waiting, "sign-off")
    for deliverable in overdue:
        BoxPushLog.objects.create(
            push_id=uuid.uuid4(), deliverable=deliverable, outcome=BoxPushLog.Outcome.FAILED, error="Box said 403"
        )
    BoxInboundLog.objects.bulk_create(
        BoxInboundLog(event_id=f"evt-{uuid.uuid4().hex}", outcome=BoxInboundLog.Outcome.FAILED) for _ in range(n)
    )
    WebhookReceipt.objects.bulk_create(
        WebhookReceipt(route=route, status_code=401, outcome=WebhookReceipt.Outcome.REJECTED)
        for i in range(n)
        for route in (WebhookReceipt.Route.BRIEFS, WebhookReceipt.Route.CREATIVE_FORCE)
    )
    endpoint = OutboundEndpoint.objects.create(organisation=organisation, url="https://hooks.example/x", secret="s")
    OutboundDelivery.objects.bulk_create(
        OutboundDelivery(
            endpoint=endpoint,
            event_name="deliverable.approved",
            message_id=f"msg_{uuid.uuid4().hex}",
            body="{}",
            occurred_at=timezone.now(),
            status=OutboundDelivery.Status.FAILED,
        )
        for _ in range(n)
    )
    if reviewer is not None:
        ReviewSession.objects.bulk_create(
            ReviewSession(organisation=organisation, title=f"Session {i}", presenter=reviewer) for i in range(n)
        )
        at_review = [make_deliverable(project, f"Review {i}") for i in range(n)]
        at_stage(at_review, "client-review")
        Revision.objects.bulk_create(
            Revision(deliverable=d, round=1, file=f"revisions/{d.pk}/r1/a.png") for d in at_review
        )
    return {"project": project, "due_week": due_week, "overdue": overdue, "waiting": waiting}
