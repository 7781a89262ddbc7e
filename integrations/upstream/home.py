"""Inbound webhooks on the admin's home page (registered in `apps.py`): the calls refused or failed in the last
24 hours, per route, whether from an upstream adapter or the intake webhooks."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tracker.home import TileCount
from tracker.models import Organisation, User

from . import selectors

WINDOW = timedelta(hours=24)


def receipt_problems(user: User, organisation: Organisation) -> TileCount:
    per_route = selectors.receipt_problems_by_route(since=timezone.now() - WINDOW)
    return TileCount(value=sum(n for _route, n in per_route), breakdown=tuple(per_route))


def register_tiles() -> None:
    from tracker.home import INTEGRATIONS, register_tile

    register_tile(
        "webhook-receipts", "Webhook calls refused or failed, 24 h", roles=(User.Role.ADMIN,), section=INTEGRATIONS,
        order=10, count=receipt_problems, url=lambda user: reverse("upstream:integrations"), alert=True,
        empty="Every call in the last 24 hours was accepted.",
    )  # fmt: skip
