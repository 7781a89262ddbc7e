"""Reads for the briefs inbox and the brief page. Query counts stay constant however many briefs there are."""

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Value, When

from tracker.cache import cached, forget_on_commit, process_set
from tracker.constants import PRIORITY_RANK
from tracker.errors import NotFoundError
from tracker.models import Organisation, User
from tracker.permissions import ROLE_PERMISSIONS, Permission

from .models import Brief

SORTS = {
    "received": ("-created_at", "-id"),
    "-received": ("created_at", "id"),
    "due": ("requested_due_date", "-id"),
    "-due": ("-requested_due_date", "-id"),
    "priority": ("-priority_rank", "-created_at", "-id"),
    "-priority": ("priority_rank", "-created_at", "-id"),
}
DEFAULT_SORT = "received"


def _priority_rank() -> Case:
    return Case(
        *(When(priority=priority, then=Value(rank)) for priority, rank in PRIORITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def brief_filtered(
    *,
    organisation: Organisation,
    client_team_id: int | None = None,
    priority: str = "",
    source: str = "",
    search: str = "",
    assignee_id: int | None = None,
) -> QuerySet[Brief]:
    """The organisation's briefs narrowed by the inbox filters, every status."""
    briefs = Brief.objects.filter(organisation=organisation)
    if assignee_id:
        briefs = briefs.filter(assignee_id=assignee_id)
    if client_team_id:
        briefs = briefs.filter(client_team_id=client_team_id)
    if priority:
        briefs = briefs.filter(priority=priority)
    if source:
        briefs = briefs.filter(source=source)
    if search:
        briefs = briefs.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(requestor_name__icontains=search)
            | Q(requestor_email__icontains=search)
            | Q(external_id__icontains=search)
        )
    return briefs


def brief_inbox(*, organisation: Organisation, status: str, sort: str = DEFAULT_SORT, **filters) -> QuerySet[Brief]:
    """One tab of the inbox (`filters` as for `brief_filtered`), sorted, with what each row shows joined in:
    one query per page."""
    ordering = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return (
        brief_filtered(organisation=organisation, **filters)
        .filter(status=status)
        .select_related("client_team", "converted_project", "assignee")
        .annotate(priority_rank=_priority_rank())
        .order_by(*ordering)
    )


def brief_status_counts(*, organisation: Organisation, **filters) -> dict[str, int]:
    """Counts per status for the tabs (`filters` as for `brief_filtered`), in one aggregate query. Unfiltered it
    reads only the inbox index (`briefs_inbox_order_idx`, organisation and status first), never the table."""
    totals = brief_filtered(organisation=organisation, **filters).aggregate(
        **{status.lower(): Count("id", filter=Q(status=status)) for status in Brief.Status.values}
    )
    return {status: totals[status.lower()] for status in Brief.Status.values}


# The source choices are read on every inbox view and change only when a brief comes from a source none came from
# before: cached per organisation, forgotten by the write that brings a new one (`brief_source_seen`).
SOURCES_CACHE_SECONDS = 300
# The sources this process has written or read, so intake forgets the cache only for a source it has not seen.
_sources_seen: set[tuple[int, str]] = process_set()


def _sources_key(organisation_id: int) -> str:
    return f"briefs:sources:{organisation_id}"


def brief_source_seen(*, organisation_id: int, source: str) -> None:
    """Called by every write that gives a brief its source, inside its transaction: a source new to this process
    makes the cached choices go once the write commits (the ones it has seen cost nothing, not even a cache call)."""
    if (organisation_id, source) in _sources_seen:
        return
    forget_on_commit(_sources_key(organisation_id))
    transaction.on_commit(lambda: _sources_seen.add((organisation_id, source)))


def brief_waiting_summary(*, organisation: Organisation) -> dict:
    """The pending briefs: `count` and when the oldest arrived (`oldest`, None without any), in one query."""
    return Brief.objects.filter(organisation=organisation, status=Brief.Status.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )


def brief_sources(*, organisation: Organisation) -> list[str]:
    """The sources the organisation's briefs came from (the inbox's source filter): a DISTINCT over every brief,
    so cached."""
    sources = cached(
        _sources_key(organisation.pk),
        lambda: list(
            Brief.objects.filter(organisation=organisation)
            .order_by("source")
            .values_list("source", flat=True)
            .distinct()
        ),
        timeout=SOURCES_CACHE_SECONDS,
    )
    _sources_seen.update((organisation.pk, source) for source in sources)
    return sources


def brief_detail(*, organisation: Organisation, pk: int) -> Brief:
    """The organisation's brief; another organisation's brief is not found, like a missing one."""
    try:
        return Brief.objects.select_related("client_team", "converted_project", "decided_by").get(
            organisation=organisation, pk=pk
        )
    except Brief.DoesNotExist as error:
        raise NotFoundError("brief not found") from error


def brief_assignable_users(*, organisation: Organisation) -> QuerySet[User]:
    """Who a brief can be assigned to: the organisation's active people who may triage briefs."""
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if Permission.BRIEF_TRIAGE in permissions]
    return User.objects.filter(organisation=organisation, is_active=True, role__in=roles).order_by(
        "first_name", "last_name", "username"
    )
