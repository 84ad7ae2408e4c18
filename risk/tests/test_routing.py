"""Routing by level, district, time of day and the hubs' rota (pure)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases.availability import Slot
from risk.routing import HubRota, route_case

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
