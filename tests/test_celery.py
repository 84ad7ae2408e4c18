"""Background work: the heartbeat proves a worker and the beat scheduler are running.

The unit tests call the task and the service in-process; the `redis` test starts a real
`celery -A dasapp worker` against Redis and the test database, sends the task through
the broker and waits for the row the worker writes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from dasapp import services
from dasapp.celery import app as celery_app
from dasapp.models import Heartbeat
from dasapp.tasks import heartbeat

REPO = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2026, 7, 14, 9, 0, tzinfo=dt.UTC)


# The task and the service -----------------------------------------------------------


@pytest.mark.django_db
def test_heartbeat_task_records_a_beat_with_the_workers_hostname():
    heartbeat.push_request(hostname="worker-1@example")
    try:
        with time_machine.travel(T0, tick=False):
            heartbeat.run()
    finally:
        heartbeat.pop_request()
    beat = Heartbeat.objects.get(name="worker")
    assert (beat.beat_at, beat.count, beat.hostname) == (T0, 1, "worker-1@example")


@pytest.mark.django_db
def test_each_beat_moves_the_time_on_and_counts_without_a_second_row():
    with time_machine.travel(T0, tick=False):
        services.heartbeat_record(name="worker", hostname="a")
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        heartbeat.apply().get()  # run in-process with a request, as a worker would
    beat = Heartbeat.objects.get(name="worker")
    assert Heartbeat.objects.count() == 1
    assert (beat.beat_at, beat.count) == (T0 + dt.timedelta(seconds=30), 2)
    assert beat.hostname == socket.gethostname()


# /healthz ------------------------------------------------------------------------------


def _health(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_healthz_reports_the_worker_ok_within_three_intervals(client, settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 30
    with time_machine.travel(T0, tick=False):
        services.heartbeat_record(name="worker")
    for seconds in (0, 30, 89, 90):
        with time_machine.travel(T0 + dt.timedelta(seconds=seconds), tick=False):
            body = _health(client)
        assert body["heartbeat"]["ok"] is True, seconds
        assert body["heartbeat"]["seconds_ago"] == seconds
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_the_worker_not_ok_when_the_last_beat_is_old(client, settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 30
    with time_machine.travel(T0, tick=False):
        services.heartbeat_record(name="worker")
    with time_machine.travel(T0 + dt.timedelta(seconds=91), tick=False):
        body = _health(client)
    assert body["heartbeat"]["ok"] is False
    assert body["database"] == "ok"  # the web still answers: only the worker is late


@pytest.mark.django_db
def test_healthz_reports_the_worker_not_ok_before_any_beat(client):
    body = _health(client)
    assert body["heartbeat"] == {"last_beat": None, "seconds_ago": None, "count": 0, "ok": False}


@pytest.mark.django_db
def test_healthz_follows_the_configured_interval(client, settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 5
    with time_machine.travel(T0, tick=False):
        services.heartbeat_record(name="worker")
    with time_machine.travel(T0 + dt.timedelta(seconds=16), tick=False):
        assert _health(client)["heartbeat"]["ok"] is False


# The beat schedule ---------------------------------------------------------------------


def test_beat_schedule_runs_the_heartbeat_every_interval():
    entry = celery_app.conf.beat_schedule["heartbeat"]
    assert entry["task"] == "dasapp.tasks.heartbeat"
    assert entry["schedule"] == float(settings.HEARTBEAT_INTERVAL_SECONDS)


def test_every_scheduled_task_is_a_registered_task():
    celery_app.loader.import_default_modules()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert entry["task"] in celery_app.tasks, name


def test_beat_uses_the_database_scheduler():
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_beat_schedule_is_defined_in_dasapp_celery_and_nowhere_else():
    pattern = re.compile(r"beat_schedule|CELERY_BEAT_SCHEDULE\b|PeriodicTask\.objects\.create")
    found = []
    for path in REPO.rglob("*.py"):
        parts = set(path.relative_to(REPO).parts)
        if parts & {".venv", "node_modules", "tests", "migrations", "var", "__pycache__"}:
            continue
        if pattern.search(path.read_text(errors="ignore")):
            found.append(str(path.relative_to(REPO)))
    assert found == ["dasapp/celery.py"]


@pytest.mark.django_db(transaction=True)  # the scheduler closes connections inside atomic
def test_database_scheduler_installs_the_heartbeat_from_the_schedule():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    scheduler = DatabaseScheduler(app=celery_app, lazy=False)
    assert "heartbeat" in scheduler.schedule
    task = PeriodicTask.objects.get(name="heartbeat")
    assert task.task == "dasapp.tasks.heartbeat"
    assert task.interval.every == settings.HEARTBEAT_INTERVAL_SECONDS
    assert task.enabled


# A real worker on Redis ---------------------------------------------------------------


def _url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def _database_url_of_the_test_database() -> str:
    """A DATABASE_URL naming the database this test runs on (pytest-django's test_…)."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(s['NAME'], safe='')}"


def _stop(process: subprocess.Popen, timeout: float = 30) -> int | None:
    """Warm shutdown (SIGTERM), as Docker and honcho stop a worker; kill if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
            return None
    return process.returncode


def needs_redis_and_postgresql() -> None:
    """Skip unless a real worker can run: a broker, and a database it can reach."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("set REDIS_URL to run a real Celery worker against Redis")
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can reach: use PostgreSQL")


def real_worker_run(tmp_path, *, task, found, seconds: float, prefix: str = "pytest"):
    """Start a real Celery worker on Redis, consuming a queue of its own, send it `task`
    and poll `found()` until it returns something or `seconds` pass; then stop the
    worker. Returns what `found` returned (or None), the worker's exit code, its output
    and the queue (the worker's node name is `<queue>@<host>`)."""
    broker = _url_with_db(os.environ["REDIS_URL"], 9)  # db 9: out of other runs' way
    queue = f"{prefix}-{uuid.uuid4().hex[:12]}"  # only this test's worker consumes it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dasapp.settings",
        "DATABASE_URL": _database_url_of_the_test_database(),
        "REDIS_URL": broker,
        "DASAPP_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [
                *[sys.executable, "-m", "celery", "-A", "dasapp", "worker"],
                *["--loglevel=INFO", "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h"],
                *["--without-gossip", "--without-mingle", "--without-heartbeat"],
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a hung pool can be killed
        )
    result = None
    try:
        with celery_app.connection_for_write(broker) as conn:
            task.apply_async(queue=queue, connection=conn)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and worker.poll() is None:
                result = found()
                if result is not None:
                    break
                time.sleep(0.25)
            celery_app.amqp.queues[queue].bind(conn.default_channel).delete()
    finally:
        returncode = _stop(worker)
    return result, returncode, log_path.read_text(errors="replace"), queue


@pytest.mark.redis
def test_a_real_worker_consumes_the_heartbeat_from_redis(transactional_db, tmp_path):
    needs_redis_and_postgresql()
    beat, returncode, output, queue = real_worker_run(
        tmp_path,
        task=heartbeat,
        found=lambda: Heartbeat.objects.filter(name="worker").first(),
        seconds=30,
    )
    assert beat is not None, f"no heartbeat within 30 s; worker output:\n{output[-3000:]}"
    assert beat.hostname.startswith(f"{queue}@"), "the beat came from another worker"
    assert returncode == 0, f"the worker did not stop cleanly ({returncode}):\n{output[-3000:]}"
