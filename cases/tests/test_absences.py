"""Ending an absence early (someone back from sickness) and correcting its dates: the
services, the absences page and the API (`absences/{id}/end/`, `absences/{id}/change/`).
Recording absences is tested with the safety plans (`test_safety_services`, `_views`,
`_api`), whose people these tests share: Chief Inspector Helen Marsh supervises
Inspectors Mark Fenwick and Joanna Price and PC Tom Adeyemi."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import safety_services
from cases.tests.test_safety_services import DAY, HOUR, T0, add, make_case, make_staff
from conftest import verify_two_factor
from dasapp.api import DomainError
from org import availability
from org.models import Absence

pytestmark = pytest.mark.usefixtures("org")


@pytest.fixture
def staff(persona):
    return make_staff(persona)


def sick(person, *, by, starts=T0 - 2 * DAY, ends=T0 + 10 * DAY, kind="sickness"):
    return safety_services.absence_record(
        user=by, person=person, kind=kind, starts_at=starts, ends_at=ends
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name="supervisor").exists():
        verify_two_factor(client, user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# Services ------------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_ending_a_sickness_absence_now_puts_them_back_at_work_with_who_and_why_kept(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    assert not availability.user_at_work(staff.insp_a)

    ended = safety_services.absence_end(
        absence=absence, user=staff.chief, reason="Back early, signed fit by the GP"
    )

    assert ended.ends_at == T0
    absence.refresh_from_db()
    assert absence.ends_at == T0
    row = absence.history.order_by("-history_id").first()
    assert row.history_user == staff.chief
    assert (
        row.history_change_reason == "Ended at 14 Jul 2026 10:00: Back early, signed fit by the GP"
    )
    assert availability.user_at_work(staff.insp_a)


@time_machine.travel(T0, tick=False)
def test_an_absence_ends_at_a_given_time_after_its_start_and_before_its_end(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    with pytest.raises(DomainError) as before_start:
        safety_services.absence_end(
            absence=absence, user=staff.chief, reason="Back", at=T0 - 3 * DAY
        )
    assert before_start.value.errors == {
        "ends_at": ["The end must be after the absence started, at 12 Jul 2026 10:00"]
    }
    with pytest.raises(DomainError) as after_end:
        safety_services.absence_end(
            absence=absence, user=staff.chief, reason="Back", at=T0 + 11 * DAY
        )
    assert after_end.value.errors == {
        "ends_at": [
            "The absence already ends at 24 Jul 2026 10:00: to make it longer, change its dates"
        ]
    }
    # Back since yesterday morning, told only today.
    ended = safety_services.absence_end(
        absence=absence, user=staff.chief, reason="Back since yesterday", at=T0 - DAY
    )
    assert ended.ends_at == T0 - DAY


@time_machine.travel(T0, tick=False)
def test_ending_an_absence_already_over_is_refused_and_changes_nothing(staff):
    absence = sick(staff.insp_a, by=staff.chief, starts=T0 - 5 * DAY, ends=T0 - DAY)
    with pytest.raises(DomainError) as over:
        safety_services.absence_end(absence=absence, user=staff.chief, reason="Back")
    assert over.value.errors == {
        "absence": ["Mark Fenwick's absence ended at 13 Jul 2026 10:00: there is nothing to end"]
    }
    absence.refresh_from_db()
    assert absence.ends_at == T0 - DAY
    assert absence.history.count() == 1


@time_machine.travel(T0, tick=False)
def test_ending_needs_a_reason_and_an_absence_not_yet_started_is_not_ended(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    with pytest.raises(DomainError) as no_reason:
        safety_services.absence_end(absence=absence, user=staff.chief, reason="  ")
    assert no_reason.value.errors == {
        "reason": ["Give a reason, for example back early from sickness"]
    }
    later = sick(staff.insp_b, by=staff.chief, starts=T0 + DAY, ends=T0 + 3 * DAY)
    with pytest.raises(DomainError) as not_started:
        safety_services.absence_end(absence=later, user=staff.chief, reason="Not going")
    assert not_started.value.errors == {
        "ends_at": [
            "Joanna Price's absence has not started yet (it starts at 15 Jul 2026 10:00): "
            "change its dates instead"
        ]
    }
    assert Absence.objects.get(pk=absence.pk).ends_at == T0 + 10 * DAY


def test_someone_back_early_keeps_the_actions_the_sweep_used_to_move_away(staff):
    with time_machine.travel(T0 - HOUR, tick=False):
        case = make_case(staff.daso)
    with time_machine.travel(T0, tick=False):
        plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=2 * HOUR)
        absence = sick(staff.insp_a, by=staff.chief)
        safety_services.absence_end(absence=absence, user=staff.chief, reason="Back early")
        safety_services.sweep_run()
    action.refresh_from_db()
    assert action.owner == staff.insp_a
    assert not action.follow_ups.exists()


@time_machine.travel(T0, tick=False)
def test_an_absences_dates_are_corrected_with_a_reason_and_the_end_after_the_start(staff):
    absence = sick(staff.insp_a, by=staff.chief, kind="annual_leave")
    changed = safety_services.absence_change(
        absence=absence,
        user=staff.chief,
        starts_at=T0 - 2 * DAY,
        ends_at=T0 + 17 * DAY,
        reason="Leave extended by a week",
    )
    assert changed.ends_at == T0 + 17 * DAY
    row = absence.history.order_by("-history_id").first()
    assert row.history_user == staff.chief
    assert row.history_change_reason == (
        "Now 12 Jul 2026 10:00 to 31 Jul 2026 10:00: Leave extended by a week"
    )
    with pytest.raises(DomainError) as backwards:
        safety_services.absence_change(
            absence=absence, user=staff.chief, starts_at=T0, ends_at=T0 - HOUR, reason="Typo"
        )
    assert backwards.value.errors == {"ends_at": ["The end must be after the start"]}
    over = sick(staff.insp_b, by=staff.chief, starts=T0 - 5 * DAY, ends=T0 - DAY)
    with pytest.raises(DomainError) as refused:
        safety_services.absence_change(
            absence=over, user=staff.chief, starts_at=T0, ends_at=T0 + DAY, reason="Typo"
        )
    assert refused.value.errors == {
        "absence": [
            "Joanna Price's absence ended at 13 Jul 2026 10:00: it can no longer be changed"
        ]
    }


# The absences page ---------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_the_page_says_in_plain_words_what_routing_and_the_sweep_do_with_absences(staff):
    body = signed_in(staff.chief).get("/absences/").content.decode()
    assert "New cases are not routed to people who are away" not in body
    assert "New high-risk cases go to a hub's queue, not to a person." in body
    assert "A hub on duty gets them only when at least one of its DASOs is at work." in body


@time_machine.travel(T0, tick=False)
def test_a_supervisor_ends_an_absence_now_from_the_page_when_someone_is_back(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    client = signed_in(staff.chief)
    page = client.get("/absences/").content.decode()
    assert f'action="/absences/{absence.pk}/end/"' in page
    assert "They are back: end this absence now" in page

    response = client.post(
        f"/absences/{absence.pk}/end/", {f"end{absence.pk}-reason": "Back early from sickness"}
    )

    assert response.status_code == 302 and response["Location"] == "/absences/"
    absence.refresh_from_db()
    assert absence.ends_at == T0
    assert absence.history.order_by("-history_id").first().history_user == staff.chief
    after = client.get("/absences/").content.decode()
    assert "Mark Fenwick is back: their sickness has ended" in after
    assert "Nobody is away." in after


@time_machine.travel(T0, tick=False)
def test_ending_from_the_page_without_a_reason_is_refused_with_the_error_linked(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    response = signed_in(staff.chief).post(f"/absences/{absence.pk}/end/", {})
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        f'<a href="#id_end{absence.pk}-reason">Give a reason, for example back early from '
        "sickness</a>"
    ) in body
    assert Absence.objects.get(pk=absence.pk).ends_at == T0 + 10 * DAY


@time_machine.travel(T0, tick=False)
def test_ending_from_the_page_an_absence_already_over_says_so(staff):
    absence = sick(staff.insp_a, by=staff.chief, starts=T0 - 5 * DAY, ends=T0 - DAY)
    response = signed_in(staff.chief).post(
        f"/absences/{absence.pk}/end/", {f"end{absence.pk}-reason": "Back"}
    )
    assert response.status_code == 400
    assert "Mark Fenwick&#x27;s absence ended at 13 Jul 2026 10:00: there is nothing to end" in (
        response.content.decode()
    )


@time_machine.travel(T0, tick=False)
def test_an_absence_not_yet_started_offers_a_change_of_dates_but_not_they_are_back(staff):
    later = sick(staff.insp_a, by=staff.chief, starts=T0 + DAY, ends=T0 + 3 * DAY)
    body = signed_in(staff.chief).get("/absences/").content.decode()
    assert f'href="/absences/{later.pk}/change/"' in body
    assert f'action="/absences/{later.pk}/end/"' not in body


@time_machine.travel(T0, tick=False)
def test_a_supervisor_ends_only_their_peoples_absences_not_their_own_or_a_strangers(staff, persona):
    own = sick(staff.chief, by=staff.supt)
    stranger = persona("daso", "hub-laindon")
    theirs = sick(stranger, by=persona("supervisor", "hub-laindon"))
    client = signed_in(staff.chief)
    body = client.get("/absences/").content.decode()
    assert f'action="/absences/{own.pk}/end/"' not in body  # listed, theirs to read only
    assert client.post(f"/absences/{own.pk}/end/", {f"end{own.pk}-reason": "Back"}).status_code == (
        403
    )
    assert client.post(f"/absences/{theirs.pk}/end/", {}).status_code == 404
    assert signed_in(staff.daso).post(f"/absences/{own.pk}/end/", {}).status_code == 403
    assert Absence.objects.get(pk=own.pk).ends_at == T0 + 10 * DAY


@time_machine.travel(T0, tick=False)
def test_a_supervisor_changes_an_absences_dates_on_its_page(staff):
    absence = sick(staff.insp_a, by=staff.chief, kind="annual_leave")
    client = signed_in(staff.chief)
    page = client.get(f"/absences/{absence.pk}/change/")
    assert page.status_code == 200
    assert 'value="24"' in page.content.decode()  # the end day, prefilled
    data = {
        "change-starts_at_day": "12",
        "change-starts_at_month": "7",
        "change-starts_at_year": "2026",
        "change-starts_at_time": "10:00",
        "change-ends_at_day": "31",
        "change-ends_at_month": "7",
        "change-ends_at_year": "2026",
        "change-ends_at_time": "08:00",
        "change-reason": "",
    }
    refused = client.post(f"/absences/{absence.pk}/change/", data)
    assert refused.status_code == 400
    assert "Give a reason, for example leave extended by a week" in refused.content.decode()

    data["change-reason"] = "Leave extended by a week"
    response = client.post(f"/absences/{absence.pk}/change/", data)

    assert response.status_code == 302
    absence.refresh_from_db()
    assert absence.ends_at.isoformat() == "2026-07-31T07:00:00+00:00"


# The API -------------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_the_api_ends_an_absence_now_with_a_reason(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    response = api(staff.chief).post(
        f"/api/v1/absences/{absence.pk}/end/", {"reason": "Back early"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["ends_at"] == "2026-07-14T10:00:00+01:00"
    assert availability.user_at_work(staff.insp_a)


@time_machine.travel(T0, tick=False)
def test_the_api_refuses_ending_an_absence_over_or_without_a_reason_or_not_the_callers(staff):
    over = sick(staff.insp_a, by=staff.chief, starts=T0 - 5 * DAY, ends=T0 - DAY)
    current = sick(staff.insp_b, by=staff.chief)
    chief = api(staff.chief)
    refused = chief.post(f"/api/v1/absences/{over.pk}/end/", {"reason": "Back"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "absence": ["Mark Fenwick's absence ended at 13 Jul 2026 10:00: there is nothing to end"]
    }
    no_reason = chief.post(f"/api/v1/absences/{current.pk}/end/", {}, format="json")
    assert no_reason.json()["errors"] == {
        "reason": ["Give a reason, for example back early from sickness"]
    }
    as_owner = api(staff.insp_b).post(
        f"/api/v1/absences/{current.pk}/end/", {"reason": "I am back"}, format="json"
    )
    assert as_owner.status_code == 403
    own = sick(staff.chief, by=staff.supt)
    assert (
        chief.post(f"/api/v1/absences/{own.pk}/end/", {"reason": "Back"}, format="json").status_code
        == 403
    )
    assert Absence.objects.get(pk=current.pk).ends_at == T0 + 10 * DAY


@time_machine.travel(T0, tick=False)
def test_the_api_ends_an_absence_from_a_given_time_and_changes_dates(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    ended = api(staff.chief).post(
        f"/api/v1/absences/{absence.pk}/end/",
        {"reason": "Back since yesterday", "at": "2026-07-13T10:00:00+01:00"},
        format="json",
    )
    assert ended.json()["ends_at"] == "2026-07-13T10:00:00+01:00"
    leave = sick(staff.insp_b, by=staff.chief, kind="annual_leave")
    changed = api(staff.chief).post(
        f"/api/v1/absences/{leave.pk}/change/",
        {
            "starts_at": "2026-07-12T10:00:00+01:00",
            "ends_at": "2026-07-31T08:00:00+01:00",
            "reason": "Leave extended",
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["ends_at"] == "2026-07-31T08:00:00+01:00"


def test_the_schema_documents_ending_an_absence(staff):
    schema = api(staff.chief).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/absences/{id}/end/"]["post"]
    assert operation["summary"] == "End an absence early"
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]) == {
        "reason",
        "at",
    }
    assert "/api/v1/absences/{id}/change/" in schema["paths"]


# Cancelling an absence recorded by mistake ---------------------------------------------


@time_machine.travel(T0, tick=False)
def test_cancelling_keeps_the_absence_and_its_history_and_it_no_longer_counts(staff):
    from cases import safety_selectors

    absence = sick(staff.insp_a, by=staff.chief, kind="annual_leave")
    assert not availability.user_at_work(staff.insp_a)
    assert staff.insp_a.pk in safety_selectors.away_spells([staff.insp_a.pk])

    cancelled, moved = safety_services.absence_cancel(
        absence=absence, user=staff.chief, reason="Recorded for the wrong inspector"
    )

    assert moved == []
    absence.refresh_from_db()  # kept, marked
    assert (absence.cancelled_at, absence.cancelled_by, absence.cancel_reason) == (
        T0,
        staff.chief,
        "Recorded for the wrong inspector",
    )
    assert (absence.starts_at, absence.ends_at) == (T0 - 2 * DAY, T0 + 10 * DAY)
    row = absence.history.order_by("-history_id").first()
    assert (row.history_user, row.history_change_reason) == (
        staff.chief,
        "Cancelled (recorded by mistake): Recorded for the wrong inspector",
    )
    assert absence.history.count() == 2
    # Routing, the sweep and the owner pickers no longer count it.
    assert availability.user_at_work(staff.insp_a)
    assert availability.user_at_work(staff.insp_a, T0 + 5 * DAY)
    assert safety_selectors.away_spells([staff.insp_a.pk]) == {}
    assert Absence.objects.in_force().filter(pk=absence.pk).count() == 0


@time_machine.travel(T0, tick=False)
def test_a_hub_with_its_only_daso_on_a_cancelled_absence_takes_cases_again(staff, persona):
    from org.models import ShiftPattern, Team

    hub = Team.objects.get(code="hub-colchester")
    hub.shift_pattern = ShiftPattern.objects.get(name="Round the clock")
    hub.save()
    daso = persona("daso", "hub-colchester", first_name="Sam", last_name="Reeve")
    absence = sick(daso, by=persona("supervisor", "hub-colchester"))
    assert not availability.team_at_work(hub)
    safety_services.absence_cancel(absence=absence, user=absence.recorded_by, reason="Mistake")
    assert availability.team_at_work(hub)


@time_machine.travel(T0, tick=False)
def test_cancelling_needs_a_reason_and_a_cancelled_absence_cannot_be_ended_changed_or_cancelled(
    staff,
):
    absence = sick(staff.insp_a, by=staff.chief)
    with pytest.raises(DomainError) as no_reason:
        safety_services.absence_cancel(absence=absence, user=staff.chief, reason=" ")
    assert no_reason.value.errors == {
        "reason": ["Give a reason, for example recorded for the wrong person"]
    }
    assert Absence.objects.get(pk=absence.pk).cancelled_at is None
    safety_services.absence_cancel(absence=absence, user=staff.chief, reason="Wrong person")
    said = "Mark Fenwick's absence was cancelled on 14 Jul 2026 10:00"
    with pytest.raises(DomainError) as again:
        safety_services.absence_cancel(absence=absence, user=staff.chief, reason="Again")
    assert again.value.errors == {"absence": [f"{said}: there is nothing to cancel"]}
    with pytest.raises(DomainError) as end:
        safety_services.absence_end(absence=absence, user=staff.chief, reason="Back")
    assert end.value.errors == {"absence": [f"{said}: there is nothing to end"]}
    with pytest.raises(DomainError) as change:
        safety_services.absence_change(
            absence=absence, user=staff.chief, starts_at=T0, ends_at=T0 + DAY, reason="Dates"
        )
    assert change.value.errors == {"absence": [f"{said}: it can no longer be changed"]}
    assert absence.history.count() == 2


def test_actions_moved_because_of_a_cancelled_absence_stay_and_their_history_says_so(staff):
    from cases.choices import FollowUpReason
    from cases.models import FollowUp

    with time_machine.travel(T0 - HOUR, tick=False):
        case = make_case(staff.daso)
    with time_machine.travel(T0, tick=False):
        plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
        moved = add(plan, staff.daso, owner=staff.insp_a, due_in=8 * DAY)
        later = add(plan, staff.daso, owner=staff.insp_a, due_in=20 * DAY)
        absence = sick(staff.insp_a, by=staff.chief, kind="annual_leave", ends=T0 + 30 * DAY)
        assert safety_services.sweep_run().moved == 1  # the one due within 14 days
    moved.refresh_from_db()
    assert moved.owner == staff.insp_b
    assert FollowUp.objects.get(action=moved).absence == absence  # the follow-up names it

    with time_machine.travel(T0 + HOUR, tick=False):
        _, listed = safety_services.absence_cancel(
            absence=absence, user=staff.chief, reason="Leave was not approved"
        )
        assert listed == [moved]
        # Days later the other one is due within the look-ahead: its owner is at work.
        report = safety_services.sweep_run(now=T0 + 7 * DAY)
    assert report.followed_up == 0

    moved.refresh_from_db()
    later.refresh_from_db()
    assert (moved.owner, moved.version, later.owner) == (staff.insp_b, 2, staff.insp_a)
    note = moved.history.order_by("-history_date", "-history_id").first()
    assert (note.history_user, note.owner_id, note.version, note.history_change_reason) == (
        staff.chief,
        staff.insp_b.pk,
        2,
        "Mark Fenwick's absence that moved it was cancelled; it stays with Joanna Price",
    )
    assert "leave" not in note.history_change_reason.lower()
    assert later.history.count() == 1  # never moved: nothing to say
    assert FollowUp.objects.filter(reason=FollowUpReason.OWNER_ABSENT).count() == 1


def test_cancelling_an_absence_tells_each_case_once_how_many_actions_had_been_moved(staff):
    from cases.casework_selectors import case_timeline
    from cases.event_verbs import EventVerb
    from dasapp.models import Event

    with time_machine.travel(T0 - HOUR, tick=False):
        first, second, untouched = (make_case(staff.daso) for _ in range(3))
    with time_machine.travel(T0, tick=False):
        plans = [
            safety_services.plan_get_or_create(case=c, user=staff.daso) for c in (first, second)
        ]
        for _ in range(2):
            add(plans[0], staff.daso, owner=staff.insp_a, due_in=2 * DAY)
        add(plans[1], staff.daso, owner=staff.insp_a, due_in=3 * DAY)
        add(
            safety_services.plan_get_or_create(case=untouched, user=staff.daso),
            staff.daso,
            owner=staff.pc,
            due_in=2 * DAY,
        )
        absence = sick(staff.insp_a, by=staff.chief, kind="sickness", ends=T0 + 30 * DAY)
        assert safety_services.sweep_run().moved == 3
    with time_machine.travel(T0 + HOUR, tick=False):
        safety_services.absence_cancel(
            absence=absence, user=staff.chief, reason="Recorded against the wrong inspector"
        )

    events = Event.objects.filter(verb=EventVerb.ABSENCE_CANCELLED).order_by("case_id")
    assert [(e.case_id, e.new["count"], e.actor) for e in events] == [
        (first.pk, 2, staff.chief),
        (second.pk, 1, staff.chief),
    ]
    assert events[0].new["now_with"] == ["Joanna Price"]
    assert events[0].at == T0 + HOUR
    entry = [e for e in case_timeline(case=first) if e.event.verb == EventVerb.ABSENCE_CANCELLED]
    assert [(e.title, e.sentence) for e in entry] == [
        (
            "Absence cancelled: moved actions stay",
            "Mark Fenwick's absence cancelled (recorded by mistake) by Helen Marsh, "
            "14 July 2026 11:00: 2 safety-plan actions of this case had been moved to "
            "Joanna Price because of it, and they stay there",
        )
    ]
    # Never the kind of absence, nor why it was cancelled (that is about the inspector).
    for event in events:
        text = f"{event.old} {event.new} {event.reason}".lower()
        assert "sick" not in text and "wrong inspector" not in text
    one = [e for e in case_timeline(case=second) if e.event.verb == EventVerb.ABSENCE_CANCELLED]
    assert one[0].sentence.endswith(
        "1 safety-plan action of this case had been moved to "
        "Joanna Price because of it, and it stays there"
    )
    page = signed_in(staff.chief).get(f"/cases/{first.pk}/history/")
    assert page.status_code == 200
    assert 'data-testid="event-absence_cancelled"' in page.content.decode()


@time_machine.travel(T0, tick=False)
def test_an_action_moved_before_follow_ups_named_their_absence_is_found_by_its_dates(staff):
    from cases.choices import FollowUpReason
    from cases.models import FollowUp

    with time_machine.travel(T0 - HOUR, tick=False):
        case = make_case(staff.daso)
    plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
    action = add(plan, staff.daso, owner=staff.insp_a, due_in=DAY)
    other = add(plan, staff.daso, owner=staff.pc, due_in=DAY)
    absence = sick(staff.insp_a, by=staff.chief)
    safety_services.sweep_run()
    FollowUp.objects.update(absence=None)  # as follow-ups were raised before
    assert FollowUp.objects.get(action=action).reason == FollowUpReason.OWNER_ABSENT

    _, listed = safety_services.absence_cancel(absence=absence, user=staff.chief, reason="Mistake")

    assert listed == [action]
    assert other.history.count() == 1


# Cancelling on the page and in the API ---------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_supervisor_cancels_an_absence_recorded_by_mistake_from_the_page(staff):
    absence = sick(staff.insp_a, by=staff.chief, kind="annual_leave")
    client = signed_in(staff.chief)
    page = client.get("/absences/").content.decode()
    assert f'action="/absences/{absence.pk}/cancel/"' in page
    assert "Recorded by mistake?" in page

    refused = client.post(f"/absences/{absence.pk}/cancel/", {})
    assert refused.status_code == 400
    assert (
        f'<a href="#id_cancel{absence.pk}-reason">Give a reason, for example recorded for the '
        "wrong person</a>"
    ) in refused.content.decode()
    assert Absence.objects.get(pk=absence.pk).cancelled_at is None

    response = client.post(
        f"/absences/{absence.pk}/cancel/", {f"cancel{absence.pk}-reason": "Wrong inspector"}
    )

    assert response.status_code == 302 and response["Location"] == "/absences/"
    absence.refresh_from_db()
    assert (absence.cancelled_by, absence.cancel_reason) == (staff.chief, "Wrong inspector")
    after = client.get("/absences/").content.decode()
    assert "Mark Fenwick&#x27;s annual leave is cancelled: it no longer counts." in after
    assert "Nobody is away." in after  # no longer listed


@time_machine.travel(T0, tick=False)
def test_only_a_supervisor_of_the_person_cancels_an_absence_on_the_page(staff, persona):
    own = sick(staff.chief, by=staff.supt)
    stranger = persona("daso", "hub-laindon")
    theirs = sick(stranger, by=persona("supervisor", "hub-laindon"))
    client = signed_in(staff.chief)
    assert f'action="/absences/{own.pk}/cancel/"' not in client.get("/absences/").content.decode()
    reason = {f"cancel{own.pk}-reason": "Mistake"}
    assert client.post(f"/absences/{own.pk}/cancel/", reason).status_code == 403
    assert client.post(f"/absences/{theirs.pk}/cancel/", {}).status_code == 404
    assert signed_in(staff.insp_a).post(f"/absences/{own.pk}/cancel/", reason).status_code == 403
    assert not Absence.objects.exclude(cancelled_at=None).exists()


@time_machine.travel(T0, tick=False)
def test_the_api_cancels_an_absence_with_a_reason_and_lists_it_as_cancelled(staff):
    absence = sick(staff.insp_a, by=staff.chief)
    chief = api(staff.chief)
    no_reason = chief.post(f"/api/v1/absences/{absence.pk}/cancel/", {}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"] == {
        "reason": ["Give a reason, for example recorded for the wrong person"]
    }
    as_owner = api(staff.insp_a).post(
        f"/api/v1/absences/{absence.pk}/cancel/", {"reason": "Not me"}, format="json"
    )
    assert as_owner.status_code == 403

    response = chief.post(
        f"/api/v1/absences/{absence.pk}/cancel/", {"reason": "Wrong person"}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["cancelled_at"], body["cancelled_by"]["id"], body["cancel_reason"]) == (
        "2026-07-14T10:00:00+01:00",
        staff.chief.pk,
        "Wrong person",
    )
    assert availability.user_at_work(staff.insp_a)
    again = chief.post(f"/api/v1/absences/{absence.pk}/cancel/", {"reason": "Again"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == {
        "absence": [
            "Mark Fenwick's absence was cancelled on 14 Jul 2026 10:00: there is nothing to cancel"
        ]
    }
    listed = chief.get("/api/v1/absences/", {"user": staff.insp_a.pk}).json()["results"]
    assert [a["cancel_reason"] for a in listed] == ["Wrong person"]  # kept, marked
    assert chief.get("/api/v1/absences/", {"current": "true"}).json()["results"] == []


def test_the_schema_documents_cancelling_an_absence(staff):
    schema = api(staff.chief).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/absences/{id}/cancel/"]["post"]
    assert operation["summary"] == "Cancel an absence recorded by mistake"
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]) == {"reason"}
    absence = schema["components"]["schemas"]["Absence"]["properties"]
    assert {"cancelled_at", "cancelled_by", "cancel_reason"} <= set(absence)
