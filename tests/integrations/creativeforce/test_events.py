"""Each Creative Force event, posted signed as CF posts it, and what it leaves here: rows, history, notifications,
receipts."""

from datetime import date

import pytest

from deliverables.models import Deliverable, Stage, Transition
from deliverables.services import deliverable_update
from integrations.inbound.models import WebhookReceipt
from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject
from projects.models import Project
from projects.selectors import project_list
from projects.services import project_update
from tests.factories import ClientTeamFactory, advance_to, default_organisation
from tracker.models import Notification

from .conftest import CF_USER, JOB_ID, PRODUCT_ID, SYSTEM, fixture_json, fixture_names, post

pytestmark = pytest.mark.django_db

# Each fixture posted alone on an empty tracker: (answer's outcome, action, receipt outcome).
ALONE = {
    "job__created": ("applied", "created", "ACCEPTED"),
    "job__deleted": ("ignored", None, "IGNORED"),  # a job never seen: nothing to archive
    "job__status_changed": ("applied", "created", "ACCEPTED"),
    "product__deleted": ("ignored", None, "IGNORED"),  # likewise
    "product__move_to_another_job": ("applied", "moved", "ACCEPTED"),
    "product__reset": ("applied", "created", "ACCEPTED"),
    "product__status_changed": ("applied", "held", "ACCEPTED"),
    "sample__checked_in": ("ignored", None, "IGNORED"),
    "session__added_to_session": ("ignored", None, "IGNORED"),
    "task__assigned": ("applied", "noted", "ACCEPTED"),  # CF's user is not mapped to anyone here
    "task__completed": ("applied", "completed", "ACCEPTED"),
    "task__started": ("applied", "noted", "ACCEPTED"),
    "task__unassigned": ("applied", "noted", "ACCEPTED"),
    "user__user_logged_in": ("ignored", None, "IGNORED"),
    "work_unit__status_changed": ("ignored", None, "IGNORED"),  # its product is not known yet
}


def test_every_fixture_has_an_expectation():
    assert sorted(ALONE) == fixture_names()


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_alone_is_answered_200_with_a_receipt(client, name, studio_pipeline):
    outcome, action, receipt_outcome = ALONE[name]
    response = post(client, name)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "outcome": outcome, "action": action}
    receipt = WebhookReceipt.objects.get()
    assert (receipt.status_code, receipt.outcome, receipt.signature_verified) == (200, receipt_outcome, True)
    assert receipt.payload_id == fixture_json(name)["PayloadId"]


@pytest.mark.parametrize("name", ["sample__checked_in", "user__user_logged_in", "session__added_to_session"])
def test_sample_user_and_session_events_change_nothing(client, name):
    post(client, name)
    assert not Project.objects.exists() and not UpstreamObject.objects.exists()
    assert "not acted on here" in WebhookReceipt.objects.get().detail


def test_an_unknown_group_is_ignored_not_refused(client):
    response = post(client, {"EventGroupName": "Invoice", "Action": "Paid", "PayloadId": "p-1"})
    assert response.json() == {"ok": True, "outcome": "ignored", "action": None}
    assert WebhookReceipt.objects.get().outcome == "IGNORED"


# --- Jobs -----------------------------------------------------------------------------------------------------


def test_a_job_becomes_a_project_with_its_fields(client):
    post(client, fixture_json("job__created", JobName="Beach shoot"))
    project = Project.objects.get()
    assert (project.name, project.client, project.status) == ("Beach shoot", "My Big client", "ACTIVE")
    assert project.due_date == date(2020, 8, 20)  # JobDeadlineUtc 1597881600000
    assert project.omg_job_number is None  # the guide's key is OMG's, not CF's
    assert project.project_code.startswith("PRJ-")
    assert project.source == "webhook:creativeforce"
    assert project.custom_fields == {
        "Creative Force job code": "Summer 2020",
        "Creative Force job status": "In Progress",
    }
    link = UpstreamObject.objects.get(provider=Provider.CREATIVE_FORCE, kind="job", external_id=JOB_ID)
    assert link.project == project and link.last_event_at is not None
    # The job code finds the project in the projects list's search.
    assert list(project_list(organisation=default_organisation(), search="summer 20")) == [project]
    assert list(project_list(organisation=default_organisation(), search="winter")) == []


def test_a_later_job_event_updates_the_same_project_and_keeps_other_custom_fields(client):
    post(client, "job__created")
    project = Project.objects.get()
    project_update(project=project, custom_fields={**project.custom_fields, "costCenter": "CC-1"})
    response = post(client, "job__status_changed")
    assert response.json()["action"] == "updated"
    project = Project.objects.get()
    assert project.status == "ON_HOLD"
    assert project.custom_fields["Creative Force job status"] == "On Hold"
    assert project.custom_fields["costCenter"] == "CC-1"


def test_studio_mappings_win_over_the_defaults(client):
    team = ClientTeamFactory(name="Big Client Team")
    org = default_organisation()
    UpstreamMapping.objects.create(
        organisation=org, provider="creativeforce", kind="brand", upstream_value="MY BIG CLIENT", target=team.name
    )
    UpstreamMapping.objects.create(
        organisation=org, provider="creativeforce", kind="project_status", upstream_value="in progress",
        target="PIPELINE",
    )  # fmt: skip
    post(client, "job__created")
    project = Project.objects.get()
    assert (project.client_team, project.status) == (team, "PIPELINE")


def test_an_unmapped_job_status_leaves_the_status_alone(client):
    post(client, "job__created")
    post(client, fixture_json("job__status_changed", JobStatusName="Waiting for samples"))
    project = Project.objects.get()
    assert project.status == "ACTIVE"
    assert project.custom_fields["Creative Force job status"] == "Waiting for samples"


def test_a_deleted_job_archives_its_project_with_a_note_on_each_deliverable(client):
    post(client, "job__created")
    post(client, "product__reset")
    response = post(client, "job__deleted")
    assert response.json() == {"ok": True, "outcome": "applied", "action": "archived"}
    assert Project.objects.get().status == "ARCHIVED"
    note = Transition.objects.filter(intent="note").latest("id")
    assert (note.system, note.note) == (SYSTEM, "Job Summer 2020 was deleted in Creative Force.")
    assert Deliverable.objects.count() == 1  # nothing upstream deletes anything here


# --- Products ---------------------------------------------------------------------------------------------------


def test_a_product_becomes_a_deliverable_in_its_jobs_project(client, studio_pipeline):
    post(client, "job__created")
    post(client, "product__reset")
    deliverable = Deliverable.objects.get()
    assert deliverable.name == "AW2130146"
    assert deliverable.project == Project.objects.get()
    assert deliverable.current_stage.name == "Photography"
    note = Transition.objects.get(deliverable=deliverable)
    assert (note.intent, note.system, note.note) == (
        "note",
        SYSTEM,
        "Product AW2130146: ProductReset in Creative Force.",
    )
    link = UpstreamObject.objects.get(kind="product")
    assert link.external_id == f"{PRODUCT_ID}/{JOB_ID}" and link.deliverable == deliverable


def test_a_product_before_its_job_creates_the_project_and_the_job_fills_it_in(client):
    post(client, "product__reset")
    project = Project.objects.get()
    assert (project.name, project.client) == ("Summer 2020", "My Big client")
    assert project.custom_fields == {"Creative Force job code": "Summer 2020"}
    assert project.due_date is None
    # The job's own events, all "older" than the product's, still apply: the product did not date the job.
    post(client, fixture_json("job__created", JobName="Beach shoot"))
    project = Project.objects.get()
    assert (project.name, project.due_date, project.status) == ("Beach shoot", date(2020, 8, 20), "ACTIVE")
    assert Deliverable.objects.get().project == project


def test_a_product_status_on_hold_holds_and_in_progress_releases(client):
    post(client, "product__status_changed")
    deliverable = Deliverable.objects.get()
    assert deliverable.status == "ON_HOLD"
    hold = Transition.objects.get(intent="hold")
    assert (hold.system, hold.note) == (SYSTEM, "Product status in Creative Force: On Hold.")
    later = fixture_json("product__status_changed", PayloadId="p-2", EventDatetimeUtc=1595202000000)
    assert post(client, {**later, "ProductStatusName": "In Progress"}).json()["action"] == "released"
    deliverable.refresh_from_db()
    assert deliverable.status == "NOT_STARTED"  # back to the status it was held from
    assert Transition.objects.latest("id").intent == "release"


def test_a_product_status_never_reaches_a_gated_status(client):
    """Even a mapping row that says so: APPROVED is reached through the stage gates only."""
    UpstreamMapping.objects.create(
        organisation=default_organisation(), provider="creativeforce", kind="deliverable_status",
        upstream_value="Shot", target="APPROVED",
    )  # fmt: skip
    post(client, fixture_json("product__status_changed", ProductStatusName="Shot"))
    deliverable = Deliverable.objects.get()
    assert deliverable.status == "NOT_STARTED"
    assert Transition.objects.get().note == "Product status in Creative Force: Shot."


def test_a_deleted_product_puts_its_deliverable_on_hold(client):
    post(client, "product__reset")
    assert post(client, "product__deleted").json()["action"] == "held"
    deliverable = Deliverable.objects.get()
    assert deliverable.status == "ON_HOLD"
    hold = Transition.objects.get(intent="hold")
    assert hold.note == "Product AW2130146 was deleted in Creative Force."


def test_a_product_moved_to_another_job_notes_both_deliverables(client):
    post(client, "product__reset")
    old = Deliverable.objects.get()
    post(client, "product__move_to_another_job")
    new = Deliverable.objects.exclude(pk=old.pk).get()
    assert new.project.name == "Autumn 2020" and new.name == "AW2130146"
    assert "moved to job Autumn 2020" in Transition.objects.filter(deliverable=old).latest("id").note
    assert Transition.objects.get(deliverable=new).note == "Product moved into job Autumn 2020 in Creative Force."


def test_a_work_unit_event_is_a_note_on_its_products_deliverable(client):
    post(client, "product__reset")
    assert post(client, "work_unit__status_changed").json()["action"] == "noted"
    note = Transition.objects.filter(intent="note").latest("id")
    assert note.note == "Work unit (OnModel): StatusChanged in Creative Force, now InProgress."


# --- Tasks ------------------------------------------------------------------------------------------------------


def test_a_completed_task_completes_its_stage_through_the_state_machine(client, studio_pipeline):
    post(client, "task__completed")  # before its product and its job: both are created, nothing is lost
    deliverable = Deliverable.objects.get()
    assert deliverable.current_stage.name == "Retouching"
    assert deliverable.status == "IN_PROGRESS"
    done = Transition.objects.get(intent="complete")
    assert (done.stage_name, done.system, done.actor, done.source) == ("Photography", SYSTEM, None, "webhook")
    assert UpstreamObject.objects.get(kind="task").deliverable == deliverable


@pytest.mark.parametrize(("stage", "gate"), [("Quality Check", "an approval"), ("Client Review", "a formal review")])
def test_a_gated_stage_is_not_bypassed_its_approver_is_told(client, studio_pipeline, admin_user, producer, stage, gate):
    post(client, "product__reset")
    deliverable = Deliverable.objects.get()
    project_update(project=deliverable.project, owner=producer)
    advance_to(deliverable, stage, admin_user)
    response = post(client, fixture_json("task__completed", StepName=stage))
    assert response.json()["action"] == "noted"
    deliverable.refresh_from_db()
    assert (deliverable.current_stage.name, deliverable.current_stage.status) == (stage, Stage.Status.ACTIVE)
    assert deliverable.status != "APPROVED"
    note = Transition.objects.filter(deliverable=deliverable).latest("id")
    assert note.intent == "note" and f"waits for {gate} here" in note.note
    told = Notification.objects.get(recipient=producer, kind=Notification.Kind.STAGE_WAITING)
    assert stage in told.title


def test_the_step_map_names_the_stage(client, admin_user):
    """The default pipeline has no "Photography": the studio maps the step to its first stage."""
    UpstreamMapping.objects.create(
        organisation=default_organisation(), provider="creativeforce", kind="step", upstream_value="photography",
        target="Pipeline",
    )  # fmt: skip
    post(client, "task__completed")
    assert Deliverable.objects.get().current_stage.name == "New"


def test_a_step_with_no_stage_of_that_name_is_a_note(client):
    post(client, "task__completed")
    deliverable = Deliverable.objects.get()
    assert deliverable.current_stage.name == "Pipeline"
    assert "no stage of this pipeline has that name" in Transition.objects.get(deliverable=deliverable).note


def test_a_started_task_is_a_note_and_moves_nothing(client, studio_pipeline):
    post(client, "task__started")
    deliverable = Deliverable.objects.get()
    assert deliverable.current_stage.name == "Photography"
    assert Transition.objects.get().note == "Task Photography: Started in Creative Force, now InProgress."


def test_an_assigned_task_assigns_the_mapped_user_and_unassigned_clears_them(client, producer):
    UpstreamMapping.objects.create(
        organisation=default_organisation(), provider="creativeforce", kind="user", upstream_value=CF_USER,
        target=producer.username,
    )  # fmt: skip
    assert post(client, "task__assigned").json()["action"] == "assigned"
    deliverable = Deliverable.objects.get()
    assert deliverable.assignee == producer
    assert (
        Transition.objects.latest("id").note
        == f"Assigned to {producer.get_full_name() or producer.username} in {SYSTEM}"
    )
    assert post(client, "task__unassigned").json()["action"] == "unassigned"
    deliverable.refresh_from_db()
    assert deliverable.assignee is None


def test_unassigned_keeps_an_assignee_this_task_did_not_set(client, producer, reviewer):
    UpstreamMapping.objects.create(
        organisation=default_organisation(), provider="creativeforce", kind="user", upstream_value=CF_USER,
        target=producer.username,
    )  # fmt: skip
    post(client, "task__assigned")
    deliverable = Deliverable.objects.get()
    deliverable_update(deliverable=deliverable, actor=producer, assignee=reviewer)
    assert post(client, "task__unassigned").json()["action"] == "noted"
    deliverable.refresh_from_db()
    assert deliverable.assignee == reviewer


def test_an_unmapped_assignee_is_a_note(client):
    post(client, "task__assigned")
    note = Transition.objects.get()
    assert note.note == f"Photography assigned in Creative Force to user {CF_USER}, not mapped here."
    assert Deliverable.objects.get().assignee is None
