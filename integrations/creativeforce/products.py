"""Product and WorkUnit events: the product's deliverable, its hold, its status notes and its work units."""

from deliverables.models import Deliverable
from integrations.upstream import services as upstream
from integrations.upstream.models import UpstreamMapping
from tracker.models import Organisation

from . import defaults, selectors
from .keys import Kind, product_key
from .mapping import SYSTEM, Result, Status, lock, mapped, note, product_deliverable, release
from .payload import CfEvent, fold


def _status_target(organisation: Organisation, status_name: str) -> str | None:
    default = defaults.DELIVERABLE_STATUS.get(fold(status_name))
    target = mapped(organisation, UpstreamMapping.Kind.DELIVERABLE_STATUS, status_name, default)
    return target if target in defaults.UPSTREAM_DELIVERABLE_STATUSES else None


def _apply_status(organisation: Organisation, deliverable: Deliverable, status_name: str) -> str:
    """ProductStatusName through the DELIVERABLE_STATUS map: on hold holds, in progress releases a held
    deliverable; every other status (and a map row naming a gated status) is a history note."""
    target = _status_target(organisation, status_name)
    text = f"Product status in Creative Force: {status_name}."
    if target == Deliverable.Status.ON_HOLD:
        upstream.hold(deliverable, system=SYSTEM, text=text)
        return "held"
    if target == Deliverable.Status.IN_PROGRESS and deliverable.status == Deliverable.Status.ON_HOLD:
        release(deliverable, text)
        return "released"
    note(deliverable, text)
    return "noted"


def _moved(organisation: Organisation, event: CfEvent, deliverable: Deliverable) -> None:
    """MoveToAnotherJob: the payload names the job the product is in now. The deliverable of its old job stays
    where it is (a deliverable never changes project here) with a note saying where the product went; the
    product's later events land on the deliverable in the new job's project."""
    code = event.get("JobCode") or event.get("JobId")
    for old in selectors.product_deliverables(
        organisation=organisation, product_id=event.get("ProductId"), except_job_id=event.get("JobId")
    ):
        note(old, f"Product moved to job {code} in Creative Force; its work continues on {deliverable.project}.")
    note(deliverable, f"Product moved into job {code} in Creative Force.")


def on_product(organisation: Organisation, event: CfEvent) -> Result:
    product = lock(organisation, Kind.PRODUCT, product_key(event.get("JobId"), event.get("ProductId")))
    if upstream.object_is_stale(product, event.event_at):
        return Result(Status.STALE, object_id=str(product.deliverable_id or ""))
    code = event.get("ProductCode")
    if event.action == "deleted" and not product.deliverable_id:
        upstream.object_touch(product, event_at=event.event_at)  # its older events, arriving late, are stale
        return Result(Status.IGNORED, detail="product not known here")
    deliverable, created = product_deliverable(organisation, event, product)
    if event.action == "deleted":
        upstream.hold(deliverable, system=SYSTEM, text=f"Product {code} was deleted in Creative Force.")
        action = "held"
    elif event.action == "movetoanotherjob":
        _moved(organisation, event, deliverable)
        action = "moved"
    elif event.get("ProductStatusName"):
        action = _apply_status(organisation, deliverable, event.get("ProductStatusName"))
    else:
        note(deliverable, f"Product {code}: {event.get('Action')} in Creative Force.")
        action = "noted"
    upstream.object_touch(product, event_at=event.event_at)
    return Result(action="created" if created and action == "noted" else action, object_id=str(deliverable.pk))


def on_work_unit(organisation: Organisation, event: CfEvent) -> Result:
    """A history note on the product's deliverable. A work unit event carries no JobId, so it finds the product
    by ProductId alone; one not seen yet cannot be placed in a project and is recorded as ignored."""
    targets = list(selectors.product_deliverables(organisation=organisation, product_id=event.get("ProductId")))
    if not targets:
        return Result(Status.IGNORED, detail="product not known here")
    kind = event.get("ProductionTypeName")
    status = event.get("WorkUnitStatusName")
    text = f"Work unit{f' ({kind})' if kind else ''}: {event.get('Action')} in Creative Force"
    text += f", now {status}." if status else "."
    for deliverable in targets:
        note(deliverable, text)
    return Result(action="noted", object_id=str(targets[0].pk))
