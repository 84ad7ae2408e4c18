"""The sweep through a real Celery worker on Redis, as production runs it (CI runs this
with REDIS_URL and PostgreSQL; elsewhere it is skipped with the reason).

A worker killed mid-task loses nothing: the task is `acks_late`, so Redis gives it to a
worker again when the first dies before acknowledging (and the next beat runs a sweep
anyway); what the dead worker committed stays, what it had not is rolled back with its
transaction, and the re-run finds the state under a row lock and the follow-up unique
per action, due time, reason and owner, so nothing is raised twice. The idempotency half is
tested in-process in `test_sweep.py` (a sweep dying half-way, then run again).
"""

from __future__ import annotations

import datetime as dt

import pytest

from cases import safety_services
from cases.choices import FollowUpReason
from cases.models import FollowUp
from cases.tasks import sweep_safety_actions
from cases.tests.test_safety_services import add, make_case, make_staff
from dasapp.celery import app as celery_app
from tests.test_celery import needs_redis_and_postgresql, real_worker_run


def test_the_sweep_task_is_late_acknowledged_and_retries_database_and_broker_hiccups():
    from django.db import OperationalError

    assert sweep_safety_actions.acks_late is True
    assert sweep_safety_actions.ignore_result is True
    assert set(sweep_safety_actions.autoretry_for) == {OperationalError, ConnectionError}
    assert sweep_safety_actions.retry_backoff


def test_the_beat_schedule_runs_the_sweep_every_five_minutes():
    entry = celery_app.conf.beat_schedule["sweep-safety-actions"]
    assert entry["task"] == "cases.tasks.sweep_safety_actions"
    assert entry["schedule"] == 300.0
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks


@pytest.mark.django_db
def test_the_task_runs_the_sweep_in_process(org, persona):
    staff = make_staff(persona)
    plan = safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)
    action = add(plan, staff.daso, owner=staff.insp_b, due_in=dt.timedelta(minutes=1))
    future = sweep_safety_actions.apply(kwargs={})  # in-process, with a request, like a worker
    assert future.successful(), future.traceback
    assert FollowUp.objects.count() == 0  # not yet due
    action.due_at = action.due_at - dt.timedelta(minutes=2)
    action.save()
    assert sweep_safety_actions.apply().result["followed_up"] == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_from_redis_and_the_follow_up_is_in_the_database(
    org, persona, tmp_path
):
    needs_redis_and_postgresql()

    staff = make_staff(persona)
    plan = safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)
    action = add(plan, staff.daso, owner=staff.insp_a, due_in=dt.timedelta(minutes=30))
    from django.utils import timezone

    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_a,
        kind="annual_leave",
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=7),
    )

    follow_up, returncode, output, _queue = real_worker_run(
        tmp_path,
        task=sweep_safety_actions,
        found=lambda: FollowUp.objects.filter(action=action).first(),
        seconds=60,
        prefix="pytest-sweep",
    )
    assert follow_up is not None, f"no follow-up within 60 s; worker output:\n{output[-3000:]}"
    assert (follow_up.reason, follow_up.to_user_id, follow_up.owner_key, follow_up.to_key) == (
        FollowUpReason.OWNER_ABSENT,
        staff.insp_b.pk,
        f"user:{staff.insp_a.pk}",
        f"user:{staff.insp_b.pk}",
    )
    action.refresh_from_db()
    assert action.owner_id == staff.insp_b.pk
    assert action.history.first().history_user.username == safety_services.SYSTEM_USERNAME
    assert returncode == 0, f"the worker did not stop cleanly ({returncode}):\n{output[-3000:]}"
