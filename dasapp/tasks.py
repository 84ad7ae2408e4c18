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
