"""The API for who holds a case: `cases/{id}/claim/`, `release/`, `reassign/`, `close/` and
`cases/bulk-reassign/`, as integrators use them: one error shape, 409 when a case was
claimed first or changed since it was read."""

from __future__ import annotations

import pytest
import time_machine

from cases import assignment_services as services
from cases.choices import ActionStatus, CaseStatus
from cases.event_verbs import EventVerb
from cases.models import Case
from cases.tests.test_assignment_services import (
    on_leave,
    researchers_queue,
    safety_action,
    with_colleagues,
)
from cases.tests.test_casework_api import api
from cases.tests.test_casework_views import HUB_A_DAYS, hub_queue, make_people, queue_case
from dasapp.models import AccessLog, Event, Notification


@pytest.fixture
def people(org, persona):
    return with_colleagues(make_people(persona), persona)


def owner_id(case: Case) -> int | None:
    case.refresh_from_db()
    return case.assigned_to_id


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "errors", "status"} and body["status"] == status
    return body


# Claim and release ----------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_claim_returns_the_case_and_a_second_claim_is_409_with_who_and_when(people):
    case = queue_case(hub_queue())

    first = api(people["hub_daso"]).post(f"/api/v1/cases/{case.pk}/claim/", {}, format="json")
    second = api(people["hub_colleague"]).post(
        f"/api/v1/cases/{case.pk}/claim/", {"version": 1}, format="json"
    )

    assert first.status_code == 200
    assert first.json()["assigned_to"] == {"id": people["hub_daso"].pk, "name": "Dee Ash"}
    assert first.json()["version"] == 2
    body = assert_error_shape(second, 409)
    assert body["message"] == "Already claimed by Dee Ash at 25 November 2026 at 10:00"
    assert owner_id(case) == people["hub_daso"].pk


def test_claim_with_a_stale_version_is_409(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])
    services.case_release(case=case, user=people["hub_daso"])

    response = api(people["hub_colleague"]).post(
        f"/api/v1/cases/{case.pk}/claim/", {"version": 1}, format="json"
    )

    assert assert_error_shape(response, 409)["errors"]["version"]
    assert owner_id(case) is None


def test_researchers_claim_only_from_researchers_queues_through_the_api(people):
    daso_case = queue_case(hub_queue(), n=1)
    standard = queue_case(researchers_queue(), level="standard", n=2)
    client = api(people["researcher"])

    refused = client.post(f"/api/v1/cases/{daso_case.pk}/claim/", {}, format="json")
    allowed = client.post(f"/api/v1/cases/{standard.pk}/claim/", {}, format="json")

    assert_error_shape(refused, 403)
    assert allowed.status_code == 200
    assert owner_id(daso_case) is None and owner_id(standard) == people["researcher"].pk


def test_release_by_the_owner_and_by_a_supervisor_with_a_reason(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])
    supervisor = api(people["supervisor"])

    no_reason = supervisor.post(f"/api/v1/cases/{case.pk}/release/", {}, format="json")
    released = supervisor.post(
        f"/api/v1/cases/{case.pk}/release/", {"reason": "Dee is off sick"}, format="json"
    )

    assert assert_error_shape(no_reason, 400)["errors"]["reason"] == [
        "Explain why you are taking the case from Dee Ash"
    ]
    assert released.status_code == 200 and released.json()["assigned_to"] is None
    assert Notification.objects.filter(user=people["hub_daso"], body="Dee is off sick").exists()


# Reassign -------------------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_supervisor_reassigns_and_is_warned_when_the_new_owner_is_on_leave(people):
    case = queue_case(hub_queue())
    on_leave(people["hub_colleague"])

    response = api(people["supervisor"]).post(
        f"/api/v1/cases/{case.pk}/reassign/",
        {"to_user": people["hub_colleague"].pk, "reason": "Kim knows the family", "version": 1},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["case"]["assigned_to"]["id"] == people["hub_colleague"].pk
    assert body["warnings"][0].startswith("Kim Lee is not at work now")
    event = Event.objects.get(case=case, verb=EventVerb.CASE_REASSIGNED)
    assert (event.actor, event.reason) == (people["supervisor"], "Kim knows the family")
    assert Notification.objects.filter(user=people["hub_colleague"]).count() == 1


def test_reassign_refusals_share_the_one_error_shape(people):
    case = queue_case(hub_queue())
    supervisor = api(people["supervisor"])
    url = f"/api/v1/cases/{case.pk}/reassign/"

    inactive = supervisor.post(
        url, {"to_user": people["inactive_daso"].pk, "reason": "Cover", "version": 1}, "json"
    )
    wrong_queue = supervisor.post(
        url, {"to_user": people["researcher"].pk, "reason": "Cover", "version": 1}, "json"
    )
    nobody = supervisor.post(url, {"to_user": 999999, "reason": "Cover", "version": 1}, "json")
    no_version = supervisor.post(url, {"to_user": people["hub_daso"].pk, "reason": "x"}, "json")
    services.case_claim(case=case, user=people["hub_colleague"])
    stale = supervisor.post(
        url, {"to_user": people["hub_daso"].pk, "reason": "Cover", "version": 1}, "json"
    )

    assert "switched off" in assert_error_shape(inactive, 400)["errors"]["to_user"][0]
    assert "does not work" in assert_error_shape(wrong_queue, 400)["errors"]["to_user"][0]
    assert assert_error_shape(nobody, 400)["errors"]["to_user"] == [
        "There is no user with id 999999"
    ]
    assert assert_error_shape(no_version, 400)["errors"]["version"]
    assert assert_error_shape(stale, 409)["errors"]["version"]
    assert owner_id(case) == people["hub_colleague"].pk


def test_a_daso_may_not_reassign_and_a_partner_gets_nothing(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_colleague"])
    body = {"to_user": people["hub_daso"].pk, "reason": "Mine now", "version": 2}

    daso = api(people["hub_daso"]).post(f"/api/v1/cases/{case.pk}/reassign/", body, "json")
    daso_release = api(people["hub_daso"]).post(f"/api/v1/cases/{case.pk}/release/", {}, "json")
    partner = api(people["partner"])
    partner_answers = [
        partner.post(f"/api/v1/cases/{case.pk}/{verb}/", body, "json").status_code
        for verb in ("claim", "release", "reassign", "close")
    ] + [
        partner.post(
            "/api/v1/cases/bulk-reassign/",
            {"cases": [{"id": case.pk, "version": 2}], **body},
            "json",
        ).status_code
    ]

    assert_error_shape(daso, 403)
    assert_error_shape(daso_release, 403)
    assert partner_answers == [403] * 5
    assert owner_id(case) == people["hub_colleague"].pk


# Bulk reassign --------------------------------------------------------------------------


def test_bulk_reassign_moves_every_case_and_reports_them(people):
    cases = [queue_case(hub_queue(), n=n) for n in range(3)]

    response = api(people["supervisor"]).post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": c.pk, "version": 1} for c in cases],
            "to_user": people["hub_daso"].pk,
            "reason": "Dee covers the north today",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["id"] for c in body["reassigned"]] == [c.pk for c in cases]
    assert body["unchanged"] == []
    assert all(owner_id(c) == people["hub_daso"].pk for c in cases)
    assert Notification.objects.get(user=people["hub_daso"]).title == (
        "3 cases reassigned to you by Sara Mills"
    )


def test_bulk_reassign_is_all_or_nothing_when_one_case_is_stale(people):
    cases = [queue_case(hub_queue(), n=n) for n in range(3)]
    services.case_claim(case=cases[2], user=people["hub_colleague"])

    response = api(people["supervisor"]).post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": c.pk, "version": 1} for c in cases],
            "to_user": people["hub_daso"].pk,
            "reason": "Cover",
        },
        format="json",
    )

    body = assert_error_shape(response, 409)
    assert body["errors"]["cases"][0].startswith(f"{cases[2].reference} changed since you read")
    assert [owner_id(c) for c in cases] == [None, None, people["hub_colleague"].pk]
    assert not Event.objects.filter(verb=EventVerb.CASE_REASSIGNED).exists()


def test_bulk_reassign_is_all_or_nothing_when_the_target_cannot_take_one_case(people):
    hub_case = queue_case(hub_queue(), n=1)
    standard = queue_case(researchers_queue(), level="standard", n=2)

    response = api(people["supervisor"]).post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": hub_case.pk, "version": 1}, {"id": standard.pk, "version": 1}],
            "to_user": people["hub_daso"].pk,
            "reason": "Cover",
        },
        format="json",
    )

    body = assert_error_shape(response, 400)
    assert body["errors"]["cases"] == [
        f"{standard.reference}: Dee Ash does not work {researchers_queue().name}: choose a "
        "referral unit researcher in Central referral unit"
    ]
    assert owner_id(hub_case) is None and owner_id(standard) is None


def test_bulk_reassign_refuses_an_inactive_target_and_unknown_cases(people):
    case = queue_case(hub_queue())
    supervisor = api(people["supervisor"])

    inactive = supervisor.post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": case.pk, "version": 1}],
            "to_user": people["inactive_daso"].pk,
            "reason": "Cover",
        },
        format="json",
    )
    unknown = supervisor.post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": 999999, "version": 1}],
            "to_user": people["hub_daso"].pk,
            "reason": "Cover",
        },
        format="json",
    )

    assert "switched off" in assert_error_shape(inactive, 400)["errors"]["to_user"][0]
    assert assert_error_shape(unknown, 400)["errors"]["cases"] == [
        "No case you may see has the id 999999"
    ]
    assert owner_id(case) is None


# Close ----------------------------------------------------------------------------------


def test_close_is_refused_while_actions_are_open_then_allowed(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])
    actions = [safety_action(case, people["hub_daso"], n=n) for n in (1, 2, 3)]
    client = api(people["hub_daso"])
    url = f"/api/v1/cases/{case.pk}/close/"

    refused = client.post(url, {"reason": "Victim moved away", "version": 2}, format="json")
    for action in actions:
        action.status = ActionStatus.CANCELLED
        action.save()
    closed = client.post(url, {"reason": "Victim moved away", "version": 2}, format="json")

    body = assert_error_shape(refused, 400)
    assert body["message"] == (
        "3 safety-plan actions are still open: mark them done or cancel them first"
    )
    assert len(body["errors"]["safety_actions"]) == 3
    assert closed.status_code == 200
    assert closed.json()["status"] == CaseStatus.CLOSED
    assert closed.json()["closed_reason"] == "Victim moved away"


def test_close_needs_a_reason_and_the_version_and_only_the_owner_or_a_supervisor(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])
    url = f"/api/v1/cases/{case.pk}/close/"

    colleague = api(people["hub_colleague"]).post(url, {"reason": "x", "version": 2}, "json")
    no_reason = api(people["hub_daso"]).post(url, {"reason": "", "version": 2}, "json")
    no_version = api(people["hub_daso"]).post(url, {"reason": "Done"}, "json")
    stale = api(people["hub_daso"]).post(url, {"reason": "Done", "version": 1}, "json")

    assert_error_shape(colleague, 403)
    assert assert_error_shape(no_reason, 400)["errors"]["reason"] == [
        "Enter why the case is closing"
    ]
    assert assert_error_shape(no_version, 400)["errors"]["version"]
    assert_error_shape(stale, 409)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


# The access log: each answer names the victim, so each write is an alteration ------------


def alterations() -> list[tuple]:
    return list(
        AccessLog.objects.filter(action=AccessLog.Action.ALTER)
        .order_by("pk")
        .values_list("user", "channel", "object_type", "object_id", "person_id", "detail")
    )


def test_claim_release_reassign_and_close_are_each_logged_as_an_alteration(people):
    case = queue_case(hub_queue())
    daso, supervisor = api(people["hub_daso"]), api(people["supervisor"])
    url = f"/api/v1/cases/{case.pk}"

    answers = [
        daso.post(f"{url}/claim/", {"version": 1}, format="json"),
        daso.post(f"{url}/release/", {"version": 2}, format="json"),
        supervisor.post(
            f"{url}/reassign/",
            {"to_user": people["hub_colleague"].pk, "reason": "Kim knows her", "version": 3},
            format="json",
        ),
        supervisor.post(f"{url}/close/", {"reason": "Moved away", "version": 4}, format="json"),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    row = ("api", "cases.case", str(case.pk), case.victim_id)
    assert alterations() == [
        (people["hub_daso"].pk, *row, {"change": "claim"}),
        (people["hub_daso"].pk, *row, {"change": "release"}),
        (
            people["supervisor"].pk,
            *row,
            {"change": "reassign", "to_user": people["hub_colleague"].pk},
        ),
        (people["supervisor"].pk, *row, {"change": "close"}),
    ]


def test_the_alteration_keeps_the_callers_purpose_and_a_work_item_about_the_case(people):
    case = queue_case(hub_queue())
    other_queue = researchers_queue()

    api(people["hub_daso"]).post(
        f"/api/v1/cases/{case.pk}/claim/",
        {"version": 1},
        format="json",
        headers={"X-Access-Purpose": "Morning triage", "X-Work-Item": f"queue:{hub_queue().pk}"},
    )
    api(people["hub_daso"]).post(
        f"/api/v1/cases/{case.pk}/release/",
        {"version": 2},
        format="json",
        headers={"X-Work-Item": f"queue:{other_queue.pk}"},
    )

    logs = AccessLog.objects.filter(action=AccessLog.Action.ALTER).order_by("pk")
    assert [(log.purpose, log.work_item) for log in logs] == [
        ("Morning triage", f"queue:{hub_queue().pk}"),
        ("", ""),  # a queue the DASO does not work, and not the case's
    ]


def test_a_refused_write_shows_no_case_and_logs_nothing(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])

    response = api(people["hub_colleague"]).post(
        f"/api/v1/cases/{case.pk}/claim/", {"version": 2}, format="json"
    )

    assert response.status_code == 409
    assert alterations() == []


def test_bulk_reassign_logs_one_alteration_per_case_moved(people):
    cases = [queue_case(hub_queue(), n=n) for n in range(3)]
    services.case_claim(case=cases[1], user=people["hub_daso"])

    response = api(people["supervisor"]).post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": c.pk, "version": 2 if c == cases[1] else 1} for c in cases],
            "to_user": people["hub_daso"].pk,
            "reason": "Dee covers the north today",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["unchanged"] == [cases[1].pk]
    detail = {"change": "reassign", "to_user": people["hub_daso"].pk}
    assert alterations() == [
        (people["supervisor"].pk, "api", "cases.case", str(c.pk), c.victim_id, detail)
        for c in (cases[0], cases[2])
    ]
