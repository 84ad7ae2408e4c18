"""The API for safety-plan actions (`safety-actions/`) and absences (`absences/`), as an
integrating system uses it: the same rules and messages as the pages, one error shape,
lists filtered to what the caller may see."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import safety_services
from cases.choices import ActionStatus
from cases.models import SafetyAction, SafetyPlan
from cases.tests.test_safety_services import DAY, HOUR, T0, add, make_case, make_staff
from dasapp.models import AccessLog, Notification
from org.models import Absence

pytestmark = pytest.mark.usefixtures("org")


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def staff(persona):
    return make_staff(persona)


@pytest.fixture
def case(staff):
    with time_machine.travel(T0 - HOUR, tick=False):
        return make_case(staff.daso)


def action_on(staff, case, owner=None, **kwargs):
    with time_machine.travel(T0, tick=False):
        plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
        return add(plan, staff.daso, owner=owner or staff.insp_a, **kwargs)


# safety-actions/ -----------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_daso_adds_patrols_for_an_inspector_through_the_api(staff, case):
    response = api(staff.daso).post(
        "/api/v1/safety-actions/",
        {
            "case": case.pk,
            "action_type": "patrols",
            "description": "18:00 to 23:00 daily",
            "owner": staff.insp_a.pk,
            "due_at": "2026-07-14T18:00:00+01:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"] == {"id": case.pk, "reference": case.reference}
    assert body["title"] == "Patrols past the address: 18:00 to 23:00 daily"
    assert body["owner"] == {"id": staff.insp_a.pk, "name": "Mark Fenwick"}
    assert (body["status"], body["version"], body["overdue"], body["follow_ups"]) == (
        "open",
        1,
        False,
        [],
    )
    assert body["due_at"] == "2026-07-14T18:00:00+01:00"


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_at": "2026-07-14T09:00:00+01:00"}, "due_at", "The due time must be in the future"),
        ("inactive", "owner", "Mark Fenwick's account is switched off: choose someone else"),
        (
            {"owner": None, "owner_team": "nct-north"},
            "owner_team",
            "Neighbourhood crime team (north) has nobody in it: choose a person or another team",
        ),
        (
            {"action_type": "teleport"},
            "action_type",
            "No action in the catalogue has the code teleport",
        ),
    ],
)
def test_bad_actions_are_refused_with_a_field_error_in_the_one_shape(
    staff, case, change, field, message
):
    body = {
        "case": case.pk,
        "action_type": "patrols",
        "owner": staff.insp_a.pk,
        "due_at": "2026-07-15T09:00:00Z",
    }
    if change == "inactive":
        staff.insp_a.is_active = False
        staff.insp_a.save()
    else:
        body.update(change)
    response = api(staff.daso).post("/api/v1/safety-actions/", body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400 and error["errors"][field] == [message]
    assert set(error) == {"message", "errors", "status"}
    assert not SafetyAction.objects.exists()
    assert not SafetyPlan.objects.exists()  # no empty plan left behind


def test_only_those_who_work_the_cases_queue_add_actions(staff, case, persona):
    from cases.tests.test_safety_services import in_colchester_queue

    in_colchester_queue(case)
    researcher = persona("researcher", "cru")
    response = api(researcher).post(
        "/api/v1/safety-actions/",
        {"case": case.pk, "action_type": "patrols", "owner": staff.insp_a.pk},
        format="json",
    )
    assert response.status_code == 403
    assert api(staff.insp_a).post("/api/v1/safety-actions/", {}, format="json").status_code == (403)


@time_machine.travel(T0, tick=False)
def test_a_researcher_works_the_plan_of_a_case_in_their_researchers_queue(staff, case, persona):
    from cases.tests.test_safety_services import in_researchers_queue

    in_researchers_queue(case)
    researcher = persona("researcher", "cru", first_name="Nadia", last_name="Quinn")
    client = api(researcher)
    created = client.post(
        "/api/v1/safety-actions/",
        {
            "case": case.pk,
            "action_type": "patrols",
            "owner": staff.insp_a.pk,
            "due_at": "2026-07-14T18:00:00+01:00",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    moved = client.post(
        f"/api/v1/safety-actions/{created.json()['id']}/reassign/",
        {"owner": staff.insp_b.pk, "reason": "On duty tonight", "version": 1},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    agreed = client.post(
        "/api/v1/safety-plans/agree/", {"case": case.pk, "agreed_at": "2026-07-14"}, format="json"
    )
    assert agreed.status_code == 200, agreed.json()
    action = SafetyAction.objects.get()
    assert (action.created_by, action.owner) == (researcher, staff.insp_b)
    # A researcher of another team is refused.
    other = api(persona("researcher", "hub-colchester"))
    refused = other.post(
        f"/api/v1/safety-actions/{action.pk}/cancel/",
        {"reason": "Not needed", "version": 2},
        format="json",
    )
    assert refused.status_code == 403


def test_the_list_shows_actions_on_readable_cases_and_the_callers_own_only(
    staff, case, persona, django_assert_max_num_queries
):
    mine = action_on(staff, case, owner=staff.insp_a)
    action_on(staff, case, owner=staff.insp_b)

    with django_assert_max_num_queries(12):
        as_daso = api(staff.daso).get("/api/v1/safety-actions/").json()
    assert as_daso["count"] == 2
    as_owner = api(staff.insp_a).get("/api/v1/safety-actions/").json()
    assert [a["id"] for a in as_owner["results"]] == [mine.pk]
    assert api(staff.pc).get("/api/v1/safety-actions/").json()["count"] == 0
    partner = persona("partner", "victim-support")
    assert api(partner).get("/api/v1/safety-actions/").status_code == 403
    assert AccessLog.objects.filter(user=staff.daso, object_type="cases.safetyaction").exists()


def test_the_list_filters_by_case_mine_and_overdue(staff, case):
    first = action_on(staff, case, owner=staff.daso, due_in=HOUR)
    action_on(staff, case, owner=staff.insp_b, due_in=DAY)
    other = make_case(staff.daso)
    client = api(staff.daso)
    assert client.get("/api/v1/safety-actions/", {"case": other.pk}).json()["count"] == 0
    assert [
        a["id"] for a in client.get("/api/v1/safety-actions/", {"mine": "true"}).json()["results"]
    ] == [first.pk]
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        overdue = client.get("/api/v1/safety-actions/", {"overdue": "true"}).json()
    assert [a["id"] for a in overdue["results"]] == [first.pk]
    assert overdue["results"][0]["overdue"] is True


def test_the_owner_completes_an_action_with_a_patch(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    response = api(staff.insp_a).patch(
        f"/api/v1/safety-actions/{action.pk}/",
        {"status": "done", "completion_note": "Patrols done at 18:10", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["version"]) == ("done", 2)


def test_completing_with_an_old_version_is_a_409_and_changes_nothing(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    safety_services.action_reassign(
        action=action, user=staff.chief, to_user=staff.insp_b, reason="On a course"
    )
    response = api(staff.daso).patch(
        f"/api/v1/safety-actions/{action.pk}/",
        {"status": "done", "completion_note": "Done", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["errors"]["version"] == [
        "You had version 1; the action is now at version 2"
    ]
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_someone_who_may_see_but_not_complete_an_action_gets_403(staff, case, persona):
    from cases.tests.test_safety_services import in_colchester_queue

    in_colchester_queue(case)  # worked by the hub's DASOs
    action = action_on(staff, case, owner=staff.insp_a)
    researcher = persona("researcher", "cru")
    response = api(researcher).patch(
        f"/api/v1/safety-actions/{action.pk}/",
        {"status": "done", "completion_note": "Done", "version": 1},
        format="json",
    )
    assert response.status_code == 403


def test_a_patch_needs_the_status_done_a_note_and_the_version(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    client = api(staff.insp_a)
    wrong = client.patch(f"/api/v1/safety-actions/{action.pk}/", {"status": "open"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {
        "status": ["Set the status to done to complete the action"],
        "version": ["Send the version of the action you read"],
    }
    no_note = client.patch(
        f"/api/v1/safety-actions/{action.pk}/", {"status": "done", "version": 1}, format="json"
    )
    assert no_note.json()["errors"] == {"note": ["Say what was done"]}


def test_a_daso_moves_an_action_through_the_api_and_it_reads_back_with_the_new_owner(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    response = api(staff.daso).post(
        f"/api/v1/safety-actions/{action.pk}/reassign/",
        {"owner": staff.insp_b.pk, "reason": "Fenwick is on a course", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["owner"]["id"] == staff.insp_b.pk
    team = api(staff.daso).post(
        f"/api/v1/safety-actions/{action.pk}/reassign/",
        {"owner_team": "response", "reason": "Whoever is on", "version": 2},
        format="json",
    )
    assert team.json()["owner"] is None and team.json()["owner_team"]["code"] == "response"


@time_machine.travel(T0, tick=False)
def test_a_daso_cancels_an_action_with_a_reason_and_it_reads_back_cancelled(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    client = api(staff.daso)

    response = client.post(
        f"/api/v1/safety-actions/{action.pk}/cancel/",
        {"reason": "The victim declined a panic alarm", "version": 1},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["version"], body["overdue"]) == ("cancelled", 2, False)
    assert body["completion_note"] == "The victim declined a panic alarm"
    assert body["completed_at"] == "2026-07-14T10:00:00+01:00"
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert action.history.first().history_user == staff.daso
    assert Notification.objects.filter(
        user=staff.insp_a, title__startswith="Safety-plan action cancelled"
    ).exists()
    listed = client.get("/api/v1/safety-actions/", {"status": "cancelled"}).json()
    assert [a["id"] for a in listed["results"]] == [action.pk]
    assert client.get("/api/v1/safety-actions/", {"status": "open"}).json()["count"] == 0


def test_cancelling_needs_a_reason_and_the_version_with_field_errors(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    client = api(staff.daso)
    path = f"/api/v1/safety-actions/{action.pk}/cancel/"

    nothing = client.post(path, {}, format="json")
    assert nothing.status_code == 400
    assert nothing.json()["errors"] == {"version": ["Send the version of the action you read"]}
    no_reason = client.post(path, {"reason": "  ", "version": 1}, format="json")
    assert no_reason.status_code == 400
    error = no_reason.json()
    assert error["errors"] == {"reason": ["Give a reason for cancelling the action"]}
    assert set(error) == {"message", "errors", "status"}
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.OPEN, 1)


def test_cancelling_with_an_old_version_is_a_409_and_changes_nothing(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    safety_services.action_reassign(
        action=action, user=staff.chief, to_user=staff.insp_b, reason="On a course"
    )
    response = api(staff.daso).post(
        f"/api/v1/safety-actions/{action.pk}/cancel/",
        {"reason": "She moved to a refuge", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["errors"]["version"] == [
        "You had version 1; the action is now at version 2"
    ]
    action.refresh_from_db()
    assert (action.status, action.owner) == (ActionStatus.OPEN, staff.insp_b)


def test_cancelling_an_action_no_longer_open_is_refused_on_its_status(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    safety_services.action_cancel(action=action, user=staff.daso, reason="Declined")
    client = api(staff.daso)
    again = client.post(
        f"/api/v1/safety-actions/{action.pk}/cancel/",
        {"reason": "Declined again", "version": 2},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["errors"] == {"status": ["The action is cancelled"]}
    completed = api(staff.insp_a).patch(
        f"/api/v1/safety-actions/{action.pk}/",
        {"status": "done", "completion_note": "Done", "version": 2},
        format="json",
    )
    assert completed.status_code == 400
    assert completed.json()["errors"] == {"status": ["The action is cancelled"]}
    moved = client.post(
        f"/api/v1/safety-actions/{action.pk}/reassign/",
        {"owner": staff.insp_b.pk, "reason": "Cover", "version": 2},
        format="json",
    )
    assert moved.status_code == 400
    action.refresh_from_db()
    assert (action.completion_note, action.owner) == ("Declined", staff.insp_a)


def test_the_owner_and_a_researcher_may_not_cancel_an_action(staff, case, persona):
    from cases.tests.test_safety_services import in_colchester_queue

    in_colchester_queue(case)  # worked by the hub's DASOs
    action = action_on(staff, case, owner=staff.insp_a)
    researcher = persona("researcher", "cru")
    for user in (staff.insp_a, researcher):
        response = api(user).post(
            f"/api/v1/safety-actions/{action.pk}/cancel/",
            {"reason": "Not needed", "version": 1},
            format="json",
        )
        assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_schema_documents_cancelling_like_moving(staff):
    schema = api(staff.daso).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/safety-actions/{id}/cancel/"]["post"]
    assert operation["operationId"] == "v1_safety_actions_cancel"
    assert operation["summary"] == "Cancel a safety-plan action"
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(request["properties"]) == {"reason", "version"}
    assert request["required"] == ["version"]


def test_follow_ups_raised_by_the_sweep_read_back_on_the_action(staff, case):
    action = action_on(staff, case, owner=staff.insp_b, due_in=HOUR)
    safety_services.sweep_run(now=T0 + 2 * HOUR)
    body = api(staff.insp_b).get(f"/api/v1/safety-actions/{action.pk}/").json()
    [follow_up] = body["follow_ups"]
    assert (follow_up["reason"], follow_up["escalated"], follow_up["to_user"]["id"]) == (
        "overdue",
        False,
        staff.insp_b.pk,
    )


def test_an_action_on_a_case_the_caller_may_not_see_is_404(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)
    assert api(staff.pc).get(f"/api/v1/safety-actions/{action.pk}/").status_code == 404


# absences/ -----------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_supervisor_records_an_absence_and_others_list_only_their_own(staff):
    response = api(staff.chief).post(
        "/api/v1/absences/",
        {
            "user": staff.insp_a.pk,
            "kind": "annual_leave",
            "starts_at": "2026-07-20T08:00:00+01:00",
            "ends_at": "2026-08-03T08:00:00+01:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["recorded_by"]["id"] == staff.chief.pk
    safety_services.absence_record(
        user=staff.chief, person=staff.insp_b, kind="sickness", starts_at=T0, ends_at=T0 + DAY
    )
    as_chief = api(staff.chief).get("/api/v1/absences/").json()
    assert as_chief["count"] == 2
    as_fenwick = api(staff.insp_a).get("/api/v1/absences/").json()
    assert [a["user"]["id"] for a in as_fenwick["results"]] == [staff.insp_a.pk]


@time_machine.travel(T0, tick=False)
def test_an_absence_ending_before_it_starts_or_for_a_stranger_is_refused(staff, persona):
    client = api(staff.chief)
    backwards = client.post(
        "/api/v1/absences/",
        {
            "user": staff.insp_a.pk,
            "kind": "sickness",
            "starts_at": "2026-07-20T08:00:00Z",
            "ends_at": "2026-07-19T08:00:00Z",
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {"ends_at": ["The end must be after the start"]}
    stranger = persona("daso", "hub-laindon")
    refused = client.post(
        "/api/v1/absences/",
        {
            "user": stranger.pk,
            "kind": "sickness",
            "starts_at": "2026-07-20T08:00:00Z",
            "ends_at": "2026-07-21T08:00:00Z",
        },
        format="json",
    )
    assert refused.json()["errors"] == {
        "user": ["Choose someone you supervise or who is in your team"]
    }
    assert not Absence.objects.exists()


def test_only_supervisors_record_absences(staff):
    response = api(staff.daso).post(
        "/api/v1/absences/",
        {
            "user": staff.daso.pk,
            "kind": "sickness",
            "starts_at": "2026-07-20T08:00:00Z",
            "ends_at": "2026-07-21T08:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 403


def test_an_absence_recorded_through_the_api_is_what_the_sweep_reads(staff, case):
    action = action_on(staff, case, owner=staff.insp_a, due_in=30 * dt.timedelta(minutes=1))
    with time_machine.travel(T0, tick=False):
        api(staff.chief).post(
            "/api/v1/absences/",
            {
                "user": staff.insp_a.pk,
                "kind": "sickness",
                "starts_at": "2026-07-14T08:00:00+01:00",
                "ends_at": "2026-07-16T08:00:00+01:00",
            },
            format="json",
        )
        safety_services.sweep_run()
    action.refresh_from_db()
    assert action.owner == staff.insp_b


@time_machine.travel(T0, tick=False)
def test_a_daso_records_through_the_api_the_day_the_victim_agreed_the_plan(staff, case):
    today = T0.date().isoformat()
    response = api(staff.daso).post(
        "/api/v1/safety-plans/agree/", {"case": case.pk, "agreed_at": today}, format="json"
    )
    assert response.status_code == 200, response.json()
    plan = SafetyPlan.objects.get(case=case)
    assert response.json()["version"] == plan.version
    assert plan.agreed_with_victim_at.date().isoformat() == today
    assert plan.agreed_by == staff.daso
    assert plan.history.first().history_user == staff.daso
    from dasapp.models import AccessLog

    assert AccessLog.objects.filter(
        action=AccessLog.Action.ALTER,
        user=staff.daso,
        object_type="cases.case",
        object_id=str(case.pk),
        person_id=case.victim_id,
    ).exists()

    later = (T0 + dt.timedelta(days=2)).date().isoformat()
    refused = api(staff.daso).post(
        "/api/v1/safety-plans/agree/", {"case": case.pk, "agreed_at": later}, format="json"
    )
    assert refused.status_code == 400
    assert "today or in the past" in refused.json()["errors"]["agreed_at"][0]
    stale = api(staff.daso).post(
        "/api/v1/safety-plans/agree/",
        {"case": case.pk, "agreed_at": today, "version": plan.version - 1},
        format="json",
    )
    assert stale.status_code == 409


@time_machine.travel(T0, tick=False)
def test_a_daso_in_another_hub_may_not_add_move_cancel_complete_or_agree_through_the_api(
    staff, case, persona
):
    from cases.tests.test_safety_services import hub_dasos, in_colchester_queue

    dasos = hub_dasos(persona)
    in_colchester_queue(case)
    action = action_on(staff, case, owner=staff.insp_a)
    elsewhere = api(dasos.laindon)

    answers = [
        elsewhere.post(
            "/api/v1/safety-actions/",
            {
                "case": case.pk,
                "action_type": "patrols",
                "owner": staff.insp_b.pk,
                "due_at": "2026-07-14T18:00:00+01:00",
            },
            format="json",
        ),
        elsewhere.post(
            f"/api/v1/safety-actions/{action.pk}/reassign/",
            {"owner": staff.insp_b.pk, "reason": "x", "version": 1},
            format="json",
        ),
        elsewhere.post(
            f"/api/v1/safety-actions/{action.pk}/cancel/",
            {"reason": "x", "version": 1},
            format="json",
        ),
        elsewhere.patch(
            f"/api/v1/safety-actions/{action.pk}/",
            {"status": "done", "completion_note": "x", "version": 1},
            format="json",
        ),
        elsewhere.post(
            "/api/v1/safety-plans/agree/",
            {"case": case.pk, "agreed_at": T0.date().isoformat()},
            format="json",
        ),
    ]

    assert [answer.status_code for answer in answers] == [403] * 5
    action.refresh_from_db()
    assert (action.owner, action.status, action.version) == (staff.insp_a, "open", 1)
    assert SafetyAction.objects.count() == 1
    assert SafetyPlan.objects.get(case=case).agreed_with_victim_at is None
    # It reads the action all the same.
    assert elsewhere.get(f"/api/v1/safety-actions/{action.pk}/").status_code == 200
    # The DASO who works the case's queue may move it.
    moved = api(dasos.colchester).post(
        f"/api/v1/safety-actions/{action.pk}/reassign/",
        {"owner": staff.insp_b.pk, "reason": "Fenwick is on a course", "version": 1},
        format="json",
    )
    assert moved.status_code == 200, moved.json()


# The access log: each answer is an action on the victim's safety plan -------------------


def plan_alterations() -> list[tuple]:
    return list(
        AccessLog.objects.filter(action=AccessLog.Action.ALTER)
        .order_by("pk")
        .values_list("user", "channel", "object_type", "object_id", "person_id", "detail")
    )


@time_machine.travel(T0, tick=False)
def test_adding_completing_moving_and_cancelling_actions_are_logged_as_alterations(staff, case):
    daso = api(staff.daso)
    added = daso.post(
        "/api/v1/safety-actions/",
        {
            "case": case.pk,
            "action_type": "patrols",
            "owner": staff.insp_a.pk,
            "due_at": "2026-07-14T18:00:00+01:00",
        },
        format="json",
    )
    pk = added.json()["id"]
    url = f"/api/v1/safety-actions/{pk}/"
    moved = daso.post(
        f"{url}reassign/",
        {"owner": staff.insp_b.pk, "reason": "Fenwick is on a course", "version": 1},
        format="json",
    )
    done = api(staff.insp_b).patch(
        url, {"status": "done", "completion_note": "Patrols done", "version": 2}, format="json"
    )
    other = action_on(staff, case, owner=staff.insp_a)
    cancelled = daso.post(
        f"/api/v1/safety-actions/{other.pk}/cancel/",
        {"reason": "The victim declined it", "version": 1},
        format="json",
    )

    assert [r.status_code for r in (added, moved, done, cancelled)] == [201, 200, 200, 200]
    row = ("api", "cases.safetyaction")
    assert plan_alterations() == [
        (staff.daso.pk, *row, str(pk), case.victim_id, {"change": "add"}),
        (staff.daso.pk, *row, str(pk), case.victim_id, {"change": "reassign"}),
        (staff.insp_b.pk, *row, str(pk), case.victim_id, {"change": "complete"}),
        (staff.daso.pk, *row, str(other.pk), case.victim_id, {"change": "cancel"}),
    ]


def test_a_refused_action_write_logs_no_alteration(staff, case):
    action = action_on(staff, case, owner=staff.insp_a)

    stale = api(staff.daso).post(
        f"/api/v1/safety-actions/{action.pk}/cancel/",
        {"reason": "Declined", "version": 7},
        format="json",
    )

    assert stale.status_code == 409
    assert plan_alterations() == []


# The case history (cases/{id}/history/): free text only for those who work the plan --


def in_cru_queue(case, owner):
    """The case is in the central referral unit's DASO queue, on `owner`'s caseload."""
    from cases import case_services
    from cases.choices import QueueKind

    case.queue = case_services.queue_for(
        team=case_services.central_unit(), kind=QueueKind.CRU_MEDIUM
    )
    case.assigned_to = owner
    case.save()
    return case


def test_the_case_history_names_actions_by_label_or_free_text_action_for_other_readers(
    staff, case, persona
):
    from cases import case_services

    address = "12 Fictional Road"
    in_cru_queue(case, staff.daso)
    with time_machine.travel(T0, tick=False):
        catalogue = action_on(staff, case, description=f"Past her sister's at {address}")
        free = action_on(staff, case, kind=None, description=f"Spare key left at {address}")
        safety_services.action_reassign(
            action=free, user=staff.daso, to_user=staff.insp_b, reason="Inspector on duty"
        )
        safety_services.action_complete(action=catalogue, user=staff.insp_a, note="Done daily")
        # A DASO in another hub who once acted on the case (joined an incident to it):
        # she may read its history, but does not work its plan.
        elsewhere = persona("daso", "hub-laindon", first_name="Rhea", last_name="Stone")
        case_services.case_open_or_join(
            victim=case.victim, perpetrator=None, level="high", user=elsewhere
        )

    def safety_titles(user) -> list[tuple[str, str]]:
        response = api(user).get(f"/api/v1/cases/{case.pk}/history/")
        assert response.status_code == 200, response.json()
        return [
            (e["verb"], e["new"]["title"])
            for e in response.json()
            if e["verb"].startswith("safety_action") and "title" in e["new"]
        ], response.content.decode()

    full, _ = safety_titles(staff.daso)  # the case's owner works the plan
    assert full == [
        ("safety_action_added", f"Patrols past the address: Past her sister's at {address}"),
        ("safety_action_added", f"Spare key left at {address}"),
        ("safety_action_reassigned", f"Spare key left at {address}"),
        ("safety_action_done", f"Patrols past the address: Past her sister's at {address}"),
    ]
    assert safety_titles(staff.chief)[0] == full  # a supervisor too

    safe, body = safety_titles(elsewhere)
    assert safe == [
        ("safety_action_added", "Patrols past the address"),
        ("safety_action_added", "Free-text action"),
        ("safety_action_reassigned", "Free-text action"),
        ("safety_action_done", "Patrols past the address"),
    ]
    assert address not in body and "sister" not in body
    # What else the entries carry is unchanged: who, the action, the owner.
    moved = next(
        e
        for e in api(elsewhere).get(f"/api/v1/cases/{case.pk}/history/").json()
        if e["verb"] == "safety_action_reassigned"
    )
    assert (moved["new"]["action"], moved["new"]["owner"]) == (free.pk, staff.insp_b.pk)


def test_the_case_history_costs_the_same_queries_with_safe_titles_for_3_actions_or_30(
    staff, case, persona
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import case_services

    in_cru_queue(case, staff.daso)
    elsewhere = persona("daso", "hub-laindon", first_name="Rhea", last_name="Stone")
    with time_machine.travel(T0, tick=False):
        case_services.case_open_or_join(
            victim=case.victim, perpetrator=None, level="high", user=elsewhere
        )

    def count(n: int) -> int:
        with time_machine.travel(T0, tick=False):
            for _ in range(n):
                action_on(staff, case, kind=None, description="Free text")
        client = api(elsewhere)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/cases/{case.pk}/history/")
        assert {
            e["new"]["title"] for e in response.json() if e["verb"] == "safety_action_added"
        } == {"Free-text action"}
        return len(captured.captured_queries)

    assert count(3) == count(27)


def test_the_schema_says_how_the_case_history_names_safety_plan_actions(staff):
    schema = api(staff.chief).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/cases/{id}/history/"]["get"]
    assert '"Free-text action"' in operation["description"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
    new = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]["new"]
    assert new["type"] == "object" and "Free-text action" in new["description"]
