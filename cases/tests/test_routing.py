"""Routing by level, district, time of day and the hubs' rota (pure), and whether a hub
on its shift has a DASO at work (`org.availability.team_at_work`, with the database
and time travel)."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.routing import HubRota, route_case
from org.availability import Slot

LONDON = ZoneInfo("Europe/London")
START = dt.date(2026, 1, 5)  # day 1 of every rota
DAYS, EVENINGS = (dt.time(8), dt.time(15)), (dt.time(15), dt.time(22))
COLCHESTER_DISTRICT, BASILDON_DISTRICT = 1, 2
CRU = 99


def rota(team_id, name, districts, days_on, evenings_on):
    slots = (Slot(days_on, *DAYS), Slot(evenings_on, *EVENINGS))
    return HubRota(team_id, name, frozenset(districts), slots, START, 3)


# Day 1: A days, B evenings, C rests; day 2: C days, A evenings, B rests;
# day 3: B days, C evenings, A rests.
HUBS = [
    rota(10, "Colchester hub", {COLCHESTER_DISTRICT}, days_on=1, evenings_on=2),
    rota(20, "Laindon hub", {BASILDON_DISTRICT}, days_on=3, evenings_on=1),
    rota(30, "Brentwood hub", set(), days_on=2, evenings_on=3),
]


def at(day_of_cycle: int, hour: int, minute: int = 0, weeks: int = 10) -> dt.datetime:
    day = START + dt.timedelta(days=weeks * 21 + day_of_cycle - 1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def route(level, district, when):
    return route_case(level=level, district_id=district, at_local=when, hubs=HUBS, cru_team_id=CRU)


def test_high_risk_goes_to_the_local_hub_when_it_is_on_duty():
    r = route("high", COLCHESTER_DISTRICT, at(1, 10))
    assert (r.queue_kind, r.team_id) == ("hub_high", 10)
    assert r.notify_central_unit


def test_high_risk_goes_to_the_hub_on_duty_when_the_local_hub_rests():
    r = route("high", COLCHESTER_DISTRICT, at(3, 10))
    assert (r.queue_kind, r.team_id) == ("hub_high", 20)
    assert "covers this district" in r.note


def test_evening_high_risk_goes_to_the_evening_hub():
    assert route("high", BASILDON_DISTRICT, at(1, 18)).team_id == 20
    assert route("high", COLCHESTER_DISTRICT, at(2, 21, 59)).team_id == 10


def test_high_risk_outside_hub_hours_goes_to_the_central_unit_and_shows_when_a_hub_takes_over():
    r = route("high", COLCHESTER_DISTRICT, at(1, 22, 30))
    assert (r.queue_kind, r.team_id) == ("cru_high", CRU)
    assert r.hub_takes_over_at == at(2, 8)
    assert "08:00" in r.note and r.notify_central_unit


def test_just_after_midnight_the_hub_takes_over_at_eight():
    r = route("high", BASILDON_DISTRICT, at(2, 0, 5))
    assert r.queue_kind == "cru_high"
    assert r.hub_takes_over_at == at(2, 8)


@pytest.mark.parametrize(("level", "kind"), [("medium", "cru_medium"), ("standard", "researchers")])
def test_medium_and_standard_go_to_the_central_unit_queues(level, kind):
    r = route(level, COLCHESTER_DISTRICT, at(1, 10))
    assert (r.queue_kind, r.team_id) == (kind, CRU)
    assert not r.notify_central_unit


def test_every_daytime_hour_has_exactly_one_hub_on_days_and_one_on_evenings():
    for day in (1, 2, 3):
        assert sum(h.on_duty(at(day, 10)) for h in HUBS) == 1
        assert sum(h.on_duty(at(day, 18)) for h in HUBS) == 1
        assert sum(h.on_duty(at(day, 23)) for h in HUBS) == 0


# Nobody at work in a hub on its shift (pure: `at_work` says who has somebody) ----------

# Dedham hub works days on day 1 alongside Colchester hub and serves no district.
DEDHAM = rota(40, "Dedham hub", set(), days_on=1, evenings_on=3)


def nobody_in(*team_ids):
    return lambda hub, when: hub.team_id not in team_ids


def test_a_local_hub_on_its_shift_with_nobody_at_work_is_passed_over_and_the_note_says_why():
    r = route_case(
        level="high",
        district_id=COLCHESTER_DISTRICT,
        at_local=at(1, 10),
        hubs=[*HUBS, DEDHAM],
        cru_team_id=CRU,
        at_work=nobody_in(10),
    )
    assert (r.queue_kind, r.team_id) == ("hub_high", 40)
    assert r.note == (
        "High risk: Dedham hub is on duty and covers this district: "
        "nobody at work in Colchester hub"
    )


def test_with_nobody_at_work_in_the_hub_on_duty_the_central_unit_holds_it_until_a_hub_has():
    # Day 1, 10:00: only Colchester hub is on its shift, and nobody in it is at work. The
    # next shift is Laindon hub's evening, but nobody there will be at work either.
    r = route_case(
        level="high",
        district_id=COLCHESTER_DISTRICT,
        at_local=at(1, 10),
        hubs=HUBS,
        cru_team_id=CRU,
        at_work=nobody_in(10, 20),
    )
    assert (r.queue_kind, r.team_id) == ("cru_high", CRU)
    assert r.hub_takes_over_at == at(2, 8)  # Brentwood hub's day shift
    assert r.note == (
        "High risk, nobody at work in Colchester hub: central referral unit until "
        f"Brentwood hub comes on duty at 08:00 on {at(2, 8):%-d %B}"
    )
    assert "outside hub hours" not in r.note and r.notify_central_unit


def test_with_nobody_at_work_in_any_hub_the_central_unit_holds_it_without_a_take_over_time():
    r = route_case(
        level="high",
        district_id=BASILDON_DISTRICT,
        at_local=at(1, 23),
        hubs=HUBS,
        cru_team_id=CRU,
        at_work=nobody_in(10, 20, 30),
    )
    assert (r.queue_kind, r.team_id, r.hub_takes_over_at) == ("cru_high", CRU, None)
    assert r.note == (
        "High risk outside hub hours: central referral unit; "
        "no hub has anybody at work on its coming shifts"
    )


def test_a_hub_at_work_is_asked_about_the_routing_moment_only_while_on_its_shift():
    asked = []

    def at_work(hub, when):
        asked.append((hub.team_id, when))
        return True

    when = at(1, 10)
    r = route_case(
        level="high",
        district_id=BASILDON_DISTRICT,
        at_local=when,
        hubs=HUBS,
        cru_team_id=CRU,
        at_work=at_work,
    )
    # Laindon hub (the local one) rests on day 1 mornings: Colchester hub is asked, once.
    assert r.team_id == 10 and "while its own hub rests" in r.note
    assert asked == [(10, when)]


# The same with the database: hubs, DASOs and absences (time travel) ------------------

# 26 November 2026 is day 2 of the demo hub cycle: Colchester hub on evenings (15:00 to
# 22:00); Laindon hub's next shift is days on the 27th (08:00), Brentwood hub's evenings
# on the 27th (15:00).
EVENING = dt.datetime(2026, 11, 26, 18, 0, tzinfo=LONDON)


@pytest.fixture
def hubs(org, persona):
    from cases.tests.factories import PersonFactory
    from org.models import District

    sup = persona("supervisor", "hub-colchester", "sgt.hale", first_name="Ruth", last_name="Hale")
    ash = persona("daso", "hub-colchester", "daso.ash", first_name="Dee", last_name="Ash")
    reeve = persona("daso", "hub-colchester", "daso.reeve", first_name="Sam", last_name="Reeve")
    laindon = persona("daso", "hub-laindon", "daso.okoro", first_name="Ife", last_name="Okoro")
    brentwood = persona("daso", "hub-brentwood", "daso.lund", first_name="Kit", last_name="Lund")
    officer = persona("officer", "response", "pc.vance", first_name="Lee", last_name="Vance")
    return SimpleNamespace(
        sup=sup,
        ash=ash,
        reeve=reeve,
        laindon=laindon,
        brentwood=brentwood,
        officer=officer,
        victim=PersonFactory(given_name="Nia", family_name="Fictional-Rowe"),
        colchester=District.objects.get(code="colchester"),
    )


def away(person, *, by, kind="annual_leave", days=7):
    from cases import safety_services

    return safety_services.absence_record(
        user=by,
        person=person,
        kind=kind,
        starts_at=EVENING - dt.timedelta(days=1),
        ends_at=EVENING + dt.timedelta(days=days),
    )


def routed(h):
    """The case routed now; `case.note` is the routing note its event keeps in full."""
    from cases import case_services
    from cases.event_verbs import EventVerb
    from dasapp.models import Event

    case, _ = case_services.case_open_or_join(
        victim=h.victim, perpetrator=None, level="high", user=h.officer, district=h.colchester
    )
    case = case_services.case_route(case=case, user=h.officer)
    case.note = Event.objects.filter(case=case, verb=EventVerb.CASE_ROUTED).latest("pk").new["note"]
    return case


@time_machine.travel(EVENING, tick=False)
def test_a_hub_on_its_shift_with_every_daso_away_is_skipped_and_the_note_says_why(hubs):
    away(hubs.ash, by=hubs.sup)
    away(hubs.reeve, by=hubs.sup, kind="sickness")

    case = routed(hubs)

    assert case.queue.kind == "cru_high"  # no other hub is on its shift at 18:00
    assert case.hub_takes_over_at == dt.datetime(2026, 11, 27, 8, 0, tzinfo=LONDON)
    assert case.note == (
        "High risk, nobody at work in Colchester hub: central referral unit until "
        "Laindon hub comes on duty at 08:00 on 27 November"
    )


@time_machine.travel(EVENING, tick=False)
def test_with_one_daso_back_the_hub_on_its_shift_is_chosen(hubs):
    from cases import safety_services

    away(hubs.ash, by=hubs.sup)
    sick = away(hubs.reeve, by=hubs.sup, kind="sickness")
    assert routed(hubs).queue.kind == "cru_high"

    safety_services.absence_end(absence=sick, user=hubs.sup, reason="Back early, fit to work")
    case = routed(hubs)

    assert (case.queue.kind, case.queue.team.code) == ("hub_high", "hub-colchester")
    assert case.note == "High risk: Colchester hub, on duty for this district"


@time_machine.travel(EVENING, tick=False)
def test_a_hub_with_only_a_supervisor_or_a_switched_off_daso_at_work_is_not_at_work(hubs):
    from org.availability import team_at_work
    from org.models import Team

    colchester = Team.objects.get(code="hub-colchester")
    assert team_at_work(colchester)
    away(hubs.ash, by=hubs.sup)
    assert team_at_work(colchester)  # Sam Reeve still is
    hubs.reeve.is_active = False
    hubs.reeve.save()
    assert not team_at_work(colchester)  # Ruth Hale, a supervisor, does not work cases
    # Off its shift it is not at work whoever is in.
    assert not team_at_work(Team.objects.get(code="hub-laindon"))


def test_the_take_over_time_skips_a_hub_shift_with_nobody_at_work(hubs):
    # Laindon hub's only DASO is on leave over its next shift (27th, 08:00): Brentwood
    # hub takes over at 15:00 instead.
    with time_machine.travel(EVENING, tick=False):
        away(hubs.ash, by=hubs.sup)
        away(hubs.reeve, by=hubs.sup)
        away(hubs.laindon, by=hubs.sup, days=3)
        case = routed(hubs)
    assert case.hub_takes_over_at == dt.datetime(2026, 11, 27, 15, 0, tzinfo=LONDON)
    assert "until Brentwood hub comes on duty at 15:00 on 27 November" in case.note
