"""The reviewer's tiles of the home page (registered in `apps.py`): the review sessions they present that are
not finished, and the deliverables with a revision waiting at a FORMAL stage (what a new session would take)."""

from django.urls import reverse

from tracker.models import Organisation, User

from . import selectors


def sessions_to_run(user: User, organisation: Organisation) -> int:
    return selectors.review_sessions_to_run(organisation=organisation, presenter=user).count()


def revisions_waiting(user: User, organisation: Organisation) -> int:
    return selectors.deliverables_awaiting_review(organisation=organisation).count()


def register_tiles() -> None:
    from tracker.home import ATTENTION, register_tile

    reviewers = (User.Role.REVIEWER,)
    register_tile(
        "sessions-to-run", "Sessions to run", roles=reviewers, section=ATTENTION, order=10, count=sessions_to_run,
        url=lambda user: reverse("reviews:list") + "?presenter=me", empty="No session of yours is open.",
    )  # fmt: skip
    register_tile(
        "revisions-waiting", "Revisions waiting for review", roles=reviewers, section=ATTENTION, order=20,
        count=revisions_waiting, url=lambda user: reverse("reviews:new"), empty="Nothing waits at a formal review.",
    )  # fmt: skip
