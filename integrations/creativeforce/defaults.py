"""What Creative Force's words mean here when a studio has not said otherwise.

A studio overrides any of these with an UpstreamMapping row (Django admin, "Creative Force mappings"); a row
always wins. Keys are folded (`payload.fold`: lower case, letters and digits only), so "On Hold", "OnHold" and
"on-hold" are one key.
"""

from deliverables.models import Deliverable
from projects.models import Project

# JobStatusName -> Project.Status. An unmapped status leaves the project's status as it is.
PROJECT_STATUS = {
    "new": Project.Status.ACTIVE,
    "active": Project.Status.ACTIVE,
    "inprogress": Project.Status.ACTIVE,
    "onhold": Project.Status.ON_HOLD,
    "paused": Project.Status.ON_HOLD,
    "completed": Project.Status.COMPLETED,
    "done": Project.Status.COMPLETED,
    "closed": Project.Status.COMPLETED,
    "cancelled": Project.Status.CANCELED,
    "canceled": Project.Status.CANCELED,
}

# ProductStatusName -> Deliverable.Status. Only these two are ever acted on (see UPSTREAM_DELIVERABLE_STATUSES);
# any other product status is written into the deliverable's history as a note.
DELIVERABLE_STATUS = {
    "onhold": Deliverable.Status.ON_HOLD,
    "inprogress": Deliverable.Status.IN_PROGRESS,
}

# The deliverable statuses Creative Force may lead to. A product status is a statement about the product in
# CF, not an approval here: IN_REVIEW and APPROVED are reached only through the stage gates, so a mapping row
# that names them is written as a note instead. IN_PROGRESS releases a deliverable that is on hold (back to
# the status it had); on a deliverable that is not on hold it changes nothing, because the stages say where
# the work is.
UPSTREAM_DELIVERABLE_STATUSES = (Deliverable.Status.ON_HOLD, Deliverable.Status.IN_PROGRESS)

# Task actions and step statuses that mean "this step is done" (reported through the state machine).
STEP_DONE = frozenset({"completed", "approved", "bypassed", "done"})
# Task actions that change who works on the task.
ASSIGNMENT_ACTIONS = frozenset({"assigned", "unassigned"})

# Creative Force sends this UserId in an Assignee with nobody in it.
NOBODY = "00000000-0000-0000-0000-000000000000"

# How the project page shows what Creative Force knows about the job (custom fields are listed there, and the
# project search covers these keys).
JOB_CODE_FIELD = "Creative Force job code"
JOB_STATUS_FIELD = "Creative Force job status"
SEARCHABLE_FIELDS = (JOB_CODE_FIELD,)

# Where the projects and deliverables this adapter creates say they came from.
SOURCE = "webhook:creativeforce"
