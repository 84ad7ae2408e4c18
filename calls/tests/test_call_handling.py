"""Call handling services and pages: drafts, intelligence, grading, audit, dispatch."""

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.test import Client
from django.utils import timezone

from calls import intelligence
from calls import rules as call_rules
from calls.choices import IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident, IncidentPerson, ResponseSettings
from calls.services import calls as call_services
from dasapp.api import ConflictError, DomainError
from dasapp.models import AccessLog, Event
from dasapp.roles import Role
from people import services
from people.choices import RelationshipKind
from people.flag_services import flag_raise, flags_lift
from people.models import Address, Flag

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


def tomorrow() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


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


def client_as(user) -> Client:
    c = Client()
    c.force_login(user)
    c.user = user
    return c


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
    del answers["weapons"]
    incident, _ = draft_with(call_taker, location_note="Street", answers=answers)
    with pytest.raises(DomainError) as refused:
        call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="emergency"),
        )
    assert "weapons" in refused.value.errors
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(skipped={"weapons": "Caller did not know"}),
    )
    incident.refresh_from_db()
    suggestion = call_services.suggestion_for(incident, intelligence.Package())
    logged = call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade=suggestion.grade),
    )
    assert logged.skipped == {"weapons": "Caller did not know"}


def test_fear_question_skipped_with_any_words_is_refused_and_cannot_be_logged(call_taker):
    answers = dict(ANSWERS)
    del answers["fear_level"]
    incident, errors = draft_with(
        call_taker,
        location_note="Street",
        answers=answers,
        skipped={"fear_level": "Did not get round to it"},
    )
    assert "Choose why 'How frightened are you?' was not asked" in errors["fear_level"][0]
    assert incident.skipped["fear_level"] == {"reason": "", "detail": "Did not get round to it"}
    with pytest.raises(DomainError) as refused:
        call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="scheduled", reason="Seemed fine"),
        )
    assert "fear_level" in refused.value.errors


def test_fear_question_skipped_for_a_fixed_reason_is_logged_and_suggested_priority(call_taker):
    answers = dict(ANSWERS, suspect_location="far_away", previous_incidents="no")
    del answers["fear_level"]
    incident, errors = draft_with(
        call_taker,
        location_note="Street",
        answers=answers,
        skipped={"fear_level": {"reason": "line_dropped", "detail": "Cut off mid-sentence"}},
    )
    assert errors == {}
    suggestion = call_services.suggestion_for(incident, intelligence.Package())
    assert suggestion.grade == "priority"
    assert (
        "the caller was not asked how frightened they are (the line dropped): treated as "
        "priority until someone speaks to them"
    ) in [r.text for r in suggestion.reasons]
    with pytest.raises(DomainError) as refused:
        call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="scheduled"),
        )
    assert "suggested priority" in refused.value.errors["grade_reason"][0]
    logged = call_services.incident_log_and_grade(
        incident=incident, user=call_taker, decision=call_services.GradeDecision(grade="priority")
    )
    assert logged.skipped["fear_level"] == {
        "reason": "line_dropped",
        "detail": "Cut off mid-sentence",
    }


def test_call_page_offers_only_the_fixed_reasons_to_skip_the_fear_question(call_taker):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    page = c.get(f"/calls/{incident.pk}/").content.decode()
    for value in ("line_dropped", "cannot_speak_safely", "third_party"):
        assert f'name="skip-fear_level" type="radio" value="{value}"' in page
    assert 'name="skipdetail-fear_level"' in page
    assert '<input class="govuk-input" id="skip-weapons" name="skip-weapons"' in page
    response = c.post(
        f"/calls/{incident.pk}/autosave/",
        {
            "skip-fear_level": "third_party",
            "skipdetail-fear_level": "Neighbour calling",
            "q-suspect_location": "far_away",
            "q-fear_level": "",
        },
    )
    html = response.content.decode()
    assert 'data-testid="suggested-grade">Priority' in html
    assert "(a third party is calling): treated as priority" in html
    incident.refresh_from_db()
    assert incident.skipped["fear_level"] == {
        "reason": "third_party",
        "detail": "Neighbour calling",
    }


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
            grade="scheduled", reason="Suspect confirmed in custody", appointment_at=tomorrow()
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


def test_typing_an_address_creates_no_address_until_the_call_is_logged(call_taker, org):
    incident, _ = draft_with(call_taker, location_note="", answers=dict(ANSWERS))
    for typed in ("2", "2 Ac", "2 Acacia", "2 Acacia Av", "2 Acacia Avenue"):
        errors = call_services.incident_autosave(
            incident=incident,
            user=call_taker,
            data=call_services.DraftInput(
                address_line1=typed, address_town="Colchester", postcode="CO1 1AA"
            ),
        )
        assert errors == {}
    incident.refresh_from_db()
    assert Address.objects.count() == 0
    assert incident.address is None
    assert incident.address_raw == {
        "line1": "2 Acacia Avenue",
        "town": "Colchester",
        "postcode": "CO1 1AA",
    }
    with pytest.raises(DomainError):  # refused: nothing is created either
        call_services.incident_log_and_grade(
            incident=incident, user=call_taker, decision=call_services.GradeDecision(grade="")
        )
    assert Address.objects.count() == 0

    logged = call_services.incident_log_and_grade(
        incident=incident, user=call_taker, decision=call_services.GradeDecision(grade="priority")
    )
    assert [str(a) for a in Address.objects.all()] == ["2 Acacia Avenue, Colchester, CO1 1AA"]
    assert logged.address == Address.objects.get()


def test_a_typed_address_matching_a_known_one_is_found_while_drafting(call_taker, victim):
    flag_raise(
        kind="bail_conditions",
        summary="Suspect bailed not to attend",
        source="case:2",
        address=victim.address,
    )
    incident, errors = draft_with(
        call_taker, address_line1="5 heron walk", postcode="co27ab", location_type="urban"
    )
    assert errors == {}
    assert incident.address == victim.address
    assert Address.objects.count() == 1
    package, _ = intelligence.lookup(call_services.lookup_query_for(incident))
    assert package.address["id"] == victim.address.pk
    assert "bail_conditions" in {f["kind"] for f in package.flags}


def test_a_regrade_keeps_attend_by_from_when_the_call_was_logged_and_the_snapshot(
    call_taker, persona, victim
):
    logged_at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1
    )  # after the fixtures
    answers = dict(ANSWERS, suspect_location="far_away", fear_level="1")
    with time_machine.travel(logged_at, tick=False):
        incident, _ = draft_with(
            call_taker, caller_phone="07700900811", location_note="Home", answers=answers
        )
        incident = call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="priority"),
        )
    assert incident.attend_by == logged_at + dt.timedelta(minutes=60)
    snapshot = incident.intelligence
    assert [f["kind"] for f in snapshot["flags"]] == ["high_risk_victim"]
    flag_raise(kind="bail_conditions", summary="Bailed", source="case:7", phone=victim.phone)

    supervisor = persona(Role.SUPERVISOR, team="cru")
    with time_machine.travel(logged_at + dt.timedelta(minutes=40), tick=False):
        regraded = call_services.incident_log_and_grade(
            incident=incident,
            user=supervisor,
            decision=call_services.GradeDecision(grade="emergency", reason="Screaming heard"),
        )
    # 15 minutes from when the call was logged: already breached, not 15 from now.
    assert regraded.attend_by == logged_at + dt.timedelta(minutes=15)
    assert regraded.logged_at == logged_at
    assert regraded.logged_by == call_taker
    assert regraded.intelligence == snapshot
    assert regraded.intelligence_at == logged_at
    assert {f["kind"] for f in regraded.regrade_intelligence["flags"]} == {
        "high_risk_victim",
        "bail_conditions",
    }
    event = Event.objects.get(incident=regraded, verb=EventVerb.INCIDENT_REGRADED)
    assert event.old["attend_by"] == (logged_at + dt.timedelta(minutes=60)).isoformat()
    assert event.new["attend_by"] == (logged_at + dt.timedelta(minutes=15)).isoformat()


def test_only_a_supervisor_or_the_call_taker_soon_after_logging_may_regrade(call_taker, persona):
    logged_at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1
    )  # after the fixtures
    with time_machine.travel(logged_at, tick=False):
        incident, _ = draft_with(call_taker, location_note="Home", answers=dict(ANSWERS))
        incident = call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="priority"),
        )
    colleague = persona(Role.CALL_TAKER, team="control-room")
    window = call_services.response_settings().regrade_window_minutes
    with time_machine.travel(logged_at + dt.timedelta(minutes=window - 1), tick=False):
        assert call_rules.can_regrade_call(call_taker, incident)
        assert not call_rules.can_regrade_call(colleague, incident)
        with pytest.raises(PermissionDenied):
            call_services.incident_log_and_grade(
                incident=incident,
                user=colleague,
                decision=call_services.GradeDecision(grade="emergency", reason="x"),
            )
        incident = call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="emergency", reason="Called back"),
        )
    assert incident.grade == "emergency"
    with time_machine.travel(logged_at + dt.timedelta(minutes=window + 1), tick=False):
        assert not call_rules.can_regrade_call(call_taker, incident)
        with pytest.raises(PermissionDenied):
            call_services.incident_log_and_grade(
                incident=incident,
                user=call_taker,
                decision=call_services.GradeDecision(grade="priority", reason="x"),
            )
        assert call_rules.can_regrade_call(persona(Role.SUPERVISOR), incident)


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


@pytest.mark.parametrize(
    "values",
    [{"fear_emergency_level": 5}, {"fear_emergency_level": 0}, {"repeat_incidents_priority": 0}],
)
def test_response_settings_cannot_be_set_to_switch_a_grading_rule_off(org, values):
    rs = call_services.response_settings()
    for name, value in values.items():
        setattr(rs, name, value)
    with pytest.raises(ValidationError) as refused:
        rs.full_clean()
    assert set(values) <= set(refused.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        rs.save()
    assert not hasattr(ResponseSettings, "fear_priority_level")


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
    assert AccessLog.objects.filter(action="search", object_type="calls.incident").exists()


def _grade_tag(html: str, grade: str) -> str:
    return html.split(f'<span id="grade-suggested-{grade}"')[1].split("</span>")[0]


def test_the_suggested_grade_is_marked_beside_the_grade_buttons(call_taker, victim):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    page = c.get(f"/calls/{incident.pk}/").content.decode()
    grades = page.split('id="grade-hint"')[1]  # the grade buttons and what is beside them
    assert "Suggested</strong>" in _grade_tag(grades, "priority")
    assert "Suggested</strong>" not in _grade_tag(grades, "scheduled")
    assert "Suggested: <strong>Priority</strong>, because the caller has not said how" in grades

    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700900811", "q-fear_level": "3", "q-suspect_location": "elsewhere"},
    ).content.decode()
    assert '<span id="grade-suggested-emergency" hx-swap-oob="true">' in live
    assert "Suggested</strong>" in _grade_tag(live, "emergency")
    assert "Suggested</strong>" not in _grade_tag(live, "priority")
    summary = live.split('<p class="govuk-inset-text')[1].split("</p>")[0]
    assert 'id="grade-suggestion"' in summary and 'hx-swap-oob="true"' in summary
    assert "Suggested: <strong>Emergency</strong>, because" in summary
    assert "known high-risk victim" in summary


def _save_status(html: str) -> str:
    return html.split('<div id="save-status"')[1].split("</div>")[0]


def test_autosave_status_does_not_interrupt_and_only_a_failure_is_announced(call_taker, persona):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    page = c.get(f"/calls/{incident.pk}/").content.decode()
    saved = c.post(f"/calls/{incident.pk}/autosave/", {"narrative": "He is outside"})
    for html in (page, saved.content.decode()):
        status = _save_status(html)
        assert "aria-live" not in status and 'role="status"' not in status
        assert 'role="alert"' not in status
    assert "Draft saved at" in _save_status(saved.content.decode())

    read_version = incident.version
    call_services.incident_autosave(
        incident=incident,
        user=persona(Role.SUPERVISOR),
        data=call_services.DraftInput(narrative="Supervisor note"),
    )
    refused = c.post(
        f"/calls/{incident.pk}/autosave/", {"version": read_version, "narrative": "Mine"}
    )
    assert refused.status_code == 409
    assert '<p class="govuk-error-message" role="alert"' in _save_status(refused.content.decode())


def test_new_flags_are_announced_in_a_polite_live_region_once(call_taker, victim):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    page = c.get(f"/calls/{incident.pk}/").content.decode()
    assert (
        '<div id="intel-announce" class="govuk-visually-hidden" aria-live="polite" '
        'aria-atomic="true"'
    ) in page
    assert '<input type="hidden" id="flags-shown" name="flags_shown" value="">' in page

    first = c.post(
        f"/calls/{incident.pk}/autosave/", {"caller_phone": "07700900811", "flags_shown": ""}
    ).content.decode()
    flag_id = Flag.objects.get().pk
    assert (
        '<div id="intel-announce" hx-swap-oob="innerHTML">New flag: High-risk victim. '
        "1 flag in all.</div>"
    ) in first
    assert f'name="flags_shown" value="{flag_id}" hx-swap-oob="true"' in first

    again = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700900811", "flags_shown": str(flag_id), "narrative": "More"},
    ).content.decode()
    assert "intel-announce" not in again


def test_the_same_flag_from_two_sources_is_said_once_with_how_many(call_taker, victim):
    flag_raise(kind="high_risk_victim", summary="High risk", source="case:2", person=victim)
    incident, _ = draft_with(call_taker, narrative="Started")
    first = (
        client_as(call_taker)
        .post(f"/calls/{incident.pk}/autosave/", {"caller_phone": "07700900811", "flags_shown": ""})
        .content.decode()
    )
    assert "New flags: High-risk victim (2). 2 flags in all.</div>" in first


def test_error_summary_links_go_to_inputs_that_take_focus(call_taker):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    post = {"version": str(incident.version), "location_note": "Park", **_web_answers()}
    del post["q-fear_level"]
    del post["q-weapons"]
    html = c.post(f"/calls/{incident.pk}/log/", post).content.decode()
    summary = html.split('data-testid="error-summary"')[1].split("</ul>")[0]
    links = re.findall(r'href="#([^"]+)"', summary)
    # The two unanswered questions are one entry, linking to the first on the page.
    assert links == ["q-weapons-yes", "grade-emergency"]
    assert "Answer the 2 questions not yet answered" in summary
    assert 'id="q-fear_level-error"' in html and 'id="q-weapons-error"' in html
    for anchor in links:
        assert re.search(rf'<input class="govuk-radios__input" id="{anchor}"', html), anchor
    assert 'aria-describedby="grade-hint grade-suggestion grade-error"' in html
    assert '<p class="govuk-error-message" id="grade-error">' in html


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


def _web_answers() -> dict:
    post = {f"q-{code}": value for code, value in ANSWERS.items() if code != "afraid_of"}
    post.update({"q-afraid_of": ANSWERS["afraid_of"], "multi": "afraid_of"})
    return post


def test_scheduled_without_an_appointment_is_a_field_error_and_nothing_is_lost(call_taker):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    post = {
        "version": str(incident.version),
        "location_note": "Bus station",
        "narrative": "Ex-partner sent threats",
        "grade": "scheduled",
        "grade_reason": "She asked for a visit after work",
        **_web_answers(),
    }
    response = c.post(f"/calls/{incident.pk}/log/", post)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the date and time of the appointment for a scheduled visit" in html
    assert "She asked for a visit after work" in html
    assert "Ex-partner sent threats" in html
    incident.refresh_from_db()
    assert (incident.status, incident.attend_by) == (IncidentStatus.DRAFT, None)

    post["appointment_at"] = (timezone.localtime() + dt.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    assert c.post(f"/calls/{incident.pk}/log/", post).status_code == 302
    incident.refresh_from_db()
    assert incident.attend_by == incident.appointment_at
    assert (
        timezone.localtime(incident.appointment_at).strftime("%Y-%m-%dT%H:%M")
        == (post["appointment_at"])
    )


def test_a_known_rural_address_sets_the_area_and_the_call_taker_may_change_it(call_taker, org):
    services.address_get_or_create(
        line1="Moat Farm", town="Dedham", postcode="CO6 4AA", location_type="rural"
    )
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    found = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"address_line1": "moat farm", "postcode": "co6 4aa", "location_type": "urban"},
    )
    html = found.content.decode()
    assert '<div id="area" hx-swap-oob="true">' in html
    assert 'id="location_type-rural" name="location_type" type="radio" value="rural" checked' in (
        html
    )
    incident.refresh_from_db()
    assert incident.location_type == "rural"

    changed = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"address_line1": "moat farm", "postcode": "co6 4aa", "location_type": "urban"},
    )
    assert 'id="area"' not in changed.content.decode()
    incident.refresh_from_db()
    assert incident.location_type == "urban"


def _bus_station_log(incident) -> dict:
    """The call page's "Log call and grade" post for a call at the bus station."""
    return {
        "version": str(incident.version),
        "location_note": "Bus station",
        "grade": "emergency",
        "grade_reason": "Second thoughts",
        **_web_answers(),
    }


@time_machine.travel(dt.datetime(2026, 6, 1, 20, 5, tzinfo=dt.UTC), tick=False)
def test_a_retried_log_after_the_call_was_logged_goes_to_the_incident(call_taker):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    post = _bus_station_log(incident)
    assert c.post(f"/calls/{incident.pk}/log/", post).status_code == 302
    retried = c.post(f"/calls/{incident.pk}/log/", post, follow=True)

    assert retried.redirect_chain == [(f"/calls/{incident.pk}/", 302)]
    html = retried.content.decode()
    assert "This call was already logged at 21:05" in html  # Europe/London, summer time
    assert Event.objects.filter(incident=incident, verb=EventVerb.INCIDENT_GRADED).count() == 1


def test_an_autosave_that_arrives_after_the_call_was_logged_saves_nothing_and_says_so(
    call_taker, client_for
):
    """A save overtaken by "Log call", or typed in a second window, is a conflict the page
    explains (the browser keeps what was typed), not a bare 403."""
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    post = _bus_station_log(incident)
    assert c.post(f"/calls/{incident.pk}/log/", post).status_code == 302
    incident.refresh_from_db()
    logged_version = incident.version
    late = c.post(f"/calls/{incident.pk}/autosave/", {"narrative": "Typed late"})

    assert late.status_code == 409
    html = late.content.decode()
    assert "this call has been logged, so this page no longer saves changes" in html
    assert f'href="/calls/{incident.pk}/"' in html
    incident.refresh_from_db()
    assert incident.version == logged_version and incident.narrative != "Typed late"
    # Someone who may not read the call still learns nothing about it.
    other = client_for(Role.OFFICER, team="response")
    assert other.post(f"/calls/{incident.pk}/autosave/", {"narrative": "x"}).status_code == 403


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
            grade="scheduled",
            reason="Officer already at scene on another job",
            appointment_at=tomorrow(),
        ),
    )
    supervisor = client_for(Role.SUPERVISOR, team="cru")
    html = supervisor.get(f"/calls/{incident.pk}/history/").content.decode()
    assert "Officer already at scene on another job" in html
    assert call_taker.username in html or call_taker.get_full_name() in html
    assert client_for(Role.CALL_TAKER).get(f"/calls/{incident.pk}/history/").status_code == 403


def test_history_shows_grade_suggestion_reason_and_attend_by_in_london_time(
    client_for, call_taker, victim
):
    items = [
        {
            "key": "safe_times",
            "label": "Safe times to call",
            "value": "After 6pm",
            "status": "changed",
            "change": "Only mornings now",
        }
    ]
    incident, _ = draft_with(
        call_taker,
        location_note="Home",
        answers=dict(ANSWERS, suspect_location="far_away", fear_level="1"),
        caller_phone="07700900811",
        prefill=items,
    )
    with time_machine.travel(dt.datetime(2026, 6, 1, 20, 0, tzinfo=dt.UTC), tick=False):
        call_services.incident_log_and_grade(
            incident=incident,
            user=call_taker,
            decision=call_services.GradeDecision(grade="emergency", reason="Heard shouting"),
        )
    supervisor = client_for(Role.SUPERVISOR, team="cru")
    html = supervisor.get(f"/calls/{incident.pk}/history/").content.decode()

    assert ": not marked" not in html
    assert "Grade: <strong>Emergency</strong>" in html
    assert "Suggested grade: Priority" in html
    assert "Reason: Heard shouting" in html
    # 20:00 UTC + 15 minutes, shown in British summer time.
    assert 'Attend by: <time datetime="2026-06-01T21:15:00+01:00">1 June 2026 21:15</time>' in html
    assert "Safe times to call (After 6pm): changed: Only mornings now" in html


def test_incident_page_tells_no_snapshot_from_nothing_known(client_for, call_taker):
    demo = Incident.objects.create(
        status=IncidentStatus.GRADED, grade="priority", created_at=timezone.now()
    )
    incident, _ = draft_with(call_taker, location_note="Lay-by", answers=dict(ANSWERS))
    call_services.incident_log_and_grade(
        incident=incident, user=call_taker, decision=call_services.GradeDecision(grade="priority")
    )
    officer = client_for(Role.OFFICER, team="response")

    demo_page = officer.get(f"/calls/{demo.pk}/").content.decode()
    logged_page = officer.get(f"/calls/{incident.pk}/").content.decode()

    assert "No intelligence was captured for this call" in demo_page
    assert "Nothing known" not in demo_page
    assert "Nothing known for this number, address or these people" in logged_page
    assert "No intelligence was captured" not in logged_page


def test_incident_page_shows_details_the_call_taker_marked_as_changed(
    client_for, call_taker, victim
):
    items = [
        {
            "key": f"address:{victim.address.pk}",
            "label": "Home address",
            "value": "5 Heron Walk, Colchester, CO2 7AB",
            "status": "changed",
            "change": "Moved to her sister's last week",
        },
        {
            "key": "safe_times",
            "label": "Safe times to call",
            "value": "After 6pm",
            "status": "confirmed",
            "change": "",
        },
    ]
    incident, _ = draft_with(
        call_taker,
        location_note="Home",
        answers=dict(ANSWERS, suspect_location="far_away", fear_level="1"),
        prefill=items,
    )
    call_services.incident_log_and_grade(
        incident=incident, user=call_taker, decision=call_services.GradeDecision(grade="priority")
    )
    html = client_for(Role.OFFICER, team="response").get(f"/calls/{incident.pk}/")
    html = html.content.decode()
    changed = html.split('data-testid="changed-details"')[1].split("</dl>")[0]
    assert "Moved to her sister&#x27;s last week" in changed
    assert "Was: 5 Heron Walk, Colchester, CO2 7AB" in changed
    assert "Safe times to call" not in changed


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
        decision=call_services.GradeDecision(
            grade="scheduled", reason="test", appointment_at=tomorrow()
        ),
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


def test_a_web_look_up_names_the_person_found_on_the_access_log_row(call_taker, victim):
    past = past_incident(victim, days_ago=3)
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    c.post(f"/calls/{incident.pk}/autosave/", {"caller_phone": "07700 900811"})

    row = AccessLog.objects.filter(action="search", user=call_taker).latest("pk")
    assert (row.object_type, row.object_id) == ("calls.incident", str(incident.pk))
    assert row.person_id == victim.pk
    assert row.detail["people"] == [victim.pk]
    assert row.detail["suspects"] == [victim.suspect.pk]
    assert row.detail["incidents"] == [past.pk]
    assert row.detail["flags"] == [Flag.objects.get().pk]
    # A supervisor finds who looked her up by her id.
    assert AccessLog.objects.filter(person_id=victim.pk, user=call_taker).exists()


def test_the_incident_page_logs_the_victim_consulted(client_for, victim):
    incident = past_incident(victim, days_ago=1)
    officer = client_for(Role.OFFICER, team="response")
    assert officer.get(f"/calls/{incident.pk}/").status_code == 200
    row = AccessLog.objects.get(user=officer.user, action="consult")  # and the live look-up
    assert (row.action, row.object_id, row.person_id) == ("consult", str(incident.pk), victim.pk)


def test_the_fresh_look_up_taken_when_a_call_is_logged_is_on_the_access_log(call_taker, victim):
    incident, _ = draft_with(call_taker, caller_phone="07700900811", narrative="Started")
    c = client_as(call_taker)
    post = {
        "version": str(incident.version),
        "caller_phone": "07700900811",
        "location_note": "Home",
        "grade": "emergency",
        **_web_answers(),
    }
    before = set(AccessLog.objects.filter(action="search").values_list("pk", flat=True))
    assert c.post(f"/calls/{incident.pk}/log/", post).status_code == 302

    rows = AccessLog.objects.filter(action="search", user=call_taker).exclude(pk__in=before)
    assert rows.count() == 1
    row = rows.get()
    incident.refresh_from_db()
    assert row.person_id == victim.pk
    assert row.detail["flags"] == [f["id"] for f in incident.intelligence["flags"]]
    assert row.detail["people"] == [p["id"] for p in incident.intelligence["people"]]


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
        action="collect", object_type="calls.incident", object_id=str(pk), user=c.user
    ).exists()
    c.post(
        "/people/new/",
        {"given_name": "Rosa", "family_name": "Quill", "gender": "female", "language": "English"},
    )
    assert AccessLog.objects.filter(
        action="collect", object_type="people.person", user=c.user
    ).exists()


# The caller's number: the known person it belongs to, and a victim's safe number ------


def _offers(html: str) -> str:
    """The offer of the known person the caller's number belongs to, or ""."""
    if 'data-testid="number-offers"' not in html:
        return ""
    return html.split('data-testid="number-offers"')[1].split("</ul>")[0]


def test_a_known_number_in_another_format_offers_its_person_but_adds_no_one(call_taker, victim):
    past_incident(victim, days_ago=20)
    past_incident(victim, days_ago=400)  # counted too: her part in every earlier call
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)

    live = c.post(
        f"/calls/{incident.pk}/autosave/", {"caller_phone": "+44 (7700) 900-811"}
    ).content.decode()

    offer = _offers(live)
    assert "This number belongs to a known person" in live
    assert "<strong>Erin Callow</strong>, born 2 Jan 1990: victim in 2 incidents" in offer
    for role, words in (("victim", "victim"), ("caller", "caller")):
        assert f'name="add_person" value="{victim.pk}:{role}"' in offer
        assert f"Add to call as {words}" in offer
    # With htmx the call form goes to the autosave, after a save of it in flight; without
    # JavaScript the buttons in <noscript> post the call form to a page that saves it.
    assert 'hx-include="#call-form"' in offer and 'hx-sync="#call-form:queue all"' in offer
    assert (
        f'form="call-form" formaction="/calls/{incident.pk}/save/"'
        in (offer.split("<noscript>")[1].split("</noscript>")[0])
    )
    assert not incident.involved.exists()  # offered, never added by itself
    # The page shows the same offer.
    assert "Add to call as victim" in _offers(c.get(f"/calls/{incident.pk}/").content.decode())


def test_a_known_suspects_number_offers_him_as_suspect_first_and_shows_his_history(
    call_taker, victim
):
    suspect = victim.suspect
    services.relationship_link(person=victim, other=suspect, kind=RelationshipKind.PARTNER)
    his_phone, _ = services.phone_get_or_create(number="07700 900602")
    services.person_phone_link(person=suspect, phone=his_phone)
    past_incident(victim, days_ago=20, weapons=True)
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)

    live = c.post(
        f"/calls/{incident.pk}/autosave/", {"caller_phone": "07700 900602"}
    ).content.decode()

    offer = _offers(live)
    assert "<strong>Rhys Vane</strong>, born 4 Mar 1988: suspect in 1 incident" in offer
    buttons = re.findall(r'name="add_person" value="(\d+):(\w+)"', offer.split("<noscript>")[0])
    assert buttons == [
        (str(suspect.pk), "suspect"),
        (str(suspect.pk), "victim"),
        (str(suspect.pk), "caller"),
    ]
    # The background intelligence describes him, not his partner.
    suspects = live.split('data-testid="intel-suspects"')[1].split("</ul>")[0]
    assert "Rhys Vane</strong>: 1 incident as suspect" in suspects
    assert "weapons used" in suspects
    assert "Erin Callow" not in suspects


def test_no_offer_for_a_person_already_on_the_call(call_taker, victim):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700900811", "people-present": "1", "person": f"{victim.pk}:suspect"},
    ).content.decode()

    assert incident.involved.get().person == victim
    assert "High-risk victim" in live  # the look-up found the number
    assert _offers(live) == ""
    assert "This number belongs to" not in c.get(f"/calls/{incident.pk}/").content.decode()


def test_no_offer_for_a_number_nobody_is_known_on(call_taker, victim):
    incident, _ = draft_with(call_taker, narrative="Started")
    live = (
        client_as(call_taker)
        .post(f"/calls/{incident.pk}/autosave/", {"caller_phone": "07700 900999"})
        .content.decode()
    )
    assert _offers(live) == ""


def test_taking_the_offer_adds_her_as_victim_and_her_confirmed_details_are_recorded(
    call_taker, victim
):
    past_incident(victim, days_ago=20)
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    c.post(f"/calls/{incident.pk}/autosave/", {"caller_phone": "07700 900811"})
    incident.refresh_from_db()

    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {
            "version": str(incident.version),
            "caller_phone": "07700 900811",
            "people-present": "1",
            "add_person": f"{victim.pk}:victim",
        },
    ).content.decode()

    link = incident.involved.get()
    assert (link.person, link.role) == (victim, IncidentRole.VICTIM)
    # The same repeat-victim flow as adding her after a search: what is known, to confirm.
    assert '<div id="prefill" hx-swap-oob="true">' in live
    prefill = live.split('data-testid="prefill"')[1]
    assert f'name="prefill-status-phone:{victim.phone.pk}"' in prefill
    assert f'name="prefill-status-address:{victim.address.pk}"' in prefill
    assert _offers(live) == ""  # she is on the call now
    assert "Added Erin Callow to the call as victim." in live.split('id="intel-announce"')[1]

    incident.refresh_from_db()
    post = {
        "version": str(incident.version),
        "caller_phone": "07700 900811",
        "location_note": "Home",
        "grade": "emergency",
        "people-present": "1",
        "person": f"{victim.pk}:victim",
        "prefill-present": "1",
        f"prefill-status-phone:{victim.phone.pk}": "confirmed",
        f"prefill-label-phone:{victim.phone.pk}": "Phone number",
        f"prefill-value-phone:{victim.phone.pk}": "07700 900811",
        f"prefill-status-address:{victim.address.pk}": "changed",
        f"prefill-label-address:{victim.address.pk}": "Home address",
        f"prefill-value-address:{victim.address.pk}": "5 Heron Walk, Colchester, CO2 7AB",
        f"prefill-change-address:{victim.address.pk}": "Moved to her sister's last week",
        **_web_answers(),
    }
    assert c.post(f"/calls/{incident.pk}/log/", post).status_code == 302
    event = Event.objects.get(incident=incident, verb=EventVerb.PREFILL_CONFIRMED)
    items = {item["key"]: item for item in event.new["items"]}
    assert items[f"phone:{victim.phone.pk}"]["status"] == "confirmed"
    assert items[f"address:{victim.address.pk}"]["change"] == "Moved to her sister's last week"


def test_without_javascript_the_offer_saves_the_whole_form_and_shows_the_page_again(
    call_taker, victim
):
    incident, _ = draft_with(call_taker, caller_phone="07700 900811")
    c = client_as(call_taker)
    response = c.post(
        f"/calls/{incident.pk}/save/",
        {
            "version": str(incident.version),
            "caller_phone": "07700 900811",
            "narrative": "He is at the door",
            "people-present": "1",
            "add_person": f"{victim.pk}:victim",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/calls/{incident.pk}/#involved-{victim.pk}-victim"
    incident.refresh_from_db()
    assert incident.narrative == "He is at the door"  # nothing typed is lost
    assert incident.involved.get().person == victim
    page = c.get(response["Location"]).content.decode()
    assert 'data-testid="prefill"' in page
    assert _offers(page) == ""


def test_without_javascript_a_field_error_is_shown_on_the_call_page(call_taker, victim):
    incident, _ = draft_with(call_taker, caller_phone="07700 900811")
    c = client_as(call_taker)
    response = c.post(
        f"/calls/{incident.pk}/save/",
        {
            "version": str(incident.version),
            "caller_phone": "07700 900811",
            "postcode": "ZZ",
            "address_line1": "1 High St",
            "people-present": "1",
            "add_person": f"{victim.pk}:victim",
        },
    )
    assert response.status_code == 400
    assert "Enter a real postcode, like CO1 1AA" in response.content.decode()
    assert incident.involved.get().person == victim


def _with_safe_number(victim):
    safe, _ = services.phone_get_or_create(number="07700 900812")
    services.person_phone_link(person=victim, phone=safe, is_safe=True)
    return safe


def test_a_call_from_a_victims_number_that_is_not_her_safe_number_is_warned(call_taker, victim):
    _with_safe_number(victim)
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700 900811", "people-present": "1", "person": f"{victim.pk}:victim"},
    ).content.decode()

    warning = live.split('data-testid="safe-number-warning"')[1].split("</div>")[0]
    assert "govuk-warning-text__text" in warning
    assert "Calling from a number that is not the recorded safe number for Erin Callow" in warning
    assert "ring back only on the safe number, 07700 900812" in warning
    assert 'data-testid="safe-number-ok"' not in live
    # The page says so too; the number is in no URL or access-log row.
    assert "not the recorded safe number" in c.get(f"/calls/{incident.pk}/").content.decode()
    for row in AccessLog.objects.all():
        assert "900812" not in str(row.detail) and "900812" not in row.purpose


def test_a_call_from_the_victims_safe_number_says_so(call_taker, victim):
    _with_safe_number(victim)
    incident, _ = draft_with(call_taker, narrative="Started")
    live = (
        client_as(call_taker)
        .post(
            f"/calls/{incident.pk}/autosave/",
            {
                "caller_phone": "+44 7700 900 812",
                "people-present": "1",
                "person": f"{victim.pk}:victim",
            },
        )
        .content.decode()
    )

    ok = live.split('data-testid="safe-number-ok"')[1].split("</div>")[0]
    assert "The caller's number is the recorded safe number for Erin Callow." in ok
    assert 'data-testid="safe-number-warning"' not in live


def test_no_safe_number_note_without_a_recorded_safe_number_or_a_victim(call_taker, victim):
    incident, _ = draft_with(call_taker, narrative="Started")
    c = client_as(call_taker)
    # A victim with no safe number recorded.
    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700 900811", "people-present": "1", "person": f"{victim.pk}:victim"},
    ).content.decode()
    assert "safe-number-" not in live
    # A safe number, but she is on the call as a suspect, not a victim.
    _with_safe_number(victim)
    incident.refresh_from_db()
    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700 900811", "people-present": "1", "person": f"{victim.pk}:suspect"},
    ).content.decode()
    assert "safe-number-" not in live


def test_the_callers_number_section_is_swapped_and_announced_only_when_it_changes(
    call_taker, victim
):
    _with_safe_number(victim)
    incident, _ = draft_with(call_taker, caller_phone="07700 900811")
    c = client_as(call_taker)
    page = c.get(f"/calls/{incident.pk}/").content.decode()
    shown = f"offer:{victim.pk}"
    assert f'name="number_check_shown" value="{shown}"' in page

    # A save that changes nothing there leaves the section (and a button just pressed in
    # it) alone, and says nothing.
    same = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"caller_phone": "07700 900811", "number_check_shown": shown, "flags_shown": ""},
    ).content.decode()
    assert 'id="number-check"' not in same
    assert "known person" not in same.split('id="intel-announce"')[1]

    added = c.post(
        f"/calls/{incident.pk}/autosave/",
        {
            "caller_phone": "07700 900811",
            "number_check_shown": shown,
            "people-present": "1",
            "add_person": f"{victim.pk}:victim",
        },
    ).content.decode()
    assert '<div id="number-check" hx-swap-oob="true">' in added
    assert f'name="number_check_shown" value="safe:{victim.pk}:0" hx-swap-oob="true"' in added
    announced = added.split('<div id="intel-announce" hx-swap-oob="innerHTML">')[1]
    assert announced.startswith(
        "Added Erin Callow to the call as victim. Warning: calling from a number that is not "
        "the recorded safe number for Erin Callow."
    )


@pytest.mark.parametrize("typed", ["Priya", "Darren", "Daz", "Pike"])
def test_call_page_person_search_finds_a_first_name_nickname_or_last_name(call_taker, typed):
    from cases.tests.factories import PersonFactory

    priya = PersonFactory(given_name="Priya", family_name="Sharma")
    darren = PersonFactory(given_name="Darren", family_name="Pike", aliases=[("Daz", "Pike")])
    incident, _ = draft_with(call_taker)
    response = client_as(call_taker).post(
        f"/calls/{incident.pk}/people/search/", {"person_name": typed}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["results"]) == [priya if typed == "Priya" else darren]
    assert "No one found" not in html


def test_a_draft_s_history_has_a_row_per_person_not_per_autosave(call_taker, persona, victim):
    incident, _ = draft_with(call_taker, narrative="He is")
    for text in ("He is outside", "He is outside the door", "He is outside the door now"):
        call_services.incident_autosave(
            incident=incident, user=call_taker, data=call_services.DraftInput(narrative=text)
        )
    assert [row.history_change_reason for row in incident.history.order_by("history_id")] == [
        "Call started"
    ]
    supervisor = persona(Role.SUPERVISOR)
    call_services.incident_autosave(
        incident=incident, user=supervisor, data=call_services.DraftInput(narrative="Taken over")
    )
    call_services.incident_autosave(
        incident=incident, user=supervisor, data=call_services.DraftInput(narrative="Taken over.")
    )
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(
            location_note="Home", answers=dict(ANSWERS), caller_phone="07700900811"
        ),
    )
    incident.refresh_from_db()
    call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(
            grade="scheduled", reason="Agreed a visit", appointment_at=tomorrow()
        ),
    )
    rows = list(incident.history.order_by("history_id"))
    assert [(row.history_user, row.history_change_reason[:12]) for row in rows] == [
        (call_taker, "Call started"),
        (supervisor, "Draft saved"),
        (call_taker, "Draft saved"),
        (call_taker, "Graded sched"),
    ]
    # The row written when the call was logged holds everything typed.
    assert (rows[-1].narrative, rows[-1].location_note) == ("Taken over.", "Home")
