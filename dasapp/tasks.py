"""Platform tasks: the heartbeat and notification emails."""

from __future__ import annotations

import datetime as dt
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


# A worker holds an email this long while it sends it. A claim older than this with no
# `emailed_at` is a worker that died mid-send: the resend takes the email again. (An
# email is so sent at least once: twice only if a worker dies between the mail server
# accepting it and the database recording that, which is the lesser harm.)
EMAIL_CLAIM_SECONDS = 300
# An email queued this long ago and still unsent was lost (broker down, worker killed).
PENDING_EMAIL_GRACE_SECONDS = 120


def _claimable(now):
    """Owed emails nobody is sending now: unclaimed, or claimed by a worker that died."""
    from django.db.models import Q

    from dasapp.models import Notification

    lease_over = now - dt.timedelta(seconds=EMAIL_CLAIM_SECONDS)
    return Notification.objects.filter(emailed_at__isnull=True).filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=lease_over)
    )


def email_send(notification_id: int) -> bool:
    """Send one notification's email unless it was sent or another worker is sending it.
    Returns whether this call sent it. The body names the work item, never the victim:
    mail leaves the secure network."""
    from dasapp.models import Notification

    now = timezone.now()
    claimed = _claimable(now).filter(pk=notification_id).update(email_claimed_at=now)
    if claimed != 1:
        return False  # sent already, or being sent by a live worker
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
        Notification.objects.filter(pk=notification_id).update(email_claimed_at=None)
        logger.warning("Notification email %s failed; will retry", notification_id)
        raise
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


RETRYING = {
    "bind": True,
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OSError, ConnectionError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(**RETRYING)
def send_notification_email(self, notification_id: int) -> None:
    """Email one notification, once."""
    email_send(notification_id)


@shared_task(**RETRYING)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """Email a batch of notifications (one task for a sweep's batch, not one per email).
    A retry after a failure skips those already sent."""
    return sum(email_send(pk) for pk in notification_ids)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_pending_emails(self, limit: int = 500) -> int:
    """Send the emails owed for notifications whose queued task never ran or whose
    worker died mid-send. Safe to run at any time: each email is claimed before it is
    sent."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=PENDING_EMAIL_GRACE_SECONDS)
    pending = (
        _claimable(now)
        .filter(email_wanted=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        try:
            sent += email_send(pk)
        except OSError:
            logger.warning("Pending email for notification %s failed; next run retries", pk)
    return sent
