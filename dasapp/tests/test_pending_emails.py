"""Emails owed for notifications made while the broker was down are sent later by the
periodic resend; each is sent once, and a recent one is left to its own queued task."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dasapp.models import Notification
from dasapp.notify import Message, notify, notify_many
from dasapp.roles import Role
from dasapp.tasks import (
    EMAIL_CLAIM_SECONDS,
    PENDING_EMAIL_GRACE_SECONDS,
    email_send,
    send_pending_emails,
)


def test_a_notification_made_while_the_broker_is_down_is_emailed_by_the_resend(
    persona, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    user = persona(Role.DASO, team="cru", email="daso@dasapp.invalid")

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis unreachable")

    monkeypatch.setattr("dasapp.tasks.send_notification_emails.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (note,) = notify(users=[user], title="High risk case C-000001", url="/cases/1/")
    assert len(callbacks) == 1  # the email was queued after commit, and the failure caught
    # The web request did not fail; the in-app message is there and the email is owed.
    note.refresh_from_db()
    assert note.email_wanted and note.emailed_at is None
    assert send_pending_emails.run() == 0  # too recent: its own task may still run

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert send_pending_emails.run() == 1
        assert send_pending_emails.run() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["daso@dasapp.invalid"]
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_notifications_without_an_email_are_not_owed_one(persona):
    user = persona(Role.DASO, team="cru")
    user.email = ""
    user.save()
    (note,) = notify(users=[user], title="Nothing to email")
    assert Notification.objects.get(pk=note.pk).email_wanted is False


def _owed(persona, email="owner@dasapp.invalid"):
    user = persona(Role.DASO, team="cru", email=email)
    return Notification.objects.create(
        user=user, title="Safety-plan action moved to you", url="/cases/1/", email_wanted=True
    )


def test_a_worker_killed_between_claim_and_send_loses_no_email(persona, mailoutbox):
    note = _owed(persona)
    # A worker claimed the email and died before sending it: claimed, never emailed.
    Notification.objects.filter(pk=note.pk).update(email_claimed_at=timezone.now())
    later = timezone.now() + dt.timedelta(seconds=PENDING_EMAIL_GRACE_SECONDS + 10)
    with time_machine.travel(later):
        assert send_pending_emails.run() == 0  # within the lease: it may still be sending
        assert email_send(note.pk) is False
    assert mailoutbox == []
    after_lease = timezone.now() + dt.timedelta(seconds=EMAIL_CLAIM_SECONDS + 10)
    with time_machine.travel(after_lease):
        assert send_pending_emails.run() == 1
        assert send_pending_emails.run() == 0
    assert len(mailoutbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_a_failed_send_gives_the_claim_back_for_the_retry(persona, mailoutbox, monkeypatch):
    note = _owed(persona)

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("dasapp.tasks.send_mail", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        email_send(note.pk)
    note.refresh_from_db()
    assert note.email_claimed_at is None and note.emailed_at is None
    monkeypatch.undo()
    assert email_send(note.pk) is True
    assert email_send(note.pk) is False
    assert len(mailoutbox) == 1


def test_notify_many_inserts_once_skips_known_keys_and_queues_one_task_per_hundred(
    persona, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    users = [persona(Role.DASO, team="cru", email=f"d{i}@dasapp.invalid") for i in range(3)]
    notify(users=[users[0]], title="Already told", dedupe_key="follow-up:1")
    queued = []
    monkeypatch.setattr("dasapp.tasks.send_notification_emails.delay", queued.append)
    monkeypatch.setattr("dasapp.notify.EMAILS_PER_TASK", 2)
    messages = [
        Message(user=users[0], title="Told before", dedupe_key="follow-up:1"),
        Message(user=users[1], title="First", dedupe_key="follow-up:1"),
        Message(user=users[1], title="Repeat in the batch", dedupe_key="follow-up:1"),
        Message(user=users[2], title="Second", dedupe_key="follow-up:2"),
        Message(user=users[2], title="No key"),
    ]
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(2):
        made = notify_many(messages)
    assert sorted(n.title for n in made) == ["First", "No key", "Second"]
    assert all(n.pk for n in made)
    assert [len(chunk) for chunk in queued] == [2, 1]
    assert sorted(pk for chunk in queued for pk in chunk) == sorted(n.pk for n in made)
    assert Notification.objects.filter(user=users[0]).count() == 1


def test_notify_queues_one_email_task_for_everyone_told_not_one_each(
    persona, monkeypatch, django_capture_on_commit_callbacks
):
    """A slow or unreachable broker costs a request one attempt, however many are told."""
    team = [persona(Role.DASO, team="cru", email=f"t{i}@dasapp.invalid") for i in range(3)]
    queued = []
    monkeypatch.setattr("dasapp.tasks.send_notification_emails.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        made = notify(users=team, title="New high-risk case C-000009", url="/cases/9/")
    assert len(queued) == 1
    assert sorted(queued[0]) == sorted(note.pk for note in made)
