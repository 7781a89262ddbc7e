"""Reads for the users page, the sign-in checks and the audit; each takes the organisation it is scoped to."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from tracker.errors import NotFoundError
from tracker.models import Organisation, User

from .models import AccessPolicy, Invitation, LoginEvent


def users_of(organisation: Organisation) -> Q:
    """The users of an organisation. A user without one belongs to the default organisation
    (`tracker.services.organisation_for_user`), so its admins see them too."""
    q = Q(organisation=organisation)
    if organisation.slug == settings.TRACKER_DEFAULT_ORGANISATION:
        q |= Q(organisation__isnull=True)
    return q


def user_list(*, organisation: Organisation) -> QuerySet[User]:
    """Active people first, then by name: one query."""
    return User.objects.filter(users_of(organisation)).order_by("-is_active", "username")


def user_get(*, organisation: Organisation, pk: int) -> User:
    user = User.objects.filter(users_of(organisation), pk=pk).first()
    if user is None:
        raise NotFoundError("user not found")
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_pending_list(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_get(*, organisation: Organisation, pk: int) -> Invitation:
    invitation = invitation_pending_list(organisation=organisation).filter(pk=pk).first()
    if invitation is None:
        raise NotFoundError("invitation not found")
    return invitation


def invitation_by_token(*, token: str, now: datetime | None = None) -> Invitation:
    """The pending, unexpired invitation a link's token names; anything else is "not found"."""
    invitation = (
        Invitation.objects.filter(
            token_hash=token_hash(token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("organisation")
        .first()
    )
    if invitation is None:
        raise NotFoundError("this invitation link is not valid any more")
    return invitation


def invitation_for_email(*, email: str, now: datetime | None = None) -> Invitation | None:
    """The newest pending, unexpired invitation to this address, in any organisation (single sign-on's match)."""
    return (
        Invitation.objects.filter(
            email=email.strip().lower(),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("organisation")
        .first()
    )


def password_login_enabled(*, organisation: Organisation) -> bool:
    return not AccessPolicy.objects.filter(organisation=organisation, password_login=False).exists()


def password_login_allowed(user: User) -> bool:
    """May this user sign in with a password (their organisation has not turned passwords off)?"""
    if not user.organisation_id:
        return True
    return not AccessPolicy.objects.filter(organisation_id=user.organisation_id, password_login=False).exists()


def login_event_list(
    *, organisation: Organisation, kind: str = "", user: User | None = None, ip_address: str = ""
) -> QuerySet[LoginEvent]:
    """The organisation's audit, newest first, filtered; the people it names are joined (constant queries)."""
    events = LoginEvent.objects.filter(organisation=organisation).select_related("user", "actor")
    if kind:
        events = events.filter(kind=kind)
    if user is not None:
        events = events.filter(Q(user=user) | Q(actor=user))
    if ip_address:
        events = events.filter(ip_address=ip_address)
    return events


def lockout_addresses(*, user: User, since: datetime) -> list[str]:
    """The source addresses this user was locked out from since `since` (what an unlock clears with the name)."""
    rows = LoginEvent.objects.filter(
        user=user, kind=LoginEvent.Kind.LOCKED_OUT, created_at__gte=since, ip_address__isnull=False
    )
    return sorted(set(rows.values_list("ip_address", flat=True)))


def login_events_old(now: datetime) -> QuerySet[LoginEvent]:
    """Retention (tracker/retention.py): audit rows older than LOGIN_AUDIT_RETENTION_DAYS."""
    return LoginEvent.objects.filter(created_at__lt=now - timedelta(days=settings.LOGIN_AUDIT_RETENTION_DAYS))
