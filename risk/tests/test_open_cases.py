"""A DV1 for a victim with an open case: joined by default when the perpetrator is the
same or not known, a new case only with a reason kept on both cases, and a joined
case's risk never lowered by the DV1."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.event_verbs import EventVerb
from cases.models import Case
from dasapp.api import DomainError
from dasapp.models import Event
from people import services
from risk import services as risk_services
from risk.selectors import OpenCase, default_case, open_case_choice
from risk.tests.test_services import SUPPLEMENTS, full_answers, incident_for, people  # noqa: F401

CaseChoice = risk_services.CaseChoice


def submit(p, *, perpetrator, yes=11, level=None, choice=None):
    """A complete DV1 for the fixture's victim naming `perpetrator` (None: left blank)."""
    a = risk_services.assessment_start(
        incident=incident_for(p), victim=p["victim"], perpetrator=perpetrator, user=p["officer"]
    )
    a, errors = risk_services.assessment_save(
        assessment=a,
        user=p["officer"],
        changes=risk_services.DraftChanges(answers=full_answers(yes), supplements=SUPPLEMENTS),
    )
    a, errors = risk_services.assessment_save(
        assessment=a,
        user=p["officer"],
        changes=risk_services.DraftChanges(
            officer_level=level or a.suggested_level,
            level_reason="" if not level or level == a.suggested_level else "Officer's view",
        ),
    )
    assert errors == {}
    return risk_services.assessment_submit(assessment=a, user=p["officer"], case_choice=choice)


@pytest.fixture
def p(people):  # noqa: F811
    return people


@pytest.fixture
def other_suspect():
    return services.person_create(data=services.PersonInput(given_name="Rory", family_name="Vane"))


def test_dv1_with_the_suspect_left_blank_joins_her_open_case_not_a_second_one(p):
    first = submit(p, perpetrator=p["suspect"], yes=15)  # high
    second = submit(p, perpetrator=None, yes=11)  # medium, suspect blank
    assert second.case_id == first.case_id
    assert Case.objects.filter(victim=p["victim"], status="open").count() == 1
    case = Case.objects.get(pk=first.case_id)
    # The medium DV1 does not lower the high-risk case.
    assert case.risk_level == "high"
    joined = Event.objects.filter(case=case, verb=EventVerb.CASE_JOINED).latest("pk")
    assert joined.actor == p["officer"]
    assert joined.new["assessment"] == second.pk
    assert joined.new["kept_higher"] is True
    assert "suspect not known" in joined.reason
    join_row = case.history.get(history_change_reason__startswith="New incident joined")
    assert join_row.history_user == p["officer"]
    assert second.reference in join_row.history_change_reason
    assert not Event.objects.filter(
        case=case, verb=EventVerb.RISK_LEVEL_CHANGED, new__risk_level="medium"
    ).exists()


def test_dv1_with_the_same_perpetrator_joins_and_a_higher_level_raises_the_case(p):
    first = submit(p, perpetrator=p["suspect"], yes=11)  # medium
    second = submit(p, perpetrator=p["suspect"], yes=15)  # high
    assert second.case_id == first.case_id
    case = Case.objects.get(pk=first.case_id)
    assert case.risk_level == "high"
    joined = Event.objects.get(case=case, verb=EventVerb.CASE_JOINED)
    assert joined.reason.endswith("same perpetrator")
    raised = Event.objects.get(case=case, verb=EventVerb.RISK_LEVEL_CHANGED)
    assert (raised.old, raised.new["risk_level"], raised.actor) == (
        {"risk_level": "medium"},
        "high",
        p["officer"],
    )


def test_dv1_naming_a_suspect_joins_her_case_whose_perpetrator_was_not_known(p):
    first = submit(p, perpetrator=None, yes=11)
    second = submit(p, perpetrator=p["suspect"], yes=11)
    assert second.case_id == first.case_id


def test_a_new_case_beside_her_open_one_needs_a_reason(p, other_suspect):
    first = submit(p, perpetrator=p["suspect"], yes=15)
    with pytest.raises(DomainError) as refused:
        submit(p, perpetrator=other_suspect, choice=CaseChoice(action="new"))
    assert "open_case_reason" in refused.value.errors
    assert Case.objects.filter(victim=p["victim"]).count() == 1

    second = submit(
        p,
        perpetrator=other_suspect,
        choice=CaseChoice(action="new", reason="Different perpetrator: her brother"),
    )
    new_case = second.case
    assert new_case.pk != first.case_id
    assert new_case.opened_alongside_id == first.case_id
    assert new_case.opened_alongside_reason == "Different perpetrator: her brother"
    opened = new_case.history.earliest()
    assert opened.history_user == p["officer"]
    assert f"alongside {first.case.reference}: Different perpetrator" in (
        opened.history_change_reason
    )
    beside = Event.objects.get(case=first.case, verb=EventVerb.CASE_OPENED_ALONGSIDE)
    assert beside.new["case"] == new_case.pk and beside.reason.startswith("Different")


def test_a_choice_offered_and_not_made_is_refused(p):
    submit(p, perpetrator=p["suspect"], yes=15)
    with pytest.raises(DomainError) as refused:
        submit(p, perpetrator=None, choice=CaseChoice(action=""))
    assert "open_case" in refused.value.errors


def test_a_second_case_with_the_same_perpetrator_is_refused(p):
    submit(p, perpetrator=p["suspect"], yes=15)
    with pytest.raises(DomainError) as refused:
        submit(
            p,
            perpetrator=p["suspect"],
            choice=CaseChoice(action="new", reason="Another incident"),
        )
    assert "add the DV1 to it" in refused.value.errors["open_case"][0]


def test_joining_a_case_that_is_not_hers_is_refused(p, other_suspect):
    submit(p, perpetrator=p["suspect"], yes=15)
    elsewhere = services.person_create(data=services.PersonInput(given_name="Ann", family_name="X"))
    stranger_case = Case.objects.create(
        victim=elsewhere, risk_level="standard", opened_at=timezone.now()
    )
    with pytest.raises(DomainError) as refused:
        submit(p, perpetrator=None, choice=CaseChoice(action="join", case_id=stranger_case.pk))
    assert "open_case" in refused.value.errors


def test_without_a_choice_a_different_perpetrator_opens_a_case_saying_so(p, other_suspect):
    first = submit(p, perpetrator=p["suspect"], yes=15)
    second = submit(p, perpetrator=other_suspect)
    assert second.case_id != first.case_id
    assert second.case.opened_alongside_id == first.case_id
    assert second.case.opened_alongside_reason == "Different perpetrator"


def test_the_officer_may_join_a_case_with_another_perpetrator_by_choice(p, other_suspect):
    first = submit(p, perpetrator=p["suspect"], yes=15)
    second = submit(
        p,
        perpetrator=other_suspect,
        choice=CaseChoice(action="join", case_id=first.case_id),
    )
    assert second.case_id == first.case_id


def test_the_choice_offers_her_open_cases_with_the_default(p, other_suspect):
    first = submit(p, perpetrator=p["suspect"], yes=15)
    blank = open_case_choice(victim=p["victim"], perpetrator_id=None)
    assert [c.pk for c in blank.cases] == [first.case_id]
    assert blank.default_value == str(first.case_id)
    assert blank.cases[0].perpetrator == "Kyle Dunn"
    different = open_case_choice(victim=p["victim"], perpetrator_id=other_suspect.pk)
    assert different.default is None and different.default_value == ""


# The default rule, without a database.

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def case(pk, level, perpetrator_id, days=0):
    return OpenCase(pk, level, perpetrator_id, "", T0 + dt.timedelta(days=days), "", "")


def test_default_is_the_case_with_the_same_perpetrator():
    cases = [case(1, "high", 7), case(2, "medium", 8)]
    assert default_case(perpetrator_id=8, cases=cases).pk == 2


def test_unknown_suspect_joins_her_highest_risk_case():
    cases = [case(1, "high", 7), case(2, "medium", 8, days=5)]
    assert default_case(perpetrator_id=None, cases=cases).pk == 1


def test_a_case_with_an_unknown_perpetrator_is_joined_by_a_named_suspect():
    cases = [case(1, "high", 7), case(2, "medium", None)]
    assert default_case(perpetrator_id=9, cases=cases).pk == 2


def test_a_different_perpetrator_on_every_open_case_means_no_default():
    assert default_case(perpetrator_id=9, cases=[case(1, "high", 7)]) is None
    assert default_case(perpetrator_id=None, cases=[]) is None


def test_the_case_history_tells_the_join_and_the_case_opened_alongside(p, other_suspect):
    from cases.casework_selectors import case_timeline

    first = submit(p, perpetrator=p["suspect"], yes=15)
    joined = submit(p, perpetrator=None, yes=11)
    second = submit(
        p,
        perpetrator=other_suspect,
        choice=CaseChoice(action="new", reason="Different perpetrator: her brother"),
    )
    entries = {e.event.verb: e for e in case_timeline(case=first.case)}
    join = entries[EventVerb.CASE_JOINED]
    assert join.sentence.startswith(f"{joined.reference} added to the case by")
    assert join.sentence.endswith("suspect not known on the DV1")
    assert join.details == [
        "The DV1 recorded medium risk; the case stays at high. Change the risk level, with "
        "a reason, to lower it."
    ]
    beside = entries[EventVerb.CASE_OPENED_ALONGSIDE]
    assert beside.sentence.startswith(f"{second.case.reference} opened alongside this case by")
    assert beside.sentence.endswith(": Different perpetrator: her brother")
    opened = {e.event.verb: e for e in case_timeline(case=second.case)}[EventVerb.CASE_OPENED]
    assert f"alongside {first.case.reference}: Different perpetrator" in opened.sentence
