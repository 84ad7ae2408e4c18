"""Recording a MARAC referral: kept with its history, and the victim flagged "on a MARAC
list" for the call-taker until the repeat-MARAC window after her latest referral ends;
one live flag however many referrals."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from calls import intelligence
from cases import case_services
from cases.tests.factories import PersonFactory
from dasapp.api import DomainError
from dasapp.models import Event
from marac.models import Referral
from marac.services import referral_record
from people.choices import FlagKind, FlagSeverity
from people.event_verbs import EventVerb
from people.models import Flag

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 10, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def coordinator(org, persona):
    return persona("marac_coordinator", "marac-unit", first_name="Fiona", last_name="Tait")


@pytest.fixture
def victim(org):
    return PersonFactory(given_name="Jade", family_name="Fictional-Orme")


def marac_flags(victim) -> list[Flag]:
    return list(Flag.objects.filter(kind=FlagKind.MARAC_LISTED, person=victim).order_by("pk"))


@time_machine.travel(NOW, tick=False)
def test_a_referral_is_kept_with_its_history_and_flags_the_victim_for_a_year(coordinator, victim):
    referral = referral_record(
        victim=victim,
        user=coordinator,
        referred_at=NOW - 5 * DAY,
        criteria=["visible_high_risk", "potential_escalation"],
    )

    assert referral.referred_by == coordinator and referral.criteria == [
        "visible_high_risk",
        "potential_escalation",
    ]
    assert referral.history.get().history_user == coordinator
    (flag,) = marac_flags(victim)
    assert (flag.severity, flag.source, flag.lifted_at) == (FlagSeverity.HIGH, "marac", None)
    assert flag.summary == (
        "Referred to MARAC on 5 September 2026: visible high risk, potential escalation"
    )
    assert flag.ends_at == NOW - 5 * DAY + 365 * DAY
    assert flag.history.get().history_change_reason == f"MARAC referral {referral.pk} recorded"

    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[victim.pk]), now=NOW)
    assert [f["label"] for f in package.flags] == ["On a MARAC list"]
    assert "marac_listed" in package.for_grading().flag_kinds  # a priority call at least


@time_machine.travel(NOW, tick=False)
def test_another_referral_moves_the_end_of_the_same_flag_and_an_older_one_does_not(
    coordinator, victim
):
    referral_record(victim=victim, user=coordinator, referred_at=NOW - 200 * DAY)
    (first,) = marac_flags(victim)

    referral_record(victim=victim, user=coordinator, referred_at=NOW - 10 * DAY)
    referral_record(victim=victim, user=coordinator, referred_at=NOW - 100 * DAY)  # recorded late

    (flag,) = marac_flags(victim)
    assert flag.pk == first.pk
    assert flag.ends_at == NOW - 10 * DAY + 365 * DAY
    assert flag.summary == "Referred to MARAC on 31 August 2026"
    assert Referral.objects.filter(victim=victim).count() == 3
    assert Flag.objects.filter(kind=FlagKind.MARAC_LISTED, lifted_at__isnull=True).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_referral_whose_year_is_over_raises_no_flag(coordinator, victim):
    referral_record(victim=victim, user=coordinator, referred_at=NOW - 400 * DAY)

    assert Referral.objects.filter(victim=victim).exists()
    assert marac_flags(victim) == []


@time_machine.travel(NOW, tick=False)
def test_a_referral_of_a_case_takes_its_people_and_records_the_flag_on_the_case(
    coordinator, victim
):
    perpetrator = PersonFactory(given_name="Ross", family_name="Fictional-Kade")
    case, _ = case_services.case_open_or_join(
        victim=victim, perpetrator=perpetrator, level="high", user=coordinator
    )

    referral = referral_record(case=case, user=coordinator, criteria=["visible_high_risk"])

    assert (referral.victim, referral.perpetrator) == (victim, perpetrator)
    (flag,) = marac_flags(victim)
    assert flag.summary.endswith(f"(case {case.reference})")
    event = Event.objects.get(case=case, verb=EventVerb.FLAG_RAISED)
    assert event.new == {"kind": "marac_listed", "flags": [flag.pk], "referral": referral.pk}
    with pytest.raises(DomainError):
        referral_record(case=case, victim=perpetrator, user=coordinator)


@time_machine.travel(NOW, tick=False)
def test_a_referral_in_the_future_or_on_unknown_criteria_is_refused_and_flags_nothing(
    coordinator, victim
):
    with pytest.raises(DomainError) as future:
        referral_record(victim=victim, user=coordinator, referred_at=NOW + DAY)
    with pytest.raises(DomainError) as unknown:
        referral_record(victim=victim, user=coordinator, criteria=["gut_feeling"])

    assert future.value.errors == {
        "referred_at": ["The date of the referral must be today or in the past"]
    }
    assert list(unknown.value.errors) == ["criteria"]
    assert not Referral.objects.exists() and marac_flags(victim) == []


def test_the_demo_data_refers_kerry_to_marac_once(org):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())

    (referral,) = Referral.objects.filter(victim__given_name="Kerry")
    assert referral.referred_by.username == "marac"
    (flag,) = Flag.objects.filter(kind=FlagKind.MARAC_LISTED, lifted_at__isnull=True)
    assert flag.person == referral.victim and flag.source == "marac"
