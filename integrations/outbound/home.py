"""Outbound webhooks on the admin's home page (registered in `apps.py`): deliveries that failed after every retry
and have not been sent again."""

from django.urls import reverse

from tracker.models import Organisation, User

from . import selectors
from .models import OutboundDelivery


def failed_deliveries(user: User, organisation: Organisation) -> int:
    return selectors.delivery_list(organisation=organisation, status=OutboundDelivery.Status.FAILED).count()


def register_tiles() -> None:
    from tracker.home import INTEGRATIONS, register_tile

    register_tile(
        "outbound-failed", "Failed outbound webhooks", roles=(User.Role.ADMIN,), section=INTEGRATIONS, order=20,
        count=failed_deliveries, url=lambda user: reverse("outbound:deliveries") + "?status=FAILED", alert=True,
        empty="Every delivery went through.",
    )  # fmt: skip
