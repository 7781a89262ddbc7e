"""Studio-scale data for the page table (bench/pages.py), loaded fast but shaped as the services leave it.

The services write a few hundred rows a second, too slow for 110,000 stages on every run. So one project, its
deliverables, a revision, feedback and a review session go through the services first, and the bulk is inserted
with the same columns those services set: every deliverable gets the default pipeline's 11 stages, stages before
its current one DONE, the current one ACTIVE; a deliverable at a FORMAL stage has a revision (so it waits for
review); a session's items point at a deliverable's current stage and latest revision.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from briefs.models import Brief
from deliverables.models import Deliverable, Revision, Stage
from integrations.inbound.models import WebhookReceipt
from projects.models import ApprovalType, PipelineTemplate, Project
from reviews.models import FeedbackItem, ReviewSession, ReviewSessionItem
from tracker.models import ClientTeam, Notification, Organisation, User

SMALL = {"briefs": 100, "projects": 10, "deliverables": 10, "revisions": 20, "sessions": 4, "notifications": 10,
         "receipts": 100}  # fmt: skip
LARGE = {"briefs": 10_000, "projects": 1_000, "deliverables": 10, "revisions": 2_000, "sessions": 100,
         "notifications": 13_000, "receipts": 50_000}  # fmt: skip
BATCH = 2_000
CLIENT_REVIEW = 6  # the default pipeline's first FORMAL stage
WORDS = [
    "hero",
    "banner",
    "social",
    "cut",
    "print",
    "retail",
    "launch",
    "spring",
    "summer",
    "video",
    "poster",
    "email",
    "story",
    "motion",
    "carousel",
]


def _name(rng: random.Random, n: int) -> str:
    return f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {n}"


@transaction.atomic
def seed(*, organisation: Organisation, user: User, scale: dict, seed_value: int = 18) -> None:
    """Add `scale` rows of each kind (projects count `deliverables` each) to `organisation`."""
    rng = random.Random(seed_value)
    now = timezone.now()
    teams = list(ClientTeam.objects.filter(organisation=organisation).order_by("id"))
    template = PipelineTemplate.objects.filter(organisation=organisation, is_default=True).get()
    steps = list(template.stages.order_by("order"))
    sources = ["webhook:mkto", "webhook:omg", "ui", "xlsx:briefs.xlsx", "webhook:cmp"]

    briefs = [
        Brief(organisation=organisation, title=_name(rng, i), description=f"**Brief** {rng.choice(WORDS)} copy",
              requestor_name=f"Requestor {i % 97}", requestor_email=f"r{i % 97}@example.com",
              priority=rng.choice(["LOW", "MEDIUM", "HIGH", "URGENT"]), client_team=rng.choice(teams),
              source=rng.choice(sources), external_id=f"BENCH-{now:%H%M%S}-{i}",
              status=rng.choice(["PENDING"] * 3 + ["REJECTED"]))
        for i in range(scale["briefs"])
    ]  # fmt: skip
    if briefs:  # one the page table's filtered and searched inbox always finds, at any volume
        briefs[0].title, briefs[0].priority, briefs[0].client_team = "Hero banner 0", "HIGH", teams[0]
        briefs[0].status = "PENDING"
    Brief.objects.bulk_create(briefs, batch_size=BATCH)

    base = Project.objects.count()
    projects = Project.objects.bulk_create(
        (
            Project(organisation=organisation, project_code=f"BP-{base + i:06d}", name=f"{_name(rng, base + i)}",
                    omg_job_number=f"OMG-B{base + i:06d}", client_team=rng.choice(teams), owner=user,
                    status=rng.choice(["ACTIVE"] * 4 + ["PIPELINE", "COMPLETED"]), source="bench",
                    due_date=(now + timedelta(days=rng.randint(-20, 60))).date())
            for i in range(scale["projects"])
        ),
        batch_size=BATCH,
    )  # fmt: skip

    deliverables, positions = [], []
    for project in projects:
        for d in range(scale["deliverables"]):
            # About one in eight waits at Client Review, as in a studio's busy week; the rest anywhere.
            position = CLIENT_REVIEW if (len(positions) % 8 == 0) else rng.randrange(len(steps))
            name = f"{rng.choice(WORDS).title()} {d}"
            deliverables.append(Deliverable(
                project=project, name=name, slug=slugify(name), assignee=user,
                status="APPROVED" if position == len(steps) - 1 else
                ("IN_REVIEW" if steps[position].approval_type != ApprovalType.NONE else "IN_PROGRESS"),
                due_date=(now + timedelta(days=rng.randint(-10, 40))).date()))  # fmt: skip
            positions.append(position)
    deliverables = Deliverable.objects.bulk_create(deliverables, batch_size=BATCH)
    stages = Stage.objects.bulk_create(
        (
            Stage(deliverable=deliverable, template_stage=step, name=step.name, slug=step.slug, order=step.order,
                  approval_type=step.approval_type,
                  status="DONE" if k < position else ("ACTIVE" if k == position else "PENDING"),
                  started_at=now if k <= position else None, completed_at=now if k < position else None)
            for deliverable, position in zip(deliverables, positions, strict=True)
            for k, step in enumerate(steps)
        ),
        batch_size=BATCH * 5,
    )  # fmt: skip
    for index, deliverable in enumerate(deliverables):
        deliverable.current_stage = stages[index * len(steps) + positions[index]]
    Deliverable.objects.bulk_update(deliverables, ["current_stage"], batch_size=BATCH)

    formal = [d for d in deliverables if d.current_stage.approval_type == ApprovalType.FORMAL]
    others = [d for d in deliverables if d.current_stage.approval_type != ApprovalType.FORMAL]
    with_files = formal + rng.sample(others, min(len(others), max(0, scale["revisions"] - len(formal))))
    revisions = Revision.objects.bulk_create(
        (
            Revision(deliverable=d, round=1, file=f"revisions/{d.pk}/r1/bench.png", original_name="bench.png",
                     content_type="image/png", size=1024, created_by=user)
            for d in with_files[: max(scale["revisions"], len(formal))]
        ),
        batch_size=BATCH,
    )  # fmt: skip
    FeedbackItem.objects.bulk_create(
        (
            FeedbackItem(stage=r.deliverable.current_stage, revision=r, author=user, body=f"Point {n}",
                         status=rng.choice(["OPEN", "RESOLVED"]))
            for r in revisions
            for n in range(rng.choice([0, 1, 2, 3, 4]))
        ),
        batch_size=BATCH,
    )  # fmt: skip

    waiting = [r for r in revisions if r.deliverable.current_stage.approval_type == ApprovalType.FORMAL]
    sessions = ReviewSession.objects.bulk_create(
        ReviewSession(organisation=organisation, title=f"Client review {n}", presenter=user, created_by=user,
                      status="IN_PROGRESS" if n == 0 else rng.choice(["COMPLETED"] * 3 + ["DRAFT", "IN_PROGRESS"]))
        for n in range(scale["sessions"])
    )  # fmt: skip
    ReviewSessionItem.objects.bulk_create(
        (
            ReviewSessionItem(session=session, deliverable=r.deliverable, stage=r.deliverable.current_stage,
                              revision=r, position=p)
            for session in sessions
            for p, r in enumerate(rng.sample(waiting, min(len(waiting), 8)))
        ),
        batch_size=BATCH,
    )  # fmt: skip

    Notification.objects.bulk_create(
        (Notification(recipient=user, title=f"Bench notice {n}", body="A change", url="/")
         for n in range(scale["notifications"])),
        batch_size=BATCH,
    )  # fmt: skip
    WebhookReceipt.objects.bulk_create(
        (
            WebhookReceipt(route=rng.choice(["briefs", "omg", "deliverables"]),
                           status_code=rng.choice([200] * 9 + [401]),
                           outcome="ACCEPTED", external_key=f"KEY-{n % 5000}", body_sha256="0" * 64, body_bytes=400,
                           signature_verified=True, action=rng.choice(["created", "updated"]), source_ip="10.0.0.1")
            for n in range(scale["receipts"])
        ),
        batch_size=BATCH * 5,
    )  # fmt: skip
