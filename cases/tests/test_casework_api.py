"""The casework API: `cases/` (list, read, risk level, agree, challenge, history) and
`notifications/`, as integrators use them (DV1s, `assessments/`: risk/tests)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import case_services
from cases.choices import QueueKind, TaskKind
from cases.event_verbs import EventVerb as CaseVerb
from cases.tests.test_casework_views import (
    hub_queue,
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


@pytest.fixture
def people(org, persona):
    return make_people(persona)


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


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


def test_partner_gets_nothing_from_cases(people):
    case = submitted(people, yes=15).case
    partner = api(people["partner"])

    for url in (
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/history/",
    ):
        assert partner.get(url).status_code == 403, url
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
    for verb in (CaseVerb.RISK_LEVEL_AGREED, CaseVerb.CASE_ROUTED, CaseVerb.GRADING_CHALLENGED):
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
            verb=CaseVerb.GRADING_CHALLENGED,
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
