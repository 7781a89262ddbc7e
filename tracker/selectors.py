"""Reads for the page furniture (the notifications bell and list, how a user wants to hear of them) and the
client teams intake resolves."""

import copy

from django.conf import settings
from django.db.models import QuerySet

from .cache import ProcessMemo
from .errors import NotFoundError
from .models import ClientTeam, Notification, NotificationPreference, Organisation, User


def notification_unread_count(user: User) -> int:
    """The bell's badge: the user's unread notifications (one COUNT query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_detail(*, user: User, pk: int) -> Notification:
    """One of the user's own notifications; another user's is not found."""
    try:
        return Notification.objects.get(recipient=user, pk=pk)
    except Notification.DoesNotExist as error:
        raise NotFoundError("notification not found") from error


def notification_email_mode(user: User) -> str:
    """How `user` wants the notifications that need action by email: a NotificationPreference.Email value (their
    saved choice, else NOTIFICATION_EMAIL_DEFAULT). One query."""
    saved = NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
    return saved or settings.NOTIFICATION_EMAIL_DEFAULT


# Intake resolves a team on most calls (`clientTeamSlug`, OMG's `job.team`); an organisation has a handful.
_client_teams = ProcessMemo(seconds=60)


def client_team_find(*, organisation: Organisation, slug: str = "", name: str = "") -> ClientTeam | None:
    """The organisation's team whose slug (or else name) is the value given, ignoring case, from the per-process
    memo of its teams. Not there, it asks the database (a team added in another process a moment ago), so the
    memo only ever saves queries: it never hides a team."""
    value = (slug or name).strip()
    if not value:
        return None
    field = "slug" if slug else "name"
    if value.isascii():  # Python's and the database's case folding agree on ASCII
        teams = _client_teams.get(
            organisation.pk, lambda: list(ClientTeam.objects.filter(organisation=organisation).order_by("pk"))
        )
        for team in teams:
            if getattr(team, field).isascii() and getattr(team, field).upper() == value.upper():
                return copy.copy(team)
    return ClientTeam.objects.filter(organisation=organisation, **{f"{field}__iexact": value}).order_by("pk").first()
