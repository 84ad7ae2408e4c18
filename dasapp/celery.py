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
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = _beat_schedule()
