"""Notifications: an in-app message for each user, and an email sent by Celery after
the transaction commits. If the email fails, the in-app message has already landed and
the task retries with backoff. If the broker was down when it was queued, the
periodic resend (`dasapp.tasks.send_pending_emails`) sends it once the broker is back:
the database, not the queue, knows which emails are owed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from dasapp.models import Notification

logger = logging.getLogger(__name__)


EMAILS_PER_TASK = 100


def _queue_emails(notification_ids: list[int]) -> None:
    """Queue one task per hundred emails; if the broker is down, the resend sends them."""
    from dasapp.tasks import send_notification_emails

    for start in range(0, len(notification_ids), EMAILS_PER_TASK):
        chunk = notification_ids[start : start + EMAILS_PER_TASK]
        try:
            send_notification_emails.delay(chunk)
        except Exception:
            logger.warning(
                "Could not queue %s notification emails (broker unreachable?)",
                len(chunk),
                exc_info=True,
            )


@dataclass(frozen=True)
class Message:
    """One inbox message for `notify_many`."""

    user: object
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str | None = None


def notify_many(messages: Iterable[Message], *, email: bool = True) -> list[Notification]:
    """Many messages in two statements (which already exist, then one insert) and an
    email task per hundred, for background work that tells many people at once (the
    follow-up sweep). A message whose dedupe key exists is skipped. Made for callers
    that hold the rows the messages are about: if another transaction inserts the same
    message meanwhile, the insert raises IntegrityError for the caller to handle (the
    sweep then goes one by one, with `notify`)."""
    wanted: dict[tuple[int, str | None], Message] = {}
    for number, message in enumerate(messages):
        if getattr(message.user, "is_active", True):
            key = message.dedupe_key if message.dedupe_key else f"#{number}"
            wanted.setdefault((message.user.pk, key), message)
    keys = {m.dedupe_key for m in wanted.values() if m.dedupe_key}
    if keys:
        users = {user_id for user_id, _ in wanted}
        # By user too, so that the (user, dedupe_key) index narrows it.
        for existing in Notification.objects.filter(
            user_id__in=users, dedupe_key__in=keys
        ).values_list("user_id", "dedupe_key"):
            wanted.pop(existing, None)
    made = Notification.objects.bulk_create(
        Notification(
            user=m.user,
            title=m.title[:200],
            body=m.body,
            url=m.url[:300],
            dedupe_key=m.dedupe_key,
            email_wanted=bool(email and m.user.email),
        )
        for m in wanted.values()
    )
    ids = [note.pk for note in made if note.email_wanted]
    if ids:
        transaction.on_commit(lambda: _queue_emails(ids))
    return made


def notify(
    *,
    users,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    email: bool = True,
) -> list[Notification]:
    """Put a message in each user's inbox (once per dedupe key) and queue the emails:
    one task per hundred after the transaction commits, so that a slow or unreachable
    broker costs a request one attempt, not one per person told."""
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
    ids = [note.pk for note in made if note.email_wanted]
    if ids:
        transaction.on_commit(lambda: _queue_emails(ids))
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
