"""Cases whose owner is away: the rule (pure), the periodic check that tells the owner's
supervisors and the team lead once per case and absence, and its Celery task and beat
entry. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.utils import timezone

from cases import case_cover
from cases.case_cover import AbsenceFacts, away_decision, cover_check_run
from cases.choices import CoverReason
from cases.event_verbs import EventVerb
from cases.models import Case, CaseCoverAlert
from cases.tests.test_casework_views import HUB_A_DAYS, hub_queue, queue_case
from dasapp.choices import RiskLevel
from dasapp.models import Event, Notification
from dasapp.roles import Role
from org.choices import AbsenceKind
from org.models import Absence

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def facts(n: int, start_days: float, end_days: float) -> AbsenceFacts:
    return AbsenceFacts(n, NOW + dt.timedelta(days=start_days), NOW + dt.timedelta(days=end_days))


# The rule -------------------------------------------------------------------------------


def test_a_switched_off_owner_is_away_whatever_the_risk_and_absences():
    away = away_decision(
        owner_id=7,
        owner_active=False,
        risk_level=RiskLevel.STANDARD,
        review_due_at=None,
        absences=[],
        now=NOW,
    )
    assert away == case_cover.Away("inactive:7", CoverReason.OWNER_INACTIVE)


@pytest.mark.parametrize("level", [RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH])
def test_an_absence_covering_now_counts_at_every_risk_level(level):
    away = away_decision(
        owner_id=7,
        owner_active=True,
        risk_level=level,
        review_due_at=NOW + dt.timedelta(hours=5),
        absences=[facts(3, -1, 2)],
        now=NOW,
    )
    assert away.key == "absence:3" and away.reason == CoverReason.OWNER_AWAY
    assert away.away_until == NOW + dt.timedelta(days=2)


def test_a_coming_absence_counts_only_for_a_high_risk_case_whose_review_falls_in_it():
    coming = [facts(4, 1, 3)]
    due_in_it = NOW + dt.timedelta(days=2)
    due_before = NOW + dt.timedelta(hours=12)

    def decide(level, due):
        return away_decision(
            owner_id=7,
            owner_active=True,
            risk_level=level,
            review_due_at=due,
            absences=coming,
            now=NOW,
        )

    assert decide(RiskLevel.HIGH, due_in_it).reason == CoverReason.AWAY_AT_TARGET
    assert decide(RiskLevel.MEDIUM, due_in_it) is None
    assert decide(RiskLevel.HIGH, due_before) is None  # back before it falls due
    assert decide(RiskLevel.HIGH, None) is None


def test_ended_absences_do_not_count_and_overlapping_ones_keep_one_key():
    ended = away_decision(
        owner_id=7,
        owner_active=True,
        risk_level=RiskLevel.HIGH,
        review_due_at=NOW + dt.timedelta(hours=2),
        absences=[facts(1, -5, -1)],
        now=NOW,
    )
    overlapping = away_decision(
        owner_id=7,
        owner_active=True,
        risk_level=RiskLevel.HIGH,
        review_due_at=NOW,
        absences=[facts(9, -1, 4), facts(2, -3, 1)],  # the earliest started: 2
        now=NOW,
    )
    assert ended is None
    assert overlapping.key == "absence:2"


# The check on the database ---------------------------------------------------------------


@pytest.fixture
def staff(org, persona):
    """Dee (the owner) answers to Sara in the central unit; Kim and Amy, Dee's colleagues
    in the Colchester hub, answer to Lee, who is therefore the hub's lead."""
    sara = persona(
        Role.SUPERVISOR, team="cru", username="sara", first_name="Sara", last_name="Mills"
    )
    lee = persona(
        Role.SUPERVISOR,
        team="hub-colchester",
        username="lee",
        first_name="Lee",
        last_name="Grant",
    )
    dee = persona(
        Role.DASO,
        team="hub-colchester",
        username="dee",
        first_name="Dee",
        last_name="Ash",
        supervisor=sara,
    )
    kim = persona(
        Role.DASO,
        team="hub-colchester",
        username="kim",
        first_name="Kim",
        last_name="Lee",
        supervisor=lee,
    )
    amy = persona(
        Role.DASO,
        team="hub-colchester",
        username="amy",
        first_name="Amy",
        last_name="Cole",
        supervisor=lee,
    )
    return {"sara": sara, "lee": lee, "dee": dee, "kim": kim, "amy": amy}


def held_case(owner, *, level="high", n=0, due_in_hours=None) -> Case:
    case = queue_case(hub_queue(), level=level, n=n)
    case.assigned_to = owner
    if due_in_hours is not None:
        case.review_due_at = timezone.now() + dt.timedelta(hours=due_in_hours)
    case.save()
    return case


def absence(user, *, starts_in_days: float, ends_in_days: float, kind=AbsenceKind.SICKNESS):
    now = timezone.now()
    return Absence.objects.create(
        user=user,
        kind=kind,
        starts_at=now + dt.timedelta(days=starts_in_days),
        ends_at=now + dt.timedelta(days=ends_in_days),
    )


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, dedupe_key__startswith="case-away:"))


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_an_owner_away_now_makes_one_alert_one_event_and_tells_supervisor_and_lead(staff):
    case = held_case(staff["dee"])
    sick = absence(staff["dee"], starts_in_days=-1, ends_in_days=8 - 10 / 24)  # to 3 Dec 00:00
    history_rows = case.history.count()

    report = cover_check_run()

    assert (report.alerted, report.skipped) == (1, 0)
    alert = CaseCoverAlert.objects.get(case=case)
    assert (alert.absence, alert.away_key, alert.reason) == (
        sick,
        f"absence:{sick.pk}",
        CoverReason.OWNER_AWAY,
    )
    assert sorted(alert.told) == sorted([staff["sara"].pk, staff["lee"].pk])
    event = Event.objects.get(case=case, verb=EventVerb.CASE_OWNER_AWAY)
    assert event.actor.username == "system"
    assert event.reason.startswith(
        "Dee Ash, who holds the case, is away until 2 December; its review is due "
        "26 November at 09:00. Told: Sara Mills, Lee Grant."
    )
    assert "stays with Dee Ash until someone reassigns it" in event.reason
    for person in ("sara", "lee"):
        (note,) = told(staff[person])
        assert note.title == f"High-risk case {case.reference}: its owner is away until 2 December"
        assert note.url == f"/cases/{case.pk}/?via=case:{case.pk}"
        assert f"Reassign: /cases/{case.pk}/reassign/?via=case:{case.pk}" in note.body
        assert note.email_wanted is False or note.user.email
    # Neutral words everywhere: sickness is health data; the victim is never named.
    texts = [event.reason] + [n.title + n.body for n in Notification.objects.all()]
    assert not any("sick" in t.lower() or case.victim.family_name in t for t in texts)
    # Nothing moved: a person decides.
    case.refresh_from_db()
    assert case.assigned_to == staff["dee"]
    assert case.history.count() == history_rows
    assert told(staff["dee"]) == [] and told(staff["kim"]) == []


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_running_twice_tells_nobody_twice(staff):
    case = held_case(staff["dee"])
    absence(staff["dee"], starts_in_days=-1, ends_in_days=3)

    first = cover_check_run()
    second = cover_check_run()

    assert (first.alerted, second.alerted, second.skipped) == (1, 0, 1)
    assert CaseCoverAlert.objects.filter(case=case).count() == 1
    assert Event.objects.filter(case=case, verb=EventVerb.CASE_OWNER_AWAY).count() == 1
    assert len(told(staff["sara"])) == 1 and len(told(staff["lee"])) == 1


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_a_run_overtaken_by_another_falls_back_to_one_by_one_and_duplicates_nothing(
    staff, monkeypatch
):
    """Two runs read "nobody told yet" before either writes: the second one's insert
    meets the unique constraint and it goes case by case, skipping what was told."""
    cases = [held_case(staff["dee"], n=n) for n in range(3)]
    absence(staff["dee"], starts_in_days=-1, ends_in_days=3)
    cover_check_run()
    monkeypatch.setattr(case_cover, "_raised", lambda case_ids: set())

    again = cover_check_run()

    assert (again.alerted, again.skipped, again.failed) == (0, 3, 0)
    assert CaseCoverAlert.objects.count() == 3
    assert Event.objects.filter(verb=EventVerb.CASE_OWNER_AWAY).count() == 3
    (note,) = told(staff["sara"])  # one message for the three cases
    assert note.title == "3 open cases held by Dee Ash, who is away until 28 November at 10:00"
    assert all(c.reference in note.body for c in cases)
    assert note.url == f"/queues/{hub_queue().pk}/?owner={staff['dee'].pk}&owner_away=on"


def test_a_coming_absence_alerts_a_high_risk_case_due_in_it_and_again_never(staff):
    with time_machine.travel(HUB_A_DAYS, tick=False):
        high = held_case(staff["dee"], due_in_hours=30, n=1)
        medium = held_case(staff["dee"], level="medium", due_in_hours=30, n=2)
        leave = absence(
            staff["dee"], starts_in_days=1, ends_in_days=4, kind=AbsenceKind.ANNUAL_LEAVE
        )
        early = cover_check_run()
    with time_machine.travel(HUB_A_DAYS + dt.timedelta(days=2), tick=False):
        during = cover_check_run()

    alerts = {a.case_id: a for a in CaseCoverAlert.objects.all()}
    assert early.alerted == 1
    assert alerts[high.pk].reason == CoverReason.AWAY_AT_TARGET
    assert alerts[high.pk].away_key == f"absence:{leave.pk}"
    # Once the absence has started the medium case is told about too; the high-risk
    # case is not told about again for the same absence.
    assert during.alerted == 1 and during.skipped == 1
    assert alerts[medium.pk].reason == CoverReason.OWNER_AWAY
    event = Event.objects.get(case=high, verb=EventVerb.CASE_OWNER_AWAY)
    assert "is away from 26 November at 10:00 until 29 November at 10:00" in event.reason
    assert "its review is due 26 November at 16:00" in event.reason


def test_nothing_before_the_absence_for_a_case_due_before_it_then_alerted_once_away(staff):
    with time_machine.travel(HUB_A_DAYS, tick=False):
        case = held_case(staff["dee"], due_in_hours=12)
        absence(staff["dee"], starts_in_days=2, ends_in_days=5)
        before = cover_check_run()
    with time_machine.travel(HUB_A_DAYS + dt.timedelta(days=3), tick=False):
        during = cover_check_run()
    with time_machine.travel(HUB_A_DAYS + dt.timedelta(days=6), tick=False):
        after = cover_check_run()

    assert (before.alerted, during.alerted, after.alerted) == (0, 1, 0)
    assert CaseCoverAlert.objects.get(case=case).reason == CoverReason.OWNER_AWAY


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_a_switched_off_owner_is_told_about_once(staff):
    case = held_case(staff["dee"], level="medium")
    staff["dee"].is_active = False
    staff["dee"].save()

    cover_check_run()
    cover_check_run()

    alert = CaseCoverAlert.objects.get(case=case)
    assert (alert.away_key, alert.reason) == (
        f"inactive:{staff['dee'].pk}",
        CoverReason.OWNER_INACTIVE,
    )
    (note,) = told(staff["sara"])
    assert note.title == f"Case {case.reference}: its owner has a switched-off account"
    assert note.body.startswith("Dee Ash has a switched-off account. Nothing has been moved")


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_a_supervisor_away_is_passed_over_for_theirs_at_work(staff, persona):
    boss = persona(Role.SUPERVISOR, team="cru", username="boss", first_name="Bo", last_name="Hale")
    profile = staff["sara"].profile
    profile.supervisor = boss
    profile.save()
    absence(staff["sara"], starts_in_days=-1, ends_in_days=2, kind=AbsenceKind.ANNUAL_LEAVE)
    held_case(staff["dee"])
    absence(staff["dee"], starts_in_days=-1, ends_in_days=2)

    cover_check_run()

    assert told(staff["sara"]) == []
    assert len(told(boss)) == 1 and len(told(staff["lee"])) == 1


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_cases_of_owners_at_work_are_left_alone(staff):
    held_case(staff["kim"], n=1)
    absence(staff["amy"], starts_in_days=-1, ends_in_days=2)  # away, but holds nothing

    report = cover_check_run()

    assert (report.scanned, report.alerted) == (0, 0)
    assert not CaseCoverAlert.objects.exists()


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_the_check_goes_in_batches_with_a_bounded_number_of_queries(
    staff, django_assert_max_num_queries
):
    absence(staff["dee"], starts_in_days=-1, ends_in_days=2)
    for n in range(4):
        held_case(staff["dee"], n=n)
    few = cover_check_run(batch_size=2)
    CaseCoverAlert.objects.all().delete()
    Notification.objects.all().delete()
    for n in range(4, 40):
        held_case(staff["dee"], n=n)

    # A batch costs the same few statements whatever its size; ten batches of four.
    with django_assert_max_num_queries(10 * 12 + 12):
        many = cover_check_run(batch_size=4)

    assert few.alerted == 4 and many.alerted == 40
    assert CaseCoverAlert.objects.count() == 40


# The task and its schedule ---------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_the_task_runs_the_check(staff):
    from cases.tasks import check_cases_owner_away

    held_case(staff["dee"])
    absence(staff["dee"], starts_in_days=-1, ends_in_days=2)

    result = check_cases_owner_away.apply().get()

    assert result["alerted"] == 1 and result["scanned"] == 1
    assert CaseCoverAlert.objects.count() == 1


def test_the_beat_schedule_runs_the_check_next_to_the_sweep():
    from dasapp.celery import app as celery_app

    entry = celery_app.conf.beat_schedule["check-cases-owner-away"]
    assert entry["task"] == "cases.tasks.check_cases_owner_away"
    assert entry["schedule"] == 300.0
    assert entry["options"]["expires"] == 300.0


# Two runs at once (PostgreSQL) --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_postgresql_tell_about_each_case_once(staff, monkeypatch, caplog):
    """Both runs read "nobody told yet" before either commits (the first is slowed down
    after writing its alerts, inside its transaction); the second one's insert waits on
    the unique index, then fails, and it goes case by case, skipping each."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writing transaction at a time: two runs cannot overlap there. "
            "Run with DATABASE_URL=postgres://… to test the unique constraint under a race."
        )
    people = staff
    caplog.set_level("INFO", logger="cases.case_cover")
    with time_machine.travel(HUB_A_DAYS, tick=False):
        cases = [held_case(people["dee"], n=n) for n in range(12)]
        absence(people["dee"], starts_in_days=-1, ends_in_days=3)
    from cases.safety_services.common import system_user

    system_user()
    real_notify = case_cover.notify_many

    def slow_notify(messages):
        made = real_notify(messages)
        time.sleep(0.5)  # hold the transaction open, alerts written
        return made

    monkeypatch.setattr(case_cover, "notify_many", slow_notify)
    barrier = threading.Barrier(2, timeout=10)
    reports, errors = [], []

    def worker():
        try:
            barrier.wait()
            reports.append(cover_check_run(now=HUB_A_DAYS, batch_size=5))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors, errors
    assert sum(r.alerted for r in reports) == 12
    assert sum(r.skipped for r in reports) == 12  # the other run's, each once
    assert sum(r.failed for r in reports) == 0
    # The runs did overlap: one insert met the other's alerts and went one by one.
    assert "batch overlapped another run" in caplog.text
    alerted = sorted(CaseCoverAlert.objects.values_list("case_id", flat=True))
    assert alerted == sorted(c.pk for c in cases)  # each exactly once
    assert Event.objects.filter(verb=EventVerb.CASE_OWNER_AWAY).count() == 12
    # One message per batch of five for each of the two told, never twice for a case.
    for person in ("sara", "lee"):
        listed = [
            ref
            for note in told(people[person])
            for ref in (c.reference for c in cases)
            if ref in note.body
        ]
        assert sorted(listed) == sorted(c.reference for c in cases)
