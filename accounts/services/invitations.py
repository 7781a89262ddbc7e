"""Invitations: an admin invites an e-mail address with a role; the invitee sets a password from the link in the
e-mail (or signs in with single sign-on under that address), and only then is the user created.

The link carries a random token; only its SHA-256 is stored, so the database alone cannot be used to accept an
invitation. Inviting an address again replaces its pending invitation (a new link; the old one stops working).
"""

import logging
import secrets
from datetime import timedelta

from celery import signature
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker.errors import ApplicationError, ConflictError
from tracker.models import Organisation, User
from tracker.permissions import Permission, require_permission

from ..models import Invitation, LoginEvent
from ..selectors import token_hash
from .audit import login_event_record

logger = logging.getLogger(__name__)


def invitation_url(token: str) -> str:
    return settings.TRACKER_PUBLIC_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])


def _queue_send(invitation: Invitation) -> None:
    """After commit: the worker e-mails the link (the task is named, so this module never imports `tasks`). A
    broker that does not answer is logged; the admin's "Send again" queues it anew."""

    def send():
        try:
            signature("accounts.invitation_send", args=[invitation.pk]).apply_async()
        except Exception:
            logger.exception("accounts.invitation_enqueue_failed", extra={"invitation_id": invitation.pk})

    transaction.on_commit(send)


def invitation_send(*, invitation_id: int) -> str:
    """E-mail a pending invitation its link. The link's token is made here, at sending time, and only its hash is
    stored: no copy of a working link is ever written anywhere but the e-mail. Each send makes a new link, so
    only the latest e-mail's link works. A mail server that refuses raises, and the task retries."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or not invitation.is_pending:
            return "skipped"
        token = _issue(invitation)
        invitation.save(update_fields=["token_hash", "expires_at"])
    context = {
        "invitation": invitation,
        "url": invitation_url(token),
        "brand_name": settings.TRACKER_BRAND_NAME,
        "inviter": invitation.invited_by,
        "days": settings.INVITATION_TTL_DAYS,
    }
    send_mail(
        subject=f"You are invited to {settings.TRACKER_BRAND_NAME}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return "sent"


def _issue(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)
    return token


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str, request: HttpRequest | None = None
) -> Invitation:
    """Invite `email` to `organisation` with `role` and e-mail them the link (after commit)."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    email = email.strip().lower()
    if role not in User.Role.values:
        raise ApplicationError(f"unknown role {role!r}")
    if User.objects.filter(email__iexact=email).exists():
        raise ConflictError(f"{email} already has an account: change their role or reactivate them instead")
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=actor)
    _issue(invitation)  # a hash is stored from the start; the link itself is made when the e-mail is sent
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:  # a concurrent invitation of the same address won
        raise ConflictError(f"{email} is being invited by someone else right now") from error
    login_event_record(
        kind=LoginEvent.Kind.INVITED,
        request=request,
        username=email,
        actor=actor,
        organisation=organisation,
        channel=LoginEvent.Channel.USERS_PAGE,
        detail={"email": email, "role": role},
    )
    _queue_send(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """A new link (the old one stops working) and a new expiry, e-mailed again."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ConflictError("this invitation is no longer pending")
    _issue(invitation)  # the old link stops working now; the e-mail brings a new one
    invitation.save(update_fields=["token_hash", "expires_at"])
    _queue_send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation, request: HttpRequest | None = None) -> Invitation:
    require_permission(actor, Permission.ADMIN_SETTINGS)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_pending:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        login_event_record(
            kind=LoginEvent.Kind.INVITATION_REVOKED,
            request=request,
            username=invitation.email,
            actor=actor,
            organisation=invitation.organisation,
            channel=LoginEvent.Channel.USERS_PAGE,
            detail={"email": invitation.email},
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    request: HttpRequest | None = None,
    channel: str = LoginEvent.Channel.EMAIL,
) -> User:
    """Create the invited user with the invitation's organisation and role. `password=None` is single sign-on
    (the user gets no usable password). The invitation is locked, so a link used twice at once creates one user."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_pending or invitation.expires_at <= timezone.now():
        raise ConflictError("this invitation link is not valid any more")
    username = username.strip()
    if not username:
        raise ApplicationError("choose a username")
    if User.objects.filter(username__iexact=username).exists():
        raise ConflictError(f"the username {username!r} is taken: choose another")
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        role=invitation.role,
        organisation=invitation.organisation,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ApplicationError(" ".join(error.messages)) from error
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ConflictError(f"the username {username!r} is taken: choose another") from error
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    login_event_record(
        kind=LoginEvent.Kind.INVITATION_ACCEPTED,
        request=request,
        user=user,
        organisation=invitation.organisation,
        channel=channel,
        detail={
            "email": invitation.email,
            "role": invitation.role,
            "invited_by": invitation.invited_by.get_username() if invitation.invited_by else "",
        },
    )
    return user
