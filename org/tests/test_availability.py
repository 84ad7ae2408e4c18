"""Who is on shift and who is at work: the rule that routes cases and moves follow-ups.

The pure tests read the shipped organisation defaults (the file an administrator
starts from) and check them against the rota in product.md; the database tests check
`user_at_work` with absences and the clock moved by time-machine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml

from org.availability import Slot, cycle_day, local, next_start, pattern_covers

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
DEFAULTS = Path(__file__).resolve().parents[1] / "data" / "org_defaults.yaml"


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _patterns_by_team_kind(kind: str) -> list[dict]:
    """The shift patterns of every team of a kind in the shipped defaults."""
    spec = yaml.safe_load(DEFAULTS.read_text())
    by_name = {}
    for item in spec["shift_patterns"]:
        start = item["cycle_start"]
        by_name[item["name"]] = {
            "slots": [Slot(s["day"], _time(s["starts"]), _time(s["ends"])) for s in item["slots"]],
            "cycle_start": start if isinstance(start, dt.date) else dt.date.fromisoformat(start),
            "cycle_days": item["cycle_days"],
        }
    return [by_name[team["shift"]] for team in spec["teams"] if team["kind"] == kind]


def _covers(pattern: dict, at_local: dt.datetime) -> bool:
    return pattern_covers(at_local=at_local, **pattern)


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=LONDON)


CRU = _patterns_by_team_kind("central_referral_unit")
HUBS = _patterns_by_team_kind("hub")
# A spread of dates: a cycle start, dates before it, both clock changes and a leap day.
DATES = [
    dt.date(2026, 1, 5),
    dt.date(2025, 12, 31),
    dt.date(2026, 3, 29),
    dt.date(2026, 7, 14),
    dt.date(2026, 10, 25),
    dt.date(2028, 2, 29),
]


# cycle_day -------------------------------------------------------------------------


def test_cycle_day_counts_from_one_on_the_cycle_start():
    start = dt.date(2026, 1, 5)
    assert [cycle_day(start, 3, start + dt.timedelta(days=n)) for n in range(7)] == [
        1,
        2,
        3,
        1,
        2,
        3,
        1,
    ]


def test_cycle_day_wraps_backwards_for_dates_before_the_cycle_start():
    start = dt.date(2026, 1, 5)
    assert cycle_day(start, 3, dt.date(2026, 1, 4)) == 3
    assert cycle_day(start, 3, dt.date(2026, 1, 3)) == 2
    assert cycle_day(start, 7, dt.date(2025, 12, 29)) == 1


def test_one_day_cycle_is_always_day_one():
    start = dt.date(2026, 1, 5)
    assert {cycle_day(start, 1, start + dt.timedelta(days=n)) for n in range(-10, 10)} == {1}


# The central referral unit: 08:00 to midnight every day -----------------------------


def test_defaults_have_exactly_one_central_referral_unit_pattern():
    assert len(CRU) == 1


@pytest.mark.parametrize("day", DATES)
def test_central_unit_is_on_from_eight_until_midnight_every_day(day):
    (cru,) = CRU
    assert not _covers(cru, _at(day, 7, 59))
    assert _covers(cru, _at(day, 8, 0))
    assert _covers(cru, _at(day, 13, 30))
    assert _covers(cru, _at(day, 23, 59))
    assert not _covers(cru, _at(day, 0, 0))
    assert not _covers(cru, _at(day, 3, 0))


def test_central_unit_next_start_after_midnight_is_eight_the_same_morning():
    (cru,) = CRU
    after = _at(dt.date(2026, 7, 14), 0, 30)
    assert next_start(after_local=after, **cru) == _at(dt.date(2026, 7, 14), 8)


def test_central_unit_next_start_late_evening_is_eight_next_morning():
    (cru,) = CRU
    after = _at(dt.date(2026, 7, 14), 23, 0)
    assert next_start(after_local=after, **cru) == _at(dt.date(2026, 7, 15), 8)


# The three hubs: 08:00 to 22:00, one on days, one on evenings, one resting ----------


def test_defaults_have_three_hub_patterns_on_a_three_day_cycle():
    assert len(HUBS) == 3
    assert {hub["cycle_days"] for hub in HUBS} == {3}


@pytest.mark.parametrize("day", DATES)
def test_exactly_one_hub_covers_each_daytime_and_evening_hour(day):
    for hour, minute in [(8, 0), (10, 0), (14, 59), (15, 0), (18, 0), (21, 59)]:
        on = [hub for hub in HUBS if _covers(hub, _at(day, hour, minute))]
        assert len(on) == 1, f"{day} {hour:02}:{minute:02}: {len(on)} hubs on duty"


@pytest.mark.parametrize("day", DATES)
def test_the_day_hub_and_the_evening_hub_differ(day):
    (day_hub,) = [i for i, hub in enumerate(HUBS) if _covers(hub, _at(day, 10))]
    (evening_hub,) = [i for i, hub in enumerate(HUBS) if _covers(hub, _at(day, 18))]
    assert day_hub != evening_hub


@pytest.mark.parametrize("day", DATES)
def test_no_hub_covers_the_night(day):
    for hour, minute in [(22, 0), (23, 0), (0, 0), (3, 0), (7, 59)]:
        assert not any(_covers(hub, _at(day, hour, minute)) for hub in HUBS), (day, hour)


def test_hubs_cover_every_quarter_hour_from_eight_to_ten_for_a_month():
    first = dt.date(2026, 3, 15)  # spans the March clock change
    for n in range(31):
        day = first + dt.timedelta(days=n)
        for quarter in range(8 * 4, 22 * 4):
            at = _at(day, quarter // 4, quarter % 4 * 15)
            assert sum(_covers(hub, at) for hub in HUBS) == 1, at


def _works_on(hub: dict, day: dt.date) -> bool:
    return any(_covers(hub, _at(day, quarter // 4, quarter % 4 * 15)) for quarter in range(96))


@pytest.mark.parametrize("first", DATES)
def test_over_three_consecutive_days_each_hub_rests_exactly_once(first):
    days = [first + dt.timedelta(days=n) for n in range(3)]
    for hub in HUBS:
        rest_days = [day for day in days if not _works_on(hub, day)]
        assert len(rest_days) == 1, (first, rest_days)
    # and on each of the three days a different hub rests
    resting = [next(i for i, hub in enumerate(HUBS) if not _works_on(hub, day)) for day in days]
    assert sorted(resting) == [0, 1, 2]


# Office hours: the MARAC unit and the IDVA service -----------------------------------


@pytest.mark.parametrize("kind", ["marac_unit", "idva_service"])
def test_office_hours_are_monday_to_friday_eight_to_six(kind):
    (office,) = _patterns_by_team_kind(kind)
    monday = dt.date(2026, 11, 23)
    for n in range(14):
        day = monday + dt.timedelta(days=n)
        weekday = day.weekday() < 5
        assert _covers(office, _at(day, 8, 0)) is weekday, day
        assert _covers(office, _at(day, 17, 59)) is weekday, day
        assert not _covers(office, _at(day, 7, 59)), day
        assert not _covers(office, _at(day, 18, 0)), day


# A slot that crosses midnight --------------------------------------------------------

NIGHTS = {
    "slots": [Slot(1, dt.time(22, 0), dt.time(6, 0))],
    "cycle_start": dt.date(2026, 1, 5),
    "cycle_days": 2,
}


def test_slot_crossing_midnight_covers_the_late_evening_of_its_own_day():
    assert not _covers(NIGHTS, _at(dt.date(2026, 1, 5), 21, 59))
    assert _covers(NIGHTS, _at(dt.date(2026, 1, 5), 22, 0))
    assert _covers(NIGHTS, _at(dt.date(2026, 1, 5), 23, 59))


def test_slot_crossing_midnight_covers_the_early_morning_of_the_next_day():
    assert _covers(NIGHTS, _at(dt.date(2026, 1, 6), 0, 0))
    assert _covers(NIGHTS, _at(dt.date(2026, 1, 6), 5, 59))
    assert not _covers(NIGHTS, _at(dt.date(2026, 1, 6), 6, 0))


def test_slot_crossing_midnight_does_not_cover_days_it_is_not_on():
    # Day 1's early morning belongs to the previous day 2, which has no slot.
    assert not _covers(NIGHTS, _at(dt.date(2026, 1, 5), 3, 0))
    # Day 2's evening: no slot starts on day 2.
    assert not _covers(NIGHTS, _at(dt.date(2026, 1, 6), 23, 0))
    # Two days on, the cycle repeats.
    assert _covers(NIGHTS, _at(dt.date(2026, 1, 7), 23, 0))


def test_next_start_of_a_two_day_cycle_skips_the_day_off():
    after = _at(dt.date(2026, 1, 6), 6, 0)  # day 2, just after the night ended
    assert next_start(after_local=after, **NIGHTS) == _at(dt.date(2026, 1, 7), 22)


def test_next_start_of_a_pattern_with_no_slots_is_none():
    empty = {"slots": [], "cycle_start": dt.date(2026, 1, 5), "cycle_days": 3}
    assert next_start(after_local=_at(dt.date(2026, 1, 5), 9), **empty) is None


# Clock changes (local time is Europe/London) -----------------------------------------


def test_local_time_follows_british_summer_time_from_the_last_sunday_of_march():
    # 2026-03-29: clocks go forward at 01:00 UTC.
    assert local(dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)).hour == 0
    assert local(dt.datetime(2026, 3, 29, 7, 30, tzinfo=UTC)).hour == 8


def test_central_unit_opens_at_eight_local_on_the_day_the_clocks_go_forward():
    (cru,) = CRU
    # 07:00 UTC is 08:00 BST on 29 March 2026, but 07:00 GMT the day before.
    assert _covers(cru, local(dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)))
    assert not _covers(cru, local(dt.datetime(2026, 3, 29, 6, 59, tzinfo=UTC)))
    assert not _covers(cru, local(dt.datetime(2026, 3, 28, 7, 30, tzinfo=UTC)))
    # Midnight BST is 23:00 UTC: the unit closes an hour earlier in UTC terms.
    assert _covers(cru, local(dt.datetime(2026, 3, 29, 22, 59, tzinfo=UTC)))
    assert not _covers(cru, local(dt.datetime(2026, 3, 29, 23, 0, tzinfo=UTC)))


def test_central_unit_opens_at_eight_local_on_the_day_the_clocks_go_back():
    (cru,) = CRU
    # 2026-10-25: clocks go back at 01:00 UTC; 08:00 GMT is 08:00 UTC.
    assert not _covers(cru, local(dt.datetime(2026, 10, 25, 7, 30, tzinfo=UTC)))
    assert _covers(cru, local(dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC)))
    # The day before, still BST: 07:30 UTC is 08:30 local.
    assert _covers(cru, local(dt.datetime(2026, 10, 24, 7, 30, tzinfo=UTC)))


def test_next_start_across_the_spring_clock_change_is_eight_local_seven_utc():
    (cru,) = CRU
    after = local(dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC))  # 23:30 GMT
    start = next_start(after_local=after, **cru)
    assert start.hour == 8
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_next_start_across_the_autumn_clock_change_is_eight_local_eight_utc():
    (cru,) = CRU
    after = local(dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC))  # 00:30 BST on the 25th
    start = next_start(after_local=after, **cru)
    assert start.astimezone(UTC) == dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_night_slot_on_the_night_the_clocks_go_back_ends_at_six_local():
    # 22:00 on 24 October BST to 06:00 on 25 October GMT: nine hours of real time.
    nights = {**NIGHTS, "cycle_start": dt.date(2026, 10, 24)}
    assert _covers(nights, local(dt.datetime(2026, 10, 25, 5, 59, tzinfo=UTC)))
    assert not _covers(nights, local(dt.datetime(2026, 10, 25, 6, 0, tzinfo=UTC)))
    assert _covers(nights, local(dt.datetime(2026, 10, 24, 21, 0, tzinfo=UTC)))  # 22:00 BST
    assert not _covers(nights, local(dt.datetime(2026, 10, 24, 20, 59, tzinfo=UTC)))


# user_at_work with the database -----------------------------------------------------


def _utc(local_text: str) -> dt.datetime:
    """An aware UTC datetime from a London wall-clock time, 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(local_text).replace(tzinfo=LONDON).astimezone(UTC)


def _absence(user, kind: str, starts: str, ends: str):
    from org.models import Absence

    return Absence.objects.create(
        user=user, kind=kind, starts_at=_utc(starts), ends_at=_utc(ends), note="Test"
    )


@pytest.fixture
def cru_daso(persona):
    return persona("daso", team="cru")


@pytest.mark.django_db
def test_user_on_a_team_pattern_is_at_work_only_inside_the_shift(cru_daso):
    from org.availability import user_at_work

    with time_machine.travel(_utc("2026-07-14 10:00"), tick=False):
        assert user_at_work(cru_daso)
    with time_machine.travel(_utc("2026-07-14 07:59"), tick=False):
        assert not user_at_work(cru_daso)
    with time_machine.travel(_utc("2026-07-14 23:59"), tick=False):
        assert user_at_work(cru_daso)
    with time_machine.travel(_utc("2026-07-15 00:00"), tick=False):
        assert not user_at_work(cru_daso)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["annual_leave", "sickness", "training"])
def test_user_on_shift_but_absent_is_not_at_work(cru_daso, kind):
    from org.availability import user_at_work

    _absence(cru_daso, kind, "2026-07-13 00:00", "2026-07-20 00:00")
    with time_machine.travel(_utc("2026-07-14 10:00"), tick=False):
        assert not user_at_work(cru_daso)


@pytest.mark.django_db
def test_absence_counts_from_its_start_and_not_at_its_end(cru_daso):
    from org.availability import user_at_work

    _absence(cru_daso, "sickness", "2026-07-14 12:00", "2026-07-14 15:00")
    assert user_at_work(cru_daso, _utc("2026-07-14 11:59"))
    assert not user_at_work(cru_daso, _utc("2026-07-14 12:00"))
    assert not user_at_work(cru_daso, _utc("2026-07-14 14:59"))
    assert user_at_work(cru_daso, _utc("2026-07-14 15:00"))


@pytest.mark.django_db
def test_another_users_absence_does_not_affect_a_colleague(cru_daso, persona):
    from org.availability import user_at_work

    colleague = persona("daso", team="cru")
    _absence(colleague, "annual_leave", "2026-07-13 00:00", "2026-07-20 00:00")
    assert user_at_work(cru_daso, _utc("2026-07-14 10:00"))
    assert not user_at_work(colleague, _utc("2026-07-14 10:00"))


@pytest.mark.django_db
def test_user_with_no_pattern_is_at_work_at_any_hour_unless_absent(persona):
    from org.availability import user_at_work

    user = persona("supervisor")  # no team, so no pattern
    assert user.profile.effective_shift_pattern is None
    for moment in ["2026-07-14 03:00", "2026-07-14 12:00", "2026-12-25 23:30"]:
        with time_machine.travel(_utc(moment), tick=False):
            assert user_at_work(user), moment
    _absence(user, "annual_leave", "2026-12-24 00:00", "2026-12-27 00:00")
    with time_machine.travel(_utc("2026-12-25 23:30"), tick=False):
        assert not user_at_work(user)


@pytest.mark.django_db
def test_inactive_user_is_never_at_work(persona):
    from org.availability import user_at_work

    on_pattern = persona("daso", team="cru")
    no_pattern = persona("officer")
    for user in (on_pattern, no_pattern):
        user.is_active = False
        user.save()
        assert not user_at_work(user, _utc("2026-07-14 10:00"))


@pytest.mark.django_db
def test_own_pattern_overrides_the_teams(cru_daso):
    from org.availability import user_at_work
    from org.models import ShiftPattern, ShiftSlot

    early = ShiftPattern.objects.create(
        name="Early only", cycle_start=dt.date(2026, 1, 5), cycle_days=1
    )
    ShiftSlot.objects.create(pattern=early, cycle_day=1, starts=dt.time(6), ends=dt.time(9))
    cru_daso.profile.shift_pattern = early
    cru_daso.profile.save()
    assert user_at_work(cru_daso, _utc("2026-07-14 06:30"))  # the CRU is closed
    assert not user_at_work(cru_daso, _utc("2026-07-14 10:00"))  # the CRU is open


@pytest.mark.django_db
def test_hub_dasos_take_turns_over_three_days(persona):
    """One hub DASO at work at 10:00 each day, one at 18:00, none at 23:00."""
    from org.availability import user_at_work
    from org.models import Team

    hubs = Team.objects.filter(kind="hub")
    assert hubs.count() == 3
    dasos = [persona("daso", team=hub.code) for hub in hubs]
    for n in range(3):
        day = dt.date(2026, 10, 24) + dt.timedelta(days=n)  # spans the autumn change
        for hour, expected in [(10, 1), (18, 1), (23, 0)]:
            at = _utc(f"{day.isoformat()} {hour:02}:00")
            assert sum(user_at_work(daso, at) for daso in dasos) == expected, (day, hour)


@pytest.mark.django_db
def test_team_on_duty_follows_the_team_pattern_and_a_team_without_one_is_never_on(org):
    from org.availability import team_on_duty
    from org.models import Team

    cru = Team.objects.get(kind="central_referral_unit")
    assert team_on_duty(cru, _utc("2026-07-14 10:00"))
    assert not team_on_duty(cru, _utc("2026-07-14 07:00"))
    partner = Team.objects.filter(kind="partner_agency", shift_pattern=None).first()
    assert partner is not None
    assert not team_on_duty(partner, _utc("2026-07-14 10:00"))
