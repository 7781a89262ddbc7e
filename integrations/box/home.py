"""Box on the home page (registered in `apps.py`): a producer sees the deliverables whose push to Box failed (the
list has the retry buttons); an admin sees those and the inbound events that failed in the last 24 hours."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tracker.home import TileCount
from tracker.models import Organisation, User

from . import selectors


def failed_pushes(user: User, organisation: Organisation) -> int:
    return selectors.box_failed_deliverables(organisation=organisation).count()


def box_failures(user: User, organisation: Organisation) -> TileCount:
    pushes = failed_pushes(user, organisation)
    since = timezone.now() - timedelta(hours=24)
    inbound = selectors.box_inbound_failed_count(organisation=organisation, since=since)
    return TileCount(value=pushes + inbound, breakdown=(("pushes", pushes), ("inbound, 24 h", inbound)))


def register_tiles() -> None:
    from tracker.home import ATTENTION, INTEGRATIONS, register_tile

    register_tile(
        "box-failed", "Failed Box pushes", roles=(User.Role.PRODUCER,), section=ATTENTION, order=30,
        count=failed_pushes, url=lambda user: reverse("box:failed"), alert=True, empty="Everything reached Box.",
    )  # fmt: skip
    register_tile(
        "box-failures", "Box failures", roles=(User.Role.ADMIN,), section=INTEGRATIONS, order=30,
        count=box_failures, url=lambda user: reverse("box:settings") + "?push_outcome=failed", alert=True,
        empty="Box pushes and inbound events are fine.",
    )  # fmt: skip
