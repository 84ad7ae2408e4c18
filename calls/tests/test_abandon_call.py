"""Abandoning a call in progress: who may, which calls, why (a duplicate names the call
it repeats), what is kept (history, an event), and where an abandoned call no longer
shows. The service, the confirmation page, the supervisors' list and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calls import rules as call_rules
from calls.choices import AbandonReason, Grade, IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb
from calls.intelligence import LookupQuery, lookup
from calls.models import Incident
from calls.selectors import calls as call_selectors
from calls.selectors import dispatch as dispatch_selectors
from calls.services import abandon as abandon_services
from calls.services import calls as call_services
from cases.tests.factories import PersonFactory
from dasapp.api import ConflictError, DomainError
from dasapp.models import AccessLog, Event
from dasapp.roles import Role
from risk.rules import can_start_dv1

NUMBER = "07700 900977"


@pytest.fixture
def web_call_taker(client_for):
    return client_for(Role.CALL_TAKER, team="control-room")


@pytest.fixture
def call_taker(web_call_taker):
    return web_call_taker.user


@pytest.fixture
def supervisor(persona):
    return persona(Role.SUPERVISOR, team="cru")


def started(user, **fields) -> Incident:
    incident, _ = call_services.incident_start(user=user)
    if fields:
        call_services.incident_autosave(
            incident=incident, user=user, data=call_services.DraftInput(**fields)
        )
    incident.refresh_from_db()
    return incident


def logged(user) -> Incident:
    """A call logged and graded a minute ago."""
    now = timezone.now() - dt.timedelta(minutes=1)
    return Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade=Grade.EMERGENCY,
        created_by=user,
        logged_by=user,
        created_at=now,
        logged_at=now,
        graded_at=now,
        attend_by=now + dt.timedelta(minutes=15),
        location_note="Outside the library",
    )


def abandon(incident, user, reason=AbandonReason.MISTAKE, **kwargs) -> Incident:
    return abandon_services.incident_abandon(incident=incident, user=user, reason=reason, **kwargs)


def api_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# The service ---------------------------------------------------------------------------


def test_the_call_taker_who_started_a_call_abandons_it_into_history_and_an_event(call_taker):
    incident = started(call_taker, narrative="Opened on the wrong line")
    version = incident.version

    result = abandon(incident, call_taker, note="Meant to open the call on line 2", version=version)

    incident.refresh_from_db()
    assert result.status == incident.status == IncidentStatus.ABANDONED
    assert incident.abandoned_by == call_taker
    assert incident.abandon_reason == AbandonReason.MISTAKE
    assert incident.abandon_note == "Meant to open the call on line 2"
    assert incident.version == version + 1
    assert incident.narrative == "Opened on the wrong line"  # kept, never deleted
    latest = incident.history.order_by("-history_date", "-history_id").first()
    assert latest.status == IncidentStatus.ABANDONED
    assert latest.history_user == call_taker
    assert latest.history_change_reason == "Call abandoned: opened by mistake"
    event = Event.objects.get(incident=incident, verb=EventVerb.INCIDENT_ABANDONED)
    assert event.actor == call_taker
    assert event.reason == "Meant to open the call on line 2"
    assert event.new == {"status": "abandoned", "reason": "mistake", "duplicate_of": None}


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def test_abandoning_a_call_deletes_nothing(call_taker):
    victim = PersonFactory()
    incident = started(
        call_taker,
        narrative="Silence, then the line dropped",
        people=[(victim.pk, IncidentRole.VICTIM)],
    )
    before = _row_counts()

    with CaptureQueriesContext(connection) as queries:
        abandon(incident, call_taker, reason=AbandonReason.MISTAKE)

    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")] == []
    after = _row_counts()
    assert {label: (n, after[label]) for label, n in before.items() if after[label] < n} == {}
    assert Incident.objects.filter(pk=incident.pk, status=IncidentStatus.ABANDONED).exists()
    assert list(incident.involved.values_list("person_id", "role")) == [
        (victim.pk, IncidentRole.VICTIM)
    ]


def test_an_abandoned_call_cannot_be_deleted_its_event_stays(call_taker):
    incident = abandon(started(call_taker), call_taker)

    with pytest.raises(ProtectedError), transaction.atomic():
        incident.delete()

    assert Event.objects.filter(incident=incident, verb=EventVerb.INCIDENT_ABANDONED).exists()


def test_a_supervisor_may_abandon_a_call_taker_s_call(call_taker, supervisor):
    incident = started(call_taker)

    abandon(incident, supervisor, reason=AbandonReason.TEST)

    incident.refresh_from_db()
    assert (incident.status, incident.abandoned_by) == (IncidentStatus.ABANDONED, supervisor)


@pytest.mark.parametrize("role", [Role.CALL_TAKER, Role.OFFICER, Role.DASO, Role.INTELLIGENCE])
def test_nobody_else_may_abandon_a_call(call_taker, persona, role):
    incident = started(call_taker)
    other = persona(role)

    assert not call_rules.can_abandon_call(other, incident)
    with pytest.raises(PermissionDenied):
        abandon(incident, other)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_a_logged_call_cannot_be_abandoned(call_taker, supervisor):
    incident = logged(call_taker)

    assert not call_rules.can_abandon_call(supervisor, incident)
    with pytest.raises(DomainError) as refused:
        abandon(incident, supervisor)
    assert refused.value.errors == {"status": ["A logged call cannot be abandoned"]}
    assert "Close it with its outcome" in refused.value.message
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.GRADED
    assert not Event.objects.filter(verb=EventVerb.INCIDENT_ABANDONED).exists()


def test_an_abandoned_call_cannot_be_abandoned_again(call_taker):
    incident = abandon(started(call_taker), call_taker)

    with pytest.raises(DomainError) as refused:
        abandon(incident, call_taker, reason=AbandonReason.TEST)
    assert refused.value.errors == {"status": ["The call is already abandoned"]}
    assert Event.objects.filter(verb=EventVerb.INCIDENT_ABANDONED).count() == 1


def test_a_reason_must_be_chosen(call_taker):
    incident = started(call_taker)

    with pytest.raises(DomainError) as refused:
        abandon(incident, call_taker, reason="")
    assert refused.value.errors == {"reason": ["Choose why the call is being abandoned"]}


def test_a_duplicate_needs_the_reference_of_the_other_call(call_taker):
    incident = started(call_taker)

    with pytest.raises(DomainError) as refused:
        abandon(incident, call_taker, reason=AbandonReason.DUPLICATE, duplicate_of="  ")
    assert refused.value.errors == {
        "duplicate_of": ["Enter the reference of the call this one duplicates"]
    }
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_a_duplicate_is_kept_with_the_call_it_repeats(call_taker):
    kept = logged(call_taker)
    incident = started(call_taker)

    abandon(
        incident,
        call_taker,
        reason=AbandonReason.DUPLICATE,
        duplicate_of=f"  {kept.reference.lower()} ",
    )

    incident.refresh_from_db()
    assert incident.duplicate_of == kept
    latest = incident.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == f"Call abandoned: duplicate of {kept.reference}"
    event = Event.objects.get(incident=incident, verb=EventVerb.INCIDENT_ABANDONED)
    assert event.new["duplicate_of"] == kept.reference


def test_the_history_page_says_who_abandoned_the_call_and_why(client_for, call_taker):
    kept = logged(call_taker)
    incident = abandon(
        started(call_taker),
        call_taker,
        reason=AbandonReason.DUPLICATE,
        duplicate_of=kept.reference,
        note="Her neighbour rang too",
    )

    html = client_for(Role.SUPERVISOR).get(f"/calls/{incident.pk}/history/").content.decode()

    assert "Call abandoned" in html
    assert f'data-testid="event-abandoned">Why: Duplicate of {kept.reference}<' in html
    assert "Reason: Her neighbour rang too" in html
    assert f"Call abandoned: duplicate of {kept.reference}" in html  # the history row


def test_a_duplicate_s_reference_must_name_another_call_the_user_may_see(call_taker, persona):
    kept = logged(call_taker)
    incident = started(call_taker)
    abandoned_too = abandon(started(call_taker), call_taker)
    someone_elses_draft = started(persona(Role.CALL_TAKER))
    wrong_date = kept.reference.replace(
        f"{kept.created_at:%y%m%d}", f"{kept.created_at - dt.timedelta(days=1):%y%m%d}"
    )
    for reference, message in [
        ("DA-250101-987654", "No call you can see has that reference"),
        ("42", "No call you can see has that reference"),
        (wrong_date, "No call you can see has that reference"),
        (someone_elses_draft.reference, "No call you can see has that reference"),
        (incident.reference, "Enter the reference of the other call, not this one"),
        (abandoned_too.reference, "That call was abandoned too"),
    ]:
        with pytest.raises(DomainError) as refused:
            abandon(incident, call_taker, reason=AbandonReason.DUPLICATE, duplicate_of=reference)
        assert refused.value.errors["duplicate_of"][0].startswith(message), reference
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_abandoning_over_someone_else_s_change_is_a_conflict(call_taker, supervisor):
    incident = started(call_taker)
    read_version = incident.version
    call_services.incident_autosave(
        incident=incident,
        user=supervisor,
        data=call_services.DraftInput(narrative="The caller rang back: she is in danger"),
    )

    with pytest.raises(ConflictError):
        abandon(incident, call_taker, version=read_version)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_an_abandoned_call_is_out_of_calls_in_progress_the_board_and_calls_to_attend(
    call_taker,
):
    kept = started(call_taker)
    incident = started(call_taker)
    assert incident in call_selectors.calls_in_progress(user=call_taker)

    abandon(incident, call_taker)

    assert list(call_selectors.calls_in_progress(user=call_taker)) == [kept]
    board = dispatch_selectors.board()
    assert incident.pk not in [row.incident.pk for row in [*board.waiting, *board.attended]]
    assert incident.pk not in [row.incident.pk for row in dispatch_selectors.calls_to_attend().rows]


def test_an_abandoned_call_is_not_worked_nor_counted_as_a_past_incident(call_taker, persona):
    incident = abandon(started(call_taker, caller_phone=NUMBER), call_taker)
    officer, supervisor = persona(Role.OFFICER), persona(Role.SUPERVISOR)

    assert not call_rules.can_read_incident(officer, incident)
    assert not call_rules.can_dispatch_incident(supervisor, incident)
    assert not call_rules.can_add_research(supervisor, incident)
    assert not can_start_dv1(supervisor, incident)
    package, _ = lookup(LookupQuery(phone=NUMBER))
    assert package.incident_count == 0
    assert call_rules.can_read_incident(supervisor, incident)


# The page ------------------------------------------------------------------------------


def test_the_call_page_links_to_abandon_it_beside_the_silent_call_warning(web_call_taker):
    incident = started(web_call_taker.user)

    html = web_call_taker.get(f"/calls/{incident.pk}/").content.decode()

    assert f'href="/calls/{incident.pk}/abandon/"' in html
    assert "A silent or dropped call can be a victim who cannot speak" in html


def test_the_confirmation_page_warns_about_silent_calls_beside_the_button(web_call_taker):
    incident = started(web_call_taker.user)

    response = web_call_taker.get(f"/calls/{incident.pk}/abandon/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    for reason in AbandonReason.values:
        assert f'value="{reason}"' in html
    warning = html.index('data-testid="silent-call-warning"')
    assert warning < html.index("Abandon the call</button>")
    assert "log and grade the call" in html[warning:]
    assert AccessLog.objects.filter(
        object_id=str(incident.pk), detail__reason="Opened the page to abandon the call"
    ).exists()


def test_the_page_abandons_the_call_and_it_leaves_calls_in_progress(web_call_taker):
    incident = started(web_call_taker.user)

    response = web_call_taker.post(
        f"/calls/{incident.pk}/abandon/",
        {"reason": AbandonReason.TEST, "note": "Training", "version": incident.version},
    )

    assert response.status_code == 302 and response.url == f"/calls/{incident.pk}/"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ABANDONED
    assert AccessLog.objects.filter(
        object_id=str(incident.pk), action=AccessLog.Action.ALTER
    ).exists()
    detail = web_call_taker.get(response.url).content.decode()
    assert "abandoned: test call" in detail  # the message
    assert 'data-testid="abandon-reason">Test call<br>Training' in detail
    assert f'data-draft-clear="call:{incident.pk}"' in detail  # the copy on the device goes
    assert f"/calls/{incident.pk}/" not in web_call_taker.get("/calls/").content.decode()


def test_the_page_gives_field_errors(web_call_taker):
    incident = started(web_call_taker.user)

    no_reason = web_call_taker.post(f"/calls/{incident.pk}/abandon/", {"version": 2})
    no_reference = web_call_taker.post(
        f"/calls/{incident.pk}/abandon/", {"reason": AbandonReason.DUPLICATE, "version": 2}
    )

    assert no_reason.status_code == no_reference.status_code == 400
    assert no_reason.context["form"].errors == {
        "reason": ["Choose why the call is being abandoned"]
    }
    assert no_reference.context["form"].errors == {
        "duplicate_of": ["Enter the reference of the call this one duplicates"]
    }
    html = no_reference.content.decode()
    assert "govuk-error-summary" in html and 'href="#id_duplicate_of"' in html
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_the_page_refuses_a_stale_version_with_409(web_call_taker, supervisor):
    incident = started(web_call_taker.user)
    read_version = incident.version
    call_services.incident_autosave(
        incident=incident, user=supervisor, data=call_services.DraftInput(narrative="Changed")
    )

    response = web_call_taker.post(
        f"/calls/{incident.pk}/abandon/",
        {"reason": AbandonReason.MISTAKE, "version": read_version},
    )

    assert response.status_code == 409
    assert "Someone else has changed this call" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


@pytest.mark.parametrize("role", [Role.CALL_TAKER, Role.OFFICER, Role.DASO])
def test_others_get_403_from_the_page(web_call_taker, client_for, role):
    incident = started(web_call_taker.user)
    other = client_for(role)

    assert other.get(f"/calls/{incident.pk}/abandon/").status_code == 403
    posted = other.post(
        f"/calls/{incident.pk}/abandon/", {"reason": AbandonReason.MISTAKE, "version": 1}
    )
    assert posted.status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_the_page_says_a_logged_call_cannot_be_abandoned(web_call_taker):
    incident = logged(web_call_taker.user)

    response = web_call_taker.post(
        f"/calls/{incident.pk}/abandon/",
        {"reason": AbandonReason.MISTAKE, "version": incident.version},
        follow=True,
    )

    assert "has been logged, so it cannot be abandoned" in response.content.decode()
    assert f'href="/calls/{incident.pk}/abandon/"' not in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.GRADED


@pytest.mark.parametrize("count", [3, 30])
def test_supervisors_see_recent_abandoned_calls_with_who_and_why_in_fixed_queries(
    client_for, call_taker, count, django_assert_max_num_queries
):
    kept = logged(call_taker)
    for i in range(count):
        incident = started(call_taker)
        if i % 2:
            abandon(
                incident, call_taker, reason=AbandonReason.DUPLICATE, duplicate_of=kept.reference
            )
        else:
            abandon(incident, call_taker, reason=AbandonReason.NO_CONTACT, note=f"Rang back {i}")
    supervisor = client_for(Role.SUPERVISOR, team="cru")
    supervisor.get("/calls/abandoned/")  # the session and the user's roles once

    # Session, user, roles, the list, the access-log row (and its savepoints).
    with django_assert_max_num_queries(8):
        response = supervisor.get("/calls/abandoned/")

    html = response.content.decode()
    assert html.count(f'">{kept.reference}</a>') == count // 2
    assert "Caller hung up before anything was said" in html
    assert f"Rang back {2 * ((count - 1) // 2)}" in html
    assert str(call_taker) in html
    assert client_for(Role.CALL_TAKER).get("/calls/abandoned/").status_code == 403


# The API -------------------------------------------------------------------------------


def test_the_api_abandons_a_call_with_its_reason(call_taker):
    kept = logged(call_taker)
    incident = started(call_taker)

    response = api_client(call_taker).post(
        f"/api/v1/incidents/{incident.pk}/abandon/",
        {
            "reason": "duplicate",
            "duplicate_of": kept.reference,
            "note": "Neighbour rang too",
            "version": incident.version,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["abandon_reason"]) == ("abandoned", "duplicate")
    assert (body["duplicate_of"], body["abandon_note"]) == (kept.reference, "Neighbour rang too")
    assert Event.objects.filter(incident=incident, verb=EventVerb.INCIDENT_ABANDONED).exists()


def test_the_api_gives_field_errors(call_taker):
    incident = started(call_taker)
    client = api_client(call_taker)
    url = f"/api/v1/incidents/{incident.pk}/abandon/"

    missing = client.post(url, {}, format="json")
    unknown = client.post(
        url,
        {"reason": "duplicate", "duplicate_of": "DA-250101-987654", "version": incident.version},
        format="json",
    )

    assert missing.status_code == unknown.status_code == 400
    assert set(missing.json()["errors"]) == {"reason", "version"}
    assert unknown.json()["errors"]["duplicate_of"][0].startswith("No call you can see")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_the_api_refuses_others_a_logged_call_and_a_stale_version(call_taker, persona):
    incident = started(call_taker)
    url = f"/api/v1/incidents/{incident.pk}/abandon/"
    body = {"reason": "mistake", "version": incident.version}

    for role in (Role.OFFICER, Role.DASO):
        assert api_client(persona(role)).post(url, body, format="json").status_code == 403
    # Another call-taker's draft is not theirs to see: 404, as for reading it.
    assert api_client(persona(Role.CALL_TAKER)).post(url, body, format="json").status_code == 404
    supervisor = persona(Role.SUPERVISOR)
    call_services.incident_autosave(
        incident=incident, user=supervisor, data=call_services.DraftInput(narrative="Changed")
    )
    assert api_client(call_taker).post(url, body, format="json").status_code == 409
    graded = logged(call_taker)
    refused = api_client(supervisor).post(
        f"/api/v1/incidents/{graded.pk}/abandon/",
        {"reason": "mistake", "version": graded.version},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["status"] == ["A logged call cannot be abandoned"]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DRAFT


def test_supervisors_list_abandoned_calls_in_the_api_and_others_do_not_see_them(
    call_taker, persona
):
    incident = abandon(started(call_taker), call_taker)

    supervisor_list = api_client(persona(Role.SUPERVISOR)).get(
        "/api/v1/incidents/?status=abandoned"
    )
    officer_list = api_client(persona(Role.OFFICER)).get("/api/v1/incidents/")

    assert [(i["id"], i["abandon_reason"]) for i in supervisor_list.json()["results"]] == [
        (incident.pk, "mistake")
    ]
    assert incident.pk not in [i["id"] for i in officer_list.json()["results"]]


def test_the_schema_documents_abandoning_a_call(call_taker):
    schema = api_client(call_taker).get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/incidents/{id}/abandon/"]["post"]
    assert operation["operationId"] == "v1_incidents_abandon"
    assert "A silent or dropped call can be a victim" in operation["description"]
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    body = schema["components"]["schemas"]["IncidentAbandonInputRequest"]
    assert {"reason", "duplicate_of", "note", "version"} <= set(body["properties"])


def test_a_save_from_a_second_window_after_abandoning_says_the_call_was_abandoned(
    web_call_taker, call_taker
):
    incident = abandon(started(call_taker, narrative="Silence, then a dial tone"), call_taker)
    late = web_call_taker.post(f"/calls/{incident.pk}/autosave/", {"narrative": "Typed late"})

    assert late.status_code == 409
    assert "this call has been abandoned, so this page no longer saves changes" in (
        late.content.decode()
    )
    incident.refresh_from_db()
    assert (incident.status, incident.narrative) == (
        IncidentStatus.ABANDONED,
        "Silence, then a dial tone",
    )
