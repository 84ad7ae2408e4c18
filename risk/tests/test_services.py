"""The DV1 lifecycle: scoring on save, submission rules, case, routing, markers,
review tasks, amendments and the audited risk history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases import case_services
from cases.choices import TaskKind
from cases.event_verbs import EventVerb
from cases.models import Case, Task
from dasapp.api import ConflictError, DomainError
from dasapp.events import describe_event
from dasapp.models import Event, Notification
from dasapp.roles import Role
from marac.models import Referral
from org.models import Force
from people import services
from people.models import Flag
from risk import services as risk_services
from risk.choices import AssessmentStatus
from risk.event_verbs import EventVerb as RiskVerb
from risk.models import RiskSettings
from risk.question_sets import load_bundled

LONDON = ZoneInfo("Europe/London")
# 2026-11-26 is day (325 % 3) + 1 = 2 of the hub cycle: Brentwood hub on days,
# Colchester hub on evenings, Laindon hub resting.
DAY_SHIFT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
EVENING_SHIFT = dt.datetime(2026, 11, 26, 18, 0, tzinfo=LONDON)
NIGHT = dt.datetime(2026, 11, 26, 23, 0, tzinfo=LONDON)


def full_answers(yes: int, total: int = 27) -> dict:
    return {
        str(i): {"answer": "yes" if i <= yes else "no", "comment": ""} for i in range(1, total + 1)
    }


@pytest.fixture
def people(org, persona):
    supervisor = persona(Role.SUPERVISOR, team="cru", username="sup")
    officer = persona(Role.OFFICER, team="response", username="pc", supervisor=supervisor)
    hub_daso = persona(Role.DASO, team="hub-colchester", username="daso-col")
    other_hub_daso = persona(Role.DASO, team="hub-brentwood", username="daso-bre")
    persona(Role.DASO, team="hub-laindon", username="daso-lai")  # every hub has someone
    cru_daso = persona(Role.DASO, team="cru", username="daso-cru")
    researcher = persona(Role.RESEARCHER, team="cru", username="researcher")
    victim = services.person_create(data=services.PersonInput(given_name="Nia", family_name="Rowe"))
    suspect = services.person_create(
        data=services.PersonInput(given_name="Kyle", family_name="Dunn")
    )
    address, _ = services.address_get_or_create(
        line1="3 Mill Row", postcode="CO1 2AB", town="Colchester"
    )
    services.person_address_link(person=victim, address=address)
    phone, _ = services.phone_get_or_create(number="07700 900911")
    services.person_phone_link(person=victim, phone=phone)
    return {
        "supervisor": supervisor,
        "officer": officer,
        "hub_daso": hub_daso,
        "other_hub_daso": other_hub_daso,
        "cru_daso": cru_daso,
        "researcher": researcher,
        "victim": victim,
        "suspect": suspect,
        "address": address,
        "phone": phone,
    }


def incident_for(p, *, at=None, status=IncidentStatus.GRADED):
    incident = Incident.objects.create(
        status=status,
        created_at=at or timezone.now(),
        grade="priority",
        address=p["address"],
        district=p["address"].district,
    )
    IncidentPerson.objects.create(incident=incident, person=p["victim"], role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=incident, person=p["suspect"], role=IncidentRole.SUSPECT)
    return incident


SUPPLEMENTS = {
    "stalking": {f"S{i}": {"answer": "no"} for i in range(1, 12)},
    "hba": {f"H{i}": {"answer": "not_known"} for i in range(1, 11)},
}


def submitted(p, *, yes=15, level=None, reason="", incident=None, **extra):
    incident = incident or incident_for(p)
    a = risk_services.assessment_start(
        incident=incident, victim=p["victim"], perpetrator=p["suspect"], user=p["officer"]
    )
    a, errors = risk_services.assessment_save(
        assessment=a,
        user=p["officer"],
        changes=risk_services.DraftChanges(
            answers=full_answers(yes),
            supplements=SUPPLEMENTS,
            officer_level=level or "",
            level_reason=reason,
            **extra,
        ),
    )
    assert errors == {}
    if level is None:
        a, _ = risk_services.assessment_save(
            assessment=a,
            user=p["officer"],
            changes=risk_services.DraftChanges(officer_level=a.suggested_level),
        )
    return risk_services.assessment_submit(assessment=a, user=p["officer"])


def test_incomplete_dash_cannot_be_submitted_and_lists_what_is_missing(people):
    a = risk_services.assessment_start(
        incident=incident_for(people),
        victim=people["victim"],
        perpetrator=people["suspect"],
        user=people["officer"],
    )
    answers = full_answers(3)
    del answers["7"]
    answers["9"] = {"answer": "not_known"}
    a, _ = risk_services.assessment_save(
        assessment=a, user=people["officer"], changes=risk_services.DraftChanges(answers=answers)
    )
    with pytest.raises(DomainError) as refused:
        risk_services.assessment_submit(assessment=a, user=people["officer"])
    errors = refused.value.errors
    assert "q7" in errors and "q9" not in errors
    assert errors["officer_level"] == ["Choose the risk level: standard, medium or high"]
    assert Case.objects.count() == 0


def test_question_eight_yes_opens_the_stalking_questions_which_must_be_answered(people):
    a = risk_services.assessment_start(
        incident=incident_for(people),
        victim=people["victim"],
        perpetrator=people["suspect"],
        user=people["officer"],
    )
    answers = full_answers(0)
    answers["8"] = {"answer": "yes", "comment": "Follows her to work"}
    a, _ = risk_services.assessment_save(
        assessment=a,
        user=people["officer"],
        changes=risk_services.DraftChanges(answers=answers, officer_level="standard"),
    )
    errors = risk_services.submission_errors(a)
    assert "stalking-S1" in errors and "hba-H1" not in errors


def test_fifteen_yes_is_visible_high_risk_with_escalation_evidence(people):
    for days in (40, 200):
        incident_for(people, at=timezone.now() - dt.timedelta(days=days))
    a = submitted(people, yes=15)
    assert (a.yes_count, a.suggested_level, a.officer_level) == (15, "high", "high")
    codes = {c["code"]: c for c in a.marac_criteria}
    assert "15 yes answers" in codes["visible_high_risk"]["evidence"]
    assert len(codes["potential_escalation"]["dates"]) == 3


def test_repeat_marac_when_referred_within_twelve_months(people):
    Referral.objects.create(
        victim=people["victim"],
        perpetrator=people["suspect"],
        referred_at=timezone.now() - dt.timedelta(days=100),
    )
    a = submitted(people, yes=2)
    assert "repeat_marac" in {c["code"] for c in a.marac_criteria}


@time_machine.travel(EVENING_SHIFT, tick=False)
def test_high_risk_lands_in_the_local_hub_on_duty_and_notifies_hub_and_central_unit(people):
    a = submitted(people, yes=15)
    case = a.case
    assert case.queue.team.code == "hub-colchester"
    assert case.review_due_at == timezone.now() + dt.timedelta(hours=24)
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert {"daso-col", "daso-cru", "sup"} <= notified
    assert "daso-bre" not in notified
    assert a.routed_to == case.queue.name


@time_machine.travel(DAY_SHIFT, tick=False)
def test_high_risk_goes_to_the_hub_on_duty_when_the_local_hub_is_off(people):
    case = submitted(people, yes=15).case
    assert case.queue.team.code == "hub-brentwood"
    assert "daso-bre" in set(Notification.objects.values_list("user__username", flat=True))


@time_machine.travel(NIGHT, tick=False)
def test_high_risk_out_of_hub_hours_waits_with_the_central_unit_until_the_hub_starts(people):
    case = submitted(people, yes=15).case
    assert case.queue.kind == "cru_high"
    assert case.hub_takes_over_at == dt.datetime(2026, 11, 27, 8, 0, tzinfo=LONDON)


def test_medium_and_standard_go_to_central_unit_queues(people):
    medium = submitted(people, yes=11).case
    assert medium.queue.kind == "cru_medium"


def test_standard_goes_to_the_researchers_queue(people):
    case = submitted(people, yes=3).case
    assert case.queue.kind == "researchers"
    assert case.queue.worked_by_role == "researcher"


def test_a_repeat_incident_joins_the_open_case(people):
    first = submitted(people, yes=11)
    second = submitted(people, yes=15)
    assert first.case_id == second.case_id
    case = Case.objects.get()
    assert case.risk_level == "high"
    change = Event.objects.get(case=case, verb=EventVerb.RISK_LEVEL_CHANGED)
    assert change.old == {"risk_level": "medium"} and change.new["risk_level"] == "high"


def test_lowering_below_the_suggestion_needs_a_reason_and_asks_the_supervisor(people):
    with pytest.raises(DomainError) as refused:
        submitted(people, yes=15, level="medium")
    assert "level_reason" in refused.value.errors
    a = submitted(people, yes=15, level="medium", reason="Suspect remanded in custody for 6 months")
    task = Task.objects.get(kind=TaskKind.SUPERVISOR_REVIEW)
    assert task.assigned_to == people["supervisor"]
    assert "remanded" in task.note
    assert a.case.risk_level == "medium"
    assert Notification.objects.filter(
        user=people["supervisor"], title__contains="lowered"
    ).exists()


def test_high_risk_raises_markers_and_lowering_lifts_them_with_history(people):
    case = submitted(people, yes=15).case
    live = Flag.objects.active().filter(source=f"case:{case.pk}")
    assert {f.subject_key for f in live} == {
        f"person:{people['victim'].pk}",
        f"address:{people['address'].pk}",
        f"phone:{people['phone'].pk}",
    }
    from cases.case_services import case_risk_change

    case_risk_change(
        case=case, user=people["researcher"], level="medium", reason="Suspect moved abroad"
    )
    assert not Flag.objects.active().filter(source=f"case:{case.pk}").exists()
    lifted = Flag.objects.filter(source=f"case:{case.pk}").first()
    assert lifted.lifted_reason == "Suspect moved abroad"
    assert lifted.history.first().history_user == people["researcher"]


def test_researcher_lowering_a_level_is_kept_with_who_when_from_to_and_why(people):
    case = submitted(people, yes=11).case
    from cases.case_services import case_risk_change

    case_risk_change(
        case=case,
        user=people["researcher"],
        level="standard",
        reason="Victim has moved to a refuge",
        version=case.version,
    )
    event = Event.objects.filter(case=case, verb=EventVerb.RISK_LEVEL_CHANGED).latest("at")
    assert (event.actor, event.old, event.new["risk_level"], event.reason) == (
        people["researcher"],
        {"risk_level": "medium"},
        "standard",
        "Victim has moved to a refuge",
    )
    assert case.history.latest().history_user == people["researcher"]


def test_two_people_saving_the_same_case_the_second_gets_a_conflict(people):
    case = submitted(people, yes=11).case
    from cases.case_services import case_risk_change

    read_version = case.version
    case_risk_change(
        case=case, user=people["researcher"], level="standard", reason="first", version=read_version
    )
    with pytest.raises(ConflictError):
        case_risk_change(
            case=case, user=people["cru_daso"], level="high", reason="second", version=read_version
        )
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_a_submitted_dv1_is_never_edited_an_amendment_is_a_new_linked_version(people):
    a = submitted(people, yes=11)
    with pytest.raises(DomainError):
        risk_services.assessment_save(
            assessment=a,
            user=people["officer"],
            changes=risk_services.DraftChanges(narrative="changed"),
        )
    amendment = risk_services.assessment_amend(assessment=a, user=people["officer"])
    assert amendment.amends == a and amendment.status == AssessmentStatus.DRAFT
    assert amendment.answers == a.answers
    a.refresh_from_db()
    assert a.narrative == ""
    amendment, _ = risk_services.assessment_save(
        assessment=amendment,
        user=people["officer"],
        changes=risk_services.DraftChanges(narrative="Corrected the date of the previous assault"),
    )
    resubmitted = risk_services.assessment_submit(assessment=amendment, user=people["officer"])
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUPERSEDED
    assert a.narrative == "" and resubmitted.case_id == a.case_id


def test_challenge_gives_the_officer_a_task_and_a_notification(people):
    case = submitted(people, yes=3).case
    task = case_services.case_challenge(
        case=case,
        user=people["researcher"],
        reason="Strangulation in narrative but question 18 answered no",
    )
    assert task.assigned_to == people["officer"] and task.kind == TaskKind.CHALLENGE
    assert Notification.objects.filter(
        user=people["officer"], title__contains="challenged"
    ).exists()
    case_services.task_complete(
        task=task, user=people["officer"], outcome="Agreed: amended question 18"
    )
    assert Event.objects.filter(case=case, verb=EventVerb.CHALLENGE_ANSWERED).exists()


def test_repeat_victim_household_is_prefilled_for_confirmation(people):
    child = services.person_create(
        data=services.PersonInput(
            given_name="Ava", family_name="Rowe", date_of_birth=dt.date(2019, 5, 1)
        )
    )
    services.relationship_link(person=people["victim"], other=child, kind="parent_of")
    a = risk_services.assessment_start(
        incident=incident_for(people),
        victim=people["victim"],
        perpetrator=people["suspect"],
        user=people["officer"],
    )
    names = {m["name"]: m for m in a.household}
    # Read from the child's side: the victim is her parent, so she is the victim's child.
    assert names["Ava Rowe"]["relationship"] == "Child"
    assert names["Ava Rowe"]["confirmed"] is False


def test_email_failure_leaves_the_in_app_notification_and_retries(people, settings, mailoutbox):
    from unittest import mock

    from dasapp.tasks import send_notification_email

    note = Notification.objects.create(
        user=people["hub_daso"], title="High risk case", url="/cases/1/"
    )
    people["hub_daso"].email = "daso@example.invalid"
    people["hub_daso"].save()
    with (
        mock.patch("dasapp.tasks.send_mail", side_effect=OSError("SMTP down")),
        pytest.raises(OSError),
    ):
        send_notification_email.run(note.pk)
    note.refresh_from_db()
    assert note.emailed_at is None and Notification.objects.filter(pk=note.pk).exists()
    send_notification_email.run(note.pk)
    send_notification_email.run(note.pk)
    assert len(mailoutbox) == 1
    assert "Nia" not in mailoutbox[0].body


# The suggestion follows the MARAC criteria; red flags are kept on the DV1 -----------

# The reported DV1: 13 yes answers, with threats to kill (17), strangulation (18) and a
# weapon (16); no stalking (8) and no honour-based abuse (4), so no supplement opens.
THIRTEEN_YES = {"1", "2", "3", "5", "6", "9", "13", "14", "15", "16", "17", "18", "24"}


def reported_answers() -> dict:
    return {
        str(i): {"answer": "yes" if str(i) in THIRTEEN_YES else "no", "comment": ""}
        for i in range(1, 28)
    }


def reported_draft(p, *, call_outs: int = 5, **changes):
    """A draft for the reported DV1, with `call_outs` police call-outs this year (the
    current one included)."""
    for days in (30, 90, 180, 300)[: call_outs - 1]:
        incident_for(p, at=timezone.now() - dt.timedelta(days=days))
    a = risk_services.assessment_start(
        incident=incident_for(p), victim=p["victim"], perpetrator=p["suspect"], user=p["officer"]
    )
    a, errors = risk_services.assessment_save(
        assessment=a,
        user=p["officer"],
        changes=risk_services.DraftChanges(answers=reported_answers(), **changes),
    )
    assert errors == {}
    return a


@time_machine.travel(EVENING_SHIFT, tick=False)
def test_thirteen_yes_with_five_call_outs_is_suggested_high_and_lands_in_the_high_risk_queue(
    people,
):
    a = reported_draft(people)
    assert (a.yes_count, a.suggested_level) == (13, "high")
    assert a.suggested_level_reasons == [
        {"code": "potential_escalation", "text": "MARAC criterion met: potential escalation"}
    ]
    assert [f["code"] for f in a.red_flags] == [
        "strangulation",
        "threats_to_kill",
        "weapon",
        "separation_control_escalation",
    ]

    a, _ = risk_services.assessment_save(
        assessment=a,
        user=people["officer"],
        changes=risk_services.DraftChanges(officer_level=a.suggested_level),
    )
    a = risk_services.assessment_submit(assessment=a, user=people["officer"])

    case = a.case
    assert case.risk_level == "high"
    assert case.queue.kind == "hub_high" and case.queue.team.code == "hub-colchester"
    assert a.routed_to == case.queue.name
    submitted_event = Event.objects.get(verb=RiskVerb.ASSESSMENT_SUBMITTED)
    assert submitted_event.new["suggested"] == "high"
    entry = describe_event(submitted_event)
    assert "13 yes answers, suggested high, level recorded high" in entry.sentence
    assert "MARAC criteria met: potential escalation" in entry.details
    assert (
        "Red flags: Non-fatal strangulation or choking; Threats to kill; Use or threat of a "
        "weapon; Separation, controlling behaviour and escalating violence together"
    ) in entry.details


def test_the_same_answers_without_escalation_are_medium_with_the_red_flags_still_named(people):
    a = reported_draft(people, call_outs=1)
    assert a.suggested_level == "medium"
    assert a.marac_criteria == []
    assert "strangulation" in [f["code"] for f in a.red_flags]


def test_a_marac_driven_high_lowered_to_medium_needs_a_reason_and_a_supervisor(people):
    a = reported_draft(people, officer_level="medium")
    with pytest.raises(DomainError) as refused:
        risk_services.assessment_submit(assessment=a, user=people["officer"])
    assert refused.value.errors["level_reason"] == [
        "Explain why the risk is medium, below the suggested high"
    ]

    a, _ = risk_services.assessment_save(
        assessment=a,
        user=people["officer"],
        changes=risk_services.DraftChanges(level_reason="Suspect remanded in custody"),
    )
    a = risk_services.assessment_submit(assessment=a, user=people["officer"])
    assert a.case.risk_level == "medium"
    task = Task.objects.get(kind=TaskKind.SUPERVISOR_REVIEW)
    assert "medium below the suggested high" in task.note


def test_an_area_that_keeps_marac_apart_from_the_level_gets_the_band(people):
    RiskSettings.objects.create(
        force=people["address"].district.force, marac_criterion_means_high=False
    )
    a = reported_draft(people)
    assert a.suggested_level == "medium"
    assert "potential_escalation" in [c["code"] for c in a.marac_criteria]


def test_an_areas_red_flags_replace_the_defaults(people):
    RiskSettings.objects.create(
        force=people["address"].district.force,
        red_flags={
            "dash-police": [{"code": "pregnancy", "label": "Pregnancy", "questions": ["9"]}]
        },
    )
    a = reported_draft(people)
    assert a.red_flags == [
        {
            "code": "pregnancy",
            "label": "Pregnancy",
            "evidence": "Question 9 answered yes",
            "questions": ["9"],
        }
    ]


def test_red_flag_settings_naming_a_question_the_checklist_lacks_are_refused(org):
    load_bundled()
    row = RiskSettings(
        force=Force.objects.get(),
        red_flags={"safelives": [{"code": "kids", "label": "Children", "questions": ["10"]}]},
    )
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict["red_flags"] == [
        "Red flag 1 of safelives: safelives has no question 10"
    ]
    RiskSettings(force=Force.objects.get()).full_clean()  # the defaults are valid
