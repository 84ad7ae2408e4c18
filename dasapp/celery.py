"""The Celery application. The beat schedule is defined here and nowhere else."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasapp.settings")

app = Celery("dasapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _beat_schedule() -> dict:
    from django.conf import settings

    return {
        "heartbeat": {
            "task": "dasapp.tasks.heartbeat",
            "schedule": float(settings.HEARTBEAT_INTERVAL_SECONDS),
            "options": {"expires": float(settings.HEARTBEAT_INTERVAL_SECONDS)},
        },
        # Emails owed for notifications made while the broker was unreachable.
        "send-pending-emails": {
            "task": "dasapp.tasks.send_pending_emails",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
        # Safety-plan follow-ups (issue 5). A sweep not started within one interval is
        # dropped: the next one does the same work from the database.
        "sweep-safety-actions": {
            "task": "cases.tasks.sweep_safety_actions",
            "schedule": float(getattr(settings, "SAFETY_SWEEP_INTERVAL_SECONDS", 300)),
            "options": {"expires": float(getattr(settings, "SAFETY_SWEEP_INTERVAL_SECONDS", 300))},
        },
        # Cases whose owner is away: supervisors told once per case and absence. Like the
        # sweep, a run not started within one interval is dropped; the next does its work.
        "check-cases-owner-away": {
            "task": "cases.tasks.check_cases_owner_away",
            "schedule": float(getattr(settings, "CASE_COVER_INTERVAL_SECONDS", 300)),
            "options": {"expires": float(getattr(settings, "CASE_COVER_INTERVAL_SECONDS", 300))},
        },
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = _beat_schedule()
