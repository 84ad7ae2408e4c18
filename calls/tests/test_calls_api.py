"""The call-handling API: `lookup/` and `incidents/`, as a command-and-control system
uses them. Fixtures are fictional (Ofcom drama numbers)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calls.choices import Grade, IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident, IncidentPerson
from calls.services import calls as call_services
from dasapp.models import AccessLog, Event
from people import services
from people.choices import FlagKind, LocationType, RelationshipKind
from people.flag_services import flag_raise

VICTIM_NUMBER = "07700 900123"
VICTIM_NUMBER_OTHER_FORMAT = "+44 (0)7700-900-123"
# Every question answered: a calm caller who says she is very frightened, suspect
# somewhere else in the area. The suggestion is priority, with no flags.
ANSWERS = {
    "injuries": "none",
    "suspect_location": "elsewhere",
    "weapons": "no",
    "children_present": "no",
    "drink_drugs": "no",
    "previous_incidents": "no",
    "fear_level": 3,
    "afraid_of": ["further_injury"],
    "demeanour": "calm",
}
# One look-up by number, whatever the history size: authentication and role (2), the
# look-up's savepoint pair and its 14 reads, the access-log row. PostgreSQL adds one
# statement, the look-up's `SET LOCAL statement_timeout`.
LOOKUP_MAX_QUERIES = 18


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


@pytest.fixture
def call_taker(persona):
    return api_client(persona("call_taker"))


@pytest.fixture
def victim(db, org):
    """A high-risk victim on a known number, with a partner who is the suspect and two
    incidents in the last year (and one older, which the look-up must leave out)."""
    person = services.person_create(
        data=services.PersonInput(
            given_name="Amira", family_name="Fictional", date_of_birth=dt.date(1990, 3, 27)
        )
    )
    suspect = services.person_create(
        data=services.PersonInput(given_name="Darren", family_name="Madeup")
    )
    services.relationship_link(person=person, other=suspect, kind=RelationshipKind.PARTNER)
    phone, _ = services.phone_get_or_create(number=VICTIM_NUMBER)
    services.person_phone_link(person=person, phone=phone)
    flag_raise(
        kind=FlagKind.HIGH_RISK_VICTIM,
        summary="High-risk victim: open case with the hub",
        source="test:1",
        person=person,
    )
    for days_ago in (10, 100, 400):
        past_incident(phone=phone, victim=person, suspect=suspect, days_ago=days_ago)
    person.phone = phone
    person.suspect = suspect
    return person


def past_incident(*, phone, victim, suspect, days_ago: int, grade=Grade.PRIORITY) -> Incident:
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        caller_phone=phone,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
        grade=grade,
        answers={"weapons": "no"},
    )
    IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=incident, person=suspect, role=IncidentRole.SUSPECT)
    return incident


def call_body(**overrides) -> dict:
    body = {
        "caller_phone": "07700 900456",
        "address": {"line1": "12 High St.", "town": "Colchester", "postcode": "co1 1aa"},
        "location_type": "urban",
        "narrative": "Caller says her ex-partner has been banging on the door.",
        "answers": dict(ANSWERS),
    }
    body.update(overrides)
    return body


# lookup/


def test_lookup_by_number_in_another_format_finds_high_risk_flag_and_recent_incidents(
    call_taker, victim
):
    response = call_taker.post("/api/v1/lookup/", {"phone": VICTIM_NUMBER_OTHER_FORMAT})

    assert response.status_code == 200, response.json()
    package = response.json()
    assert package["unavailable"] is False
    assert package["phone"]["id"] == victim.phone.pk
    assert [f["kind"] for f in package["flags"]] == [FlagKind.HIGH_RISK_VICTIM]
    assert package["incident_count"] == 2  # the one 400 days ago is left out
    assert len(package["incidents"]) == 2
    assert {p["id"] for p in package["people"] if p["direct"]} == {victim.pk}
    assert [s["id"] for s in package["suspects"]] == [victim.suspect.pk]


def test_lookup_by_query_parameters_gives_the_same_package(call_taker, victim):
    response = call_taker.get("/api/v1/lookup/", {"phone": VICTIM_NUMBER_OTHER_FORMAT})

    assert response.status_code == 200
    assert response.json()["incident_count"] == 2
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1


def test_lookup_by_name_and_date_of_birth_finds_the_person_and_their_flag(call_taker, victim):
    response = call_taker.post(
        "/api/v1/lookup/",
        {"name": "Amira Fictional", "date_of_birth": "1990-03-27"},
        headers={"X-Access-Purpose": "Live call: caller gave her name"},
    )

    assert response.status_code == 200
    package = response.json()
    assert victim.pk in {p["id"] for p in package["people"] if p["direct"]}
    assert [f["kind"] for f in package["flags"]] == [FlagKind.HIGH_RISK_VICTIM]
    assert package["incident_count"] == 2
    assert AccessLog.objects.get().purpose == "Live call: caller gave her name"


def test_lookup_by_a_misspelt_first_name_alone_finds_the_person(call_taker, victim):
    response = call_taker.post(
        "/api/v1/lookup/",
        {"name": "Amria"},
        headers={"X-Access-Purpose": "Live call: caller gave her first name"},
    )

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["people"] if p["direct"]] == [victim.pk]


PURPOSE_REQUIRED = (
    "Send an X-Access-Purpose header saying why you are looking up a person by name or "
    "date of birth (kept in the access log), or an X-Work-Item you may see"
)


@pytest.mark.parametrize(
    "terms",
    [
        {"name": "Amira Fictional"},
        {"date_of_birth": "1990-03-27"},
        {"name": "Amira Fictional", "phone": VICTIM_NUMBER},
    ],
)
@pytest.mark.parametrize("method", ["post", "get"])
@pytest.mark.parametrize("purpose", [None, "   "])
def test_lookup_by_name_or_date_of_birth_without_a_purpose_is_refused(
    call_taker, victim, terms, method, purpose
):
    headers = {"X-Access-Purpose": purpose} if purpose is not None else {}
    response = getattr(call_taker, method)("/api/v1/lookup/", terms, headers=headers)

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"X-Access-Purpose": [PURPOSE_REQUIRED]}
    assert body["status"] == 400
    assert not AccessLog.objects.exists()  # nothing was looked up


def test_lookup_by_name_with_a_work_item_the_caller_may_see_needs_no_purpose(call_taker, victim):
    incident = Incident.objects.filter(involved__person=victim).latest("created_at")
    response = call_taker.post(
        "/api/v1/lookup/",
        {"name": "Amira Fictional"},
        headers={"X-Work-Item": f"incident:{incident.pk}"},
    )
    assert response.status_code == 200
    assert AccessLog.objects.get().work_item == f"incident:{incident.pk}"
    # A work item that does not exist is no reason.
    refused = call_taker.post(
        "/api/v1/lookup/", {"name": "Amira Fictional"}, headers={"X-Work-Item": "incident:0"}
    )
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["X-Access-Purpose"]


@pytest.mark.parametrize(
    "terms", [{"phone": VICTIM_NUMBER}, {"address": "12 high st", "postcode": "co11aa"}]
)
def test_lookup_by_number_or_address_needs_no_purpose(call_taker, victim, terms):
    response = call_taker.post("/api/v1/lookup/", terms)
    assert response.status_code == 200, response.json()


def test_the_schema_documents_the_purpose_the_lookup_by_name_needs(call_taker):
    schema = call_taker.get("/api/schema/?format=json").json()
    for method in ("get", "post"):
        operation = schema["paths"]["/api/v1/lookup/"][method]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert (
            "Required when looking up by `name` or `date_of_birth`"
            in (headers["X-Access-Purpose"]["description"])
        )
        assert "X-Work-Item" in headers
    assert "needs a purpose" in schema["paths"]["/api/v1/lookup/"]["post"]["description"]


def test_post_lookup_writes_a_search_row_to_the_access_log_without_the_number(call_taker, victim):
    call_taker.post(
        "/api/v1/lookup/",
        {"phone": VICTIM_NUMBER_OTHER_FORMAT},
        HTTP_X_ACCESS_PURPOSE="Live call",
    )

    row = AccessLog.objects.get()
    assert row.action == AccessLog.Action.SEARCH
    assert row.channel == AccessLog.Channel.API
    assert row.user == call_taker.user
    assert row.purpose == "Live call"
    assert row.detail["fields"] == ["phone"]
    assert victim.pk in row.detail["people"]
    assert "900123" not in str(row.detail)


def test_lookup_with_no_terms_is_refused_with_a_clear_message(call_taker):
    response = call_taker.post("/api/v1/lookup/", {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == (
        "Enter a phone number, an address, a name or a date of birth to look up"
    )
    assert body["status"] == 400
    assert not AccessLog.objects.exists()


def test_lookup_with_an_invalid_number_is_a_field_error(call_taker):
    response = call_taker.post("/api/v1/lookup/", {"phone": "call me"})

    assert response.status_code == 400
    assert response.json()["errors"]["phone"] == [
        "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
    ]


def test_lookup_by_address_needs_the_postcode_too(call_taker):
    response = call_taker.post("/api/v1/lookup/", {"address": "12 High St."})

    assert response.status_code == 400
    assert response.json()["errors"]["postcode"] == [
        "Enter the postcode as well as the first line of the address"
    ]


def test_lookup_by_address_finds_the_flag_on_the_address(call_taker, victim):
    address, _ = services.address_get_or_create(line1="12 High Street", postcode="CO1 1AA")
    flag_raise(
        kind=FlagKind.BAIL_CONDITIONS,
        summary="Suspect bailed not to attend",
        source="test:2",
        address=address,
    )

    response = call_taker.post("/api/v1/lookup/", {"address": "12 high st", "postcode": "co11aa"})

    assert response.status_code == 200
    assert response.json()["address"]["id"] == address.pk
    assert [f["kind"] for f in response.json()["flags"]] == [FlagKind.BAIL_CONDITIONS]


@pytest.mark.parametrize("role", ["call_taker", "intelligence", "officer", "supervisor"])
def test_control_room_officers_and_supervisors_may_look_up(persona, role, victim):
    response = api_client(persona(role)).post("/api/v1/lookup/", {"phone": VICTIM_NUMBER})

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["partner", "daso", None])
def test_other_roles_may_not_look_up(persona, role):
    response = api_client(persona(role)).post("/api/v1/lookup/", {"phone": VICTIM_NUMBER})

    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_anonymous_callers_get_401_from_lookup_and_incidents(db):
    client = api_client()

    assert client.post("/api/v1/lookup/", {"phone": VICTIM_NUMBER}).status_code == 401
    assert client.get("/api/v1/incidents/").status_code == 401
    assert client.post("/api/v1/incidents/", call_body(), format="json").status_code == 401


# incidents/: logging a call


def test_a_call_is_logged_as_a_draft_with_the_suggestion_and_the_intelligence(call_taker, victim):
    response = call_taker.post(
        "/api/v1/incidents/", call_body(caller_phone=VICTIM_NUMBER_OTHER_FORMAT), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    incident = Incident.objects.get(created_by=call_taker.user)
    assert body["id"] == incident.pk
    assert body["reference"] == incident.reference
    assert body["status"] == IncidentStatus.DRAFT
    assert incident.caller_phone == victim.phone
    # Very frightened and a known high-risk victim: emergency, with reasons in words.
    assert body["suggested_grade"] == Grade.EMERGENCY
    assert "high-risk marker on this victim, number or address" in [
        r["text"] for r in body["suggestion_reasons"]
    ]
    assert body["intelligence"]["flags"][0]["kind"] == FlagKind.HIGH_RISK_VICTIM
    assert body["grade"] == ""
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1


def test_a_call_with_a_grade_is_logged_and_graded_in_one_request(call_taker):
    response = call_taker.post("/api/v1/incidents/", call_body(grade=Grade.PRIORITY), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == IncidentStatus.GRADED
    assert body["grade"] == body["suggested_grade"] == Grade.PRIORITY
    assert "caller says they are very frightened" in [r["text"] for r in body["suggestion_reasons"]]
    incident = Incident.objects.get()
    assert incident.graded_by == call_taker.user
    assert incident.attend_by is not None
    assert body["attend_by"] is not None
    assert body["intelligence"]["unavailable"] is False


def test_the_same_idempotency_key_twice_makes_one_incident_and_answers_200(call_taker):
    first = call_taker.post(
        "/api/v1/incidents/",
        call_body(grade=Grade.PRIORITY),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-20260101-0001",
    )
    second = call_taker.post(
        "/api/v1/incidents/",
        call_body(grade=Grade.PRIORITY),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-20260101-0001",
    )

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1
    assert Event.objects.filter(verb=EventVerb.INCIDENT_GRADED).count() == 1


def test_idempotency_keys_are_scoped_to_the_user_and_apart_from_the_web(persona):
    call_services.incident_start(user=persona("call_taker"), idempotency_key="web:same-key")
    one = api_client(persona("call_taker"))
    other = api_client(persona("call_taker"))

    a = one.post("/api/v1/incidents/", call_body(), format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    b = other.post(
        "/api/v1/incidents/", call_body(), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
    )

    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]
    assert Incident.objects.count() == 3


def test_an_unusable_idempotency_key_is_refused_before_anything_is_saved(call_taker):
    response = call_taker.post(
        "/api/v1/incidents/", call_body(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 81
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Incident.objects.exists()


def test_an_invalid_number_is_a_field_error_and_the_draft_keeps_what_was_typed(call_taker):
    response = call_taker.post(
        "/api/v1/incidents/",
        call_body(caller_phone="07700 90012", grade=Grade.PRIORITY),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-0002",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["caller_phone"] == [
        "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
    ]
    draft = Incident.objects.get()
    assert body["incident"]["id"] == draft.pk
    assert draft.status == IncidentStatus.DRAFT
    assert draft.caller_phone_raw == "07700 90012"
    assert draft.caller_phone is None
    assert draft.narrative.startswith("Caller says")


def test_a_retry_with_the_same_key_and_a_corrected_number_updates_the_same_draft(call_taker):
    call_taker.post(
        "/api/v1/incidents/",
        call_body(caller_phone="07700 90012", grade=Grade.PRIORITY),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-0003",
    )
    draft = Incident.objects.get()

    response = call_taker.post(
        "/api/v1/incidents/",
        call_body(caller_phone="07700 900124", grade=Grade.PRIORITY),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-0003",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == draft.pk
    assert Incident.objects.count() == 1
    draft.refresh_from_db()
    assert draft.caller_phone.e164 == "+447700900124"
    assert draft.status == IncidentStatus.GRADED


def test_an_invalid_postcode_is_a_field_error_under_address_and_the_draft_is_kept(call_taker):
    response = call_taker.post(
        "/api/v1/incidents/",
        call_body(address={"line1": "12 High St.", "town": "Colchester", "postcode": "ZZ"}),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["address.postcode"] == ["Enter a real postcode, like CO1 1AA"]
    draft = Incident.objects.get(pk=response.json()["incident"]["id"])
    assert draft.address_raw["postcode"] == "ZZ"


def test_an_unanswered_question_stops_grading_but_keeps_the_draft(call_taker):
    answers = dict(ANSWERS)
    del answers["fear_level"]
    response = call_taker.post(
        "/api/v1/incidents/", call_body(answers=answers, grade=Grade.PRIORITY), format="json"
    )

    assert response.status_code == 400
    assert "answers.fear_level" in response.json()["errors"]
    assert Incident.objects.get().status == IncidentStatus.DRAFT


def test_the_fear_question_is_skipped_only_for_a_fixed_reason(call_taker):
    answers = dict(ANSWERS)
    del answers["fear_level"]
    refused = call_taker.post(
        "/api/v1/incidents/",
        call_body(answers=answers, skipped={"fear_level": "Seemed fine"}, grade=Grade.SCHEDULED),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-fear",
    )

    assert refused.status_code == 400
    assert (
        "Choose why 'How frightened are you?' was not asked"
        in (refused.json()["errors"]["answers.fear_level"][0])
    )
    assert Incident.objects.get().status == IncidentStatus.DRAFT

    kept = call_taker.post(
        "/api/v1/incidents/",
        call_body(
            answers=answers,
            skipped={"fear_level": {"reason": "cannot_speak_safely", "detail": "Whispering"}},
        ),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cad-fear",
    )

    assert kept.status_code == 200, kept.json()
    body = kept.json()
    assert body["suggested_grade"] == Grade.PRIORITY
    assert (
        "the caller was not asked how frightened they are (the caller cannot speak safely): "
        "treated as priority until someone speaks to them"
    ) in [r["text"] for r in body["suggestion_reasons"]]
    assert body["skipped"]["fear_level"] == {
        "reason": "cannot_speak_safely",
        "detail": "Whispering",
    }


def test_a_malformed_request_saves_nothing(call_taker):
    response = call_taker.post(
        "/api/v1/incidents/", call_body(location_type="suburban"), format="json"
    )

    assert response.status_code == 400
    assert "location_type" in response.json()["errors"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("role", ["intelligence", "officer"])
def test_readers_may_not_log_calls(persona, role):
    response = api_client(persona(role)).post("/api/v1/incidents/", call_body(), format="json")

    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_partner_agencies_may_not_read_or_log_calls(persona):
    client = api_client(persona("partner"))

    assert client.get("/api/v1/incidents/").status_code == 403
    assert client.post("/api/v1/incidents/", call_body(), format="json").status_code == 403


# incidents/{id}/grade/


@pytest.fixture
def draft(call_taker):
    response = call_taker.post("/api/v1/incidents/", call_body(), format="json")
    assert response.status_code == 201, response.json()
    return Incident.objects.get(pk=response.json()["id"])


def test_grading_below_the_suggestion_without_a_reason_is_a_grade_reason_error(call_taker, draft):
    response = call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.SCHEDULED, "version": draft.version},
        format="json",
    )

    assert response.status_code == 400
    assert "grade_reason" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.status == IncidentStatus.DRAFT


def test_grading_below_the_suggestion_with_a_reason_is_kept_in_history_and_an_event(
    call_taker, draft
):
    reason = "Suspect confirmed at work in Chelmsford; victim going to her mother's"
    response = call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {
            "grade": Grade.SCHEDULED,
            "grade_reason": reason,
            "appointment_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
            "version": draft.version,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["grade"], body["suggested_grade"]) == (Grade.SCHEDULED, Grade.PRIORITY)
    assert body["grade_reason"] == reason
    latest = draft.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == call_taker.user
    assert latest.grade == Grade.SCHEDULED
    assert latest.grade_reason == reason
    event = Event.objects.get(incident=draft, verb=EventVerb.INCIDENT_GRADED)
    assert event.reason == reason
    assert event.actor == call_taker.user
    assert event.new["suggested"] == Grade.PRIORITY


def test_grading_after_someone_else_changed_the_call_is_a_conflict_and_changes_nothing(
    call_taker, draft, persona
):
    read_version = draft.version
    supervisor = persona("supervisor")
    call_services.incident_autosave(
        incident=draft, user=supervisor, data=call_services.DraftInput(narrative="Supervisor note")
    )
    response = call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.PRIORITY, "version": read_version},
        format="json",
    )

    assert response.status_code == 409
    assert "version" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.status == IncidentStatus.DRAFT
    assert not Event.objects.filter(incident=draft).exists()


def test_grading_needs_the_version_read(call_taker, draft):
    response = call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/", {"grade": Grade.PRIORITY}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["version"] == ["Send the version of the call you read"]


def test_another_call_takers_draft_cannot_be_graded_or_seen(persona, draft):
    colleague = api_client(persona("call_taker"))

    graded = colleague.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.PRIORITY, "version": draft.version},
        format="json",
    )

    assert graded.status_code == 404
    assert colleague.get(f"/api/v1/incidents/{draft.pk}/").status_code == 404
    assert draft.pk not in [i["id"] for i in colleague.get("/api/v1/incidents/").json()["results"]]


def test_a_supervisor_may_regrade_a_logged_call_with_a_reason(persona, call_taker, draft):
    call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.PRIORITY, "version": draft.version},
        format="json",
    )
    draft.refresh_from_db()
    supervisor = api_client(persona("supervisor"))

    response = supervisor.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {
            "grade": Grade.EMERGENCY,
            "grade_reason": "Neighbour reports screaming",
            "version": draft.version,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Event.objects.get(verb=EventVerb.INCIDENT_REGRADED).actor == supervisor.user


def test_a_regrade_through_the_api_to_the_same_grade_is_a_field_error(persona, call_taker, draft):
    call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.PRIORITY, "version": draft.version},
        format="json",
    )
    draft.refresh_from_db()
    version = draft.version
    supervisor = api_client(persona("supervisor"))

    response = supervisor.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.PRIORITY, "grade_reason": "Still", "version": version},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert "Choose a different grade, or go back to the call" in str(response.json())
    assert "grade" in str(response.json())
    draft.refresh_from_db()
    assert draft.version == version
    assert not Event.objects.filter(verb=EventVerb.INCIDENT_REGRADED).exists()


def test_a_regrade_through_the_api_keeps_attend_by_and_is_refused_to_others(
    persona, call_taker, draft
):
    logged_at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1
    )  # after the fixtures
    with time_machine.travel(logged_at, tick=False):
        call_taker.post(
            f"/api/v1/incidents/{draft.pk}/grade/",
            {"grade": Grade.PRIORITY, "version": draft.version},
            format="json",
        )
    draft.refresh_from_db()
    snapshot_at = draft.intelligence_at
    colleague = api_client(persona("call_taker"))
    late = logged_at + dt.timedelta(hours=1)
    body = {"grade": Grade.EMERGENCY, "grade_reason": "Called back", "version": draft.version}

    with time_machine.travel(late, tick=False):
        by_colleague = colleague.post(f"/api/v1/incidents/{draft.pk}/grade/", body, format="json")
        too_late = call_taker.post(f"/api/v1/incidents/{draft.pk}/grade/", body, format="json")
        supervisor = api_client(persona("supervisor"))
        regraded = supervisor.post(f"/api/v1/incidents/{draft.pk}/grade/", body, format="json")

    assert (by_colleague.status_code, too_late.status_code) == (403, 403)
    assert regraded.status_code == 200, regraded.json()
    draft.refresh_from_db()
    assert draft.attend_by == logged_at + dt.timedelta(minutes=15)
    assert dt.datetime.fromisoformat(regraded.json()["attend_by"]) == draft.attend_by
    assert draft.intelligence_at == snapshot_at
    assert draft.regrade_intelligence_at == late


def test_a_scheduled_grade_without_an_appointment_is_a_field_error(call_taker, draft):
    response = call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.SCHEDULED, "grade_reason": "Visit tomorrow", "version": draft.version},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["appointment_at"] == [
        "Enter the date and time of the appointment for a scheduled visit"
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.attend_by, draft.appointment_at) == (
        IncidentStatus.DRAFT,
        None,
        None,
    )


def test_a_known_rural_address_sets_the_area_unless_one_is_sent(call_taker):
    services.address_get_or_create(
        line1="Moat Farm", postcode="CO6 4AA", location_type=LocationType.RURAL
    )
    address = {"line1": "moat farm", "town": "", "postcode": "co64aa"}
    body = call_body(address=address)
    del body["location_type"]

    found = call_taker.post("/api/v1/incidents/", body, format="json")
    chosen = call_taker.post(
        "/api/v1/incidents/",
        call_body(address=address, location_type=LocationType.URBAN),
        format="json",
    )

    assert found.status_code == 201, found.json()
    assert found.json()["location_type"] == LocationType.RURAL
    assert chosen.json()["location_type"] == LocationType.URBAN


# incidents/: reading


def test_reading_a_call_is_written_to_the_access_log(persona, call_taker, draft):
    call_taker.post(
        f"/api/v1/incidents/{draft.pk}/grade/",
        {"grade": Grade.PRIORITY, "version": draft.version},
        format="json",
    )
    officer = api_client(persona("officer"))

    response = officer.get(
        f"/api/v1/incidents/{draft.pk}/", HTTP_X_ACCESS_PURPOSE="Attending the call"
    )

    assert response.status_code == 200
    assert response.json()["intelligence"]["unavailable"] is False
    row = AccessLog.objects.get(user=officer.user)
    assert (row.action, row.object_type, row.object_id) == (
        AccessLog.Action.CONSULT,
        "calls.incident",
        str(draft.pk),
    )
    assert row.purpose == "Attending the call"
    assert row.person_id is None  # this call named nobody as victim


def test_reading_a_call_logs_the_victim_as_the_person_consulted(persona, victim):
    incident = past_incident(phone=victim.phone, victim=victim, suspect=victim.suspect, days_ago=1)
    officer = api_client(persona("officer"))

    assert officer.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    assert AccessLog.objects.get(user=officer.user).person_id == victim.pk


def test_the_list_puts_open_calls_in_dispatch_order_and_filters_by_grade(
    persona, victim, django_assert_max_num_queries
):
    now = timezone.now()
    priority = past_incident(phone=victim.phone, victim=victim, suspect=victim.suspect, days_ago=0)
    emergency = past_incident(
        phone=victim.phone,
        victim=victim,
        suspect=victim.suspect,
        days_ago=0,
        grade=Grade.EMERGENCY,
    )
    for incident, minutes in ((priority, 30), (emergency, 10)):
        incident.attend_by = now + dt.timedelta(minutes=minutes)
        incident.save()
    officer = api_client(persona("officer"))

    with django_assert_max_num_queries(5):
        listed = officer.get("/api/v1/incidents/").json()["results"]
    emergencies = officer.get("/api/v1/incidents/", {"grade": Grade.EMERGENCY}).json()

    assert [i["id"] for i in listed[:2]] == [emergency.pk, priority.pk]
    logged = AccessLog.objects.filter(user=officer.user, object_type="calls.incident").first()
    assert logged.action == AccessLog.Action.SEARCH
    assert logged.detail["filters"] == ["grade"]
    assert [i["id"] for i in emergencies["results"]] == [emergency.pk]


# Performance


def _history(victim, count: int) -> None:
    for n in range(count):
        past_incident(phone=victim.phone, victim=victim, suspect=victim.suspect, days_ago=n + 1)


@pytest.mark.parametrize("prior", [1, 30])
def test_the_lookup_runs_a_fixed_number_of_queries_whatever_the_history(
    persona, victim, prior, django_assert_max_num_queries
):
    Incident.objects.all().delete()
    _history(victim, prior)
    client = api_client(persona("call_taker"))

    bound = LOOKUP_MAX_QUERIES + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(bound):
        response = client.post("/api/v1/lookup/", {"phone": VICTIM_NUMBER})

    assert response.json()["incident_count"] == prior
