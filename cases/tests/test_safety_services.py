"""Safety plans, their actions and staff absences: the services' rules, history and
events. The helpers here (a response team with two inspectors, a PC and their chief
inspector, a DASO, a case) are shared by the sweep, page and API tests."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command

from cases import case_services, safety_selectors, safety_services
from cases.choices import ActionStatus, CaseStatus
from cases.event_verbs import EventVerb
from cases.models import FollowUp, SafetyAction, SafetyActionType, SafetyPlan
from cases.tests.factories import PersonFactory
from dasapp.api import ConflictError, DomainError
from dasapp.models import Event, Notification
from org.models import Absence, Team

# Tuesday 14 July 2026, 10:00 in London (BST).
T0 = dt.datetime(2026, 7, 14, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def make_staff(persona) -> SimpleNamespace:
    """A response team (round the clock): Inspectors Fenwick and Price, PC Adeyemi, and
    their chief inspector Helen Marsh, whose own supervisor is Superintendent Cole in
    the central referral unit (08:00 to midnight). A DASO, Claire Whitmore."""
    supt = persona(
        "supervisor", "cru", "supt.cole", first_name="Dana", last_name="Cole", rank="Superintendent"
    )
    chief = persona(
        "supervisor",
        "response",
        "ci.marsh",
        first_name="Helen",
        last_name="Marsh",
        rank="Chief Inspector",
        supervisor=supt,
    )
    pc = persona(
        "officer",
        "response",
        "pc.adeyemi",
        first_name="Tom",
        last_name="Adeyemi",
        rank="PC",
        supervisor=chief,
    )
    insp_a = persona(
        "officer",
        "response",
        "insp.fenwick",
        first_name="Mark",
        last_name="Fenwick",
        rank="Inspector",
        supervisor=chief,
    )
    insp_b = persona(
        "officer",
        "response",
        "insp.price",
        first_name="Joanna",
        last_name="Price",
        rank="Inspector",
        supervisor=chief,
    )
    daso = persona("daso", "cru", "daso.whitmore", first_name="Claire", last_name="Whitmore")
    return SimpleNamespace(
        supt=supt,
        chief=chief,
        pc=pc,
        insp_a=insp_a,
        insp_b=insp_b,
        daso=daso,
        response=Team.objects.get(code="response"),
    )


def make_case(user):
    victim = PersonFactory(given_name="Leah", family_name="Fictional-Hartwell")
    case, _ = case_services.case_open_or_join(
        victim=victim, perpetrator=None, level="high", user=user
    )
    return case


def patrols() -> SafetyActionType:
    return SafetyActionType.objects.get(code="patrols")


def add(plan, user, *, owner=None, owner_team=None, due_in=HOUR, description="", kind="patrols"):
    """An action added now, due `due_in` from now."""
    from django.utils import timezone

    return safety_services.action_add(
        plan=plan,
        user=user,
        action_type=SafetyActionType.objects.get(code=kind) if kind else None,
        description=description,
        owner=owner,
        owner_team=owner_team,
        due_at=timezone.now() + due_in,
    )


def leave(person, *, by, starts=None, ends=None, kind="annual_leave"):
    return safety_services.absence_record(
        user=by,
        person=person,
        kind=kind,
        starts_at=starts or T0 - 2 * DAY,
        ends_at=ends or T0 + 10 * DAY,
    )


@pytest.fixture
def staff(org, persona):
    return make_staff(persona)


@pytest.fixture
def plan(staff):
    with time_machine.travel(T0, tick=False):
        return safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)


# The catalogue -------------------------------------------------------------------------


def test_the_catalogue_offers_the_actions_the_issue_names_and_reloading_adds_nothing(org):
    labels = list(safety_selectors.catalogue().values_list("label", flat=True))
    assert labels[0] == "Patrols past the address"
    for wanted in (
        "Marker on the address",
        "Lock change and target hardening",
        "Panic alarm",
        "Referral to an IDVA",
        "Refuge",
        "Referral to children's services",
        "Protection notice or order",
    ):
        assert wanted in labels
    before = list(SafetyActionType.objects.order_by("pk").values())
    call_command("load_org_defaults", verbosity=0, stdout=io.StringIO())
    assert list(SafetyActionType.objects.order_by("pk").values()) == before


def test_reloading_the_catalogue_keeps_an_action_an_administrator_switched_off(org):
    SafetyActionType.objects.filter(code="refuge").update(is_active=False)
    call_command("load_org_defaults", verbosity=0, stdout=io.StringIO())
    assert not SafetyActionType.objects.get(code="refuge").is_active
    assert "Refuge" not in safety_selectors.catalogue().values_list("label", flat=True)


# Plans ---------------------------------------------------------------------------------


def test_a_case_has_one_plan_however_often_it_is_asked_for(staff):
    case = make_case(staff.daso)
    first = safety_services.plan_get_or_create(case=case, user=staff.daso)
    assert safety_services.plan_get_or_create(case=case, user=staff.daso) == first
    assert SafetyPlan.objects.filter(case=case).count() == 1


@time_machine.travel(T0, tick=False)
def test_agreeing_the_plan_records_the_date_who_and_an_event(staff, plan):
    plan = safety_services.plan_agree(plan=plan, user=staff.daso, agreed_at=T0.date(), version=1)
    assert plan.agreed_with_victim_at.date() == T0.date()
    assert plan.agreed_by == staff.daso
    assert plan.version == 2
    event = Event.objects.get(verb=EventVerb.SAFETY_PLAN_AGREED)
    assert (event.actor, event.case_id) == (staff.daso, plan.case_id)
    last = plan.history.first()
    assert (last.history_user, last.history_change_reason) == (
        staff.daso,
        "Agreed with the victim on 14 Jul 2026",
    )


@time_machine.travel(T0, tick=False)
def test_a_plan_cannot_be_agreed_tomorrow_or_before_the_case_was_opened(staff, plan):
    with pytest.raises(DomainError) as tomorrow:
        safety_services.plan_agree(plan=plan, user=staff.daso, agreed_at=(T0 + DAY).date())
    assert tomorrow.value.errors == {
        "agreed_at": ["The date agreed with the victim must be today or in the past"]
    }
    with pytest.raises(DomainError) as before:
        safety_services.plan_agree(plan=plan, user=staff.daso, agreed_at=(T0 - 3 * DAY).date())
    assert "on or after the day the case was opened" in before.value.errors["agreed_at"][0]


@time_machine.travel(T0, tick=False)
def test_agreeing_a_plan_someone_else_changed_is_a_conflict(staff, plan):
    safety_services.plan_agree(plan=plan, user=staff.chief, agreed_at=T0.date(), version=1)
    with pytest.raises(ConflictError):
        safety_services.plan_agree(plan=plan, user=staff.daso, agreed_at=T0.date(), version=1)


# Adding actions ------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_an_action_added_keeps_who_and_why_raises_an_event_and_tells_the_owner(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a, due_in=DAY)

    assert (action.owner, action.status, action.version) == (staff.insp_a, "open", 1)
    assert action.title == "Patrols past the address"
    row = action.history.get()
    assert row.history_user == staff.daso
    assert row.history_change_reason == "Added for Mark Fenwick, due 15 Jul 2026 10:00"
    event = Event.objects.get(verb=EventVerb.SAFETY_ACTION_ADDED)
    assert event.new["action"] == action.pk and event.new["owner"] == staff.insp_a.pk
    note = Notification.objects.get(user=staff.insp_a)
    assert (
        note.title
        == f"Safety-plan action for you: Patrols past the address, case {plan.case.reference}"
    )
    assert (
        note.url
        == f"/cases/{plan.case_id}/safety-plan/?via=safety_action:{action.pk}#action-{action.pk}"
    )
    assert "Leah" not in note.title + note.body  # never the victim's name in mail


@time_machine.travel(T0, tick=False)
def test_a_free_text_action_for_a_team_is_accepted_and_everyone_in_the_team_is_told(staff, plan):
    action = add(
        plan, staff.daso, owner_team=staff.response, kind=None, description="Check on the neighbour"
    )
    assert action.title == "Check on the neighbour" and action.owner is None
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"ci.marsh", "pc.adeyemi", "insp.fenwick", "insp.price"}


@time_machine.travel(T0, tick=False)
def test_a_due_time_in_the_past_is_refused(staff, plan):
    with pytest.raises(DomainError) as refused:
        add(plan, staff.daso, owner=staff.insp_b, due_in=-dt.timedelta(minutes=1))
    assert refused.value.errors == {"due_at": ["The due time must be in the future"]}
    assert refused.value.message == "The due time must be in the future"
    assert not SafetyAction.objects.exists()


@time_machine.travel(T0, tick=False)
def test_an_owner_whose_account_is_switched_off_is_refused(staff, plan):
    staff.insp_a.is_active = False
    staff.insp_a.save()
    with pytest.raises(DomainError) as refused:
        add(plan, staff.daso, owner=staff.insp_a)
    assert refused.value.errors == {
        "owner": ["Mark Fenwick's account is switched off: choose someone else"]
    }


@time_machine.travel(T0, tick=False)
def test_a_team_with_nobody_active_in_it_is_refused(staff, plan):
    empty = Team.objects.get(code="nct-north")
    with pytest.raises(DomainError) as refused:
        add(plan, staff.daso, owner_team=empty)
    assert refused.value.errors == {
        "owner_team": [
            "Neighbourhood crime team (north) has nobody in it: choose a person or another team"
        ]
    }


@time_machine.travel(T0, tick=False)
def test_an_action_needs_a_what_an_owner_and_a_due_time(staff, plan):
    with pytest.raises(DomainError) as refused:
        safety_services.action_add(plan=plan, user=staff.daso, due_at=None)
    assert refused.value.errors == {
        "action_type": ["Choose an action from the list or describe one"],
        "owner": ["Choose a person or a team to own the action"],
        "due_at": ["Enter the date and time the action is due"],
    }


@time_machine.travel(T0, tick=False)
def test_a_partner_agency_cannot_hold_an_action(staff, plan, persona):
    partner = persona("partner", "victim-support", first_name="Kemi", last_name="Adebayo")
    with pytest.raises(DomainError) as person:
        add(plan, staff.daso, owner=partner)
    assert person.value.errors["owner"] == [
        "Kemi Adebayo cannot hold safety-plan actions: choose someone else"
    ]
    with pytest.raises(DomainError) as team:
        add(plan, staff.daso, owner_team=Team.objects.get(code="victim-support"))
    assert "cannot hold safety-plan actions" in team.value.errors["owner_team"][0]


@time_machine.travel(T0, tick=False)
def test_no_action_is_added_to_a_closed_case(staff, plan):
    case = plan.case
    case.status = CaseStatus.CLOSED
    case.save()
    plan.refresh_from_db()
    with pytest.raises(DomainError, match="closed"):
        add(plan, staff.daso, owner=staff.insp_b)


# Completing and moving -----------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_completing_an_action_keeps_the_note_who_and_an_event(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_b)
    done = safety_services.action_complete(
        action=action, user=staff.insp_b, note="Patrols booked for 18:00 to 23:00", version=1
    )
    assert (done.status, done.completion_note, done.completed_at, done.version) == (
        ActionStatus.DONE,
        "Patrols booked for 18:00 to 23:00",
        T0,
        2,
    )
    row = done.history.first()
    assert (row.history_user, row.history_change_reason) == (
        staff.insp_b,
        "Done: Patrols booked for 18:00 to 23:00",
    )
    assert Event.objects.filter(verb=EventVerb.SAFETY_ACTION_DONE, actor=staff.insp_b).exists()


@time_machine.travel(T0, tick=False)
def test_completing_needs_a_note_and_an_open_action(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_b)
    with pytest.raises(DomainError) as no_note:
        safety_services.action_complete(action=action, user=staff.insp_b, note="  ")
    assert no_note.value.errors == {"note": ["Say what was done"]}
    safety_services.action_complete(action=action, user=staff.insp_b, note="Done")
    with pytest.raises(DomainError) as twice:
        safety_services.action_complete(action=action, user=staff.insp_b, note="Again")
    assert twice.value.errors == {"status": ["The action is done"]}


@time_machine.travel(T0, tick=False)
def test_completing_an_action_someone_else_changed_is_a_conflict_and_changes_nothing(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a)
    safety_services.action_reassign(
        action=action,
        user=staff.chief,
        to_user=staff.insp_b,
        reason="Fenwick is on a course",
        version=1,
    )
    with pytest.raises(ConflictError) as conflict:
        safety_services.action_complete(action=action, user=staff.daso, note="Done", version=1)
    assert conflict.value.status_code == 409
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.version == 2


@time_machine.travel(T0, tick=False)
def test_moving_an_action_keeps_the_reason_in_its_history_raises_an_event_and_tells_them(
    staff, plan
):
    action = add(plan, staff.daso, owner=staff.insp_a)
    moved = safety_services.action_reassign(
        action=action, user=staff.chief, to_user=staff.insp_b, reason="Fenwick is on a course"
    )
    assert (moved.owner, moved.owner_team, moved.version) == (staff.insp_b, None, 2)
    row = moved.history.first()
    assert (row.history_user, row.history_change_reason) == (
        staff.chief,
        "Moved from Mark Fenwick to Joanna Price: Fenwick is on a course",
    )
    event = Event.objects.get(verb=EventVerb.SAFETY_ACTION_REASSIGNED)
    assert (event.old["owner"], event.new["owner"], event.reason) == (
        staff.insp_a.pk,
        staff.insp_b.pk,
        "Fenwick is on a course",
    )
    assert Notification.objects.filter(
        user=staff.insp_b, title__startswith="Safety-plan action moved to you"
    ).exists()


@time_machine.travel(T0, tick=False)
def test_moving_needs_a_reason_and_someone_else(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a)
    with pytest.raises(DomainError) as refused:
        safety_services.action_reassign(
            action=action, user=staff.chief, to_user=staff.insp_a, reason=""
        )
    assert refused.value.errors == {"reason": ["Give a reason for moving the action"]}
    with pytest.raises(DomainError) as same:
        safety_services.action_reassign(
            action=action, user=staff.chief, to_user=staff.insp_a, reason="Why not"
        )
    assert same.value.errors == {
        "owner": ["The action is already Mark Fenwick's: choose someone else"]
    }


# Cancelling ----------------------------------------------------------------------------

REFUGE = "Leah has moved to a refuge: patrols past the old address no longer protect her"


@time_machine.travel(T0, tick=False)
def test_cancelling_keeps_the_reason_who_and_an_event_and_tells_the_owner_but_not_why(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a)
    Notification.objects.all().delete()

    cancelled = safety_services.action_cancel(
        action=action, user=staff.daso, reason=f"  {REFUGE} ", version=1
    )

    assert (
        cancelled.status,
        cancelled.completion_note,
        cancelled.completed_at,
        cancelled.version,
    ) == (ActionStatus.CANCELLED, REFUGE, T0, 2)
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.CANCELLED, 2)
    row = action.history.first()
    assert (row.history_user, row.history_change_reason, row.status) == (
        staff.daso,
        f"Cancelled: {REFUGE}",
        ActionStatus.CANCELLED,
    )
    event = Event.objects.get(verb=EventVerb.SAFETY_ACTION_CANCELLED)
    assert (event.actor, event.case_id, event.reason) == (staff.daso, plan.case_id, REFUGE)
    assert event.old == {"status": "open"}
    assert (event.new["action"], event.new["status"]) == (action.pk, "cancelled")
    note = Notification.objects.get()
    assert note.user == staff.insp_a
    assert note.title == (
        f"Safety-plan action cancelled: Patrols past the address, case {plan.case.reference}"
    )
    assert note.body.startswith("Cancelled by Claire Whitmore.")
    # The reason may say where she is now: it never goes out by email.
    assert "refuge" not in (note.title + note.body).lower()
    assert "Leah" not in note.title + note.body


@time_machine.travel(T0, tick=False)
def test_cancelling_a_team_action_tells_the_team_and_cancelling_your_own_tells_nobody(staff, plan):
    team_action = add(plan, staff.daso, owner_team=staff.response)
    own = add(plan, staff.daso, owner=staff.daso, kind="panic-alarm")
    Notification.objects.all().delete()

    safety_services.action_cancel(action=team_action, user=staff.daso, reason="Not needed")
    safety_services.action_cancel(action=own, user=staff.daso, reason="She declined the alarm")

    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"ci.marsh", "pc.adeyemi", "insp.fenwick", "insp.price"}


@time_machine.travel(T0, tick=False)
def test_cancelling_needs_a_reason_and_an_open_action(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_b)
    with pytest.raises(DomainError) as no_reason:
        safety_services.action_cancel(action=action, user=staff.daso, reason="  ", version=1)
    assert no_reason.value.errors == {"reason": ["Give a reason for cancelling the action"]}
    assert no_reason.value.message == "Give a reason for cancelling the action"
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.OPEN, 1)
    assert not Event.objects.filter(verb=EventVerb.SAFETY_ACTION_CANCELLED).exists()

    done = add(plan, staff.daso, owner=staff.insp_b)
    safety_services.action_complete(action=done, user=staff.insp_b, note="Patrols done")
    with pytest.raises(DomainError) as already_done:
        safety_services.action_cancel(action=done, user=staff.daso, reason="Not needed")
    assert already_done.value.errors == {"status": ["The action is done"]}
    done.refresh_from_db()
    assert (done.status, done.completion_note) == (ActionStatus.DONE, "Patrols done")

    safety_services.action_cancel(action=action, user=staff.daso, reason=REFUGE)
    with pytest.raises(DomainError) as twice:
        safety_services.action_cancel(action=action, user=staff.daso, reason="Again")
    assert twice.value.errors == {"status": ["The action is cancelled"]}
    with pytest.raises(DomainError) as then_done:
        safety_services.action_complete(action=action, user=staff.insp_b, note="Done anyway")
    assert then_done.value.errors == {"status": ["The action is cancelled"]}
    with pytest.raises(DomainError) as then_moved:
        safety_services.action_reassign(
            action=action, user=staff.chief, to_user=staff.insp_a, reason="Cover"
        )
    assert then_moved.value.errors == {"status": ["The action is cancelled"]}
    action.refresh_from_db()
    assert (action.status, action.completion_note, action.owner) == (
        ActionStatus.CANCELLED,
        REFUGE,
        staff.insp_b,
    )


@time_machine.travel(T0, tick=False)
def test_cancelling_an_action_someone_else_changed_is_a_conflict_and_changes_nothing(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a)
    safety_services.action_reassign(
        action=action, user=staff.chief, to_user=staff.insp_b, reason="Fenwick is on a course"
    )
    with pytest.raises(ConflictError) as conflict:
        safety_services.action_cancel(action=action, user=staff.daso, reason=REFUGE, version=1)
    assert conflict.value.errors == {
        "version": ["You had version 1; the action is now at version 2"]
    }
    action.refresh_from_db()
    assert (action.status, action.version, action.completion_note) == (ActionStatus.OPEN, 2, "")
    assert not Event.objects.filter(verb=EventVerb.SAFETY_ACTION_CANCELLED).exists()


def test_the_sweep_leaves_cancelled_actions_alone_and_still_follows_up_open_ones(staff, plan):
    with time_machine.travel(T0, tick=False):
        leave(staff.insp_a, by=staff.chief)
        # Overdue by the time the sweep runs, and owned by someone on leave: both would be
        # followed up and moved if they were open.
        overdue = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
        away = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
        still_open = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR, kind="panic-alarm")
        for action in (overdue, away):
            safety_services.action_cancel(action=action, user=staff.daso, reason=REFUGE)
    Notification.objects.all().delete()

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        report = safety_services.sweep_run()

    assert report.scanned == 1  # only the open one
    assert set(FollowUp.objects.values_list("action_id", flat=True)) == {still_open.pk}
    for action, owner in ((overdue, staff.insp_b), (away, staff.insp_a)):
        action.refresh_from_db()
        assert (action.status, action.owner, action.version) == (
            ActionStatus.CANCELLED,
            owner,
            2,
        )
    swept = Event.objects.filter(
        verb__in=[EventVerb.SAFETY_ACTION_REASSIGNED, EventVerb.SAFETY_ACTION_ESCALATED]
    )
    assert {event.new.get("action") for event in swept} == {still_open.pk}
    assert not Notification.objects.filter(title__contains="Patrols past the address").exists()


@time_machine.travel(T0, tick=False)
def test_a_case_whose_last_open_action_is_cancelled_may_close(staff, plan):
    from cases import assignment_services

    done = add(plan, staff.daso, owner=staff.insp_b)
    open_one = add(plan, staff.daso, owner=staff.insp_a, kind="panic-alarm")
    safety_services.action_complete(action=done, user=staff.insp_b, note="Patrols done")
    case = plan.case
    with pytest.raises(DomainError, match="1 safety-plan action is still open"):
        assignment_services.case_close(case=case, user=staff.daso, reason="Victim moved away")

    safety_services.action_cancel(
        action=open_one, user=staff.daso, reason="She declined the alarm", version=1
    )
    case.refresh_from_db()
    closed = assignment_services.case_close(
        case=case, user=staff.daso, reason="Victim moved away", version=case.version
    )

    assert closed.status == CaseStatus.CLOSED
    assert Event.objects.filter(case=case, verb=EventVerb.CASE_CLOSED).exists()


# Absences ------------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_an_absence_is_recorded_with_who_recorded_it(staff):
    absence = leave(staff.insp_a, by=staff.chief)
    assert absence.recorded_by == staff.chief
    row = absence.history.get()
    assert row.history_user == staff.chief
    assert row.history_change_reason.startswith("Annual leave 12 Jul 2026")


@time_machine.travel(T0, tick=False)
def test_an_absence_that_ends_before_it_starts_or_for_a_switched_off_account_is_refused(staff):
    with pytest.raises(DomainError) as backwards:
        leave(staff.insp_a, by=staff.chief, starts=T0, ends=T0 - HOUR)
    assert backwards.value.errors == {"ends_at": ["The end must be after the start"]}
    staff.pc.is_active = False
    staff.pc.save()
    with pytest.raises(DomainError) as inactive:
        leave(staff.pc, by=staff.chief)
    assert inactive.value.errors == {
        "user": ["Tom Adeyemi's account is switched off: choose someone else"]
    }
    with pytest.raises(DomainError) as nobody:
        safety_services.absence_record(
            user=staff.chief, person=None, kind="sickness", starts_at=T0, ends_at=T0 + DAY
        )
    assert nobody.value.errors == {"user": ["Choose the person who is away"]}
    assert not Absence.objects.exists()


def test_a_supervisor_records_absences_for_their_people_and_team_only(staff, persona):
    people = set(safety_selectors.absence_people(staff.chief).values_list("username", flat=True))
    assert people == {"pc.adeyemi", "insp.fenwick", "insp.price"}
    assert not safety_selectors.absence_people(staff.insp_a).exists()


# Who works a plan ----------------------------------------------------------------------


def in_colchester_queue(case):
    """Put the case in the Colchester hub's high-risk queue, as routing would."""
    from cases import case_services
    from cases.choices import QueueKind

    case.queue = case_services.queue_for(
        team=Team.objects.get(code="hub-colchester"), kind=QueueKind.HUB_HIGH
    )
    case.save()
    return case


def in_researchers_queue(case):
    """Put the case in the central referral unit's researchers' queue (standard risk)."""
    from cases import case_services
    from cases.choices import QueueKind

    case.queue = case_services.queue_for(
        team=Team.objects.get(code="cru"), kind=QueueKind.RESEARCHERS
    )
    case.save()
    return case


def hub_dasos(persona) -> SimpleNamespace:
    """Sam Reeve works the Colchester hub's queue; Ada Okafor works the Laindon hub's."""
    return SimpleNamespace(
        colchester=persona(
            "daso", "hub-colchester", "daso.reeve", first_name="Sam", last_name="Reeve"
        ),
        laindon=persona("daso", "hub-laindon", "daso.okafor", first_name="Ada", last_name="Okafor"),
    )


@time_machine.travel(T0, tick=False)
def test_a_plan_is_worked_by_its_queue_its_owner_and_supervisors_not_by_any_daso(
    staff, plan, persona
):
    dasos = hub_dasos(persona)
    researcher = persona("researcher", "hub-colchester", first_name="Nadia", last_name="Quinn")
    in_colchester_queue(plan.case)
    add(plan, staff.daso, owner=staff.insp_a)
    action = safety_selectors.action_for_user(user=staff.chief, pk=SafetyAction.objects.get().pk)

    def may(user):
        return (
            safety_selectors.can_work_plan(user, action.plan.case),
            safety_selectors.can_reassign_action(user, action),
            safety_selectors.can_cancel_action(user, action),
            safety_selectors.can_complete_action(user, action),
        )

    assert may(dasos.colchester) == (True, True, True, True)  # works the case's queue
    assert may(staff.chief) == (True, True, True, True)  # a supervisor
    assert may(dasos.laindon) == (False, False, False, False)  # another hub's DASO
    assert may(staff.daso) == (False, False, False, False)  # the central unit's DASO
    # A researcher: the hub's queue is worked by its DASOs, not by researchers.
    assert may(researcher) == (False, False, False, False)
    assert may(staff.insp_a) == (False, False, False, True)  # the action's owner completes it

    # Whoever holds the case works its plan, whichever team they are in.
    plan.case.assigned_to = dasos.laindon
    plan.case.save()
    action = safety_selectors.action_for_user(user=staff.chief, pk=action.pk)
    assert may(dasos.laindon) == (True, True, True, True)


@time_machine.travel(T0, tick=False)
def test_a_case_in_no_queue_is_worked_by_any_daso_as_it_may_be_held_by_any(staff, plan, persona):
    dasos = hub_dasos(persona)
    assert plan.case.queue_id is None
    assert safety_selectors.can_work_plan(dasos.laindon, plan.case)
    assert safety_selectors.can_work_plan(staff.daso, plan.case)
    # Or researcher: either may hold a case outside any queue (`rules.works_queue`).
    assert safety_selectors.can_work_plan(persona("researcher", "hub-laindon"), plan.case)
    assert not safety_selectors.can_work_plan(staff.insp_a, plan.case)


@time_machine.travel(T0, tick=False)
def test_a_researcher_works_the_plans_of_the_researchers_queue_they_work(staff, plan, persona):
    from cases import rules

    researcher = persona("researcher", "cru", first_name="Nadia", last_name="Quinn")
    elsewhere = persona("researcher", "hub-colchester", first_name="Ravi", last_name="Shah")
    in_researchers_queue(plan.case)
    add(plan, staff.daso, owner=staff.insp_a)
    action = safety_selectors.action_for_user(user=staff.chief, pk=SafetyAction.objects.get().pk)

    def may(user):
        return (
            safety_selectors.can_work_plan(user, action.plan.case),
            safety_selectors.can_reassign_action(user, action),
            safety_selectors.can_cancel_action(user, action),
            safety_selectors.can_complete_action(user, action),
        )

    # The same people who may hold the queue's cases (`rules.works_queue`).
    assert rules.works_queue(researcher, plan.case.queue)
    assert safety_selectors.can_work_plans(researcher)
    assert may(researcher) == (True, True, True, True)
    assert may(elsewhere) == (False, False, False, False)  # another team's researcher
    assert may(staff.daso) == (False, False, False, False)  # DASOs do not work this queue
    assert may(staff.chief) == (True, True, True, True)
    # A researcher's plan rights follow the queue: in a DASO queue, none.
    in_colchester_queue(plan.case)
    assert not safety_selectors.can_work_plan(researcher, plan.case)


# Who is away ---------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_away_spells_join_absences_back_to_back_and_look_two_weeks_ahead(staff):
    leave(staff.insp_a, by=staff.chief, starts=T0 - DAY, ends=T0 + 2 * DAY)
    leave(staff.insp_a, by=staff.chief, starts=T0 + 2 * DAY, ends=T0 + 5 * DAY, kind="training")
    leave(staff.insp_b, by=staff.chief, starts=T0 + 3 * DAY, ends=T0 + 4 * DAY, kind="sickness")
    leave(staff.pc, by=staff.chief, starts=T0 + 20 * DAY, ends=T0 + 25 * DAY)
    leave(staff.chief, by=staff.supt, starts=T0 - 5 * DAY, ends=T0 - DAY)  # over

    spells = safety_selectors.away_spells(
        [staff.insp_a.pk, staff.insp_b.pk, staff.pc.pk, staff.chief.pk]
    )

    assert spells == {
        staff.insp_a.pk: safety_selectors.AwaySpell(T0 - DAY, T0 + 5 * DAY),
        staff.insp_b.pk: safety_selectors.AwaySpell(T0 + 3 * DAY, T0 + 4 * DAY),
    }


@time_machine.travel(T0, tick=False)
def test_owners_not_at_work_when_due_follow_the_sweeps_rule_and_never_say_why(staff, plan):
    leave(staff.insp_a, by=staff.chief, kind="sickness")  # until T0 + 10 days
    away = add(plan, staff.daso, owner=staff.insp_a, due_in=DAY)
    back = add(plan, staff.daso, owner=staff.insp_a, due_in=11 * DAY)
    at_work = add(plan, staff.daso, owner=staff.insp_b, due_in=DAY)
    # Superintendent Cole's unit works 08:00 to midnight: 02:00 is off shift.
    night = add(plan, staff.daso, owner=staff.supt, due_in=16 * HOUR)
    team = add(plan, staff.daso, owner_team=staff.response, due_in=DAY)

    found = safety_selectors.owners_not_at_work(SafetyAction.objects.all())

    assert found == {away.pk: safety_selectors.AWAY, night.pk: safety_selectors.OFF_SHIFT}
    assert {back.pk, at_work.pk, team.pk}.isdisjoint(found)


@time_machine.travel(T0, tick=False)
def test_team_choices_leave_out_teams_with_nobody_active_and_partner_agencies(staff):
    codes = set(safety_selectors.team_choices().values_list("code", flat=True))
    assert "response" in codes
    assert "nct-north" not in codes  # nobody in it: refused on save
    assert "victim-support" not in codes
    staff.daso.is_active = False
    staff.daso.save()
    staff.supt.is_active = False
    staff.supt.save()
    assert "cru" not in set(safety_selectors.team_choices().values_list("code", flat=True))


# The case history ----------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_the_history_says_which_action_was_added_for_whom_and_when_it_is_due(staff, plan):
    from cases.casework_selectors import case_timeline

    add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR, description="Ring Leah at 07700 900999")
    add(plan, staff.daso, owner_team=staff.response, kind=None, description="Ring her sister")

    sentences = [
        entry.sentence
        for entry in case_timeline(case=plan.case)
        if entry.event.verb == EventVerb.SAFETY_ACTION_ADDED
    ]

    assert sentences == [
        "Safety-plan action added: Patrols past the address, for Mark Fenwick, due 14 Jul 2026 "
        "11:00, by Claire Whitmore, 14 July 2026 10:00",
        "Safety-plan action added: an action described in the plan, for Response policing (the "
        "whole team), due 14 Jul 2026 11:00, by Claire Whitmore, 14 July 2026 10:00",
    ]
    assert not any("Ring" in s or "07700" in s for s in sentences)  # never the free text


@time_machine.travel(T0, tick=False)
def test_the_history_of_an_action_added_before_names_were_kept_still_says_for_whom(staff, plan):
    from cases.casework_selectors import case_timeline
    from dasapp.events import event_record

    event_record(
        verb=EventVerb.SAFETY_ACTION_ADDED,
        actor=staff.daso,
        case=plan.case,
        new={
            "action": 1,
            "title": "Patrols past the address: ring Leah first",
            "owner": staff.insp_a.pk,
            "owner_team": None,
            "due_at": (T0 + DAY).isoformat(),
        },
    )

    (entry,) = [
        e for e in case_timeline(case=plan.case) if e.event.verb == EventVerb.SAFETY_ACTION_ADDED
    ]

    assert entry.sentence == (
        "Safety-plan action added, for Mark Fenwick, due 15 Jul 2026 10:00, by Claire "
        "Whitmore, 14 July 2026 10:00"
    )
