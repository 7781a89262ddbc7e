"""The deliverables tiles of the home page (registered in `apps.py`): stages waiting for my approval, and the
studio's deliverables due this week and overdue. Each counts the same `deliverable_filtered` its list shows."""

from django.urls import reverse

from tracker.models import Organisation, User

from .selectors import deliverable_filtered


def _list_url(query: str) -> str:
    return f"{reverse('deliverables:list')}?{query}"


def waiting_for_me(user: User, organisation: Organisation) -> int:
    return deliverable_filtered(organisation=organisation, waiting_for=user).count()


def due_this_week(user: User, organisation: Organisation) -> int:
    return deliverable_filtered(organisation=organisation, due="week").count()


def overdue(user: User, organisation: Organisation) -> int:
    return deliverable_filtered(organisation=organisation, due="overdue").count()


def register_tiles() -> None:
    from tracker.home import ATTENTION, PRODUCTION, register_tile

    producers = (User.Role.PRODUCER, User.Role.ADMIN)
    register_tile(
        "approvals-waiting", "Waiting for your approval", roles=producers, section=ATTENTION, order=20,
        count=waiting_for_me, url=lambda user: _list_url("waiting=mine"), empty="No stage waits for you.",
    )  # fmt: skip
    register_tile(
        "due-week", "Due this week", roles=(*producers, User.Role.VIEWER), section=PRODUCTION, order=10,
        count=due_this_week, url=lambda user: _list_url("due=week"), empty="Nothing else due this week.",
    )  # fmt: skip
    register_tile(
        "overdue", "Overdue", roles=(*producers, User.Role.VIEWER), section=PRODUCTION, order=20,
        count=overdue, url=lambda user: _list_url("due=overdue"), alert=True, empty="Nothing is late.",
    )  # fmt: skip
