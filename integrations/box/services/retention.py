"""Which Box log rows retention may delete (registered in `apps.BoxConfig.ready`, run by tracker/retention.py)."""

from datetime import timedelta

from django.conf import settings

from ..models import BoxInboundLog, BoxPushLog

# A push row still waiting or running is the push itself, not its history: it is never pruned.
_PUSH_OPEN = (BoxPushLog.Outcome.QUEUED, BoxPushLog.Outcome.RUNNING)


def box_push_logs_old(now):
    """Finished push attempts older than BOX_LOG_RETENTION_DAYS."""
    cutoff = now - timedelta(days=settings.BOX_LOG_RETENTION_DAYS)
    return BoxPushLog.objects.filter(created_at__lt=cutoff).exclude(outcome__in=_PUSH_OPEN)


def box_inbound_logs_old(now):
    """Inbound deliveries older than BOX_LOG_RETENTION_DAYS, except one still queued for download. Box redelivers
    an event for hours, not months, so the event ids the rows hold for de-duplication are long unneeded."""
    cutoff = now - timedelta(days=settings.BOX_LOG_RETENTION_DAYS)
    return BoxInboundLog.objects.filter(created_at__lt=cutoff).exclude(outcome=BoxInboundLog.Outcome.QUEUED)
