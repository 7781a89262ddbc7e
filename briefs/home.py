"""The briefs tile of the home page (registered in `apps.py`): pending briefs and how long the oldest has waited."""

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from tracker.home import TileCount
from tracker.models import Organisation, User

from . import selectors


def briefs_waiting(user: User, organisation: Organisation) -> TileCount:
    summary = selectors.brief_waiting_summary(organisation=organisation)
    oldest = summary["oldest"]
    note = f"oldest waiting {timesince(oldest, timezone.now(), depth=1)}" if oldest else ""
    return TileCount(value=summary["count"], note=note)


def register_tiles() -> None:
    from tracker.home import ATTENTION, register_tile

    register_tile(
        "briefs-waiting", "Briefs waiting", roles=(User.Role.PRODUCER, User.Role.ADMIN), section=ATTENTION,
        order=10, count=briefs_waiting, empty="The inbox is clear.",
        url=lambda user: reverse("briefs:inbox") + "?sort=-received",  # oldest first: the tile's age is row one
    )  # fmt: skip
