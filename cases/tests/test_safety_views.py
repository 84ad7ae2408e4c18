"""The safety-plan page and the absences page, as a DASO, an action's owner, a colleague,
a supervisor and a partner agency use them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cases import safety_services
from cases.choices import ActionStatus
from cases.models import SafetyAction, SafetyPlan
from cases.tests.test_safety_services import HOUR, T0, add, make_case, make_staff
from conftest import verify_two_factor
from dasapp.models import AccessLog, Notification
from org.models import Absence, Team

pytestmark = pytest.mark.usefixtures("org")


@pytest.fixture
def staff(persona):
    return make_staff(persona)


@pytest.fixture
def case(staff):
    with time_machine.travel(T0 - HOUR, tick=False):
        return make_case(staff.daso)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name="supervisor").exists():
        verify_two_factor(client, user)
    return client


def url(case) -> str:
    return f"/cases/{case.pk}/safety-plan/?via=case:{case.pk}"


def patrols_pk() -> int:
    from cases.models import SafetyActionType

    return SafetyActionType.objects.get(code="patrols").pk


def add_post(**overrides) -> dict:
    data = {
        "add-action_type": "other",
        "add-description": "",
        "add-owner": "",
        "add-owner_team": "",
        "add-due_at": "2026-07-14T18:00",
    }
    data.update({f"add-{k}": v for k, v in overrides.items()})
    return data


def plan_with_action(staff, case, owner=None, **kwargs):
    with time_machine.travel(T0, tick=False):
        plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
        return add(plan, staff.daso, owner=owner or staff.insp_a, **kwargs)


# Reading the plan ----------------------------------------------------------------------


def test_the_case_page_links_to_its_safety_plan(staff, case):
    page = signed_in(staff.daso).get(f"/cases/{case.pk}/?via=case:{case.pk}")
    assert f'href="/cases/{case.pk}/safety-plan/?via=case:{case.pk}"' in page.content.decode()


@time_machine.travel(T0, tick=False)
def test_a_daso_sees_the_plan_with_owner_due_time_and_follow_ups_and_the_view_is_logged(
    staff, case
):
    action = plan_with_action(staff, case, due_in=HOUR)
    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_a,
        kind="annual_leave",
        starts_at=T0 - HOUR,
        ends_at=T0 + 48 * HOUR,
    )
    safety_services.sweep_run()

    page = signed_in(staff.daso).get(url(case))

    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="action-{action.pk}"' in body
    assert "Patrols past the address" in body
    assert "Joanna Price" in body  # the new owner
    assert "14 July 2026 11:00" in body  # due, local time
    assert "Moved from Mark Fenwick (away until 16 Jul) to Joanna Price, on duty" in body
    assert "Not yet agreed" in body
    log = AccessLog.objects.filter(user=staff.daso, object_type="cases.case").latest("at")
    assert (log.object_id, log.work_item) == (str(case.pk), f"case:{case.pk}")


def test_a_case_without_a_plan_shows_none_yet_and_writes_nothing(staff, case):
    page = signed_in(staff.daso).get(url(case))
    assert page.status_code == 200
    assert 'data-testid="no-actions"' in page.content.decode()
    assert not SafetyPlan.objects.exists()


def test_a_partner_agency_may_not_open_a_plan(staff, case, persona):
    partner = persona("partner", "victim-support")
    assert signed_in(partner).get(url(case)).status_code == 403


def test_an_officer_with_no_part_in_the_case_does_not_find_its_plan(staff, case):
    plan_with_action(staff, case, owner=staff.insp_a)
    assert signed_in(staff.pc).get(url(case)).status_code == 404


def test_the_owner_of_an_action_sees_the_plan_and_may_complete_but_not_move_it(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    body = signed_in(staff.insp_a).get(url(case)).content.decode()
    assert 'data-testid="complete-form"' in body
    assert 'data-testid="reassign-form"' not in body
    assert 'data-testid="add-form"' not in body
    moved = signed_in(staff.insp_a).post(
        f"/cases/{case.pk}/safety-plan/actions/{action.pk}/reassign/",
        {f"reassign{action.pk}-owner": staff.insp_b.pk, f"reassign{action.pk}-reason": "x"},
    )
    assert moved.status_code == 403


def test_a_researcher_reads_the_plan_of_a_daso_queues_case_but_may_not_add_actions(
    staff, case, persona
):
    from cases.tests.test_safety_services import in_colchester_queue

    in_colchester_queue(case)
    researcher = persona("researcher", "cru")
    client = signed_in(researcher)
    assert 'data-testid="add-form"' not in client.get(url(case)).content.decode()
    refused = client.post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(owner=staff.insp_b.pk, action_type=patrols_pk()),
    )
    assert refused.status_code == 403
    assert not SafetyAction.objects.exists()


@time_machine.travel(T0, tick=False)
def test_a_researcher_works_the_plan_of_a_case_in_the_researchers_queue_they_work(
    staff, case, persona
):
    from cases.tests.test_safety_services import in_researchers_queue

    in_researchers_queue(case)
    researcher = persona("researcher", "cru", first_name="Nadia", last_name="Quinn")
    client = signed_in(researcher)
    assert 'data-testid="add-form"' in client.get(url(case)).content.decode()

    added = client.post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(owner=staff.insp_b.pk, action_type=patrols_pk()),
    )
    agreed = client.post(
        f"/cases/{case.pk}/safety-plan/agree/?via=case:{case.pk}",
        {"agree-agreed_at_day": "14", "agree-agreed_at_month": "7", "agree-agreed_at_year": "2026"},
    )

    assert (added.status_code, agreed.status_code) == (302, 302)
    action = SafetyAction.objects.get()
    assert (action.created_by, action.owner) == (researcher, staff.insp_b)
    assert SafetyPlan.objects.get().agreed_by == researcher


# Adding an action ----------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_daso_adds_patrols_for_an_inspector_due_at_a_date_and_time(staff, case):
    from cases.models import SafetyActionType

    patrols = SafetyActionType.objects.get(code="patrols")
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(action_type=patrols.pk, owner=staff.insp_a.pk, description="18:00 to 23:00"),
    )

    assert response.status_code == 302
    assert response["Location"] == url(case)
    action = SafetyAction.objects.get()
    assert (action.owner, action.action_type, action.description) == (
        staff.insp_a,
        patrols,
        "18:00 to 23:00",
    )
    assert action.due_at == dt.datetime(2026, 7, 14, 17, 0, tzinfo=dt.UTC)  # 18:00 BST
    assert action.plan.case == case
    assert Notification.objects.filter(user=staff.insp_a).exists()


@time_machine.travel(T0, tick=False)
def test_a_due_time_in_the_past_is_refused_on_the_page_with_the_error_linked(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(owner=staff.insp_a.pk, description="Call her", due_at="2026-07-14T09:00"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_add-due_at">The due time must be in the future</a>' in body
    assert "Call her" in body  # what was typed is kept
    assert not SafetyAction.objects.exists()
    assert not SafetyPlan.objects.exists()


@time_machine.travel(T0, tick=False)
def test_adding_an_action_still_works_when_the_broker_is_down(
    staff, case, django_capture_on_commit_callbacks
):
    """Redis down: the owner's email cannot be queued, but the page does not fail and
    the in-app message is there (the database is the source of truth)."""
    from unittest import mock

    from kombu.exceptions import OperationalError

    from cases.models import SafetyActionType

    staff.insp_a.email = "insp.fenwick@dasapp.invalid"
    staff.insp_a.save()
    patrols = SafetyActionType.objects.get(code="patrols")
    with (
        mock.patch(
            "dasapp.tasks.send_notification_emails.delay",
            side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
        ) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = signed_in(staff.daso).post(
            f"/cases/{case.pk}/safety-plan/actions/",
            add_post(action_type=patrols.pk, owner=staff.insp_a.pk),
        )
    assert response.status_code == 302
    assert delay.called  # it tried, failed, and the request carried on
    assert SafetyAction.objects.get().owner == staff.insp_a
    assert Notification.objects.get(user=staff.insp_a).emailed_at is None


@time_machine.travel(T0, tick=False)
def test_an_owner_whose_account_is_switched_off_is_refused_on_the_page(staff, case):
    staff.insp_a.is_active = False
    staff.insp_a.save()
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/", add_post(owner=staff.insp_a.pk, description="x")
    )
    assert response.status_code == 400
    assert "Mark Fenwick&#x27;s account is switched off: choose someone else" in (
        response.content.decode()
    )


@time_machine.travel(T0, tick=False)
def test_a_team_with_nobody_in_it_is_refused_on_the_page(staff, case):
    empty = Team.objects.get(code="nct-north")
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/", add_post(owner_team=empty.pk, description="x")
    )
    assert response.status_code == 400
    assert (
        "Neighbourhood crime team (north) has nobody in it: choose a person or another team"
        in response.content.decode()
    )


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-02-31T18:00", "The due date must be a real date"),
        ("32/13/2026 25:61", "The due date must be a real date"),
        ("2026-07-14T25:00", "Enter the time of the due date as a real time, like 14:30 or 2:30pm"),
        ("14/07/2026", "Enter the time of the due date, like 14:30"),
        ("14/12/2026", "Enter the time of the due date, like 14:30"),
        ("tomorrow", "Enter the time of the due date, like 14:30"),
        # Two entries: neither is taken.
        (
            "14/07/2026 18:00 and 15/07/2026 09:00",
            "Enter the due date as a date and time, like 14/12/2026 14:30",
        ),
        (
            "2026-07-14T18:00junk",
            "Enter the time of the due date as a real time, like 14:30 or 2:30pm",
        ),
    ],
)
def test_a_due_time_that_is_not_one_real_date_and_time_is_refused_saying_what_is_wrong(
    staff, case, typed, message
):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(owner=staff.insp_a.pk, description="x", due_at=typed),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'<a href="#id_add-due_at">{message}</a>' in body
    assert 'id="id_add-due_at-error"' in body
    assert not SafetyAction.objects.exists()


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("typed", "london"),
    [
        ("tomorrow 9am", dt.datetime(2026, 7, 15, 9, 0)),
        ("14/7/26 6:30pm", dt.datetime(2026, 7, 14, 18, 30)),
        ("14/07/2026, 18:00", dt.datetime(2026, 7, 14, 18, 0)),
    ],
)
def test_a_due_time_is_read_like_every_other_date_and_time_typed(staff, case, typed, london):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(owner=staff.insp_a.pk, description="x", due_at=typed),
    )
    assert response.status_code == 302
    assert SafetyAction.objects.get().due_at == london.replace(tzinfo=ZoneInfo("Europe/London"))


@time_machine.travel(T0, tick=False)
def test_the_due_time_typed_in_british_form_is_read_as_london_time(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(owner=staff.insp_a.pk, description="x", due_at="14/07/2026 18:00"),
    )
    assert response.status_code == 302
    assert SafetyAction.objects.get().due_at == dt.datetime(2026, 7, 14, 17, 0, tzinfo=dt.UTC)


@time_machine.travel(T0, tick=False)
def test_a_due_time_the_clocks_skip_or_pass_twice_is_refused(staff, case):
    client = signed_in(staff.daso)
    skipped = client.post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(owner=staff.insp_a.pk, description="x", due_at="2027-03-28T01:30"),
    )
    assert skipped.status_code == 400
    assert "The clocks go forward at 1am on 28 March 2027, so there is no 01:30 that night" in (
        skipped.content.decode()
    )
    twice = client.post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(owner=staff.insp_a.pk, description="x", due_at="2026-10-25T01:30"),
    )
    assert twice.status_code == 400
    assert "The clocks go back at 2am on 25 October 2026, so 01:30 happens twice that night" in (
        twice.content.decode()
    )
    assert not SafetyAction.objects.exists()


def test_the_due_time_is_one_date_time_input(staff, case):
    body = signed_in(staff.daso).get(url(case)).content.decode()
    field = re.search(r'<input[^>]*name="add-due_at"[^>]*>', body)[0]
    assert 'type="text"' in field
    assert "datetime-local" not in body  # a picker is a tab stop for each of its parts
    for part in ("day", "month", "year", "time"):
        assert f'name="add-due_at_{part}"' not in body


# The action: no default --------------------------------------------------------------


def test_the_action_has_no_default_and_something_else_is_one_choice_among_the_others(staff, case):
    page = signed_in(staff.daso).get(url(case))
    field = page.context["add_form"]["action_type"]
    assert field.value() in (None, "")
    body = page.content.decode()
    select = body[
        body.index('name="add-action_type"') : body.index(
            "</select>", body.index('name="add-action_type"')
        )
    ]
    assert '<option value="" selected>Choose an action</option>' in select
    assert '<option value="other">Something else (describe it below)</option>' in select
    assert " selected>" not in select.replace('<option value="" selected>', "")


@time_machine.travel(T0, tick=False)
def test_an_action_not_chosen_is_refused_with_select_the_action(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(action_type="", owner=staff.insp_a.pk, description="Call her"),
    )
    assert response.status_code == 400
    assert '<a href="#id_add-action_type">Select the action</a>' in response.content.decode()
    assert not SafetyAction.objects.exists()


@time_machine.travel(T0, tick=False)
def test_the_empty_add_form_reports_every_missing_answer_at_once(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(action_type="", due_at=""),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_add-action_type">Select the action</a>' in body
    assert '<a href="#id_add-owner_search">Choose a person or a team to own the action</a>' in body
    assert '<a href="#id_add-due_at">Enter the date and time the action is due</a>' in body
    assert not SafetyAction.objects.exists()


@time_machine.travel(T0, tick=False)
def test_something_else_needs_its_words(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(action_type="other", owner=staff.insp_a.pk, description=""),
    )
    assert response.status_code == 400
    assert "Choose an action from the list or describe one" in response.content.decode()


# Agreeing, completing, moving ---------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_daso_records_the_date_the_plan_was_agreed_with_the_victim(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/agree/?via=case:{case.pk}",
        {"agree-agreed_at_day": "14", "agree-agreed_at_month": "7", "agree-agreed_at_year": "2026"},
    )
    assert response.status_code == 302
    plan = SafetyPlan.objects.get(case=case)
    assert plan.agreed_with_victim_at.date() == dt.date(2026, 7, 14)
    page = signed_in(staff.daso).get(url(case)).content.decode()
    assert "14 July 2026, recorded by Claire Whitmore" in page


@time_machine.travel(T0, tick=False)
def test_the_owner_marks_an_action_done_with_a_note(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    response = signed_in(staff.insp_a).post(
        f"/cases/{case.pk}/safety-plan/actions/{action.pk}/complete/?via=case:{case.pk}",
        {
            f"complete{action.pk}-note": "Patrols done at 18:10 and 21:40",
            f"complete{action.pk}-version": "1",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.completion_note == "Patrols done at 18:10 and 21:40"


@time_machine.travel(T0, tick=False)
def test_completing_an_action_the_sweep_moved_meanwhile_is_a_conflict(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    safety_services.action_reassign(
        action=action, user=staff.chief, to_user=staff.insp_b, reason="On a course"
    )
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/{action.pk}/complete/",
        {f"complete{action.pk}-note": "Done", f"complete{action.pk}-version": "1"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this action" in body
    # The form now carries the current version: saving again, having seen the move, works.
    assert f'name="complete{action.pk}-version" value="2"' in body
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@time_machine.travel(T0, tick=False)
def test_a_daso_moves_an_action_with_a_reason_and_without_one_is_refused(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    client = signed_in(staff.daso)
    path = f"/cases/{case.pk}/safety-plan/actions/{action.pk}/reassign/"
    prefix = f"reassign{action.pk}"
    refused = client.post(path, {f"{prefix}-owner": staff.insp_b.pk, f"{prefix}-version": "1"})
    assert refused.status_code == 400
    assert "Give a reason for moving the action" in refused.content.decode()
    moved = client.post(
        path,
        {
            f"{prefix}-owner": staff.insp_b.pk,
            f"{prefix}-reason": "Fenwick is on a course",
            f"{prefix}-version": "1",
        },
    )
    assert moved.status_code == 302
    action.refresh_from_db()
    assert action.owner == staff.insp_b


# Cancelling ----------------------------------------------------------------------------


def cancel_path(case, action) -> str:
    return f"/cases/{case.pk}/safety-plan/actions/{action.pk}/cancel/?via=case:{case.pk}"


def card(body: str, action) -> str:
    """The action's summary card on the plan page."""
    start = body.index(f'id="action-{action.pk}"')
    ends = [
        body.find(marker, start)
        for marker in ('class="govuk-summary-card" id="action-', 'id="add"', "</main>")
    ]
    return body[start : min(end for end in ends if end != -1)]


@time_machine.travel(T0, tick=False)
def test_a_daso_cancels_an_action_with_a_reason_and_it_shows_as_cancelled(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    client = signed_in(staff.daso)
    before = card(client.get(url(case)).content.decode(), action)
    assert 'data-testid="cancel-form"' in before
    assert f'action="{cancel_path(case, action)}"' in before
    assert "Cancel this action" in before

    response = client.post(
        cancel_path(case, action),
        {
            f"cancel{action.pk}-reason": "She has moved to a refuge out of the area",
            f"cancel{action.pk}-version": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url(case)
    action.refresh_from_db()
    assert (action.status, action.completion_note) == (
        ActionStatus.CANCELLED,
        "She has moved to a refuge out of the area",
    )
    assert Notification.objects.filter(
        user=staff.insp_a, title__startswith="Safety-plan action cancelled"
    ).exists()
    page = client.get(url(case)).content.decode()
    assert "Patrols past the address: cancelled. Its owner has been told." in page
    after = card(page, action)
    assert '<strong class="govuk-tag govuk-tag--grey" data-testid="action-cancelled">Cancelled' in (
        after
    )
    assert "14 July 2026 10:00: She has moved to a refuge out of the area" in after
    for form in ("complete-form", "reassign-form", "cancel-form"):
        assert f'data-testid="{form}"' not in after
    # Nor may its owner mark it done any more.
    owner_view = card(signed_in(staff.insp_a).get(url(case)).content.decode(), action)
    assert 'data-testid="complete-form"' not in owner_view
    assert "Cancelled" in owner_view


@time_machine.travel(T0, tick=False)
def test_cancelling_without_a_reason_is_refused_with_the_error_linked(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    client = signed_in(staff.daso)
    prefix = f"cancel{action.pk}"

    refused = client.post(
        cancel_path(case, action), {f"{prefix}-reason": " ", f"{prefix}-version": "1"}
    )

    assert refused.status_code == 400
    body = refused.content.decode()
    assert f'<a href="#id_{prefix}-reason">Give a reason for cancelling the action</a>' in body
    assert "govuk-textarea--error" in card(body, action)
    assert '<details class="govuk-details" open>' in card(body, action)
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.OPEN, 1)

    too_long = client.post(
        cancel_path(case, action),
        {f"{prefix}-reason": "Declined. " + "x" * 2000, f"{prefix}-version": "1"},
    )
    assert too_long.status_code == 400
    body = too_long.content.decode()
    assert "The reason must be 2,000 characters or fewer" in body
    assert "Declined. xxxx" in body  # what was typed is kept
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@time_machine.travel(T0, tick=False)
def test_cancelling_an_action_moved_meanwhile_is_a_conflict_that_keeps_the_reason(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    safety_services.action_reassign(
        action=action, user=staff.chief, to_user=staff.insp_b, reason="On a course"
    )
    client = signed_in(staff.daso)
    prefix = f"cancel{action.pk}"

    response = client.post(
        cancel_path(case, action),
        {f"{prefix}-reason": "She declined patrols", f"{prefix}-version": "1"},
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this action" in body
    here = card(body, action)
    assert "She declined patrols" in here and "Joanna Price" in here
    # The form now carries the version on the page: saving again, having seen the
    # change, goes through.
    assert f'name="{prefix}-version" value="2"' in here
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    again = client.post(
        cancel_path(case, action),
        {f"{prefix}-reason": "She declined patrols", f"{prefix}-version": "2"},
    )
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


@time_machine.travel(T0, tick=False)
def test_cancelling_an_action_already_done_says_so_and_changes_nothing(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    safety_services.action_complete(action=action, user=staff.insp_a, note="Patrols done")
    prefix = f"cancel{action.pk}"

    response = signed_in(staff.daso).post(
        cancel_path(case, action), {f"{prefix}-reason": "Not needed", f"{prefix}-version": "2"}
    )

    assert response.status_code == 400
    assert "This action is not open: it is already done." in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.completion_note) == (ActionStatus.DONE, "Patrols done")


@time_machine.travel(T0, tick=False)
def test_the_owner_of_an_action_may_not_cancel_it(staff, case):
    action = plan_with_action(staff, case, owner=staff.insp_a)
    client = signed_in(staff.insp_a)
    assert 'data-testid="cancel-form"' not in client.get(url(case)).content.decode()
    prefix = f"cancel{action.pk}"
    refused = client.post(
        cancel_path(case, action), {f"{prefix}-reason": "Not needed", f"{prefix}-version": "1"}
    )
    assert refused.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_action_of_another_cases_plan_is_not_found_through_this_case(staff, case):
    other = make_case(staff.daso)
    action = plan_with_action(staff, other, owner=staff.insp_a)
    prefix = f"cancel{action.pk}"
    response = signed_in(staff.daso).post(
        cancel_path(case, action), {f"{prefix}-reason": "x", f"{prefix}-version": "1"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


# Absences ------------------------------------------------------------------------------


def absence_post(person, **overrides) -> dict:
    data = {
        "absence-user": person.pk,
        "absence-kind": "annual_leave",
        "absence-starts_at_day": "20",
        "absence-starts_at_month": "7",
        "absence-starts_at_year": "2026",
        "absence-starts_at_time": "08:00",
        "absence-ends_at_day": "3",
        "absence-ends_at_month": "8",
        "absence-ends_at_year": "2026",
        "absence-ends_at_time": "08:00",
    }
    data.update({f"absence-{k}": v for k, v in overrides.items()})
    return data


@time_machine.travel(T0, tick=False)
def test_a_supervisor_records_annual_leave_for_an_inspector_and_sees_it_listed(staff):
    client = signed_in(staff.chief)
    response = client.post("/absences/", absence_post(staff.insp_a))
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.user, absence.kind, absence.recorded_by) == (
        staff.insp_a,
        "annual_leave",
        staff.chief,
    )
    assert absence.starts_at == dt.datetime(2026, 7, 20, 7, 0, tzinfo=dt.UTC)
    listed = client.get("/absences/").content.decode()
    assert "Mark Fenwick" in listed and "Annual leave" in listed


@time_machine.travel(T0, tick=False)
def test_an_absence_starting_at_a_time_the_clocks_skip_is_refused_on_its_time(staff):
    response = signed_in(staff.chief).post(
        "/absences/",
        absence_post(
            staff.insp_a,
            starts_at_day="28",
            starts_at_month="3",
            starts_at_year="2027",
            starts_at_time="01:30",
            ends_at_day="3",
            ends_at_month="4",
            ends_at_year="2027",
        ),
    )
    assert response.status_code == 400
    assert (
        '<a href="#id_absence-starts_at_time">The clocks go forward at 1am on 28 March 2027, '
        "so there is no 01:30 that night: enter a time from 2am</a>"
    ) in response.content.decode()
    assert not Absence.objects.exists()


@time_machine.travel(T0, tick=False)
def test_an_absence_ending_before_it_starts_is_refused_with_the_error_linked(staff):
    response = signed_in(staff.chief).post(
        "/absences/", absence_post(staff.insp_a, ends_at_day="19", ends_at_month="7")
    )
    assert response.status_code == 400
    assert '<a href="#id_absence-ends_at_day">The end must be after the start</a>' in (
        response.content.decode()
    )
    assert not Absence.objects.exists()


@time_machine.travel(T0, tick=False)
def test_a_supervisor_cannot_record_absences_for_someone_outside_their_people(staff, persona):
    stranger = persona("daso", "hub-laindon")
    response = signed_in(staff.chief).post("/absences/", absence_post(stranger))
    assert response.status_code == 400
    assert "Choose someone you supervise or who is in your team" in response.content.decode()


def test_only_supervisors_open_the_absences_page(staff):
    assert signed_in(staff.daso).get("/absences/").status_code == 403
    assert signed_in(staff.chief).get("/absences/").status_code == 200


# Home ----------------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_dasos_home_page_lists_the_safety_plan_actions_they_own_that_are_due(staff, case):
    action = plan_with_action(staff, case, owner=staff.daso, due_in=2 * HOUR)
    body = signed_in(staff.daso).get("/").content.decode()
    assert f"Patrols past the address on {case.reference}, due 14 Jul 12:00" in body
    assert f"safety_action:{action.pk}#action-{action.pk}" in body


# Only those who work the case change its plan ------------------------------------------


@time_machine.travel(T0, tick=False)
def test_a_daso_in_another_hub_reads_the_plan_but_may_not_change_it(staff, case, persona):
    from cases.tests.test_safety_services import hub_dasos, in_colchester_queue

    dasos = hub_dasos(persona)
    in_colchester_queue(case)
    action = plan_with_action(staff, case, owner=staff.insp_a)
    forms = ("add-form", "agree-form", "reassign-form", "cancel-form", "complete-form")
    base = f"/cases/{case.pk}/safety-plan"
    row = f"{base}/actions/{action.pk}"

    elsewhere = signed_in(dasos.laindon)
    page = elsewhere.get(url(case))
    answers = [
        elsewhere.post(f"{base}/actions/", add_post(owner=staff.insp_b.pk, description="x")),
        elsewhere.post(
            f"{base}/agree/",
            {
                "agree-agreed_at_day": "14",
                "agree-agreed_at_month": "7",
                "agree-agreed_at_year": "2026",
            },
        ),
        elsewhere.post(
            f"{row}/reassign/",
            {
                f"reassign{action.pk}-owner": staff.insp_b.pk,
                f"reassign{action.pk}-reason": "x",
                f"reassign{action.pk}-version": "1",
            },
        ),
        elsewhere.post(
            f"{row}/cancel/",
            {f"cancel{action.pk}-reason": "x", f"cancel{action.pk}-version": "1"},
        ),
        elsewhere.post(
            f"{row}/complete/",
            {f"complete{action.pk}-note": "x", f"complete{action.pk}-version": "1"},
        ),
    ]

    assert page.status_code == 200
    body = page.content.decode()
    assert "Patrols past the address" in body
    assert not [form for form in forms if f'data-testid="{form}"' in body]
    assert [answer.status_code for answer in answers] == [403] * 5
    action.refresh_from_db()
    assert (action.owner, action.status, action.version) == (staff.insp_a, "open", 1)
    assert SafetyAction.objects.count() == 1
    assert SafetyPlan.objects.get(case=case).agreed_with_victim_at is None
    # The DASO who works the case's queue has every form.
    body = signed_in(dasos.colchester).get(url(case)).content.decode()
    assert [form for form in forms if f'data-testid="{form}"' in body] == list(forms)


# Owners who are away -------------------------------------------------------------------


# (The owner picker's look-up: test_safety_owner_picker.py.)


@time_machine.travel(T0, tick=False)
def test_adding_an_action_for_someone_away_then_says_so_and_the_plan_shows_it(staff, case):
    from cases.models import SafetyActionType

    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_a,
        kind="sickness",
        starts_at=T0 - HOUR,
        ends_at=T0 + 48 * HOUR,
    )
    patrols = SafetyActionType.objects.get(code="patrols")
    client = signed_in(staff.daso)

    response = client.post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(action_type=patrols.pk, owner=staff.insp_a.pk),  # due 14 July 18:00
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Action added for Mark Fenwick, who is away when it is due: the follow-up sweep will "
        "move it to someone on duty before then. Its owner has been told."
    ]
    action = SafetyAction.objects.get()
    assert action.owner == staff.insp_a  # added all the same: the sweep moves it
    shown = card(response.content.decode(), action)
    assert (
        '<p class="govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0" '
        'data-testid="owner-not-at-work">Mark Fenwick is away then: the follow-up sweep will '
        "move it to someone on duty before it is due.</p>"
    ) in shown
    assert "sick" not in shown.lower()


@time_machine.travel(T0, tick=False)
def test_an_action_for_someone_at_work_says_nothing_of_absence(staff, case):
    from cases.models import SafetyActionType

    patrols = SafetyActionType.objects.get(code="patrols")
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(action_type=patrols.pk, owner=staff.insp_b.pk),
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Action added. Its owner has been told."
    ]
    assert 'data-testid="owner-not-at-work"' not in response.content.decode()
