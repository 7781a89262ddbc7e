"""Shared set-up for review tests (also used by the browser test)."""

import importlib

from django.apps import apps

from deliverables.models import Deliverable
from deliverables.services import deliverable_approve_stage, deliverable_complete_stage
from projects.models import ApprovalType


def advance_to(deliverable: Deliverable, stage_name: str, actor) -> Deliverable:
    """Walk a deliverable through its NONE and SIMPLE stages until `stage_name` is current."""
    while True:
        deliverable.refresh_from_db()
        stage = deliverable.current_stage
        if stage.name == stage_name:
            return deliverable
        if stage.approval_type == ApprovalType.SIMPLE:
            deliverable_approve_stage(deliverable=deliverable, stage=stage, actor=actor)
        else:
            deliverable_complete_stage(deliverable=deliverable, stage=stage, actor=actor)


def restore_defaults() -> None:
    """Transactional tests start from an emptied database: put back what the first migrations create (the
    default organisation, its teams and the default pipeline), the same way the migration does."""
    migration = importlib.import_module("projects.migrations.0003_default_organisation_teams_pipeline")
    migration.create_defaults(apps, None)
