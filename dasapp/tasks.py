"""Platform tasks: the heartbeat and notification emails."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from dasapp import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def heartbeat(self) -> None:
    services.heartbeat_record(name="worker", hostname=self.request.hostname or "")


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OSError, ConnectionError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def send_notification_email(self, notification_id: int) -> None:
    """Email a notification once. The body names the work item, never the victim: mail
    leaves the secure network."""
    from dasapp.models import Notification

    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if claimed != 1:
        return  # already sent by an earlier run
    note = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        send_mail(
            subject=note.title,
            message=(
                "You have a new notification in the domestic abuse case management system.\n\n"
                f"{note.title}\n\nSign in to read it: {settings.SITE_URL}{note.url}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.user.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        logger.warning("Notification email %s failed; will retry", notification_id)
        raise


# An email queued this long ago and still unsent was lost (broker down, worker killed).
PENDING_EMAIL_GRACE_SECONDS = 120


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_pending_emails(self, limit: int = 500) -> int:
    """Send the emails owed for notifications whose queued task never ran. Safe to run
    at any time: each email is claimed once by `send_notification_email`."""
    import datetime as dt

    from dasapp.models import Notification

    cutoff = timezone.now() - dt.timedelta(seconds=PENDING_EMAIL_GRACE_SECONDS)
    pending = Notification.objects.filter(
        email_wanted=True, emailed_at__isnull=True, created_at__lte=cutoff
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for pk in pending:
        try:
            send_notification_email.run(pk)
            sent += 1
        except OSError:
            logger.warning("Pending email for notification %s failed; next run retries", pk)
    return sent
