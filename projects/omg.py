"""OMG's job vocabulary, shared by every intake channel that speaks it (the OMG webhook, the spreadsheet import).

The Upstream Integration Guide, section 2: a free-form job status maps through STATUS_MAP (anything unmapped is
ACTIVE) and OMG's priority words through PRIORITY_MAP (its top priority is called "priority").
"""

from tracker.constants import Priority

from .models import Project

# OMG's free-form job status -> Project.status, matched case-insensitively; anything else is ACTIVE.
STATUS_MAP = {
    "brief in review": Project.Status.PIPELINE,
    "amends": Project.Status.ACTIVE,
    "in production": Project.Status.ACTIVE,
    "client review": Project.Status.ACTIVE,
    "on hold": Project.Status.ON_HOLD,
}
UNMAPPED_STATUS = Project.Status.ACTIVE

# OMG's priority words -> Priority, matched case-insensitively. OMG calls its top priority "priority".
PRIORITY_MAP = {
    "priority": Priority.URGENT,
    "high": Priority.HIGH,
    "medium": Priority.MEDIUM,
    "low": Priority.LOW,
}


def omg_status(text: str) -> str:
    """The project status an OMG status word stands for (whitespace and case ignored)."""
    return STATUS_MAP.get(" ".join(text.split()).lower(), UNMAPPED_STATUS)


def omg_priority(text: str) -> str | None:
    """The priority an OMG priority word stands for, or None when it is not one of the four."""
    return PRIORITY_MAP.get(text.strip().lower())
