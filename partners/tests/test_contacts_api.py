"""The `contacts/` API: a victim's contact timeline across agencies with the
other-agency warning, and recording a contact; the same rules as the pages, the one
error shape, and the access log. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases import case_services
from cases.models import Task
from dasapp.models import AccessLog
from partners.choices import ContactChannel, ContactOutcome
from partners.models import Contact
from partners.services import contacts as contact_services
from partners.tests.test_contacts import NOW, WARNING, YESTERDAY
from partners.tests.test_contacts import p as p  # noqa: F401  (the shared personas fixture)

URL = "/api/v1/contacts/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(p, who: str, *, at=None, outcome=ContactOutcome.SPOKE):
    return contact_services.contact_record(
        victim=p["victim"],
        user=p[who],
        channel=ContactChannel.PHONE,
        outcome=outcome,
        at=at or timezone.now() - dt.timedelta(minutes=5),
    )


def body(p, **extra) -> dict:
    return {
        "victim": p["victim"].pk,
        "channel": "phone",
        "outcome": "spoke",
        "at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
        **extra,
    }


@time_machine.travel(NOW, tick=False)
def test_list_gives_the_timeline_newest_first_with_the_other_agency_warning(p):
    older = record(p, "idva", at=NOW - dt.timedelta(days=6))
    by_vs = record(p, "victim_support", at=YESTERDAY)

    response = api(p["daso"]).get(URL, {"victim": p["victim"].pk})

    assert response.status_code == 200
    data = response.json()
    assert [c["id"] for c in data["results"]] == [by_vs.pk, older.pk]
    assert data["count"] == 2
    assert data["warning"] == WARNING
    assert data["warning_days"] == 3
    assert data["recent_other_agency_contact"]["id"] == by_vs.pk
    assert data["last_contact"]["agency"]["code"] == "victim-support"
    assert data["last_contact"]["by"]["name"] == "Kemi Adebayo"
    assert data["last_contact"]["outcome_label"] == "Spoke with the victim"


@time_machine.travel(NOW, tick=False)
def test_list_has_no_warning_for_the_callers_own_agency(p):
    record(p, "colleague", at=YESTERDAY)

    data = api(p["daso"]).get(URL, {"victim": p["victim"].pk}).json()

    assert data["warning"] == ""
    assert data["recent_other_agency_contact"] is None
    assert data["last_contact"] is not None


def test_list_needs_the_victim(p):
    response = api(p["daso"]).get(URL)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "victim": ["Give the id of the victim whose contacts you want"]
    }


def test_list_is_logged_as_a_consultation_with_the_purpose(p):
    contact = record(p, "idva")

    api(p["daso"]).get(URL, {"victim": p["victim"].pk}, HTTP_X_ACCESS_PURPOSE="Before calling her")

    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.user, log.channel, log.object_type, log.person_id, log.purpose) == (
        p["daso"],
        AccessLog.Channel.API,
        "people.person",
        p["victim"].pk,
        "Before calling her",
    )
    assert log.detail == {"contacts": [contact.pk]}


def test_create_records_against_the_callers_agency_and_logs_a_collection(p):
    response = api(p["supervisor"]).post(URL, body(p, note="Safety plan"), format="json")

    assert response.status_code == 201, response.json()
    contact = Contact.objects.get()
    assert response.json()["id"] == contact.pk
    assert response.json()["agency"]["code"] == "cru"
    assert contact.note == "Safety plan"
    log = AccessLog.objects.get(action=AccessLog.Action.COLLECT)
    assert (log.user, log.channel, log.object_type, log.object_id, log.person_id) == (
        p["supervisor"],
        AccessLog.Channel.API,
        "partners.contact",
        str(contact.pk),
        p["victim"].pk,
    )


def test_create_on_a_case_the_caller_may_not_see_is_refused(p):
    """The officer holds a task on her case against the suspect, so sees her timeline,
    but not her other case, against someone else."""
    Task.objects.create(
        kind="challenge", case=p["case"], assigned_to=p["officer"], created_at=timezone.now()
    )
    case, _ = case_services.case_open_or_join(
        victim=p["victim"], perpetrator=None, level="medium", user=p["daso"]
    )

    response = api(p["officer"]).post(URL, body(p, case=case.pk), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"case": ["Choose one of this victim's cases"]}
    assert not Contact.objects.exists()


def test_create_on_a_case_the_caller_may_see(p):
    case, _ = case_services.case_open_or_join(
        victim=p["victim"], perpetrator=p["suspect"], level="high", user=p["daso"]
    )

    response = api(p["daso"]).post(URL, body(p, case=case.pk), format="json")

    assert response.status_code == 201
    assert response.json()["case"] == case.pk
    assert response.json()["agency"]["code"] == "hub-colchester"


def test_create_in_the_future_is_refused(p):
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()

    response = api(p["daso"]).post(URL, body(p, at=later), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "at": ["The date and time of the contact must be now or in the past"]
    }
    assert not Contact.objects.exists()


def test_create_by_a_user_without_a_team_is_refused_with_the_message(p):
    response = api(p["no_team"]).post(URL, body(p), format="json")

    assert response.status_code == 400
    assert response.json()["message"] == contact_services.NO_TEAM
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "who, status",
    # Partner agencies pass the role check; no agency of theirs works with her: 404.
    [("partner", 404), ("victim_support", 404), ("call_taker", 403)],
)
def test_partners_without_an_involvement_and_other_roles_are_denied(p, who, status):
    record(p, "idva")
    client = api(p[who])

    assert client.get(URL, {"victim": p["victim"].pk}).status_code == status
    assert client.post(URL, body(p), format="json").status_code == status
    assert Contact.objects.count() == 1
    assert not AccessLog.objects.filter(action=AccessLog.Action.CONSULT).exists()


def test_officer_not_on_her_case_gets_404(p):
    client = api(p["officer"])

    assert client.get(URL, {"victim": p["victim"].pk}).status_code == 404
    assert client.post(URL, body(p), format="json").status_code == 404


def test_unsigned_call_gets_401(p):
    assert APIClient().get(URL, {"victim": p["victim"].pk}).status_code == 401


def test_list_query_count_does_not_grow_with_contacts(p):
    client = api(p["daso"])
    who = ["victim_support", "idva", "colleague"]
    for n in range(3):
        record(p, who[n % 3], at=timezone.now() - dt.timedelta(hours=n + 1))
    client.get(URL, {"victim": p["victim"].pk})  # warm up the force's settings row
    with CaptureQueriesContext(connection) as three:
        client.get(URL, {"victim": p["victim"].pk})
    for n in range(37):
        record(p, who[n % 3], at=timezone.now() - dt.timedelta(days=1, hours=n))

    with CaptureQueriesContext(connection) as forty:
        response = client.get(URL, {"victim": p["victim"].pk})

    assert len(response.json()["results"]) == 40
    assert len(forty.captured_queries) == len(three.captured_queries)


@pytest.mark.parametrize("who", ["daso", "supervisor", "idva"])
def test_no_timeline_for_a_perpetrator_a_stranger_or_an_unknown_id(p, who):
    """Only the victim of a case the caller may read: anyone else is 404, indistinguishable
    from an id that does not exist, and nothing is recorded. The IDVA reads no case yet,
    so not even the victim."""
    from people import services

    stranger = services.person_create(
        data=services.PersonInput(given_name="Ivy", family_name="Nobody")
    )
    client = api(p[who])
    people = [p["suspect"].pk, stranger.pk, stranger.pk + 1000]
    if who == "idva":
        people.append(p["victim"].pk)

    for pk in people:
        listed = client.get(URL, {"victim": pk})
        created = client.post(URL, body(p, victim=pk), format="json")
        assert (listed.status_code, created.status_code) == (404, 404), pk
        assert (
            listed.json()
            == created.json()
            == {"message": "Not found.", "errors": {}, "status": 404}
        )
    assert not Contact.objects.exists()
    assert not AccessLog.objects.exists()


def test_the_work_item_header_is_logged_only_when_it_is_about_her(p):
    other = case_services.case_open_or_join(
        victim=p["suspect"], perpetrator=None, level="medium", user=p["daso"]
    )[0]
    client = api(p["daso"])

    for header in (f"case:{p['case'].pk}", f"case:{other.pk}", f"person:{p['victim'].pk}"):
        response = client.get(URL, {"victim": p["victim"].pk}, HTTP_X_WORK_ITEM=header)
        assert response.status_code == 200

    logs = AccessLog.objects.filter(action=AccessLog.Action.CONSULT).order_by("pk")
    assert [log.work_item for log in logs] == [f"case:{p['case'].pk}", "", ""]
