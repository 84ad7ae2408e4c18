"""The "safety plan in place" flag: raised on the victim and her current address when the
plan is agreed with her, once however often it is agreed, lifted with history when the
case closes; the call-taker's look-up shows it while it is live."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from calls import intelligence
from cases import assignment_services, safety_services
from cases.tests.test_safety_services import DAY, T0, make_case, make_staff
from dasapp.models import Event
from people import services
from people.choices import FlagKind, FlagSeverity
from people.event_verbs import EventVerb
from people.models import Flag

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(org, persona):
    return make_staff(persona)


@pytest.fixture
def case(staff):
    """Leah's open case; she lives at 4 Larkspur Close, and lived elsewhere before."""
    with time_machine.travel(T0 - 2 * DAY, tick=False):
        case = make_case(staff.daso)
        home, _ = services.address_get_or_create(
            line1="4 Larkspur Close", postcode="CO4 5ZZ", town="Colchester"
        )
        before, _ = services.address_get_or_create(
            line1="Flat 1, 2 Old Road", postcode="CO2 7ZZ", town="Colchester"
        )
        services.person_address_link(person=case.victim, address=before)
        services.person_address_link(person=case.victim, address=home)
        case.victim.address_links.filter(address=before).update(is_current=False)
    return case


def plan_flags(case) -> list[Flag]:
    return list(
        Flag.objects.filter(kind=FlagKind.SAFETY_PLAN, source=f"case:{case.pk}").order_by("pk")
    )


def agree(case, user, on: dt.date, version: int | None = None):
    with time_machine.travel(T0, tick=False):
        return safety_services.case_plan_agree(case=case, user=user, agreed_at=on, version=version)


def test_agreeing_the_plan_flags_the_victim_and_her_current_address_with_who_and_why(staff, case):
    agree(case, staff.daso, T0.date())

    flags = plan_flags(case)
    home = case.victim.address_links.get(is_current=True).address
    assert [(f.person, f.address) for f in flags] == [(case.victim, None), (None, home)]
    for flag in flags:
        assert flag.severity == FlagSeverity.MEDIUM and flag.lifted_at is None
        assert flag.summary == (
            f"Safety plan in place: case {case.reference}, agreed with the victim on 14 July 2026"
        )
        raised = flag.history.get()
        assert raised.history_user == staff.daso
        assert raised.history_change_reason == "Safety plan agreed with the victim on 14 Jul 2026"
    event = Event.objects.get(case=case, verb=EventVerb.FLAG_RAISED)
    assert event.new == {"kind": "safety_plan", "flags": [f.pk for f in flags]}


def test_agreeing_again_moves_the_date_on_the_same_flags_and_raises_no_other(staff, case):
    plan = agree(case, staff.daso, (T0 - DAY).date())
    first = plan_flags(case)

    agree(case, staff.daso, T0.date(), version=plan.version)
    agree(case, staff.daso, T0.date(), version=plan.version + 1)  # the same day: no change

    again = plan_flags(case)
    assert [f.pk for f in again] == [f.pk for f in first]
    assert all(f.summary.endswith("on 14 July 2026") for f in again)
    assert [h.history_change_reason for h in again[0].history.order_by("history_id")] == [
        "Safety plan agreed with the victim on 13 Jul 2026",
        "Safety plan agreed with the victim on 14 Jul 2026",
    ]
    assert Event.objects.filter(case=case, verb=EventVerb.FLAG_RAISED).count() == 1


def test_closing_the_case_lifts_the_flags_with_the_reason_and_the_look_up_stops_showing_them(
    staff, case
):
    agree(case, staff.daso, T0.date())
    query = intelligence.LookupQuery(person_ids=[case.victim.pk])
    with time_machine.travel(T0 + DAY, tick=False):
        shown, _ = intelligence.lookup(query)
        case.refresh_from_db()
        assignment_services.case_close(
            case=case, user=staff.daso, reason="Victim moved out of the area", version=case.version
        )
        after, _ = intelligence.lookup(query)

    assert [f["label"] for f in shown.flags] == ["Safety plan in place"]
    assert shown.flags[0]["on"] == "Leah Fictional-Hartwell"
    assert after.flags == []
    for flag in plan_flags(case):
        assert flag.lifted_reason == "Case closed: Victim moved out of the area"
        lifted = flag.history.order_by("-history_id").first()
        assert lifted.history_user == staff.daso
        assert lifted.history_change_reason == "Lifted: Case closed: Victim moved out of the area"
    event = Event.objects.get(case=case, verb=EventVerb.FLAG_LIFTED)
    assert event.old == {"kind": "safety_plan", "count": 2}
    assert event.reason == "Case closed: Victim moved out of the area"


def test_the_look_up_by_her_address_shows_the_plan_in_place(staff, case):
    agree(case, staff.daso, T0.date())
    home = case.victim.address_links.get(is_current=True).address

    with time_machine.travel(T0 + DAY, tick=False):
        package, _ = intelligence.lookup(intelligence.LookupQuery(address_id=home.pk))

    on_address = [f for f in package.flags if f["on"] == "this address"]
    assert [f["kind"] for f in on_address] == ["safety_plan"]
    assert "safety_plan" in package.for_grading().flag_kinds


def test_closing_a_case_without_a_plan_lifts_nothing_and_records_no_flag_event(staff, case):
    with time_machine.travel(T0, tick=False):
        assignment_services.case_close(case=case, user=staff.daso, reason="No further action")

    assert not Event.objects.filter(case=case, verb=EventVerb.FLAG_LIFTED).exists()
