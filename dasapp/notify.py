"""Notifications: an in-app message for each user, and an email sent by Celery after
the transaction commits. If the email fails, the in-app message has already landed and
the task retries with backoff. If the broker was down when it was queued, the
periodic resend (`dasapp.tasks.send_pending_emails`) sends it once the broker is back:
the database, not the queue, knows which emails are owed."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from dasapp.models import Notification

logger = logging.getLogger(__name__)


def _queue_email(notification_id: int) -> None:
    """Queue the email; if the broker is down, log it and carry on: the in-app message
    is saved, and a web request must not fail because Redis is unreachable."""
    from dasapp.tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:
        logger.warning(
            "Could not queue the email for notification %s (broker unreachable?)",
            notification_id,
            exc_info=True,
        )


def notify(
    *,
    users,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    email: bool = True,
) -> list[Notification]:
    """Put a message in each user's inbox (once per dedupe key) and queue its email."""
    made: list[Notification] = []
    for user in users:
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    user=user,
                    title=title[:200],
                    body=body,
                    url=url[:300],
                    dedupe_key=dedupe_key,
                    email_wanted=bool(email and user.email),
                )
        except IntegrityError:
            continue
        made.append(note)
        if email and user.email:
            transaction.on_commit(lambda pk=note.pk: _queue_email(pk))
    return made


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark one of the user's own notifications read (once: the first time is kept)."""
    from django.utils import timezone

    if notification.user_id != user.pk:
        raise PermissionError("A user marks only their own notifications.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    from django.utils import timezone

    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
