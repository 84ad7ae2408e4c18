"""Notifications: an in-app message for each user, and an email sent by Celery after
the transaction commits. If the email fails, the in-app message has already landed and
the task retries with backoff."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from dasapp.models import Notification


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
                    user=user, title=title[:200], body=body, url=url[:300], dedupe_key=dedupe_key
                )
        except IntegrityError:
            continue
        made.append(note)
        if email and user.email:
            from dasapp.tasks import send_notification_email

            transaction.on_commit(lambda pk=note.pk: send_notification_email.delay(pk))
    return made
