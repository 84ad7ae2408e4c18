"""The casework API: `assessments/` (a DV1 in one request), `cases/` (list, read, risk
level, agree, challenge, history) and `notifications/`, as integrators use them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import case_services
from cases.choices import QueueKind, TaskKind
from cases.event_verbs import EventVerb as CaseVerb
from cases.models import Case, Task
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    SUPPLEMENTS,
    full_answers,
    hub_queue,
    incident_for,
    make_people,
    other_pair,
    queue_case,
    raised_to_medium,
    submitted,
)
from dasapp.events import event_record
from dasapp.models import AccessLog, Notification
from dasapp.notify import notify
from dasapp.roles import Role
from risk.choices import AssessmentStatus
from risk.event_verbs import EventVerb
from risk.models import Assessment


@pytest.fixture
def people(org, persona):
    return make_people(persona)


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


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


# assessments/ ---------------------------------------------------------------------------


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


# cases/ ---------------------------------------------------------------------------------


def test_researcher_lowers_a_level_and_the_supervisor_reads_who_and_why_in_the_api(people):
    case = raised_to_medium(people)

    response = api(people["researcher"]).post(
        f"/api/v1/cases/{case.pk}/risk-level/",
        {
            "risk_level": "standard",
            "reason": "Victim has moved to a refuge",
            "version": case.version,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["risk_level"] == "standard"
    assert response.json()["queue"]["kind"] == QueueKind.RESEARCHERS
    history = api(people["supervisor"]).get(f"/api/v1/cases/{case.pk}/history/")
    assert history.status_code == 200
    change = [e for e in history.json() if e["verb"] == CaseVerb.RISK_LEVEL_CHANGED][-1]
    assert change["actor"]["name"] == "Nadia Quinn"
    assert change["old"] == {"risk_level": "medium"}
    assert change["new"]["risk_level"] == "standard"
    assert change["reason"] == "Victim has moved to a refuge"
    from dasapp.models import AccessLog

    assert AccessLog.objects.filter(
        action=AccessLog.Action.ALTER,
        user=people["researcher"],
        object_id=str(case.pk),
        person_id=case.victim_id,
        detail={"change": "risk level", "to": "standard"},
    ).exists()
    assert change["summary"].startswith("Risk level changed from medium to standard by Nadia Quinn")
    assert change["summary"].endswith(": Victim has moved to a refuge")


def test_a_stale_version_is_409_and_nothing_changes(people):
    case = raised_to_medium(people)
    read_version = case.version
    case_services.case_risk_change(
        case=case, user=people["cru_daso"], level="high", reason="New threat to kill"
    )

    response = api(people["researcher"]).post(
        f"/api/v1/cases/{case.pk}/risk-level/",
        {"risk_level": "standard", "reason": "Moved to a refuge", "version": read_version},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["errors"]["version"]
    case.refresh_from_db()
    assert case.risk_level == "high"


def test_a_risk_change_needs_a_version_and_a_reason(people):
    case = raised_to_medium(people)
    client = api(people["cru_daso"])

    no_version = client.post(
        f"/api/v1/cases/{case.pk}/risk-level/",
        {"risk_level": "high", "reason": "x"},
        format="json",
    )
    no_reason = client.post(
        f"/api/v1/cases/{case.pk}/risk-level/",
        {"risk_level": "high", "reason": " ", "version": case.version},
        format="json",
    )

    assert no_version.status_code == 400
    assert no_version.json()["errors"]["version"] == ["Send the version of the case you read"]
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"]["reason"] == ["Explain why the risk level is changing"]
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_only_case_workers_change_risk_officers_get_403(people):
    case = submitted(people, yes=3).case

    response = api(people["officer"]).post(
        f"/api/v1/cases/{case.pk}/risk-level/",
        {"risk_level": "high", "reason": "x", "version": case.version},
        format="json",
    )

    assert response.status_code == 403


def test_agree_and_challenge_through_the_api(people):
    case = raised_to_medium(people)
    client = api(people["researcher"])

    agreed = client.post(
        f"/api/v1/cases/{case.pk}/agree/", {"version": case.version}, format="json"
    )
    challenged = client.post(
        f"/api/v1/cases/{case.pk}/challenge/",
        {"reason": "Q18 contradicts the narrative", "version": agreed.json()["version"]},
        format="json",
    )

    assert agreed.status_code == 200 and agreed.json()["reviewed_at"]
    assert challenged.status_code == 200
    assert [t["kind"] for t in challenged.json()["open_tasks"]] == [TaskKind.CHALLENGE]
    assert challenged.json()["open_tasks"][0]["assigned_to"]["id"] == people["officer"].pk
    # Both answers show the victim's case: each write is in the access log.
    from dasapp.models import AccessLog

    logged = AccessLog.objects.filter(
        action=AccessLog.Action.ALTER, object_type="cases.case", object_id=str(case.pk)
    ).values_list("user", "channel", "person_id", "detail")
    assert list(logged.order_by("pk")) == [
        (people["researcher"].pk, "api", case.victim_id, {"change": "agree"}),
        (people["researcher"].pk, "api", case.victim_id, {"change": "challenge"}),
    ]


def test_partner_gets_nothing_from_cases_or_assessments(people):
    case = submitted(people, yes=15).case
    partner = api(people["partner"])

    for url in (
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/history/",
        f"/api/v1/assessments/{case.assessments.get().pk}/",
    ):
        assert partner.get(url).status_code == 403, url
    assert partner.post("/api/v1/assessments/", dv1_body(people), format="json").status_code == 403
    assert (
        partner.post(
            f"/api/v1/cases/{case.pk}/risk-level/",
            {"risk_level": "low", "reason": "x", "version": 1},
            format="json",
        ).status_code
        == 403
    )
    assert not AccessLog.objects.filter(user=people["partner"]).exists()


def test_cases_list_filters_by_queue_team_level_and_status_and_is_scoped(people, persona):
    medium = raised_to_medium(people)
    victim, suspect = other_pair(people, 1)
    standard = submitted(people, yes=2, victim=victim, suspect=suspect).case
    hub_case = queue_case(hub_queue(), level="high", n=9)
    daso = api(people["cru_daso"])

    def ids(**params):
        response = daso.get("/api/v1/cases/", params)
        assert response.status_code == 200, response.json()
        return {c["id"] for c in response.json()["results"]}

    assert ids() == {medium.pk, standard.pk, hub_case.pk}
    assert ids(risk_level="standard") == {standard.pk}
    assert ids(queue=medium.queue_id) == {medium.pk}
    assert ids(team="hub-colchester") == {hub_case.pk}
    assert ids(status="closed") == set()
    # An officer sees the cases they submitted DV1s for, not the others.
    officer_ids = {c["id"] for c in api(people["officer"]).get("/api/v1/cases/").json()["results"]}
    assert officer_ids == {medium.pk, standard.pk}
    stranger = api(persona(Role.OFFICER, team="response", username="pc-other"))
    assert stranger.get("/api/v1/cases/").json()["results"] == []
    assert stranger.get(f"/api/v1/cases/{medium.pk}/").status_code == 404
    searched = AccessLog.objects.filter(
        user=people["cru_daso"], action=AccessLog.Action.SEARCH, object_type="cases.case"
    )
    assert searched.count() == 5


def test_reading_a_case_is_logged_with_the_work_item(people):
    case = raised_to_medium(people)

    response = api(people["cru_daso"]).get(
        f"/api/v1/cases/{case.pk}/", HTTP_X_WORK_ITEM=f"queue:{case.queue_id}"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["victim"]["id"] == people["victim"].pk
    assert body["assessments"][0]["yes_count"] == 8
    assert body["seconds_to_target"] > 0 and body["breached"] is False
    row = AccessLog.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert (row.user, row.person_id, row.channel, row.work_item) == (
        people["cru_daso"],
        people["victim"].pk,
        AccessLog.Channel.API,
        f"queue:{case.queue_id}",
    )


def test_history_api_query_count_does_not_grow_with_the_events(people):
    case = raised_to_medium(people)
    client = api(people["supervisor"])
    before = case.events.count()  # from the DV1's submission (events are never deleted)
    for verb in (EventVerb.RISK_LEVEL_AGREED, CaseVerb.CASE_ROUTED, EventVerb.GRADING_CHALLENGED):
        event_record(verb=verb, actor=people["researcher"], case=case, new={"officer": 1})

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/cases/{case.pk}/history/")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json())

    few, shown = count()
    assert shown == before + 3
    for i in range(37):
        event_record(
            verb=EventVerb.GRADING_CHALLENGED,
            actor=people["cru_daso"],
            case=case,
            new={"officer": people["officer"].pk},
            reason=f"Reason {i}",
        )
    many, shown = count()

    assert shown == before + 40
    assert many == few


def test_cases_list_query_count_is_the_same_for_5_and_50_cases(people):
    client = api(people["cru_daso"])
    for n in range(5):
        queue_case(hub_queue(), n=n)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/cases/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(5, 50):
        queue_case(hub_queue(), n=n)

    assert count() == few


# notifications/ -------------------------------------------------------------------------


def test_notifications_are_own_only_and_can_be_marked_read(people):
    mine = notify(users=[people["hub_daso"]], title="Mine", url="/queues/")[0]
    theirs = notify(users=[people["researcher"]], title="Theirs", url="/")[0]
    client = api(people["hub_daso"])

    listed = client.get("/api/v1/notifications/").json()["results"]
    assert [n["id"] for n in listed] == [mine.pk]
    assert listed[0]["unread"] is True

    read = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["unread"] is False
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("role", [Role.PARTNER, Role.OFFICER])
def test_every_role_has_an_inbox(people, persona, role):
    user = persona(role, username=f"inbox-{role}")
    notify(users=[user], title="Hello", url="/")

    response = api(user).get("/api/v1/notifications/")

    assert response.status_code == 200 and response.json()["count"] == 1
