"""Background work for cases: the safety-action follow-up sweep, and the check for
cases whose owner is away.

Run by the beat schedule in `dasapp/celery.py` every few minutes. The database is the
source of truth, not the queue: a sweep that is lost (Redis down, a worker killed) is
made up by the next one, which finds the same overdue actions still open. `acks_late`
means a task whose worker dies before finishing is delivered again; the sweep is
idempotent (each action is claimed under a row lock, state is re-checked under it, and
the follow-up is unique per action, owner, reason and due time), so running it again neither
loses nor duplicates a follow-up.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cases import safety_services


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=15,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def sweep_safety_actions(self) -> dict:
    """Follow up overdue actions and actions whose owner will be away when they fall due."""
    report = safety_services.sweep_run()
    return {
        "scanned": report.scanned,
        "followed_up": report.followed_up,
        "moved": report.moved,
        "escalated": report.escalated,
        "seconds": round(report.seconds, 3),
    }


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=15,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def check_cases_owner_away(self) -> dict:
    """Tell the supervisors and team lead of open cases whose owner is away (now, or
    for high risk when the review is due), once per case and absence; moves nothing.
    Idempotent like the sweep: a lost run is made up by the next, a repeated one tells
    nobody twice (`cases.case_cover`)."""
    from cases.case_cover import cover_check_run

    report = cover_check_run()
    return {
        "scanned": report.scanned,
        "alerted": report.alerted,
        "skipped": report.skipped,
        "told": report.told,
        "seconds": round(report.seconds, 3),
    }
