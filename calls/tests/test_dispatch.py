"""Dispatch: an officer's arrival and closing a call (services, pages, API), and the
dispatch board with where each call is and its officer-safety flags. Fictional data."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calls import rules as call_rules
from calls.choices import IncidentOutcome, IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident, IncidentPerson
from calls.selectors import dispatch as dispatch_selectors
from calls.services import dispatch as dispatch_services
from dasapp.api import ConflictError, DomainError
from dasapp.models import AccessLog, Event
from dasapp.roles import Role
from people import services

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "searched_at": "2026-03-01T10:00:00+00:00",
    "unavailable": False,
    "flags": [
        {"id": 1, "kind": "high_risk_victim", "label": "High-risk victim", "severity": "high"},
        {"id": 2, "kind": "bail_conditions", "label": "Bail conditions", "severity": "high"},
    ],
    "suspects": [{"id": 9, "name": "Rhys Vane", "weapons": True}],
    "people": [{"id": 8, "name": "Erin Callow"}],
}


@pytest.fixture
def call_taker(persona):
    return persona(Role.CALL_TAKER, team="control-room")


@pytest.fixture
def officer(persona):
    return persona(Role.OFFICER, team="response")


@pytest.fixture
def address(org):
    address, _ = services.address_get_or_create(
        line1="5 Heron Walk", town="Colchester", postcode="CO2 7AB"
    )
    return address


def logged_call(*, minutes_ago: int = 5, grade: str = "emergency", attend_in: int = 10, **fields):
    """A logged call, graded `minutes_ago`, to be attended `attend_in` minutes from now."""
    now = timezone.now()
    logged = now - dt.timedelta(minutes=minutes_ago)
    values = {
        "status": IncidentStatus.GRADED,
        "grade": grade,
        "created_at": logged,
        "logged_at": logged,
        "graded_at": logged,
        "attend_by": now + dt.timedelta(minutes=attend_in),
        **fields,
    }
    return Incident.objects.create(**values)


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# The rule -----------------------------------------------------------------------------


def test_control_room_officers_and_supervisors_dispatch_but_not_researchers(persona, org):
    call = logged_call()
    draft = Incident.objects.create(status=IncidentStatus.DRAFT, created_at=timezone.now())
    for role, allowed in [
        (Role.CALL_TAKER, True),
        (Role.OFFICER, True),
        (Role.SUPERVISOR, True),
        (Role.INTELLIGENCE, False),
        (Role.DASO, False),
        (Role.PARTNER, False),
    ]:
        user = persona(role)
        assert call_rules.can_dispatch_incident(user, call) is allowed, role
        assert call_rules.can_dispatch_incident(user, draft) is False, role


# Officer arrived ------------------------------------------------------------------------


def test_officer_arrival_records_who_and_when_with_history_and_an_event(officer):
    call = logged_call(minutes_ago=5, attend_in=10)
    done = dispatch_services.incident_attended(incident=call, user=officer, version=1)

    call.refresh_from_db()
    assert call.status == IncidentStatus.ATTENDED
    assert call.attended_by == officer
    assert abs((timezone.now() - call.attended_at).total_seconds()) < 5
    assert call.version == 2 and done.version == 2
    assert call.attended_late is False and call.minutes_late == 0
    latest = call.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == officer
    assert latest.history_change_reason == "Officer arrived"
    event = Event.objects.get(incident=call, verb=EventVerb.INCIDENT_ATTENDED)
    assert event.actor == officer
    assert event.old == {"status": "graded"}
    assert event.new["status"] == "attended" and event.new["late"] is False


def test_arrival_after_the_attend_by_time_is_kept_as_late(call_taker):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        call = logged_call(minutes_ago=14, attend_in=1)  # attend by 09:01
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 13, 30, tzinfo=dt.UTC), tick=False):
        dispatch_services.incident_attended(incident=call, user=call_taker)
    call.refresh_from_db()
    assert call.attended_late is True
    assert call.minutes_late == 13  # 12 min 30 s, in whole minutes started
    event = Event.objects.get(incident=call, verb=EventVerb.INCIDENT_ATTENDED)
    assert event.new["late"] is True and event.new["minutes_late"] == 13
    assert "13 min after the attend-by time" in call.history.first().history_change_reason


def test_arrival_may_be_given_earlier_but_not_in_the_future_nor_before_logging(call_taker):
    call = logged_call(minutes_ago=30, attend_in=-15)
    future = timezone.now() + dt.timedelta(minutes=2)
    with pytest.raises(DomainError) as exc:
        dispatch_services.incident_attended(incident=call, user=call_taker, at=future)
    assert exc.value.errors["attended_at"] == [
        "The time the officer arrived must be now or in the past"
    ]
    too_early = timezone.now() - dt.timedelta(minutes=31)
    with pytest.raises(DomainError) as exc:
        dispatch_services.incident_attended(incident=call, user=call_taker, at=too_early)
    assert "must be after the call was logged" in exc.value.errors["attended_at"][0]
    call.refresh_from_db()
    assert call.status == IncidentStatus.GRADED and call.attended_at is None

    earlier = timezone.now() - dt.timedelta(minutes=20)  # told by radio, typed late
    dispatch_services.incident_attended(incident=call, user=call_taker, at=earlier)
    call.refresh_from_db()
    assert call.attended_at == earlier
    assert call.attended_late is False  # attend-by was 15 minutes ago: 5 minutes in time


def test_a_second_arrival_is_refused_saying_when_the_first_was_recorded(call_taker, officer):
    call = logged_call()
    dispatch_services.incident_attended(incident=call, user=officer)
    with pytest.raises(DomainError) as exc:
        dispatch_services.incident_attended(incident=call, user=call_taker)
    assert "already recorded at" in exc.value.message
    assert (officer.get_full_name() or officer.username) in exc.value.message
    assert Event.objects.filter(verb=EventVerb.INCIDENT_ATTENDED).count() == 1


def test_drafts_closed_calls_and_telephone_resolutions_are_not_attended(call_taker):
    draft = Incident.objects.create(
        status=IncidentStatus.DRAFT, created_at=timezone.now(), created_by=call_taker
    )
    with pytest.raises(PermissionDenied):
        dispatch_services.incident_attended(incident=draft, user=call_taker)
    phone_call = logged_call(grade="telephone", attend_by=None)
    with pytest.raises(DomainError, match="telephone resolution is not attended"):
        dispatch_services.incident_attended(incident=phone_call, user=call_taker)
    closed = logged_call()
    dispatch_services.incident_close(
        incident=closed, user=call_taker, outcome="duplicate", note="Same as DA-1"
    )
    with pytest.raises(DomainError, match="already closed"):
        dispatch_services.incident_attended(incident=closed, user=call_taker)


def test_an_intelligence_researcher_may_not_record_an_arrival(persona):
    call = logged_call()
    with pytest.raises(PermissionDenied):
        dispatch_services.incident_attended(incident=call, user=persona(Role.INTELLIGENCE))
    call.refresh_from_db()
    assert call.status == IncidentStatus.GRADED


def test_an_arrival_on_a_version_someone_else_has_changed_is_a_conflict(call_taker, persona):
    call = logged_call()
    supervisor = persona(Role.SUPERVISOR)
    call.version = 2
    from dasapp.history import audited_save

    audited_save(call, user=supervisor, reason="Regraded")
    with pytest.raises(ConflictError):
        dispatch_services.incident_attended(incident=call, user=call_taker, version=1)
    call.refresh_from_db()
    assert call.status == IncidentStatus.GRADED


# Close --------------------------------------------------------------------------------


def test_closing_records_outcome_note_who_and_when_with_history_and_an_event(call_taker, officer):
    call = logged_call()
    dispatch_services.incident_attended(incident=call, user=officer)
    dispatch_services.incident_close(
        incident=call,
        user=call_taker,
        outcome=IncidentOutcome.SAFEGUARDING,
        note="  Victim at her sister's; DV1 done  ",
        version=2,
    )
    call.refresh_from_db()
    assert call.status == IncidentStatus.CLOSED
    assert call.outcome == "safeguarding"
    assert call.outcome_note == "Victim at her sister's; DV1 done"
    assert call.closed_by == call_taker and call.closed_at is not None
    assert call.version == 3
    latest = call.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == call_taker
    assert latest.history_change_reason == "Closed: Attended and safeguarding in place"
    event = Event.objects.get(incident=call, verb=EventVerb.INCIDENT_CLOSED)
    assert event.old == {"status": "attended"}
    assert event.new == {"status": "closed", "outcome": "safeguarding", "attended": True}
    assert event.reason == "Victim at her sister's; DV1 done"


def test_a_call_is_closed_without_attendance_for_a_duplicate_but_not_as_safeguarded(call_taker):
    call = logged_call()
    with pytest.raises(DomainError) as exc:
        dispatch_services.incident_close(
            incident=call, user=call_taker, outcome="safeguarding", note="Done"
        )
    assert exc.value.errors["outcome"] == [
        "Record the officer's arrival first: this outcome says an officer attended"
    ]
    dispatch_services.incident_close(
        incident=call, user=call_taker, outcome="duplicate", note="Same call as DA-260301-4"
    )
    call.refresh_from_db()
    assert call.status == IncidentStatus.CLOSED and call.attended_at is None
    event = Event.objects.get(incident=call, verb=EventVerb.INCIDENT_CLOSED)
    assert event.new["attended"] is False


def test_closing_needs_an_outcome_from_the_list_and_a_note(call_taker):
    call = logged_call()
    with pytest.raises(DomainError) as exc:
        dispatch_services.incident_close(incident=call, user=call_taker, outcome="", note=" ")
    assert exc.value.errors == {
        "outcome": ["Choose how the call ended"],
        "note": ["Enter a note about the outcome"],
    }
    with pytest.raises(DomainError) as exc:
        dispatch_services.incident_close(
            incident=call, user=call_taker, outcome="arrested", note="x" * 2001
        )
    assert exc.value.errors == {
        "outcome": ["Choose how the call ended"],
        "note": ["The note must be 2,000 characters or fewer"],
    }
    call.refresh_from_db()
    assert call.status == IncidentStatus.GRADED
    assert set(IncidentOutcome.values) == {
        "safeguarding",
        "no_further_action",
        "investigation",
        "duplicate",
        "not_traced",
    }


def test_a_closed_call_is_not_closed_again(call_taker):
    call = logged_call()
    dispatch_services.incident_close(
        incident=call, user=call_taker, outcome="not_traced", note="No answer on callback"
    )
    with pytest.raises(DomainError, match="already closed"):
        dispatch_services.incident_close(
            incident=call, user=call_taker, outcome="duplicate", note="Again"
        )
    assert Event.objects.filter(verb=EventVerb.INCIDENT_CLOSED).count() == 1


# The board --------------------------------------------------------------------------------


def test_safety_tags_come_from_flags_suspects_and_the_callers_answers():
    tags = dispatch_selectors.safety_tags(intelligence=SNAPSHOT, answers={"weapons": "no"})
    assert [t.text for t in tags] == ["Weapons", "High-risk victim", "Bail conditions"]
    assert [t.colour for t in tags] == ["red", "red", "orange"]
    plain = {"unavailable": False, "flags": [], "suspects": []}
    assert dispatch_selectors.safety_tags(intelligence=plain, answers={"weapons": "no"}) == []
    said = dispatch_selectors.safety_tags(intelligence=plain, answers={"weapons": "yes"})
    assert [t.text for t in said] == ["Weapons"]
    order = {"unavailable": False, "flags": [{"kind": "court_order"}]}
    regrade = {"unavailable": False, "flags": [{"kind": "officer_safety"}]}
    both = dispatch_selectors.safety_tags(intelligence=order, regrade_intelligence=regrade)
    assert [t.text for t in both] == ["Officer safety", "Court order"]
    for missing in ({}, {"unavailable": True, "flags": []}):
        tags = dispatch_selectors.safety_tags(intelligence=missing)
        assert [t.text for t in tags] == ["Intelligence not checked"]


def test_board_shows_where_area_and_safety_flags_and_attended_calls_apart(
    call_taker, officer, address
):
    waiting = logged_call(
        address=address, location_type="rural", intelligence=SNAPSHOT, attend_in=12
    )
    victim = services.person_create(
        data=services.PersonInput(given_name="Erin", family_name="Callow")
    )
    IncidentPerson.objects.create(incident=waiting, person=victim, role=IncidentRole.VICTIM)
    noted = logged_call(location_note="Car park behind the leisure centre", attend_in=30)
    attended = logged_call(grade="priority", attend_in=40, intelligence=SNAPSHOT)
    dispatch_services.incident_attended(incident=attended, user=officer)
    closed = logged_call()
    dispatch_services.incident_close(
        incident=closed, user=call_taker, outcome="duplicate", note="Same as another"
    )

    html = web(call_taker).get("/dispatch/").content.decode()
    waiting_table = html.split('data-testid="dispatch-board"')[1].split("</table>")[0]
    attended_table = html.split('data-testid="attended-board"')[1].split("</table>")[0]
    assert waiting.reference in waiting_table and noted.reference in waiting_table
    assert attended.reference not in waiting_table and attended.reference in attended_table
    assert closed.reference not in html
    row = waiting_table.split(f'data-testid="waiting-{waiting.pk}"')[1].split("</tr>")[0]
    assert "5 Heron Walk, Colchester, CO2 7AB" in row
    assert "Rural" in row
    for tag in ("Weapons", "High-risk victim", "Bail conditions"):
        assert f'app-board-tag">{tag}</strong>' in row
    assert "Car park behind the leisure centre" in waiting_table
    assert "Intelligence not checked" in waiting_table  # the call with no snapshot
    assert "In time" in attended_table
    # The board never names the people on a call.
    assert "Erin" not in html and "Callow" not in html and "Rhys" not in html
    assert "Waiting for an officer (2)" in html and "Attended, not closed (1)" in html


def test_board_buttons_for_dispatchers_only(call_taker, persona):
    call = logged_call()
    mine = web(call_taker).get("/dispatch/").content.decode()
    assert f'action="/calls/{call.pk}/attended/"' in mine
    assert f'href="/calls/{call.pk}/close/"' in mine
    assert f'Officer arrived<span class="govuk-visually-hidden"> at {call.reference}' in mine
    researcher = web(persona(Role.INTELLIGENCE)).get("/dispatch/").content.decode()
    assert call.reference in researcher
    assert "/attended/" not in researcher and "/close/" not in researcher


def test_htmx_refresh_returns_both_lists_without_the_page(call_taker, officer):
    attended = logged_call()
    dispatch_services.incident_attended(incident=attended, user=officer)
    partial = web(call_taker).get("/dispatch/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'data-testid="dispatch-board"' in partial and attended.reference in partial


@pytest.mark.parametrize("size", [10, 1000])
def test_board_reads_the_same_few_queries_for_ten_or_a_thousand_calls(
    size, call_taker, address, django_assert_max_num_queries
):
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            status=IncidentStatus.ATTENDED if i % 5 == 0 else IncidentStatus.GRADED,
            grade=("emergency", "priority", "scheduled")[i % 3],
            created_at=now - dt.timedelta(minutes=i),
            attend_by=now + dt.timedelta(minutes=15 - i),
            attended_at=now if i % 5 == 0 else None,
            address=address if i % 2 else None,
            district=address.district,
            location_note="Outside the station",
            intelligence=SNAPSHOT,
            answers={"weapons": "yes"},
        )
        for i in range(size)
    )
    client = web(call_taker)
    client.get("/dispatch/")  # the session and the user's roles once
    # Session, user, roles, the waiting list and the attended list.
    with django_assert_max_num_queries(5):
        response = client.get("/dispatch/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    attended = (size + 4) // 5
    waiting_rows = re.findall(r'data-testid="waiting-\d+"', html)
    attended_rows = re.findall(r'data-testid="attended-\d+"', html)
    assert len(waiting_rows) == min(dispatch_selectors.WAITING_LIMIT, size - attended)
    assert len(attended_rows) == min(dispatch_selectors.ATTENDED_LIMIT, attended)
    assert html.count("Bail conditions") >= 10


# Pages ---------------------------------------------------------------------------------


def test_officer_arrived_button_records_it_logs_the_alteration_and_says_so(call_taker):
    call = logged_call()
    victim = services.person_create(
        data=services.PersonInput(given_name="Erin", family_name="Callow")
    )
    IncidentPerson.objects.create(incident=call, person=victim, role=IncidentRole.VICTIM)
    client = web(call_taker)
    response = client.post(f"/calls/{call.pk}/attended/", {"version": "1"}, follow=True)
    assert response.redirect_chain == [("/dispatch/", 302)]
    assert re.search(
        rf"Officer arrival at {call.reference} recorded at \d\d:\d\d", response.content.decode()
    )
    call.refresh_from_db()
    assert call.status == IncidentStatus.ATTENDED and call.attended_by == call_taker
    log = AccessLog.objects.get(action=AccessLog.Action.ALTER)
    assert (log.user, log.object_id, log.person_id) == (call_taker, str(call.pk), victim.pk)
    assert log.detail == {"change": "attended"}

    again = client.post(f"/calls/{call.pk}/attended/", {"version": "1"}, follow=True)
    assert "already recorded at" in again.content.decode()
    assert AccessLog.objects.filter(action=AccessLog.Action.ALTER).count() == 1


def test_researchers_cannot_post_an_arrival_or_open_the_close_page(persona):
    call = logged_call()
    researcher = web(persona(Role.INTELLIGENCE))
    assert researcher.post(f"/calls/{call.pk}/attended/", {"version": "1"}).status_code == 403
    assert researcher.get(f"/calls/{call.pk}/close/").status_code == 403
    call.refresh_from_db()
    assert call.status == IncidentStatus.GRADED


def test_close_page_asks_for_outcome_and_note_and_keeps_what_was_typed(call_taker):
    call = logged_call()
    client = web(call_taker)
    page = client.get(f"/calls/{call.pk}/close/")
    assert page.status_code == 200
    html = page.content.decode()
    for _, label in IncidentOutcome.choices:
        assert label in html
    assert "No arrival recorded" in html

    refused = client.post(
        f"/calls/{call.pk}/close/", {"outcome": "safeguarding", "note": "", "version": "1"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html
    assert "Record the officer&#x27;s arrival first" in html
    assert "Enter a note about the outcome" in html

    done = client.post(
        f"/calls/{call.pk}/close/",
        {"outcome": "not_traced", "note": "No answer on two callbacks", "version": "1"},
        follow=True,
    )
    assert done.redirect_chain == [("/dispatch/", 302)]
    assert f"Call {call.reference} closed: Caller could not be traced" in done.content.decode()
    call.refresh_from_db()
    assert call.status == IncidentStatus.CLOSED and call.outcome == "not_traced"
    assert AccessLog.objects.filter(
        action=AccessLog.Action.ALTER, object_id=str(call.pk), detail={"change": "close"}
    ).exists()


def test_close_page_after_someone_elses_change_is_409_and_saving_again_goes_through(
    call_taker, officer
):
    call = logged_call()
    client = web(call_taker)
    client.get(f"/calls/{call.pk}/close/")
    dispatch_services.incident_attended(incident=call, user=officer)  # version 2
    stale = client.post(
        f"/calls/{call.pk}/close/",
        {"outcome": "safeguarding", "note": "Safety advice given", "version": "1"},
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else has changed this call" in html
    assert 'name="version" value="2"' in html
    assert "Safety advice given" in html  # nothing typed is lost
    again = client.post(
        f"/calls/{call.pk}/close/",
        {"outcome": "safeguarding", "note": "Safety advice given", "version": "2"},
    )
    assert again.status_code == 302
    call.refresh_from_db()
    assert call.status == IncidentStatus.CLOSED


def test_incident_page_shows_arrival_and_closing_in_uk_time(call_taker, officer):
    # 1 July: British Summer Time, one hour ahead of UTC.
    with time_machine.travel(dt.datetime(2026, 7, 1, 11, 50, tzinfo=dt.UTC), tick=False):
        call = logged_call(minutes_ago=0, attend_in=10)  # attend by 12:00 UTC, 13:00 BST
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, 4, tzinfo=dt.UTC), tick=False):
        dispatch_services.incident_attended(incident=call, user=officer)
    with time_machine.travel(dt.datetime(2026, 7, 1, 13, 30, tzinfo=dt.UTC), tick=False):
        dispatch_services.incident_close(
            incident=call, user=call_taker, outcome="investigation", note="Passed to CID"
        )
    html = web(officer).get(f"/calls/{call.pk}/").content.decode()
    attended = html.split('data-testid="attended"')[1].split("</dd>")[0]
    assert "1 Jul 2026 13:04" in attended
    assert "4 min after the attend-by time" in attended
    assert "Late" in attended
    assert re.search(r"Recorded by \S", attended)
    closed = html.split('data-testid="closed"')[1].split("</dd>")[0]
    assert "1 Jul 2026 14:30" in closed
    outcome = html.split('data-testid="outcome"')[1].split("</dd>")[0]
    assert "Transferred to investigation" in outcome and "Passed to CID" in outcome
    assert "Closed" in html.split('data-testid="status"')[1].split("</dd>")[0]


# API ------------------------------------------------------------------------------------


def test_api_attended_answers_the_call_and_logs_the_alteration(officer):
    call = logged_call(attend_in=10)
    response = api(officer).post(
        f"/api/v1/incidents/{call.pk}/attended/",
        {"version": 1},
        format="json",
        HTTP_X_ACCESS_PURPOSE="Arrived at scene",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "attended"
    assert body["attended_late"] is False
    assert body["attended_at"] is not None and body["version"] == 2
    log = AccessLog.objects.get(action=AccessLog.Action.ALTER)
    assert log.channel == AccessLog.Channel.API
    assert log.purpose == "Arrived at scene" and log.detail == {"change": "attended"}


def test_api_attended_checks_the_time_and_the_version(officer, persona):
    call = logged_call()
    client = api(officer)
    url = f"/api/v1/incidents/{call.pk}/attended/"
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = client.post(url, {"version": 1, "attended_at": future}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["attended_at"] == [
        "The time the officer arrived must be now or in the past"
    ]
    missing = client.post(url, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"]["version"] == ["Send the version of the call you read"]

    from dasapp.history import audited_save

    call.version = 2
    audited_save(call, user=persona(Role.SUPERVISOR), reason="Regraded")
    stale = client.post(url, {"version": 1}, format="json")
    assert stale.status_code == 409
    assert "version" in stale.json()["errors"]
    call.refresh_from_db()
    assert call.status == IncidentStatus.GRADED


def test_api_close_gives_field_errors_then_closes(call_taker):
    call = logged_call()
    client = api(call_taker)
    url = f"/api/v1/incidents/{call.pk}/close/"
    wrong = client.post(url, {"outcome": "arrested", "note": "x", "version": 1}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["outcome"] == ["Choose how the call ended"]
    no_note = client.post(url, {"outcome": "duplicate", "version": 1}, format="json")
    assert no_note.status_code == 400
    assert no_note.json()["errors"]["note"] == ["Enter a note about the outcome"]
    done = client.post(
        url, {"outcome": "duplicate", "note": "Same as DA-260301-4", "version": 1}, format="json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "closed" and body["outcome"] == "duplicate"
    assert body["outcome_note"] == "Same as DA-260301-4"
    again = client.post(url, {"outcome": "duplicate", "note": "x", "version": 2}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"]["status"] == ["The call is closed"]


def test_api_dispatch_is_refused_to_researchers_and_for_drafts(persona, call_taker):
    call = logged_call()
    researcher = api(persona(Role.INTELLIGENCE))
    url = f"/api/v1/incidents/{call.pk}"
    assert researcher.post(f"{url}/attended/", {"version": 1}, format="json").status_code == 403
    assert (
        researcher.post(
            f"{url}/close/", {"outcome": "duplicate", "note": "x", "version": 1}, format="json"
        ).status_code
        == 403
    )
    draft = Incident.objects.create(
        status=IncidentStatus.DRAFT, created_at=timezone.now(), created_by=call_taker
    )
    own = api(call_taker).post(
        f"/api/v1/incidents/{draft.pk}/attended/", {"version": 1}, format="json"
    )
    assert own.status_code == 403
    other = api(persona(Role.CALL_TAKER)).post(
        f"/api/v1/incidents/{draft.pk}/attended/", {"version": 1}, format="json"
    )
    assert other.status_code == 404


def test_api_schema_documents_attended_and_close(persona):
    response = api(persona(Role.CALL_TAKER)).get("/api/schema/?format=json")
    paths = response.json()["paths"]
    attended = paths["/api/v1/incidents/{id}/attended/"]["post"]
    close = paths["/api/v1/incidents/{id}/close/"]["post"]
    assert attended["operationId"] == "v1_incidents_attended"
    assert close["operationId"] == "v1_incidents_close"
    for operation in (attended, close):
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    schemas = response.json()["components"]["schemas"]
    outcome = schemas["IncidentCloseInputRequest"]["properties"]["outcome"]
    assert "`safeguarding` needs the officer's arrival recorded first" in outcome["description"]
    assert "version" in schemas["IncidentAttendedInputRequest"]["required"]


# Demo data ------------------------------------------------------------------------------


def test_demo_board_is_a_handful_of_recent_calls_and_stays_so_on_a_second_run(db):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    board = dispatch_selectors.board()
    assert 3 <= len(board.waiting) <= 8
    assert 1 <= len(board.attended) <= 4
    assert sum(row.breached for row in board.waiting) <= 1
    now = timezone.now()
    for row in board.waiting:
        assert row.seconds_left is not None and row.seconds_left > -3600
        assert now - row.incident.created_at < dt.timedelta(hours=2)
    assert any(tag.text == "High-risk victim" for row in board.waiting for tag in row.tags)
    past = Incident.objects.filter(idempotency_key__in=[f"demo:{k}" for k in ("leah-1", "kerry-1")])
    assert {i.status for i in past} == {IncidentStatus.CLOSED}
    assert all(i.outcome and i.attended_at and i.closed_at for i in past)
    assert not Incident.objects.filter(
        status__in=[IncidentStatus.GRADED, IncidentStatus.ATTENDED],
        created_at__lt=now - dt.timedelta(days=1),
    ).exists()
    waiting_ids = [row.incident.pk for row in board.waiting]
    count = Incident.objects.count()

    later = timezone.now() + dt.timedelta(hours=5)
    with time_machine.travel(later, tick=False):
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
        again = dispatch_selectors.board()
    # The same calls, timed from the new now: no call five hours overdue.
    assert [row.incident.pk for row in again.waiting] == waiting_ids
    for before, after in zip(board.waiting, again.waiting, strict=True):
        if before.incident.grade != "scheduled":
            assert abs(after.seconds_left - before.seconds_left) < 60
    assert Incident.objects.count() == count
