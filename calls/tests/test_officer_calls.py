"""The attending officer's side of a logged call: the current intelligence beside the
snapshot (what is new since the call was logged, refreshed, and how the refresh is
written to the access log), recording the arrival and closing the call from the
incident page, the calls to attend on the officer's home page, and the regrade page.
Fictional data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls import rules as call_rules
from calls.choices import IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident, IncidentPerson
from calls.selectors import calls as call_selectors
from calls.selectors import dispatch as dispatch_selectors
from calls.services import calls as call_services
from calls.views import intelligence as live_views
from conftest import verify_two_factor
from dasapp.models import AccessLog, Event
from dasapp.roles import Role
from people import services
from people.flag_services import flag_raise, flags_lift

pytestmark = pytest.mark.django_db

ANSWERS = {
    "injuries": "none",
    "suspect_location": "elsewhere",
    "weapons": "no",
    "children_present": "no",
    "drink_drugs": "no",
    "previous_incidents": "yes",
    "fear_level": "3",
    "afraid_of": ["further_injury"],
    "demeanour": "calm",
}
NUMBER = "07700 900815"


@pytest.fixture
def call_taker(persona):
    return persona(Role.CALL_TAKER, team="control-room")


@pytest.fixture
def officer(persona):
    return persona(Role.OFFICER, team="response")


@pytest.fixture
def supervisor(persona):
    return persona(Role.SUPERVISOR, team="cru")


@pytest.fixture
def victim(org):
    """A victim whose number carries a high-risk flag, with one past incident."""
    person = services.person_create(
        data=services.PersonInput(
            given_name="Nia", family_name="Harrow", date_of_birth=dt.date(1991, 5, 6)
        )
    )
    phone, _ = services.phone_get_or_create(number=NUMBER)
    services.person_phone_link(person=person, phone=phone)
    flag_raise(kind="high_risk_victim", summary="High-risk victim", source="case:1", phone=phone)
    person.phone = phone
    past_incident(person, days_ago=20)
    return person


def past_incident(victim, *, days_ago: int = 0, minutes_ago: int = 0) -> Incident:
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade="priority",
        caller_phone=victim.phone,
        created_at=timezone.now() - dt.timedelta(days=days_ago, minutes=minutes_ago),
    )
    IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    return incident


def log_call(call_taker, victim, *, grade: str = "emergency", reason: str = "") -> Incident:
    """A call from the victim's number, logged through the call-taker's service: its
    snapshot is the look-up at logging."""
    incident, _ = call_services.incident_start(user=call_taker)
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(
            caller_phone=NUMBER,
            location_note="Flat 2, above the bakery",
            answers=dict(ANSWERS),
            people=[(victim.pk, IncidentRole.VICTIM)],
        ),
    )
    incident.refresh_from_db()
    return call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade=grade, reason=reason),
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if set(user.groups.values_list("name", flat=True)) & set(settings.TWO_FACTOR_REQUIRED_ROLES):
        verify_two_factor(client, user)
    return client


def section(html: str, testid: str) -> str:
    """The element marked `data-testid=testid`, up to the next section of the page."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : start + 20000]


# The current intelligence beside the snapshot -------------------------------------------


def test_live_intelligence_marks_what_is_new_since_the_call_was_logged(call_taker, victim):
    call = log_call(call_taker, victim)
    snapshot_flags = {f["kind"] for f in call.intelligence["flags"]}
    assert snapshot_flags == {"high_risk_victim"}

    unchanged = call_selectors.live_intelligence(incident=call)
    assert unchanged.compared and not unchanged.anything_changed
    # The call itself is one of the incidents on its number now: never "new", never counted.
    assert call.pk not in {i["id"] for i in unchanged.package.incidents}
    assert unchanged.package.incident_count == call.intelligence["incident_count"] == 1

    bail = flag_raise(
        kind="bail_conditions", summary="Not to attend", source="case:2", phone=victim.phone
    )
    flags_lift(source="case:1", reason="Case closed")
    since = past_incident(victim, minutes_ago=1)

    live = call_selectors.live_intelligence(incident=call)
    assert live.new_flag_ids == {bail.pk}
    assert [f["label"] for f in live.lifted_flags] == ["High-risk victim"]
    assert live.new_incident_ids == {since.pk}
    assert live.package.incident_count == 2
    assert live.anything_changed


def test_without_a_snapshot_everything_found_now_is_new(call_taker, victim):
    call = log_call(call_taker, victim)
    Incident.objects.filter(pk=call.pk).update(intelligence={})
    call.refresh_from_db()
    live = call_selectors.live_intelligence(incident=call)
    assert not live.compared
    assert live.new_flag_ids == {f["id"] for f in live.package.flags} != set()


def test_incident_page_shows_the_snapshot_and_the_current_intelligence_beside_it(
    call_taker, officer, victim
):
    call = log_call(call_taker, victim)
    bail = flag_raise(
        kind="bail_conditions", summary="Not to attend", source="case:2", phone=victim.phone
    )
    html = signed_in(officer).get(f"/calls/{call.pk}/").content.decode()

    snapshot = html.split('data-testid="intelligence"')[1].split("</section>")[0]
    assert "High-risk victim" in snapshot and "Bail conditions" not in snapshot
    assert 'data-testid="new-flag"' not in snapshot
    live = section(html, "live-intelligence")
    assert f'hx-get="/calls/{call.pk}/intelligence/"' in live
    assert 'hx-trigger="every 45s"' in live and "data-pause-on-focus" in live
    new = live.split('data-testid="live-new"')[1].split("</div>")[0]
    assert "New flag: <strong>Bail conditions</strong>" in new
    assert bail.pk in AccessLog.objects.filter(user=officer, action="search").get().detail["flags"]


def test_incident_page_shows_the_intelligence_once(call_taker, officer, victim):
    """The snapshot is listed once, under its own heading; the current intelligence says
    what changed since, not the snapshot's list again."""
    call = log_call(call_taker, victim)
    flag_raise(kind="bail_conditions", summary="Not to attend", source="case:2", phone=victim.phone)
    html = signed_in(officer).get(f"/calls/{call.pk}/").content.decode()

    assert html.count('data-testid="intel-flags"') == 1
    assert html.count("High-risk victim</strong>") == 1
    assert 'data-testid="live-intelligence-package"' not in html
    assert ">Intelligence when the call was logged</h2>" in html
    assert ">Current intelligence</h2>" in html
    assert "New flag: <strong>Bail conditions</strong>" in section(html, "live-new")


def test_without_a_snapshot_the_current_intelligence_is_listed_in_full(call_taker, officer, victim):
    call = log_call(call_taker, victim)
    Incident.objects.filter(pk=call.pk).update(intelligence={})
    html = signed_in(officer).get(f"/calls/{call.pk}/").content.decode()
    package = section(html, "live-intelligence-package")
    assert "High-risk victim</strong>" in package
    assert html.count('data-testid="intel-flags"') == 1


def test_every_region_of_the_incident_page_has_its_own_name(call_taker, officer, victim):
    """axe's landmark-unique: the current intelligence was two regions named "Current
    intelligence" (its section and the package inside it)."""
    call = log_call(call_taker, victim)
    call_services.incident_log_and_grade(
        incident=call,
        user=call_taker,
        decision=call_services.GradeDecision(grade="priority", reason="Suspect arrested"),
    )
    html = signed_in(officer).get(f"/calls/{call.pk}/").content.decode()
    assert 'data-testid="regrade-intelligence"' in html
    labelled = re.findall(r'<(?:section|nav|aside)[^>]*aria-labelledby="([^"]+)"', html)
    names = [
        re.sub(r"<[^>]+>|\s+", " ", re.search(rf'id="{key}"[^>]*>(.*?)</h', html, re.S)[1]).strip()
        for key in labelled
    ]
    assert len(names) >= 4
    assert len(set(names)) == len(names), names


def test_nothing_new_is_said_so(call_taker, officer, victim):
    call = log_call(call_taker, victim)
    html = signed_in(officer).get(f"/calls/{call.pk}/").content.decode()
    assert "Nothing new since the call was logged." in section(html, "live-intelligence")


def test_refresh_logs_a_row_only_when_what_it_shows_changes_or_after_a_while(
    call_taker, officer, victim
):
    call = log_call(call_taker, victim)
    client = signed_in(officer)
    rows = AccessLog.objects.filter(user=officer, action="search")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(f"/calls/{call.pk}/")  # the page: always one row
        assert rows.count() == 1
        page_row = rows.get()
        assert page_row.detail["reason"] == f"Current intelligence for call {call.reference}"
        assert page_row.purpose == ""  # nobody typed one
        assert (page_row.object_type, page_row.object_id) == ("calls.incident", str(call.pk))
        assert page_row.person_id == victim.pk
        refresh = client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
        assert refresh.status_code == 200 and "<html" not in refresh.content.decode()
        assert rows.count() == 1  # same ids shown: no new row
        flag = flag_raise(kind="weapons", summary="Knife", source="case:3", phone=victim.phone)
        client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
        assert rows.count() == 2
        assert flag.pk in rows.latest("pk").detail["flags"]
        client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
        assert rows.count() == 2
    # Unchanged, but a row again once LIVE_LOG_EVERY has passed since the last one.
    with time_machine.travel(
        start + live_views.LIVE_LOG_EVERY - dt.timedelta(seconds=5), tick=False
    ):
        client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
        assert rows.count() == 2
    with time_machine.travel(
        start + live_views.LIVE_LOG_EVERY + dt.timedelta(seconds=1), tick=False
    ):
        client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
        assert rows.count() == 3


def test_refresh_runs_a_fixed_number_of_queries(
    call_taker, officer, victim, django_assert_max_num_queries
):
    call = log_call(call_taker, victim)
    client = signed_in(officer)
    client.get(f"/calls/{call.pk}/")
    rows = AccessLog.objects.filter(user=officer, action="search")
    # Something new each time, so that both refreshes write their access-log row.
    flag_raise(kind="weapons", summary="Knife", source="case:3", phone=victim.phone)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
    assert rows.count() == 2
    for n in range(15):
        past_incident(victim, days_ago=n + 1)
        flag_raise(
            kind="court_order", summary=f"Order {n}", source=f"case:{n + 10}", phone=victim.phone
        )
    with django_assert_max_num_queries(len(few)):
        html = client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true").content
    assert rows.count() == 3
    assert html.decode().count('data-testid="live-new-incident"') == 15


def test_refresh_stops_once_the_call_is_closed(call_taker, officer, victim):
    call = log_call(call_taker, victim)
    Incident.objects.filter(pk=call.pk).update(status=IncidentStatus.CLOSED)
    client = signed_in(officer)
    refresh = client.get(f"/calls/{call.pk}/intelligence/", HTTP_HX_REQUEST="true")
    assert refresh.status_code == live_views.STOP_POLLING
    assert "no longer refreshed" in refresh.content.decode()
    assert (
        'data-testid="live-intelligence"' not in client.get(f"/calls/{call.pk}/").content.decode()
    )
    assert not AccessLog.objects.filter(user=officer, action="search").exists()


@pytest.mark.parametrize("role", [Role.DASO, Role.PARTNER, Role.IDVA, Role.RESEARCHER])
def test_other_roles_cannot_refresh_the_intelligence(persona, call_taker, victim, role):
    call = log_call(call_taker, victim)
    user = persona(role, team="cru")
    assert signed_in(user).get(f"/calls/{call.pk}/intelligence/").status_code == 403
    assert not AccessLog.objects.filter(user=user, action="search").exists()


# Arrival and close on the incident page -----------------------------------------------


def test_officer_records_the_arrival_from_the_incident_page_and_comes_back_to_it(
    call_taker, officer, victim
):
    call = log_call(call_taker, victim)
    client = signed_in(officer)
    actions = section(client.get(f"/calls/{call.pk}/").content.decode(), "incident-actions")
    assert "Record arrival" in actions and "Close call" in actions
    assert "Regrade" not in actions

    response = client.post(
        f"/calls/{call.pk}/attended/", {"version": call.version, "from": "incident"}
    )
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.pk}/"
    call.refresh_from_db()
    assert call.status == IncidentStatus.ATTENDED and call.attended_by == officer
    assert AccessLog.objects.filter(
        user=officer, action="alter", object_id=str(call.pk), detail__change="attended"
    ).exists()
    page = client.get(f"/calls/{call.pk}/").content.decode()
    assert "recorded at" in page  # the message, on the incident page
    actions = section(page, "incident-actions")
    assert "Record arrival" not in actions and "Close call" in actions


@pytest.mark.parametrize("back", ["", "https://example.com/", "//example.com/", "/people/"])
def test_anything_but_the_incident_page_goes_back_to_the_board(call_taker, officer, victim, back):
    call = log_call(call_taker, victim)
    response = signed_in(officer).post(f"/calls/{call.pk}/attended/", {"from": back})
    assert response["Location"] == "/dispatch/"


def test_officer_closes_the_call_from_the_incident_page(call_taker, officer, victim):
    call = log_call(call_taker, victim)
    client = signed_in(officer)
    client.post(f"/calls/{call.pk}/attended/", {"from": "incident"})
    form = client.get(f"/calls/{call.pk}/close/?from=incident").content.decode()
    assert '<input type="hidden" name="from" value="incident">' in form
    assert f'href="/calls/{call.pk}/">Back to the incident' in form

    refused = client.post(f"/calls/{call.pk}/close/", {"from": "incident", "outcome": ""})
    assert refused.status_code == 400
    assert 'name="from" value="incident"' in refused.content.decode()
    done = client.post(
        f"/calls/{call.pk}/close/",
        {"from": "incident", "outcome": "safeguarding", "note": "Safe at her mother's"},
    )
    assert done.status_code == 302 and done["Location"] == f"/calls/{call.pk}/"
    call.refresh_from_db()
    assert call.status == IncidentStatus.CLOSED and call.closed_by == officer
    page = client.get(f"/calls/{call.pk}/").content.decode()
    assert 'data-testid="incident-actions"' not in page


def test_a_telephone_resolution_is_closed_but_not_attended(call_taker, officer, victim):
    call = log_call(call_taker, victim, grade="telephone", reason="Caller wants a call back")
    actions = section(
        signed_in(officer).get(f"/calls/{call.pk}/").content.decode(), "incident-actions"
    )
    assert "Record arrival" not in actions and "Close call" in actions


def test_intelligence_researchers_read_the_call_but_get_no_dispatch_buttons(
    persona, call_taker, victim
):
    call = log_call(call_taker, victim)
    client = signed_in(persona(Role.INTELLIGENCE, team="control-intelligence"))
    page = client.get(f"/calls/{call.pk}/")
    assert page.status_code == 200
    assert 'data-testid="incident-actions"' not in page.content.decode()
    assert client.post(f"/calls/{call.pk}/attended/", {"from": "incident"}).status_code == 403


# The officer's home page ----------------------------------------------------------------


def waiting_call(*, grade: str, attend_in: int, **fields) -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade=grade,
        created_at=now - dt.timedelta(minutes=5),
        logged_at=now - dt.timedelta(minutes=5),
        attend_by=now + dt.timedelta(minutes=attend_in),
        **fields,
    )


def calls_section(html: str) -> str:
    return html.split(">Calls to attend</h2>")[1].split("</section>")[0]


def test_officer_home_lists_the_calls_to_attend_most_urgent_first(officer, org):
    late = waiting_call(grade="priority", attend_in=-4, location_note="Bus shelter, Mill Road")
    urgent = waiting_call(grade="emergency", attend_in=12)
    later = waiting_call(grade="priority", attend_in=40)
    attended = waiting_call(grade="emergency", attend_in=5)
    Incident.objects.filter(pk=attended.pk).update(status=IncidentStatus.ATTENDED)
    phone_only = waiting_call(grade="telephone", attend_in=60)

    html = calls_section(signed_in(officer).get("/").content.decode())
    positions = [html.index(call.reference) for call in (urgent, late, later)]
    assert positions == sorted(positions)
    assert attended.reference not in html and phone_only.reference not in html
    assert f'href="/calls/{late.pk}/?via=incident:{late.pk}"' in html
    late_item = html.split(late.reference)[0].rsplit("<li>", 1)[1]
    assert "Breached" in late_item
    assert (
        "Bus shelter, Mill Road: 4 min overdue" in html
        or "Bus shelter, Mill Road: 3 min overdue" in html
    )
    assert re.search(rf"{urgent.reference}, emergency, No location recorded: 1[12] min left", html)
    assert "Breached" not in html.split(urgent.reference)[1].split("</li>")[0]


def test_officer_home_says_when_no_call_is_waiting(officer, org):
    html = calls_section(signed_in(officer).get("/").content.decode())
    assert "No calls are waiting for an officer." in html


def test_officer_home_runs_the_same_queries_for_3_calls_as_for_30(
    officer, org, django_assert_max_num_queries
):
    client = signed_in(officer)
    client.get("/")  # session and caches warm
    for n in range(3):
        waiting_call(grade="emergency", attend_in=n)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(27):
        waiting_call(grade="priority", attend_in=n)
    with django_assert_max_num_queries(len(few)):
        html = client.get("/").content.decode()
    assert calls_section(html).count("<li>") == len(dispatch_selectors.calls_to_attend().rows) + 1
    assert "More calls are waiting" in html


def test_other_roles_do_not_get_the_calls_to_attend(client_for, org):
    waiting_call(grade="emergency", attend_in=10)
    for role in (Role.DASO, Role.CALL_TAKER, Role.PARTNER):
        assert ">Calls to attend</h2>" not in client_for(role, team="cru").get("/").content.decode()


# Regrading -----------------------------------------------------------------------------


def test_the_regrade_rule(persona, call_taker, victim):
    logged_at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1
    )  # after the fixtures
    with time_machine.travel(logged_at, tick=False):
        call = log_call(call_taker, victim)
    window = call_services.response_settings().regrade_window_minutes
    colleague = persona(Role.CALL_TAKER)
    officer = persona(Role.OFFICER)
    supervisor = persona(Role.SUPERVISOR)
    within = logged_at + dt.timedelta(minutes=window - 1)
    after = logged_at + dt.timedelta(minutes=window + 1)
    assert call_rules.can_regrade_call(call_taker, call, now=within)
    assert not call_rules.can_regrade_call(call_taker, call, now=after)
    assert call_rules.can_regrade_call(supervisor, call, now=after)
    assert not call_rules.can_regrade_call(colleague, call, now=within)
    assert not call_rules.can_regrade_call(officer, call, now=within)
    assert call_services.can_regrade_call is call_rules.can_regrade_call
    call.status = IncidentStatus.ATTENDED
    assert not call_rules.can_regrade_call(supervisor, call, now=within)


def test_regrade_page_marks_the_suggested_grade_and_is_logged(call_taker, supervisor, victim):
    call = log_call(call_taker, victim)
    assert call.suggested_grade == "emergency"
    response = signed_in(supervisor).get(f"/calls/{call.pk}/regrade/")
    assert response.status_code == 200
    html = response.content.decode()
    emergency = html.split('for="id_grade_0"')[1].split("</label>")[0]
    priority = html.split('for="id_grade_1"')[1].split("</label>")[0]
    assert "Emergency (grade now)" in emergency and "Suggested" in emergency
    assert "Suggested" not in priority
    assert 'value="emergency" checked' in html
    assert f'name="version" value="{call.version}"' in html
    logged = AccessLog.objects.filter(user=supervisor, object_id=str(call.pk))
    assert set(logged.values_list("action", flat=True)) == {"search", "consult"}


def test_a_regrade_does_not_count_the_call_as_one_of_its_own_previous_incidents(
    call_taker, supervisor, victim
):
    call = log_call(call_taker, victim)
    assert call.intelligence["incident_count"] == 1  # the past incident, at logging

    package, _ = call_services.call_lookup(call)
    assert package.incident_count == 1
    assert call.pk not in [i["id"] for i in package.incidents]
    html = signed_in(supervisor).get(f"/calls/{call.pk}/regrade/").content.decode()
    assert "2 incidents in the last 12 months" not in html
    suggestion = call_services.suggestion_for(call, package)
    assert not any("2 incidents" in reason.text for reason in suggestion.reasons)


def test_regrading_away_from_the_suggestion_needs_a_reason_on_the_field(
    call_taker, supervisor, victim
):
    call = log_call(call_taker, victim)
    version = call.version
    client = signed_in(supervisor)
    refused = client.post(
        f"/calls/{call.pk}/regrade/",
        {"grade": "priority", "grade_reason": "", "version": call.version},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="id_grade_reason-error"' in html
    assert "Explain why you chose priority when the system suggested emergency" in html
    assert 'href="#id_grade_reason"' in html  # the error summary links to the field
    call.refresh_from_db()
    assert (call.grade, call.version) == ("emergency", version)

    no_grade = client.post(f"/calls/{call.pk}/regrade/", {"grade": "", "version": call.version})
    assert no_grade.status_code == 400 and 'id="grade-error"' in no_grade.content.decode()
    scheduled = client.post(
        f"/calls/{call.pk}/regrade/",
        {"grade": "scheduled", "grade_reason": "Asked for a visit", "version": call.version},
    )
    assert scheduled.status_code == 400
    assert "Enter the date and time of the appointment" in scheduled.content.decode()
    assert 'href="#id_appointment_at"' in scheduled.content.decode()


def test_supervisor_regrades_with_a_reason_kept_in_history_and_an_event(
    call_taker, supervisor, victim
):
    call = log_call(call_taker, victim)
    attend_by, version = call.attend_by, call.version
    client = signed_in(supervisor)
    response = client.post(
        f"/calls/{call.pk}/regrade/",
        {
            "grade": "priority",
            "grade_reason": "Suspect arrested at the scene",
            "version": call.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.pk}/"
    call.refresh_from_db()
    assert call.grade == "priority" and call.version == version + 1
    assert call.attend_by == call.logged_at + dt.timedelta(minutes=60) != attend_by
    assert call.regrade_intelligence["flags"]  # the regrade's look-up, kept beside
    latest = call.history.latest()
    assert latest.history_user == supervisor
    assert "Suspect arrested at the scene" in latest.history_change_reason
    event = Event.objects.get(incident=call, verb=EventVerb.INCIDENT_REGRADED)
    assert (event.actor, event.reason) == (supervisor, "Suspect arrested at the scene")
    assert event.old["grade"] == "emergency" and event.new["grade"] == "priority"
    assert AccessLog.objects.filter(
        user=supervisor, action="alter", object_id=str(call.pk), detail__change="regrade"
    ).exists()
    history = client.get(f"/calls/{call.pk}/history/").content.decode()
    assert "Reason: Suspect arrested at the scene" in history


def test_a_stale_regrade_is_refused_and_changes_nothing(call_taker, supervisor, victim):
    call = log_call(call_taker, victim)
    stale = call.version
    call_services.incident_log_and_grade(
        incident=call,
        user=call_taker,
        decision=call_services.GradeDecision(grade="priority", reason="Arrested", version=stale),
    )
    response = signed_in(supervisor).post(
        f"/calls/{call.pk}/regrade/",
        {"grade": "telephone", "grade_reason": "x", "version": stale},
    )
    assert response.status_code == 409
    assert "Someone else has changed this call" in response.content.decode()
    assert f'name="version" value="{stale + 1}"' in response.content.decode()
    call.refresh_from_db()
    assert call.grade == "priority"
    assert not Event.objects.filter(
        incident=call, verb=EventVerb.INCIDENT_REGRADED, actor=supervisor
    ).exists()


def test_a_regrade_to_the_same_grade_is_refused_at_the_grade_and_records_nothing(
    call_taker, supervisor, victim
):
    call = log_call(call_taker, victim)
    version, history = call.version, call.history.count()
    response = signed_in(supervisor).post(
        f"/calls/{call.pk}/regrade/", {"grade": "emergency", "version": call.version}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="grade-error"' in html
    assert "Choose a different grade, or go back to the call" in html
    call.refresh_from_db()
    assert (call.grade, call.version, call.history.count()) == ("emergency", version, history)
    assert not Event.objects.filter(incident=call, verb=EventVerb.INCIDENT_REGRADED).exists()
    assert not AccessLog.objects.filter(
        object_id=str(call.pk), action="alter", detail__change="regrade"
    ).exists()


def test_who_may_open_the_regrade_page(persona, call_taker, victim):
    logged_at = timezone.now()
    with time_machine.travel(logged_at, tick=False):
        call = log_call(call_taker, victim)
    window = dt.timedelta(minutes=call_services.response_settings().regrade_window_minutes)
    with time_machine.travel(logged_at + window - dt.timedelta(minutes=1), tick=False):
        assert signed_in(call_taker).get(f"/calls/{call.pk}/regrade/").status_code == 200
        page = signed_in(call_taker).get(f"/calls/{call.pk}/").content.decode()
        assert f'href="/calls/{call.pk}/regrade/"' in page
        for role in (Role.OFFICER, Role.INTELLIGENCE, Role.DASO):
            refused = signed_in(persona(role)).get(f"/calls/{call.pk}/regrade/")
            assert refused.status_code == 403
            assert 'data-testid="refusal-reason"' not in refused.content.decode()
        assert (
            signed_in(persona(Role.CALL_TAKER)).get(f"/calls/{call.pk}/regrade/").status_code == 403
        )
    with time_machine.travel(logged_at + window + dt.timedelta(minutes=1), tick=False):
        late = signed_in(call_taker)
        refused = late.get(f"/calls/{call.pk}/regrade/")
        assert refused.status_code == 403
        assert "only within 15 minutes of logging it. Ask a supervisor" in refused.content.decode()
        assert (
            late.post(
                f"/calls/{call.pk}/regrade/",
                {"grade": "priority", "grade_reason": "x", "version": call.version},
            ).status_code
            == 403
        )
        assert (
            f'href="/calls/{call.pk}/regrade/"'
            not in late.get(f"/calls/{call.pk}/").content.decode()
        )
    call.refresh_from_db()
    assert call.grade == "emergency"


def test_an_attended_call_is_not_regraded(call_taker, supervisor, officer, victim):
    call = log_call(call_taker, victim)
    signed_in(officer).post(f"/calls/{call.pk}/attended/", {"from": "incident"})
    client = signed_in(supervisor)
    refused = client.get(f"/calls/{call.pk}/regrade/")
    assert refused.status_code == 403
    html = refused.content.decode()
    assert f"Call {call.reference} is attended: only a call still waiting" in html
    assert f'href="/calls/{call.pk}/"' in html
    assert f"/calls/{call.pk}/regrade/" not in client.get(f"/calls/{call.pk}/").content.decode()


def test_regrade_appointment_is_one_field_read_as_uk_time(call_taker, supervisor, victim):
    with time_machine.travel(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        call = log_call(call_taker, victim)
        client = signed_in(supervisor)
        page = client.get(f"/calls/{call.pk}/regrade/").content.decode()
        field = re.search(r'<input[^>]*name="appointment_at"[^>]*>', page)[0]
        assert 'type="text"' in field and "appointment_at_day" not in page
        post = {"grade": "scheduled", "grade_reason": "She asked for a visit"}
        wrong = client.post(
            f"/calls/{call.pk}/regrade/",
            {**post, "appointment_at": "31/6/2027 10:00", "version": call.version},
        )
        assert wrong.status_code == 400
        assert 'id="id_appointment_at-error"' in wrong.content.decode()
        assert "The appointment must be a real date" in wrong.content.decode()
        # 23:30 on 30 June UTC is already 1 July in London: "tomorrow" is 2 July.
        done = client.post(
            f"/calls/{call.pk}/regrade/",
            {**post, "appointment_at": "tomorrow 10am", "version": call.version},
        )
        assert done.status_code == 302
        call.refresh_from_db()
        assert call.appointment_at == dt.datetime(2027, 7, 2, 9, 0, tzinfo=dt.UTC)
        page = client.get(f"/calls/{call.pk}/regrade/").content.decode()
        assert 'value="2/7/2027 10:00"' in page
        # Still scheduled, at a new time: that changes the call, so it goes through; the
        # same time again changes nothing and is refused.
        again = {**post, "appointment_at": "3/7/2027 10:00"}
        moved = client.post(f"/calls/{call.pk}/regrade/", {**again, "version": call.version})
        assert moved.status_code == 302
        call.refresh_from_db()
        assert call.appointment_at == dt.datetime(2027, 7, 3, 9, 0, tzinfo=dt.UTC)
        same = client.post(f"/calls/{call.pk}/regrade/", {**again, "version": call.version})
        assert same.status_code == 400
        assert "Choose a different grade, or go back to the call" in same.content.decode()
