"""The DV1 API, `assessments/`: a DV1 submitted in one request and read back, as
integrators use it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases.choices import TaskKind
from cases.models import Case, Task
from cases.tests.test_casework_api import api
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    SUPPLEMENTS,
    full_answers,
    hub_queue,
    incident_for,
    make_people,
    submitted,
)
from dasapp.models import AccessLog
from dasapp.roles import Role
from risk.choices import AssessmentStatus
from risk.models import Assessment


@pytest.fixture
def people(org, persona):
    return make_people(persona)


def dv1_body(p, *, incident=None, yes=15, **overrides) -> dict:
    body = {
        "incident": (incident or incident_for(p)).pk,
        "victim": p["victim"].pk,
        "perpetrator": p["suspect"].pk,
        "answers": full_answers(yes),
        "supplements": SUPPLEMENTS,
        "officer_level": "high" if yes >= 14 else ("medium" if yes >= 10 else "standard"),
        "household": [{"name": "Ava Rowe", "relationship": "Child", "date_of_birth": "2019-04-02"}],
        "witnesses": [{"name": "Next-door neighbour", "contact": "01632 960123"}],
        "safeguarding": {"arrest": True, "protection_notice": False, "referrals": ["idva"]},
        "evidence": {"body_worn_video": True, "photographs": True},
        "narrative": "Officers attended; the victim had marks to her neck.",
    }
    body.update(overrides)
    return body


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_officer_submits_a_15_yes_dv1_for_a_repeat_victim_and_it_goes_to_the_hub_on_duty(
    people,
):
    for days in (40, 200):
        incident_for(people, at=timezone.now() - dt.timedelta(days=days))
    earlier = submitted(people, yes=4)  # the repeat victim's open standard case

    response = api(people["officer"]).post("/api/v1/assessments/", dv1_body(people), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["yes_count"], body["suggested_level"], body["officer_level"]) == (
        15,
        "high",
        "high",
    )
    criteria = {c["code"]: c for c in body["marac_criteria"]}
    assert set(criteria) == {"visible_high_risk", "potential_escalation"}
    # Two earlier call-outs, the one of the earlier DV1, and this one.
    assert len(criteria["potential_escalation"]["dates"]) == 4
    assert body["case"]["id"] == earlier.case_id  # joined, not a second case
    assert body["case"]["risk_level"] == "high"
    assert body["routed_to"] == hub_queue().name == body["case"]["queue"]
    assert body["status"] == AssessmentStatus.SUBMITTED
    assert body["household"][0]["name"] == "Ava Rowe"

    daso = api(people["hub_daso"])
    listed = daso.get("/api/v1/cases/", {"queue": hub_queue().pk}).json()["results"]
    assert [c["id"] for c in listed] == [earlier.case_id]
    inbox = daso.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert inbox[0]["title"] == f"High risk case {earlier.case.reference} in {hub_queue().name}"
    assert inbox[0]["url"] == f"/cases/{earlier.case_id}/"


def test_an_incomplete_dv1_is_refused_with_what_is_missing_and_kept_as_a_draft(people):
    answers = full_answers(3)
    del answers["7"]
    answers["9"] = {"answer": "not_known", "comment": ""}

    response = api(people["officer"]).post(
        "/api/v1/assessments/",
        dv1_body(people, answers=answers, officer_level="", supplements={}),
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["answers.7"] == ["Answer question 7: yes, no or not known"]
    assert "answers.9" not in body["errors"]
    assert body["errors"]["officer_level"] == ["Choose the risk level: standard, medium or high"]
    draft = Assessment.objects.get(pk=body["assessment"]["id"])
    assert draft.status == AssessmentStatus.DRAFT and draft.answers["9"]["answer"] == "not_known"
    assert not Case.objects.exists()


def test_an_unanswered_supplement_is_a_field_error_under_supplements(people):
    response = api(people["officer"]).post(
        "/api/v1/assessments/", dv1_body(people, supplements={}), format="json"
    )

    assert response.status_code == 400
    assert "supplements.stalking.S1" in response.json()["errors"]


def test_a_partner_agencys_safelives_checklist_is_accepted(people):
    answers = full_answers(16, skip=(10, 11, 12))
    assert len(answers) == 24

    response = api(people["officer"]).post(
        "/api/v1/assessments/",
        dv1_body(people, question_set="safelives", answers=answers, officer_level="medium")
        | {"incident": None},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["question_set"]["code"] == "safelives"
    assert body["yes_count"] == 13 and body["suggested_level"] == "medium"


def test_thirteen_yes_with_escalation_is_suggested_high_saying_why_with_the_red_flags(people):
    for days in (40, 100, 200, 300):
        incident_for(people, at=timezone.now() - dt.timedelta(days=days))
    answers = full_answers(16, skip=(10, 11, 12))  # 13 yes, 16 (a weapon) the last

    response = api(people["officer"]).post(
        "/api/v1/assessments/",
        dv1_body(people, question_set="safelives", answers=answers, officer_level="high"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["yes_count"], body["suggested_level"]) == (13, "high")
    assert body["suggested_level_reasons"] == [
        {"code": "potential_escalation", "text": "MARAC criterion met: potential escalation"}
    ]
    assert [f["code"] for f in body["red_flags"]] == [
        "weapon",
        "stalking",
        "separation_control_escalation",
    ]
    assert body["red_flags"][0]["evidence"] == "Question 16 answered yes"
    assert body["case"]["risk_level"] == "high"


def test_the_safelives_checklist_has_no_question_ten(people):
    answers = full_answers(3, skip=(11, 12))

    response = api(people["officer"]).post(
        "/api/v1/assessments/",
        dv1_body(people, question_set="safelives", answers=answers, officer_level="standard"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["answers.10"] == ["Question 10 is not on this checklist"]


def test_a_level_below_the_suggestion_needs_a_reason_and_asks_a_supervisor(people):
    client = api(people["officer"])
    refused = client.post(
        "/api/v1/assessments/", dv1_body(people, officer_level="medium"), format="json"
    )
    assert refused.status_code == 400
    assert "level_reason" in refused.json()["errors"]

    response = client.post(
        "/api/v1/assessments/",
        dv1_body(people, officer_level="medium", level_reason="Suspect remanded for 6 months"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["supervisor_review_requested"] is True
    assert Task.objects.filter(kind=TaskKind.SUPERVISOR_REVIEW).count() == 1


def test_a_researcher_may_not_submit_a_dv1(people):
    response = api(people["researcher"]).post(
        "/api/v1/assessments/", dv1_body(people), format="json"
    )

    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_an_unknown_victim_is_a_field_error(people):
    response = api(people["officer"]).post(
        "/api/v1/assessments/", dv1_body(people, victim=999999), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["victim"] == ["No person you may see has the id 999999"]


def test_a_dv1_is_read_by_its_officer_and_case_workers_and_logged(people, persona):
    a = submitted(people, yes=3)
    call_taker = api(persona(Role.CALL_TAKER, team="control-room", username="ct"))

    mine = api(people["officer"]).get(f"/api/v1/assessments/{a.pk}/")
    daso = api(people["cru_daso"]).get(f"/api/v1/assessments/{a.pk}/")

    assert mine.status_code == 200 and mine.json()["reference"] == a.reference
    assert daso.status_code == 200
    assert call_taker.get(f"/api/v1/assessments/{a.pk}/").status_code == 403
    assert api(people["officer"]).get("/api/v1/assessments/999999/").status_code == 404
    logged = AccessLog.objects.filter(object_type="risk.assessment", object_id=str(a.pk))
    assert logged.count() == 2 and {r.person_id for r in logged} == {people["victim"].pk}


def test_partner_gets_nothing_from_assessments(people):
    case = submitted(people, yes=15).case
    partner = api(people["partner"])

    url = f"/api/v1/assessments/{case.assessments.get().pk}/"
    assert partner.get(url).status_code == 403, url
    assert partner.post("/api/v1/assessments/", dv1_body(people), format="json").status_code == 403
    assert not AccessLog.objects.filter(user=people["partner"]).exists()
