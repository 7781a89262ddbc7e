"""Celery tasks of accounts: the invitation e-mail, sent by a worker so the admin's request never waits on the
mail server, and retried when it refuses."""

from celery import shared_task

from .services.invitations import invitation_send

INVITATION_SEND = "accounts.invitation_send"


@shared_task(name=INVITATION_SEND, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=1800, max_retries=6)
def invitation_send_task(invitation_id: int) -> str:
    return invitation_send(invitation_id=invitation_id)
