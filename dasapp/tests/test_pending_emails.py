"""Emails owed for notifications made while the broker was down are sent later by the
periodic resend; each is sent once, and a recent one is left to its own queued task."""

import datetime as dt

import time_machine
from django.utils import timezone

from dasapp.models import Notification
from dasapp.notify import notify
from dasapp.roles import Role
from dasapp.tasks import send_pending_emails


def test_a_notification_made_while_the_broker_is_down_is_emailed_by_the_resend(
    persona, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    user = persona(Role.DASO, team="cru", email="daso@dasapp.invalid")

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis unreachable")

    monkeypatch.setattr("dasapp.tasks.send_notification_email.delay", broker_down)
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
