"""`make demo`: a demo studio to click through — users, briefs in each state, projects at different stages."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from briefs.services import brief_promote, brief_reject, brief_upsert
from deliverables.models import Stage
from deliverables.services import deliverable_approve_stage, deliverable_complete_stage, deliverable_upsert
from projects.models import ApprovalType
from projects.services import project_upsert_by_omg
from reviews.services import revision_upload
from tracker.images import png_bytes
from tracker.models import ClientTeam, User
from tracker.services import organisation_default

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("admin", User.Role.ADMIN, "Ada", "Admin"),
    ("producer", User.Role.PRODUCER, "Priya", "Producer"),
    ("reviewer", User.Role.REVIEWER, "Rui", "Reviewer"),
    ("viewer", User.Role.VIEWER, "Vic", "Viewer"),
]


class Command(BaseCommand):
    help = "Load demo data (users, briefs, projects, deliverables). Does nothing if demo users exist."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only load when the database has no users.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("Database already has users; demo data not loaded.")
            return
        if User.objects.filter(username="producer").exists():
            self.stdout.write("Demo data already loaded.")
        else:
            self._load()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<9} {role}")

    @transaction.atomic
    def _load(self):
        organisation = organisation_default()
        users = {}
        for username, role, first, last in DEMO_USERS:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                email=f"{username}@studio.example",
                first_name=first,
                last_name=last,
                role=role,
                organisation=organisation,
                is_staff=role == User.Role.ADMIN,
                is_superuser=role == User.Role.ADMIN,
            )
            users[username] = user
        teams = {team.slug: team for team in ClientTeam.objects.filter(organisation=organisation)}
        today = timezone.localdate()
        now = timezone.now()

        briefs = [
            ("INTAKE-2026-00042", "New homepage takeover for Q2 launch", "events", "HIGH", "mkto", 12),
            ("INTAKE-2026-00043", "Summer sale social cut-downs", "performance", "URGENT", "jira", 5),
            ("INTAKE-2026-00044", "Investor day keynote deck refresh", "b2b", "MEDIUM", "slack-bot", 20),
            ("INTAKE-2026-00045", "Retail window posters — autumn", "brand", "LOW", "mkto", 35),
            ("INTAKE-2026-00046", "Newsletter template dark mode", "content", "MEDIUM", "jira", 9),
            ("INTAKE-2026-00047", "Trade show booth graphics", "events", "HIGH", "mkto", 15),
        ]
        created = []
        for external_id, title, team, priority, system, days in briefs:
            brief, _ = brief_upsert(
                organisation=organisation,
                external_id=external_id,
                title=title,
                description=(
                    f"**{title}**\n\nNeed 3 variants for A/B test, dark mode required.\n\n"
                    "- Deliver as PNG and PDF\n- Follow brand guidelines v3"
                ),
                requestor_name="Alex Smith",
                requestor_email="alex.smith@client.example",
                priority=priority,
                requested_due_date=now + timedelta(days=days),
                client_team=teams.get(team),
                source=f"webhook:{system}",
                raw_payload={"campaignId": f"c-{external_id[-4:]}", "internalBudget": 12500},
            )
            created.append(brief)
        brief_promote(
            brief=created[4],
            actor=users["producer"],
            name=created[4].title,
            priority=created[4].priority,
            client_team=created[4].client_team,
            due_date=today + timedelta(days=9),
            requestor=created[4].requestor_email,
            owner=users["producer"],
        )
        brief_reject(brief=created[5], actor=users["producer"], reason="Covered by the existing events retainer.")

        jobs = [
            ("OMG-12345", "Q2 Launch Homepage Takeover", "events", "HIGH", 3, 18),
            ("OMG-12346", "Autumn Brand Campaign", "brand", "MEDIUM", 2, 40),
            ("OMG-12347", "Performance Always-On Q3", "performance", "URGENT", 4, -2),
        ]
        for number, name, team, priority, deliverable_count, due_in in jobs:
            project, _ = project_upsert_by_omg(
                organisation=organisation,
                omg_job_number=number,
                name=name,
                priority=priority,
                client="Demo Client",
                client_team=teams.get(team),
                business_unit="Display",
                start_date=today - timedelta(days=10),
                due_date=today + timedelta(days=due_in),
                requestor="alex.smith@client.example",
                owner=users["producer"],
                outputs=deliverable_count,
                source="webhook:omg",
            )
            for index in range(deliverable_count):
                deliverable, _ = deliverable_upsert(
                    project=project,
                    name=f"{name} — variant {chr(65 + index)}",
                    priority=priority,
                    due_date=today + timedelta(days=due_in - 2 + index),
                    assignee=users["producer"],
                    cmf_sku=f"CMF-{number[-4:]}-{chr(65 + index)}",
                    asset_count=index + 1,
                )
                self._advance(deliverable, steps=index * 3, actor=users["producer"], reviewer=users["reviewer"])

    def _advance(self, deliverable, *, steps, actor, reviewer):
        """Move a deliverable through its NONE and SIMPLE stages, stopping at the first FORMAL one with a revision."""
        for _ in range(steps):
            stage = deliverable.stages.filter(status=Stage.Status.ACTIVE).first()
            if stage is None or stage.approval_type == ApprovalType.FORMAL:
                break
            if stage.approval_type == ApprovalType.SIMPLE:
                deliverable = deliverable_approve_stage(deliverable=deliverable, stage=stage, actor=reviewer)
            else:
                deliverable = deliverable_complete_stage(deliverable=deliverable, stage=stage, actor=actor)
        if deliverable.stages.filter(status=Stage.Status.ACTIVE, approval_type=ApprovalType.FORMAL).exists():
            # Waiting for client review: give reviewers a first round to annotate and present.
            artwork = SimpleUploadedFile(
                f"{deliverable.slug}-r1.png", png_bytes(960, 600, (196, 84, 60)), content_type="image/png"
            )
            revision_upload(deliverable=deliverable, file=artwork, actor=actor, note="First round for review")
