"""Call handling services and pages: drafts, intelligence, grading, audit, dispatch."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from cases import call_services, intelligence, services
from cases.choices import EventVerb, IncidentRole, IncidentStatus
from cases.flag_services import flag_raise, flags_lift
from cases.models import Event, Flag, Incident, IncidentPerson
from dasapp.api import ConflictError, DomainError
from dasapp.models import AccessLog
from dasapp.roles import Role

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


@pytest.fixture
def victim(org):
    """A repeat victim with a high-risk flag on her number and three past incidents."""
    person = services.person_create(
        data=services.PersonInput(
            given_name="Erin", family_name="Callow", date_of_birth=dt.date(1990, 1, 2)
        )
    )
    suspect = services.person_create(
        data=services.PersonInput(
            given_name="Rhys", family_name="Vane", date_of_birth=dt.date(1988, 3, 4)
        )
    )
    phone, _ = services.phone_get_or_create(number="07700 900811")
    services.person_phone_link(person=person, phone=phone)
    address, _ = services.address_get_or_create(
        line1="5 Heron Walk", postcode="CO2 7AB", town="Colchester"
    )
    services.person_address_link(person=person, address=address)
    flag_raise(kind="high_risk_victim", summary="High-risk victim", source="case:1", phone=phone)
    person.phone = phone
    person.address = address
    person.suspect = suspect
    return person


def past_incident(victim, *, days_ago: int, weapons: bool = False):
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
        caller_phone=victim.phone,
        grade="priority",
        answers={"weapons": "yes" if weapons else "no"},
    )
    IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(
        incident=incident, person=victim.suspect, role=IncidentRole.SUSPECT
    )
    return incident


@pytest.fixture
def call_taker(persona):
    return persona(Role.CALL_TAKER, team="control-room")


def draft_with(call_taker, **fields):
    incident, _ = call_services.incident_start(user=call_taker)
    errors = call_services.incident_autosave(
        incident=incident, user=call_taker, data=call_services.DraftInput(**fields)
    )
    incident.refresh_from_db()
    return incident, errors


def test_same_idempotency_key_opens_one_call(call_taker):
    first, created = call_services.incident_start(user=call_taker, idempotency_key="web:k1")
    second, created_again = call_services.incident_start(user=call_taker, idempotency_key="web:k1")
    assert created and not created_again
    assert first.pk == second.pk
    assert Incident.objects.count() == 1


def test_invalid_number_is_a_field_error_and_the_draft_keeps_what_was_typed(call_taker):
    incident, errors = draft_with(call_taker, caller_phone="0770 12", narrative="He is outside")
    assert errors["caller_phone"] == [
        "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
    ]
    assert incident.caller_phone_raw == "0770 12"
    assert incident.narrative == "He is outside"
    assert incident.caller_phone is None


def test_invalid_postcode_is_a_field_error_and_kept(call_taker):
    incident, errors = draft_with(call_taker, address_line1="1 High St", postcode="ZZ")
    assert errors["postcode"] == ["Enter a real postcode, like CO1 1AA"]
    assert incident.address_raw["postcode"] == "ZZ"


def test_saving_over_someone_elses_change_is_refused(call_taker, persona):
    incident, _ = draft_with(call_taker, narrative="first")
    read_version = incident.version
    supervisor = persona(Role.SUPERVISOR)
    call_services.incident_autosave(
        incident=incident, user=supervisor, data=call_services.DraftInput(narrative="supervisor")
    )
    with pytest.raises(ConflictError):
        call_services.incident_autosave(
            incident=incident,
            user=call_taker,
            data=call_services.DraftInput(narrative="second"),
            version=read_version,
        )
    incident.refresh_from_db()
    assert incident.narrative == "supervisor"


def test_the_call_takers_own_saves_arriving_out_of_order_are_not_a_conflict(call_taker):
    incident, _ = draft_with(call_taker, narrative="typing")
    read_version = incident.version
    call_services.incident_autosave(
        incident=incident, user=call_taker, data=call_services.DraftInput(narrative="typing more")
    )
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(narrative="typing more, then log"),
        version=read_version,
    )
    incident.refresh_from_db()
    assert incident.narrative == "typing more, then log"


def test_lookup_finds_flag_and_incidents_for_a_number_typed_in_another_format(victim):
    past_incident(victim, days_ago=20)
    past_incident(victim, days_ago=400)  # older than 12 months: not counted
    package, _ = intelligence.lookup(intelligence.LookupQuery(phone="+44 (7700) 900-811"))
    assert [f["kind"] for f in package.flags] == ["high_risk_victim"]
    assert package.incident_count == 1
    assert package.suspects[0]["name"] == "Rhys Vane"


def test_lifted_flag_is_no_longer_shown(victim):
    flags_lift(source="case:1", reason="Case closed")
    package, _ = intelligence.lookup(intelligence.LookupQuery(phone="07700900811"))
    assert package.flags == []
    assert Flag.objects.get().history.count() == 2


def test_lookup_runs_a_fixed_number_of_queries_whatever_the_history(
    victim, django_assert_max_num_queries
):
    past_incident(victim, days_ago=10)
    with django_assert_max_num_queries(20) as few:
        intelligence.lookup(intelligence.LookupQuery(phone="07700900811", person_ids=[victim.pk]))
    for days in range(1, 40):
        past_incident(victim, days_ago=days, weapons=days % 2 == 0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        package, _ = intelligence.lookup(
            intelligence.LookupQuery(phone="07700900811", person_ids=[victim.pk])
        )
    assert package.incident_count == 40
    assert len(package.incidents) == intelligence.MAX_INCIDENTS


def test_lookup_degrades_to_unavailable_when_the_database_fails(victim):
    with mock.patch.object(
        intelligence.sources, "resolve", side_effect=OperationalError("timeout")
    ):
        package, _ = intelligence.lookup(intelligence.LookupQuery(phone="07700900811"))
    assert package.unavailable
    assert "ask the control-room intelligence desk" in package.message
    assert package.for_grading().unavailable


def test_call_can_still_be_logged_when_intelligence_is_unavailable(call_taker, victim):
    incident, _ = draft_with(
        call_taker, caller_phone="07700900811", location_note="Car park", answers=dict(ANSWERS)
    )
    package = intelligence.Package(unavailable=True, message=intelligence.UNAVAILABLE_MESSAGE)
    logged = call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade="priority"),
        package=package,
    )
    assert logged.status == IncidentStatus.GRADED
    assert logged.intelligence["unavailable"] is True


def test_unanswered_question_blocks_logging_unless_skipped_with_a_reason(call_taker):
    answers = dict(ANSWERS)
    del answers["fear_level"]
    incident, _ = draft_with(call_taker, location_note="Street", answers=answers)
    with pytest.raises(DomainError) as refused:
        call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="priority"),
        )
    assert "fear_level" in refused.value.errors
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(skipped={"fear_level": "Line dropped before I could ask"}),
    )
    incident.refresh_from_db()
    suggestion = call_services.suggestion_for(incident, intelligence.Package())
    logged = call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade=suggestion.grade),
    )
    assert logged.skipped == {"fear_level": "Line dropped before I could ask"}


def test_choosing_another_grade_needs_a_reason_which_is_audited(call_taker, victim):
    incident, _ = draft_with(
        call_taker,
        caller_phone="07700 900811",
        location_note="Home",
        answers=dict(ANSWERS),
        people=[(victim.pk, IncidentRole.VICTIM)],
    )
    with pytest.raises(DomainError) as refused:
        call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="scheduled"),
        )
    assert "grade_reason" in refused.value.errors
    assert "suggested emergency" in refused.value.errors["grade_reason"][0]

    logged = call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(
            grade="scheduled", reason="Suspect confirmed in custody"
        ),
    )
    assert logged.suggested_grade == "emergency"
    assert logged.grade == "scheduled"
    latest = logged.history.latest()
    assert latest.history_user == call_taker
    assert "Suspect confirmed in custody" in latest.history_change_reason
    event = Event.objects.get(incident=logged, verb=EventVerb.INCIDENT_GRADED)
    assert event.reason == "Suspect confirmed in custody"
    assert event.actor == call_taker
    assert event.new["suggested"] == "emergency"


@time_machine.travel(dt.datetime(2026, 11, 26, 21, 0, tzinfo=dt.UTC), tick=False)
def test_attend_by_is_fifteen_minutes_urban_and_twenty_rural_for_emergency(call_taker):
    answers = dict(ANSWERS, suspect_location="present")
    urban, _ = draft_with(call_taker, location_note="Flat", location_type="urban", answers=answers)
    rural, _ = draft_with(call_taker, location_note="Farm", location_type="rural", answers=answers)
    for incident, minutes in ((urban, 15), (rural, 20)):
        logged = call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="emergency"),
        )
        assert logged.attend_by == timezone.now() + dt.timedelta(minutes=minutes)


def test_prefill_confirmation_is_kept_with_the_call(call_taker, victim):
    items = [
        {
            "key": f"phone:{victim.phone.pk}",
            "label": "Phone number",
            "value": "07700 900811",
            "status": "changed",
            "change": "New number 07700 900812",
        }
    ]
    incident, _ = draft_with(call_taker, location_note="Home", answers=dict(ANSWERS), prefill=items)
    logged = call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(
            grade="priority", reason="Caller asked for a visit later"
        ),
    )
    event = Event.objects.get(incident=logged, verb=EventVerb.PREFILL_CONFIRMED)
    assert event.new["items"][0]["change"] == "New number 07700 900812"


# Pages -----------------------------------------------------------------------------


def test_start_call_twice_with_same_form_key_opens_one_call(client_for):
    c = client_for(Role.CALL_TAKER, team="control-room")
    first = c.post("/calls/new/", {"idempotency_key": "abc"})
    second = c.post("/calls/new/", {"idempotency_key": "abc"})
    assert first["Location"] == second["Location"]
    assert Incident.objects.count() == 1


def test_autosave_returns_live_suggestion_and_flags(client_for, victim):
    c = client_for(Role.CALL_TAKER, team="control-room")
    pk = int(c.post("/calls/new/", {"idempotency_key": "x"})["Location"].strip("/").split("/")[-1])
    response = c.post(
        f"/calls/{pk}/autosave/",
        {
            "version": "1",
            "caller_phone": "+447700900811",
            "q-fear_level": "3",
            "q-demeanour": "calm",
            "q-suspect_location": "elsewhere",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "High-risk victim" in html
    assert 'data-testid="suggested-grade">Emergency' in html
    assert "very frightened" in html
    assert AccessLog.objects.filter(action="search", object_type="cases.incident").exists()


def test_logging_with_errors_keeps_everything_typed(client_for):
    c = client_for(Role.CALL_TAKER, team="control-room")
    pk = int(c.post("/calls/new/", {"idempotency_key": "y"})["Location"].strip("/").split("/")[-1])
    response = c.post(
        f"/calls/{pk}/log/",
        {
            "version": "1",
            "caller_phone": "12",
            "narrative": "Shouting next door",
            "grade": "priority",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a phone number in the correct format" in html
    assert "Shouting next door" in html
    assert 'value="12"' in html


def test_another_call_takers_draft_is_not_editable(client_for):
    owner = client_for(Role.CALL_TAKER, team="control-room")
    other = client_for(Role.CALL_TAKER, team="control-room")
    pk = int(
        owner.post("/calls/new/", {"idempotency_key": "z"})["Location"].strip("/").split("/")[-1]
    )
    assert other.get(f"/calls/{pk}/").status_code == 403
    assert other.post(f"/calls/{pk}/autosave/", {"narrative": "x"}).status_code == 403


def test_partner_agency_cannot_see_calls_or_dispatch(client_for):
    partner = client_for(Role.PARTNER, team="victim-support")
    assert partner.get("/calls/").status_code == 403
    assert partner.get("/dispatch/").status_code == 403


def test_supervisor_sees_the_grade_reason_in_the_incident_history(client_for, call_taker, victim):
    incident, _ = draft_with(
        call_taker, location_note="Home", answers=dict(ANSWERS), caller_phone="07700900811"
    )
    call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(
            grade="scheduled", reason="Officer already at scene on another job"
        ),
    )
    supervisor = client_for(Role.SUPERVISOR, team="cru")
    html = supervisor.get(f"/calls/{incident.pk}/history/").content.decode()
    assert "Officer already at scene on another job" in html
    assert call_taker.username in html or call_taker.get_full_name() in html
    assert client_for(Role.CALL_TAKER).get(f"/calls/{incident.pk}/history/").status_code == 403


def test_dispatch_board_orders_by_grade_then_time_left_and_marks_breaches(
    client_for, django_assert_max_num_queries
):
    now = timezone.now()
    late = Incident.objects.create(
        status="graded", grade="priority", created_at=now, attend_by=now - dt.timedelta(minutes=5)
    )
    urgent = Incident.objects.create(
        status="graded", grade="emergency", created_at=now, attend_by=now + dt.timedelta(minutes=10)
    )
    later = Incident.objects.create(
        status="graded", grade="priority", created_at=now, attend_by=now + dt.timedelta(minutes=50)
    )
    c = client_for(Role.CALL_TAKER, team="control-room")
    with django_assert_max_num_queries(12):
        html = c.get("/dispatch/").content.decode()
    positions = [html.index(i.reference) for i in (urgent, late, later)]
    assert positions == sorted(positions)
    assert "overdue" in html and "Breached" in html
    for _ in range(20):
        Incident.objects.create(status="graded", grade="priority", created_at=now, attend_by=now)
    with django_assert_max_num_queries(12):
        partial = c.get("/dispatch/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()


def test_research_added_by_intelligence_is_shown_to_the_officer(client_for, call_taker):
    incident, _ = draft_with(call_taker, location_note="Home", answers=dict(ANSWERS))
    call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade="scheduled", reason="test"),
    )
    intel = client_for(Role.INTELLIGENCE, team="control-intelligence")
    intel.post(
        f"/calls/{incident.pk}/research/", {"text": "Suspect released from prison last week"}
    )
    officer = client_for(Role.OFFICER, team="response")
    assert (
        "Suspect released from prison last week"
        in officer.get(f"/calls/{incident.pk}/").content.decode()
    )
    assert (
        client_for(Role.OFFICER).post(f"/calls/{incident.pk}/research/", {"text": "x"}).status_code
        == 403
    )


def test_logging_a_call_and_recording_a_person_are_collections_in_the_access_log(client_for):
    c = client_for(Role.CALL_TAKER, team="control-room")
    pk = int(
        c.post("/calls/new/", {"idempotency_key": "log"})["Location"].strip("/").split("/")[-1]
    )
    post = {"version": "1", "location_note": "Bus stop", "grade": "", "grade_reason": ""}
    post.update({f"q-{code}": value for code, value in ANSWERS.items() if code != "afraid_of"})
    post["q-afraid_of"] = ANSWERS["afraid_of"]
    post["multi"] = "afraid_of"
    page = c.post(f"/calls/{pk}/autosave/", post)
    suggested = page.content.decode().split('data-testid="suggested-grade">')[1].split("<")[0]
    post["grade"] = suggested.lower()
    response = c.post(f"/calls/{pk}/log/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AccessLog.objects.filter(
        action="collect", object_type="cases.incident", object_id=str(pk), user=c.user
    ).exists()
    c.post(
        "/people/new/",
        {"given_name": "Rosa", "family_name": "Quill", "gender": "female", "language": "English"},
    )
    assert AccessLog.objects.filter(
        action="collect", object_type="cases.person", user=c.user
    ).exists()
