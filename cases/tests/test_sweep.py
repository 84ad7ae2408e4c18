"""The follow-up sweep: its rules as pure functions, then on the database with the clock
moved by time-machine: overdue actions, owners on leave, off shift or switched off,
team-owned actions, escalation up the supervisor chain, follow-ups once per owner (an
action moved to someone who is then away too is followed up again), absences seen days
ahead, who is told of a move, neutral words for absences, idempotency (twice, after a
crash half-way, and two workers at once on PostgreSQL), and the walkthrough of the
issue's "Done when"."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cases import safety_services, sweep
from cases.choices import ActionStatus, FollowUpReason
from cases.event_verbs import EventVerb
from cases.models import CaseworkSettings, FollowUp, SafetyAction
from cases.safety_services import sweeping
from cases.sweep import ActionFacts, Away, Raised, Staff
from cases.tests.test_safety_services import (
    DAY,
    HOUR,
    T0,
    add,
    leave,
    make_case,
)
from dasapp.models import Event, Notification
from org import availability
from org.models import ShiftPattern, Team

MIN = dt.timedelta(minutes=1)
LOOKAHEAD = dt.timedelta(minutes=60)


# The rules, without a database ---------------------------------------------------------


class FakeWorld:
    """A `cases.sweep.World` from dicts: who is who, and who is away when."""

    def __init__(self, staff, *, away=None, open_counts=None, teams=None):
        self.people = {s.id: s for s in staff}
        self.away_map = away or {}  # id -> Away (all the time)
        self.open_counts = open_counts or {}
        self.names = teams or {1: "Response"}

    def staff(self, user_id):
        return self.people.get(user_id)

    def team_members(self, team_id):
        return [s for s in self.people.values() if s.team_id == team_id]

    def team_name(self, team_id):
        return self.names[team_id]

    def away(self, user_id, at):
        return self.away_map.get(user_id)

    def open_count(self, user_id):
        return self.open_counts.get(user_id, 0)


LEAVE = Away(FollowUpReason.OWNER_ABSENT, "away until 3 Dec")
OFF = Away(FollowUpReason.OWNER_OFF_SHIFT, "off shift")
SWITCHED_OFF = Away(FollowUpReason.OWNER_INACTIVE, "account switched off")
NOW = T0
ABSENCE_LOOKAHEAD = 14 * DAY


def people():
    return [
        Staff(10, "Dana Cole", team_id=2, roles=frozenset({"supervisor"})),
        Staff(9, "Helen Marsh", team_id=1, supervisor_id=10, roles=frozenset({"supervisor"})),
        Staff(1, "Insp A", team_id=1, supervisor_id=9, roles=frozenset({"officer"}), rank="Insp"),
        Staff(2, "PC C", team_id=1, supervisor_id=9, roles=frozenset({"officer"}), rank="PC"),
        Staff(3, "Insp B", team_id=1, supervisor_id=9, roles=frozenset({"officer"}), rank="Insp"),
    ]


def facts(*, due_in, owner=1, team=None):
    return ActionFacts(id=99, due_at=NOW + due_in, owner_id=owner, owner_team_id=team)


def decide(world, action, raised=()):
    return sweep.decide(
        action,
        world=world,
        now=NOW,
        lookahead=LOOKAHEAD,
        absence_lookahead=ABSENCE_LOOKAHEAD,
        raised=raised,
    )


def test_rule_an_action_due_later_whose_owner_is_at_work_needs_nothing():
    assert decide(FakeWorld(people()), facts(due_in=30 * MIN)) is None


def test_rule_beyond_the_lookahead_an_owner_off_shift_then_needs_nothing_yet():
    # They may be on shift by then, or the rota may change: wait for the short look-ahead.
    assert decide(FakeWorld(people(), away={1: OFF}), facts(due_in=2 * HOUR)) is None


@pytest.mark.parametrize("why", [LEAVE, SWITCHED_OFF], ids=["away", "switched-off"])
def test_rule_an_owner_away_or_switched_off_when_it_falls_due_days_ahead_is_followed_up_now(why):
    decision = decide(FakeWorld(people(), away={1: why}), facts(due_in=DAY))
    assert (decision.reason, decision.kind, decision.to_user_id) == (why.reason, sweep.MOVE, 3)
    assert decision.check_at == NOW + DAY  # the colleague must be at work then
    assert decide(FakeWorld(people(), away={1: why}), facts(due_in=13 * DAY)).kind == sweep.MOVE
    # Beyond the absence look-ahead: not yet.
    assert decide(FakeWorld(people(), away={1: why}), facts(due_in=15 * DAY)) is None
    # Without an absence look-ahead, only the short one.
    assert (
        sweep.decide(
            facts(due_in=DAY),
            world=FakeWorld(people(), away={1: why}),
            now=NOW,
            lookahead=LOOKAHEAD,
        )
        is None
    )


def test_rule_a_team_owned_action_with_the_whole_team_away_days_ahead_is_followed_up_now():
    # Everyone in the team is away (leave, sickness) when it falls due tomorrow: it goes
    # up to the team's supervisor at work then, as for "nobody on duty", at once.
    away = {1: LEAVE, 2: SWITCHED_OFF, 3: LEAVE, 9: LEAVE}
    decision = decide(FakeWorld(people(), away=away), facts(due_in=DAY, owner=None, team=1))
    assert (decision.reason, decision.kind, decision.to_user_id) == (
        FollowUpReason.OWNER_ABSENT,
        sweep.ESCALATE_USER,
        10,  # Helen Marsh, the team's supervisor, is away too: hers, Dana Cole
    )
    assert decision.check_at == NOW + DAY
    assert decision.note.startswith("Escalated from Response (nobody in Response at work)")
    # Within the absence look-ahead only, and once for the team.
    assert decide(FakeWorld(people(), away=away), facts(due_in=15 * DAY, owner=None, team=1)) is (
        None
    )
    once = Raised(FollowUpReason.OWNER_ABSENT, "team:1", "user:10")
    world = FakeWorld(people(), away=away)
    assert decide(world, facts(due_in=DAY, owner=None, team=1), raised=[once]) is None
    # Nobody at work but not everyone away: one is merely off shift, and may be on shift
    # by then. The short look-ahead only, as before.
    mixed = {**away, 3: OFF}
    assert decide(FakeWorld(people(), away=mixed), facts(due_in=DAY, owner=None, team=1)) is None
    soon = decide(FakeWorld(people(), away=mixed), facts(due_in=30 * MIN, owner=None, team=1))
    assert (soon.reason, soon.kind) == (FollowUpReason.OWNER_ABSENT, sweep.ESCALATE_USER)
    # Every supervisor away too: it stays with the team; the team and the chain are told.
    everyone = dict.fromkeys((1, 2, 3, 9, 10), LEAVE)
    stuck = decide(FakeWorld(people(), away=everyone), facts(due_in=DAY, owner=None, team=1))
    assert (stuck.kind, stuck.notify_ids) == (sweep.KEEP, (1, 2, 3, 9, 10))


def test_rule_owner_on_leave_when_it_falls_due_moves_it_to_a_colleague_of_the_same_rank():
    decision = decide(FakeWorld(people(), away={1: LEAVE}), facts(due_in=30 * MIN))
    assert (decision.reason, decision.kind, decision.to_user_id) == (
        FollowUpReason.OWNER_ABSENT,
        sweep.MOVE,
        3,
    )
    assert decision.check_at == NOW + 30 * MIN  # at work when it falls due, not now
    assert decision.note == "Moved from Insp A (away until 3 Dec) to Insp B, on duty"
    assert decision.notify_ids == (3,)


def test_rule_among_equals_the_colleague_with_fewest_open_actions_then_lowest_id_gets_it():
    staff = people() + [
        Staff(4, "Insp D", team_id=1, supervisor_id=9, roles=frozenset({"officer"}), rank="Insp")
    ]
    world = FakeWorld(staff, away={1: LEAVE}, open_counts={3: 2, 4: 1})
    assert decide(world, facts(due_in=30 * MIN)).to_user_id == 4
    world = FakeWorld(staff, away={1: LEAVE}, open_counts={3: 1, 4: 1})
    assert decide(world, facts(due_in=30 * MIN)).to_user_id == 3


def test_rule_a_colleague_must_share_a_role_with_the_owner():
    staff = [p for p in people() if p.id != 3]  # only the supervisor and PC C left in team 1
    world = FakeWorld(staff, away={1: LEAVE, 2: OFF})
    decision = decide(world, facts(due_in=30 * MIN))
    # Helen Marsh (supervisor role) is in the team but is not a colleague: she gets it
    # as the supervisor, not as someone doing the same job.
    assert (decision.kind, decision.to_user_id) == (sweep.ESCALATE_USER, 9)


def test_rule_overdue_with_the_owner_at_work_stays_and_tells_owner_and_supervisor():
    decision = decide(FakeWorld(people()), facts(due_in=-MIN))
    assert (decision.reason, decision.kind, decision.moves) == (
        FollowUpReason.OVERDUE,
        sweep.KEEP,
        False,
    )
    assert (decision.notify_ids, decision.supervisor_ids) == ((1,), (9,))


def test_rule_overdue_with_the_owner_away_moves_it_under_the_overdue_reason():
    decision = decide(FakeWorld(people(), away={1: OFF}), facts(due_in=-MIN))
    assert (decision.reason, decision.kind, decision.to_user_id) == (
        FollowUpReason.OVERDUE,
        sweep.MOVE,
        3,
    )


def held_by(owner, reason, *, to=None, overdue=False):
    """A follow-up raised while `owner` (a user id) held the action."""
    to_key = f"user:{to if to is not None else owner}"
    return Raised(reason, f"user:{owner}", to_key, overdue=overdue)


def test_rule_each_reason_is_raised_once_per_due_time_and_owner():
    world = FakeWorld(people(), away={1: LEAVE})
    absent = held_by(1, FollowUpReason.OWNER_ABSENT)
    assert decide(world, facts(due_in=30 * MIN), raised=[absent]) is None
    overdue = held_by(1, FollowUpReason.OVERDUE, overdue=True)
    assert decide(FakeWorld(people()), facts(due_in=-MIN), raised=[overdue]) is None
    # Overdue raised already, and now the owner is away: moved under the new reason.
    again = decide(world, facts(due_in=-MIN), raised=[overdue])
    assert (again.reason, again.kind) == (FollowUpReason.OWNER_ABSENT, sweep.MOVE)


def test_rule_a_follow_up_raised_for_the_previous_owner_does_not_cover_the_new_one():
    # Moved from 1 (on leave) to 3; now 3 is away too when it falls due: followed up
    # again, for 3, and it goes on to the next colleague.
    moved = held_by(1, FollowUpReason.OWNER_ABSENT, to=3)
    world = FakeWorld(people(), away={1: LEAVE, 3: LEAVE})
    decision = decide(world, facts(due_in=30 * MIN, owner=3), raised=[moved])
    assert (decision.reason, decision.kind, decision.to_user_id) == (
        FollowUpReason.OWNER_ABSENT,
        sweep.MOVE,
        2,
    )
    assert decision.note.startswith("Moved from Insp B (away until 3 Dec) to PC C")
    # The same for an overdue action: 3 was given it under "overdue" and is now away.
    given_overdue = held_by(1, FollowUpReason.OVERDUE, to=3, overdue=True)
    late = decide(world, facts(due_in=-HOUR, owner=3), raised=[given_overdue])
    assert (late.reason, late.kind, late.to_user_id) == (
        FollowUpReason.OWNER_ABSENT,
        sweep.MOVE,
        2,
    )


def test_rule_someone_given_an_action_already_overdue_is_not_told_again_that_it_is():
    given_overdue = held_by(1, FollowUpReason.OWNER_OFF_SHIFT, to=3, overdue=True)
    assert decide(FakeWorld(people()), facts(due_in=-HOUR, owner=3), raised=[given_overdue]) is None
    # Given it before it fell due: told it is overdue once it is, and kept.
    given_early = held_by(1, FollowUpReason.OWNER_ABSENT, to=3, overdue=False)
    kept = decide(FakeWorld(people()), facts(due_in=-HOUR, owner=3), raised=[given_early])
    assert (kept.reason, kept.kind, kept.notify_ids) == (FollowUpReason.OVERDUE, sweep.KEEP, (3,))


def test_rule_a_team_owned_action_is_followed_up_for_the_team_not_for_a_person():
    world = FakeWorld(people())
    person = held_by(1, FollowUpReason.OVERDUE, overdue=True)
    kept = decide(world, facts(due_in=-MIN, owner=None, team=1), raised=[person])
    assert (kept.reason, kept.kind) == (FollowUpReason.OVERDUE, sweep.KEEP)
    team = Raised(FollowUpReason.OVERDUE, "team:1", "team:1", overdue=True)
    assert decide(world, facts(due_in=-MIN, owner=None, team=1), raised=[team]) is None
    assert sweep.Decision("overdue", NOW, sweep.ESCALATE_TEAM, "", to_team_id=1).to_key(
        "user:1"
    ) == ("team:1")


def test_rule_nobody_on_duty_goes_to_the_supervisor_then_theirs_then_the_team():
    away = {1: LEAVE, 2: OFF, 3: OFF}
    to_supervisor = decide(FakeWorld(people(), away=away), facts(due_in=30 * MIN))
    assert (to_supervisor.kind, to_supervisor.to_user_id) == (sweep.ESCALATE_USER, 9)
    assert to_supervisor.note == (
        "Escalated from Insp A (away until 3 Dec) to Helen Marsh, supervisor: nobody else on duty"
    )
    away[9] = LEAVE
    to_next = decide(FakeWorld(people(), away=away), facts(due_in=30 * MIN))
    assert (to_next.kind, to_next.to_user_id) == (sweep.ESCALATE_USER, 10)
    assert "Helen Marsh's supervisor" in to_next.note
    assert "Helen Marsh away until 3 Dec" in to_next.note
    away[10] = OFF
    to_team = decide(FakeWorld(people(), away=away), facts(due_in=30 * MIN))
    assert (to_team.kind, to_team.to_team_id, to_team.to_user_id) == (sweep.ESCALATE_TEAM, 1, None)
    assert set(to_team.notify_ids) == {1, 2, 3, 9, 10}


def test_rule_a_team_owned_action_is_at_work_when_anybody_in_the_team_is():
    world = FakeWorld(people(), away={1: LEAVE, 2: OFF})
    assert decide(world, facts(due_in=30 * MIN, owner=None, team=1)) is None


def test_rule_a_team_owned_action_with_nobody_at_work_goes_to_the_teams_supervisor():
    world = FakeWorld(people(), away={1: LEAVE, 2: OFF, 3: OFF, 9: OFF})
    decision = decide(world, facts(due_in=30 * MIN, owner=None, team=1))
    # Helen Marsh is off too: the supervisor of most of the team's members is her, so
    # the next up is her supervisor, Dana Cole.
    assert (decision.reason, decision.kind, decision.to_user_id) == (
        FollowUpReason.OWNER_ABSENT,
        sweep.ESCALATE_USER,
        10,
    )


def test_rule_a_supervisor_chain_that_loops_ends():
    staff = [
        Staff(1, "A", team_id=None, supervisor_id=2, roles=frozenset({"officer"})),
        Staff(2, "B", team_id=None, supervisor_id=1, roles=frozenset({"supervisor"})),
    ]
    decision = decide(FakeWorld(staff, away={1: LEAVE, 2: LEAVE}), facts(due_in=30 * MIN))
    assert decision.kind == sweep.KEEP and decision.notify_ids == (1, 2)


# Still not done: escalated once, a day after it fell due --------------------------------

ESCALATE_AFTER = 24 * HOUR
KEPT = Raised(FollowUpReason.OVERDUE, "user:3", "user:3", overdue=True)


def late(world, action, raised=(), *, after=ESCALATE_AFTER):
    return sweep.decide(
        action,
        world=world,
        now=NOW,
        lookahead=LOOKAHEAD,
        absence_lookahead=ABSENCE_LOOKAHEAD,
        escalate_after=after,
        raised=raised,
    )


def test_rule_an_overdue_action_kept_and_still_open_a_day_on_goes_to_the_supervisor():
    world = FakeWorld(people())
    # Told once when it fell due; not again within the day.
    assert late(world, facts(due_in=-23 * HOUR, owner=3), raised=[KEPT]) is None
    decision = late(world, facts(due_in=-ESCALATE_AFTER, owner=3), raised=[KEPT])
    assert (decision.reason, decision.kind, decision.to_user_id, decision.notify_ids) == (
        FollowUpReason.OVERDUE_ESCALATED,
        sweep.ESCALATE_USER,
        9,
        (9,),
    )
    assert decision.history_reason == "Overdue and not done: escalated to supervisor"
    assert decision.note == (
        "Overdue and not done 24 hours after it was followed up: escalated from Insp B to "
        "Helen Marsh, supervisor"
    )
    # A sweep that missed the day tells the owner first, and escalates a day after that:
    # not at once (nor when the same sweep runs again).
    assert late(world, facts(due_in=-3 * DAY, owner=3)).reason == FollowUpReason.OVERDUE
    told = Raised(FollowUpReason.OVERDUE, "user:3", "user:3", overdue=True, at=NOW)
    assert late(world, facts(due_in=-3 * DAY, owner=3), raised=[told]) is None
    told_yesterday = Raised(
        FollowUpReason.OVERDUE, "user:3", "user:3", overdue=True, at=NOW - ESCALATE_AFTER
    )
    assert late(world, facts(due_in=-3 * DAY, owner=3), [told_yesterday]).kind == (
        sweep.ESCALATE_USER
    )
    # The same for a colleague given it already overdue an hour ago.
    given = Raised(FollowUpReason.OWNER_ABSENT, "user:1", "user:3", overdue=True, at=NOW - HOUR)
    assert late(world, facts(due_in=-3 * DAY, owner=3), raised=[given]) is None
    # No escalation delay: never (as before).
    assert late(world, facts(due_in=-3 * DAY, owner=3), raised=[KEPT], after=None) is None


def test_rule_an_overdue_escalation_is_once_per_due_time_whoever_holds_the_action():
    world = FakeWorld(people())
    escalated = Raised(FollowUpReason.OVERDUE_ESCALATED, "user:3", "user:9", overdue=True)
    # Helen Marsh holds it now: she was given it overdue, and it was escalated already.
    assert late(world, facts(due_in=-3 * DAY, owner=9), raised=[KEPT, escalated]) is None
    assert late(world, facts(due_in=-3 * DAY, owner=3), raised=[KEPT, escalated]) is None
    # Given a new due time, it may be escalated again for that one (the raised list is
    # per due time: none yet).
    assert late(world, facts(due_in=-3 * DAY, owner=3)).reason == FollowUpReason.OVERDUE


def test_rule_the_escalation_goes_to_the_first_supervisor_at_work_up_then_across_the_team():
    staff = people() + [
        Staff(11, "Sgt Lane", team_id=1, supervisor_id=9, roles=frozenset({"supervisor"}))
    ]
    away_9 = late(FakeWorld(staff, away={9: LEAVE}), facts(due_in=-2 * DAY, owner=3), [KEPT])
    assert (away_9.to_user_id, away_9.note.endswith("Dana Cole, Helen Marsh's supervisor")) == (
        10,
        True,
    )
    both = late(FakeWorld(staff, away={9: LEAVE, 10: OFF}), facts(due_in=-2 * DAY, owner=3), [KEPT])
    assert (both.to_user_id, both.note.endswith("Sgt Lane, a supervisor in the team")) == (11, True)
    # No supervisor at work: nothing now; the next sweep that finds one escalates it.
    nobody = {9: LEAVE, 10: OFF, 11: SWITCHED_OFF}
    assert late(FakeWorld(staff, away=nobody), facts(due_in=-2 * DAY, owner=3), [KEPT]) is None


def test_rule_a_team_owned_overdue_action_is_escalated_to_the_teams_supervisor():
    kept = Raised(FollowUpReason.OVERDUE, "team:1", "team:1", overdue=True)
    world = FakeWorld(people(), away={1: LEAVE})  # others in the team at work
    decision = late(world, facts(due_in=-2 * DAY, owner=None, team=1), [kept])
    assert (decision.reason, decision.kind, decision.to_user_id) == (
        FollowUpReason.OVERDUE_ESCALATED,
        sweep.ESCALATE_USER,
        9,
    )
    assert "escalated from Response to Helen Marsh, supervisor" in decision.note


# On the database -----------------------------------------------------------------------


@pytest.fixture
def staff(org, persona):
    from cases.tests.test_safety_services import make_staff

    return make_staff(persona)


@pytest.fixture
def plan(staff):
    with time_machine.travel(T0, tick=False):
        return safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)


def run(at: dt.datetime, **kwargs):
    with time_machine.travel(at, tick=False):
        return safety_services.sweep_run(**kwargs)


def follow_ups(action):
    return list(FollowUp.objects.filter(action=action).values_list("reason", flat=True))


def test_an_overdue_action_whose_owner_is_at_work_is_not_moved_but_followed_up_and_told(
    staff, plan
):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
    Notification.objects.all().delete()

    report = run(T0 + 2 * HOUR)

    action.refresh_from_db()
    assert action.owner == staff.insp_b and action.version == 1
    assert follow_ups(action) == [FollowUpReason.OVERDUE]
    assert (report.followed_up, report.kept, report.moved) == (1, 1, 0)
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"insp.price", "ci.marsh"}
    assert (
        Notification.objects.filter(
            title=f"Safety-plan action overdue: Patrols past the address, case "
            f"{plan.case.reference}"
        ).count()
        == 2
    )


def test_a_supervisor_gets_one_message_listing_every_overdue_action_of_their_people(staff, plan):
    with time_machine.travel(T0, tick=False):
        for owner in (staff.insp_b, staff.pc, staff.insp_b):
            add(plan, staff.daso, owner=owner, due_in=HOUR)
    Notification.objects.all().delete()

    run(T0 + 2 * HOUR)

    [digest] = Notification.objects.filter(user=staff.chief)
    assert digest.title == "3 safety-plan actions overdue among your people"
    assert digest.body.count(f"Patrols past the address, case {plan.case.reference}") == 3
    assert "Tom Adeyemi, due 14 Jul 2026 11:00" in digest.body
    assert "Leah" not in digest.body
    assert Notification.objects.filter(user=staff.insp_b).count() == 2
    assert run(T0 + 3 * HOUR).followed_up == 0
    assert Notification.objects.filter(user=staff.chief).count() == 1


def test_an_action_whose_owner_is_on_leave_when_it_falls_due_moves_to_an_inspector_on_duty(
    staff, plan
):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=45 * MIN)
        leave(staff.insp_a, by=staff.chief, starts=T0 - 2 * DAY, ends=T0 + 20 * DAY)

    run(T0)

    action.refresh_from_db()
    # PC Adeyemi has fewer actions (none) and a lower id, but the inspector's job goes to
    # the other inspector first.
    assert action.owner == staff.insp_b
    follow_up = FollowUp.objects.get(action=action)
    assert (follow_up.reason, follow_up.from_user, follow_up.to_user, follow_up.escalated) == (
        FollowUpReason.OWNER_ABSENT,
        staff.insp_a,
        staff.insp_b,
        False,
    )
    assert follow_up.note == ("Moved from Mark Fenwick (away until 3 Aug) to Joanna Price, on duty")


def test_an_owner_off_shift_by_the_hub_rota_has_the_action_moved_to_a_colleague_on_shift(
    org, persona, staff, plan
):
    # 10:00 on 14 July is day 2 of hub rota A: evenings only (15:00 to 22:00).
    hub_daso = persona("daso", "hub-colchester", first_name="Sam", last_name="Reeve")
    cover = persona("daso", "hub-colchester", first_name="Ola", last_name="Banjo")
    profile = cover.profile
    profile.shift_pattern = ShiftPattern.objects.get(name="Round the clock")
    profile.save()
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=hub_daso, due_in=30 * MIN, kind="idva-referral")

    run(T0)

    action.refresh_from_db()
    assert action.owner == cover
    assert follow_ups(action) == [FollowUpReason.OWNER_OFF_SHIFT]
    assert FollowUp.objects.get().note == (
        "Moved from Sam Reeve (off shift until 15:00 on 14 Jul) to Ola Banjo, on duty"
    )


def test_an_owner_whose_account_was_switched_off_has_the_action_moved(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=3 * HOUR)
    staff.insp_a.is_active = False
    staff.insp_a.save()

    run(T0 + 150 * MIN)

    action.refresh_from_db()
    assert action.owner == staff.insp_b
    assert follow_ups(action) == [FollowUpReason.OWNER_INACTIVE]


def test_nobody_on_duty_in_the_team_sends_it_to_the_owners_supervisor(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc):
            leave(person, by=staff.chief)

    run(T0)

    action.refresh_from_db()
    assert action.owner == staff.chief
    follow_up = FollowUp.objects.get()
    assert follow_up.escalated and follow_up.to_user == staff.chief
    assert Event.objects.filter(verb=EventVerb.SAFETY_ACTION_ESCALATED, case=plan.case).exists()
    assert Notification.objects.filter(
        user=staff.chief, title__startswith="Safety-plan action escalated to you"
    ).exists()


def test_a_supervisor_away_too_sends_it_to_their_supervisor_and_then_to_the_team(staff, plan):
    with time_machine.travel(T0, tick=False):
        first = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc, staff.chief):
            leave(person, by=staff.supt)

    run(T0)

    first.refresh_from_db()
    assert first.owner == staff.supt  # the CRU works 08:00 to midnight: she is on

    # At 01:00 the superintendent's unit is off too: the response team as a whole.
    night = dt.datetime(2026, 7, 15, 0, 0, tzinfo=dt.UTC)
    with time_machine.travel(night - HOUR, tick=False):
        second = add(plan, staff.daso, owner=staff.insp_a, due_in=90 * MIN)
    run(night)
    second.refresh_from_db()
    assert (second.owner, second.owner_team) == (None, staff.response)
    assert FollowUp.objects.get(action=second).note.startswith(
        "Escalated from Mark Fenwick (away until 24 Jul) to Response policing as a "
        "whole: nobody on duty and no supervisor at work"
    )


def test_a_team_owned_action_with_somebody_at_work_is_left_alone_until_overdue(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner_team=staff.response, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b):
            leave(person, by=staff.chief)
    assert run(T0).followed_up == 0
    report = run(T0 + HOUR)
    action.refresh_from_db()
    assert (report.kept, action.owner_team, action.owner) == (1, staff.response, None)
    assert follow_ups(action) == [FollowUpReason.OVERDUE]


def test_a_team_owned_action_with_nobody_at_work_when_due_goes_to_the_teams_supervisor(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner_team=staff.response, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc):
            leave(person, by=staff.chief)
    # Helen Marsh is in the team and at work: the team is at work.
    assert run(T0).followed_up == 0
    leave(staff.chief, by=staff.supt)
    run(T0)
    action.refresh_from_db()
    assert action.owner == staff.supt
    assert follow_ups(action) == [FollowUpReason.OWNER_ABSENT]


def test_the_lookahead_for_an_owner_off_shift_comes_from_the_forces_settings(
    org, persona, staff, plan
):
    # 10:00 on 14 July is day 2 of hub rota A: evenings only (15:00 to 22:00), so Sam
    # Reeve is off shift at 13:00, when the action falls due.
    hub_daso = persona("daso", "hub-colchester", first_name="Sam", last_name="Reeve")
    cover = persona("daso", "hub-colchester", first_name="Ola", last_name="Banjo")
    cover.profile.shift_pattern = ShiftPattern.objects.get(name="Round the clock")
    cover.profile.save()
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=hub_daso, due_in=3 * HOUR, kind="idva-referral")
    assert run(T0).followed_up == 0
    CaseworkSettings.objects.create(force=org, sweep_lookahead_minutes=240)
    assert run(T0).moved == 1
    action.refresh_from_db()
    assert action.owner == cover
    assert follow_ups(action) == [FollowUpReason.OWNER_OFF_SHIFT]


def test_the_absence_lookahead_comes_from_the_forces_settings(org, staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=5 * DAY)
        leave(staff.insp_a, by=staff.chief, ends=T0 + 20 * DAY)
    CaseworkSettings.objects.create(force=org, sweep_absence_lookahead_days=3)
    assert run(T0).followed_up == 0
    assert run(T0 + 2 * DAY + HOUR).moved == 1  # due within three days now
    action.refresh_from_db()
    assert action.owner == staff.insp_b


def test_history_rows_carry_the_system_user_and_the_reason_and_the_actor_of_the_event(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        leave(staff.insp_a, by=staff.chief)
    run(T0)
    system = safety_services.system_user()
    added, moved = action.history.order_by("history_date", "history_id")
    assert (added.history_user, moved.history_user) == (staff.daso, system)
    assert moved.history_change_reason == (
        "Moved from Mark Fenwick (away until 24 Jul) to Joanna Price, on duty"
    )
    assert (moved.owner_id, moved.version) == (staff.insp_b.pk, 2)
    event = Event.objects.get(verb=EventVerb.SAFETY_ACTION_REASSIGNED)
    assert (event.actor, event.old["owner"], event.new["owner"]) == (
        system,
        staff.insp_a.pk,
        staff.insp_b.pk,
    )
    assert not system.is_active and not system.has_usable_password()


# Still not done a day after it fell due; a whole team away days ahead ----------------


def test_an_overdue_action_still_not_done_a_day_on_goes_to_the_owners_supervisor_once(staff, plan):
    assign_case(plan, staff.daso)
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
    due = T0 + HOUR
    told = due + HOUR  # the first sweep after it fell due (say, the workers were down)
    assert run(told).kept == 1  # Joanna Price is at work: told, and keeps it
    Notification.objects.all().delete()
    # A day after it fell due, but not yet a day after she was told.
    assert run(due + 24 * HOUR).followed_up == 0

    report = run(told + 24 * HOUR)

    assert (report.followed_up, report.escalated) == (1, 1)
    action.refresh_from_db()
    assert (action.owner, action.version) == (staff.chief, 2)
    follow_up = FollowUp.objects.get(action=action, reason=FollowUpReason.OVERDUE_ESCALATED)
    assert (follow_up.escalated, follow_up.from_user, follow_up.to_user) == (
        True,
        staff.insp_b,
        staff.chief,
    )
    assert (follow_up.owner_key, follow_up.to_key) == (
        f"user:{staff.insp_b.pk}",
        f"user:{staff.chief.pk}",
    )
    assert follow_up.note == (
        "Overdue and not done 24 hours after it was followed up: escalated from Joanna "
        "Price to Helen Marsh, supervisor"
    )
    row = action.history.order_by("-history_date", "-history_id").first()
    assert row.history_change_reason == "Overdue and not done: escalated to supervisor"
    assert row.history_user == safety_services.system_user()
    event = Event.objects.filter(verb=EventVerb.SAFETY_ACTION_ESCALATED).latest("id")
    assert (event.old["owner"], event.new["owner"], event.new["follow_up"], event.actor) == (
        staff.insp_b.pk,
        staff.chief.pk,
        FollowUpReason.OVERDUE_ESCALATED,
        safety_services.system_user(),
    )
    what = f"Patrols past the address, case {plan.case.reference}"
    assert set(Notification.objects.values_list("user__username", "title")) == {
        ("ci.marsh", f"Safety-plan action escalated to you: {what}"),
        ("insp.price", f"Your safety-plan action was escalated: {what}"),
        ("daso.whitmore", f"Safety-plan action on your case escalated: {what}"),
    }

    # Idempotent: the same sweep again, and later ones, add nothing (once per due time,
    # although Helen Marsh, who holds it now, has not done it either).
    after = _snapshot()
    for later in (0 * HOUR, 5 * MIN, 2 * DAY):
        assert run(told + 24 * HOUR + later).followed_up == 0
    assert _snapshot() == after


def test_a_catch_up_days_after_an_action_fell_due_tells_the_owner_before_escalating(staff, plan):
    """The workers were down for days: the owner is told first, and has a day from then;
    the same sweep again (the task delivered twice) adds nothing."""
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
    late = T0 + 4 * DAY
    assert run(late).kept == 1
    after = _snapshot()
    assert run(late).followed_up == 0
    assert run(late + 5 * MIN).followed_up == 0
    assert _snapshot() == after
    assert run(late + 24 * HOUR).escalated == 1
    action.refresh_from_db()
    assert action.owner == staff.chief
    assert follow_ups(action) == [FollowUpReason.OVERDUE_ESCALATED, FollowUpReason.OVERDUE]


def test_the_escalation_delay_comes_from_the_forces_settings(org, staff, plan):
    CaseworkSettings.objects.create(force=org, sweep_escalate_after_hours=48)
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
    due = T0 + HOUR
    assert run(due + 5 * MIN).kept == 1
    assert run(due + 25 * HOUR).followed_up == 0
    assert run(due + 5 * MIN + 48 * HOUR).escalated == 1
    action.refresh_from_db()
    assert action.owner == staff.chief
    assert FollowUp.objects.get(reason=FollowUpReason.OVERDUE_ESCALATED).note.startswith(
        "Overdue and not done 48 hours after it was followed up"
    )


@pytest.mark.parametrize("hours", [0, 169])
def test_the_escalation_delay_is_one_hour_to_a_week(org, hours):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    row = CaseworkSettings(force=org, sweep_escalate_after_hours=hours)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert set(refused.value.message_dict) == {"sweep_escalate_after_hours"}
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()  # the database refuses it too (an import, the shell)
    CaseworkSettings(force=org, sweep_escalate_after_hours=168).full_clean()


def test_the_database_keeps_one_overdue_escalation_per_action_and_due_time(staff, plan):
    from django.db import IntegrityError, transaction

    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)

    def escalation(owner):
        return FollowUp(
            action=action,
            reason=FollowUpReason.OVERDUE_ESCALATED,
            due_at=action.due_at,
            raised_at=T0 + DAY,
            owner_key=f"user:{owner.pk}",
        )

    escalation(staff.insp_b).save()
    # Another sweep deciding for another owner (a stale read) cannot add a second one.
    with pytest.raises(IntegrityError), transaction.atomic():
        escalation(staff.chief).save()


def test_a_team_owned_action_whose_whole_team_is_away_days_ahead_goes_up_at_once(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner_team=staff.response, due_in=2 * DAY)
        for person in (staff.insp_a, staff.insp_b, staff.chief):
            leave(person, by=staff.supt)
    # PC Adeyemi is at work then: the team is, and nothing is read or done.
    report = run(T0)
    assert (report.scanned, report.followed_up) == (0, 0)
    staff.pc.is_active = False  # and now his account is switched off
    staff.pc.save()

    report = run(T0)

    assert (report.scanned, report.escalated) == (1, 1)
    action.refresh_from_db()
    # The team's supervisor (Helen Marsh) is away: hers, at work when it falls due.
    assert (action.owner, action.owner_team) == (staff.supt, None)
    follow_up = FollowUp.objects.get(action=action)
    assert (follow_up.reason, follow_up.escalated, follow_up.owner_key) == (
        FollowUpReason.OWNER_ABSENT,
        True,
        f"team:{staff.response.pk}",
    )
    assert follow_up.note.startswith(
        "Escalated from Response policing (nobody in Response policing at work) to Dana Cole"
    )
    assert Notification.objects.filter(
        user=staff.supt, title__startswith="Safety-plan action escalated to you"
    ).exists()
    after = _snapshot()
    assert run(T0).followed_up == 0  # twice: nothing more
    assert run(T0 + HOUR).followed_up == 0
    assert _snapshot() == after


def test_a_team_owned_action_days_ahead_waits_when_someone_is_only_off_shift_then(
    org, persona, staff, plan
):
    # A hub whose two DASOs are: one on leave, one on the hub's rota and off shift at
    # 18:00 on 16 July (day 1 of rota A: 08:00 to 15:00) when the action falls due. She
    # may be on shift by then, or the rota may change: not yet.
    hub = Team.objects.get(code="hub-colchester")
    on_leave = persona("daso", "hub-colchester", first_name="Sam", last_name="Reeve")
    off_shift = persona("daso", "hub-colchester", first_name="Ola", last_name="Banjo")
    due = T0 + 2 * DAY + 8 * HOUR
    with time_machine.travel(T0, tick=False):
        add(plan, staff.daso, owner_team=hub, due_in=due - T0, kind="idva-referral")
        leave(on_leave, by=staff.chief)
    assert not availability.user_at_work(off_shift, due)
    assert run(T0).followed_up == 0
    # Within the short look-ahead, nobody at work is enough.
    assert run(due - 30 * MIN).followed_up == 1


# Once per owner; absences seen days ahead; who is told; neutral words ---------------


def assign_case(plan, user):
    """The case is on `user`'s caseload (test set-up: claiming has its own tests)."""
    case = plan.case
    case.assigned_to = user
    case.save()
    return case


def notes_and_messages() -> str:
    return "\n".join(
        [*FollowUp.objects.values_list("note", flat=True)]
        + [f"{n.title}\n{n.body}" for n in Notification.objects.all()]
    )


def test_an_action_moved_to_someone_who_is_then_away_too_is_followed_up_again_for_them(staff, plan):
    """The review's case: moved from Mark Fenwick (on leave) to Joanna Price, who is then
    recorded sick before it falls due; then Tom Adeyemi, who had it next, goes sick once
    it is overdue. Each owner's absence is followed up, and once it is with someone at
    work nobody is told again, however often the sweep runs."""
    due = T0 + 30 * MIN
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        leave(staff.insp_a, by=staff.chief)
    run(T0)
    action.refresh_from_db()
    assert action.owner == staff.insp_b

    leave(staff.insp_b, by=staff.chief, kind="sickness", starts=T0 + 5 * MIN, ends=T0 + 3 * DAY)
    assert run(T0 + 10 * MIN).moved == 1  # before it falls due
    action.refresh_from_db()
    assert action.owner == staff.pc  # the other inspector is on leave: the PC on duty
    assert FollowUp.objects.filter(owner_key=f"user:{staff.insp_b.pk}").get().note == (
        "Moved from Joanna Price (away until 17 Jul) to Tom Adeyemi, on duty"
    )

    leave(staff.pc, by=staff.chief, kind="sickness", starts=due + 10 * MIN, ends=due + 2 * DAY)
    assert run(due + 15 * MIN).escalated == 1
    action.refresh_from_db()
    assert action.owner == staff.chief
    assert FollowUp.objects.get(owner_key=f"user:{staff.pc.pk}").note == (
        "Escalated from Tom Adeyemi (away until 16 Jul) to Helen Marsh, supervisor: "
        "nobody else on duty"
    )
    told = Notification.objects.count()
    for later in (HOUR, 10 * HOUR):
        assert run(due + later).followed_up == 0
    assert Notification.objects.count() == told
    assert sorted(FollowUp.objects.values_list("owner_key", "reason", "to_key")) == sorted(
        [
            (f"user:{staff.insp_a.pk}", "owner_absent", f"user:{staff.insp_b.pk}"),
            (f"user:{staff.insp_b.pk}", "owner_absent", f"user:{staff.pc.pk}"),
            (f"user:{staff.pc.pk}", "overdue", f"user:{staff.chief.pk}"),
        ]
    )
    assert (
        Notification.objects.filter(
            user=staff.chief, title__startswith="Safety-plan action escalated to you"
        ).count()
        == 1
    )
    assert "sick" not in notes_and_messages().lower()


def test_an_overdue_action_moved_to_someone_at_work_is_not_followed_up_again_for_them(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
    leave(staff.insp_a, by=staff.chief, starts=T0 + 90 * MIN, ends=T0 + 3 * DAY)
    assert run(T0 + 2 * HOUR).moved == 1  # overdue, and its owner away
    action.refresh_from_db()
    assert action.owner == staff.insp_b
    told = Notification.objects.count()
    # Joanna Price was told when she was given it, already overdue: not told again (until
    # it is still not done a day after it fell due, when it goes to her supervisor).
    for later in (5 * MIN, HOUR, 22 * HOUR):
        assert run(T0 + 2 * HOUR + later).followed_up == 0
    assert Notification.objects.count() == told
    assert Notification.objects.filter(user=staff.insp_b).count() == 1


def test_an_action_due_days_ahead_moves_at_the_first_sweep_when_its_owner_will_be_away(
    staff, plan, persona
):
    """A lock change due tomorrow given to an inspector on leave for a month moves at
    once, not an hour before it is due; so does an action whose owner's account is
    switched off. Off shift then waits for the short look-ahead. The absence pass reads
    only the actions it moves."""
    hub_daso = persona("daso", "hub-colchester", first_name="Sam", last_name="Reeve")
    with time_machine.travel(T0, tick=False):
        leave(staff.insp_a, by=staff.chief, starts=T0, ends=T0 + 30 * DAY)
        lock = add(plan, staff.daso, owner=staff.insp_a, due_in=DAY, kind="lock-change")
        later = add(plan, staff.daso, owner=staff.insp_a, due_in=15 * DAY)
        alarm = add(plan, staff.daso, owner=staff.pc, due_in=3 * DAY, kind="panic-alarm")
        # Due at 11:00 tomorrow, day 3 of hub rota A (evenings): off shift then.
        idva = add(plan, staff.daso, owner=hub_daso, due_in=DAY + HOUR, kind="idva-referral")
        add(plan, staff.daso, owner=staff.insp_b, due_in=2 * DAY)  # at work: never read
    staff.pc.is_active = False
    staff.pc.save()

    report = run(T0)

    assert (report.scanned, report.moved) == (2, 2)
    lock.refresh_from_db()
    alarm.refresh_from_db()
    assert (lock.owner, alarm.owner) == (staff.insp_b, staff.insp_b)
    assert FollowUp.objects.get(action=lock).note == (
        "Moved from Mark Fenwick (away until 13 Aug) to Joanna Price, on duty"
    )
    assert FollowUp.objects.get(action=alarm).reason == FollowUpReason.OWNER_INACTIVE
    assert (
        Notification.objects.filter(
            user=staff.insp_b, title__startswith="Safety-plan action moved to you"
        ).count()
        == 2
    )
    for unmoved, owner in ((later, staff.insp_a), (idva, hub_daso)):
        unmoved.refresh_from_db()
        assert unmoved.owner == owner and not unmoved.follow_ups.exists()
    assert run(T0 + 5 * MIN).followed_up == 0
    # Within fourteen days of falling due, the later one moves too.
    assert run(T0 + 2 * DAY).moved == 1
    later.refresh_from_db()
    assert later.owner == staff.insp_b


def test_an_owner_away_now_but_back_before_it_falls_due_keeps_the_action(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=3 * DAY)
        leave(staff.insp_a, by=staff.chief, starts=T0 - DAY, ends=T0 + 2 * DAY)
    assert run(T0).scanned == 0
    action.refresh_from_db()
    assert action.owner == staff.insp_a


def test_a_move_tells_the_new_owner_the_one_it_was_taken_from_and_the_cases_owner(staff, plan):
    assign_case(plan, staff.daso)
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        leave(staff.insp_a, by=staff.chief, kind="sickness")
    Notification.objects.all().delete()

    run(T0)

    what = f"Patrols past the address, case {plan.case.reference}"
    note = "Moved from Mark Fenwick (away until 24 Jul) to Joanna Price, on duty"
    got = {
        n.user: (n.title, n.body, n.url)
        for n in Notification.objects.filter(dedupe_key__startswith="follow-up:")
    }
    body = f"{note}. Due 14 Jul 2026 10:30."
    url = f"/cases/{plan.case_id}/safety-plan/?via=safety_action:{action.pk}#action-{action.pk}"
    assert got == {
        staff.insp_b: (f"Safety-plan action moved to you: {what}", body, url),
        staff.insp_a: (f"Your safety-plan action was moved: {what}", body, url),
        staff.daso: (f"Safety-plan action on your case moved: {what}", body, url),
    }
    assert "sick" not in notes_and_messages().lower()


def test_an_escalation_tells_the_cases_owner_and_nobody_twice(staff, plan):
    # The case is the supervisor's own: she is told once, as the one it goes to.
    assign_case(plan, staff.chief)
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc):
            leave(person, by=staff.chief)
    Notification.objects.all().delete()

    run(T0)

    action.refresh_from_db()
    assert action.owner == staff.chief
    titles = sorted((n.user.username, n.title.split(":")[0]) for n in Notification.objects.all())
    assert titles == [
        ("ci.marsh", "Safety-plan action escalated to you"),
        ("insp.fenwick", "Your safety-plan action was escalated"),
    ]


def test_a_previous_owner_whose_account_is_switched_off_is_not_told(staff, plan):
    assign_case(plan, staff.daso)
    with time_machine.travel(T0, tick=False):
        add(plan, staff.daso, owner=staff.insp_a, due_in=2 * DAY)
    staff.insp_a.is_active = False
    staff.insp_a.save()
    Notification.objects.all().delete()

    assert run(T0).moved == 1

    assert set(Notification.objects.values_list("user__username", "title")) == {
        (
            "insp.price",
            f"Safety-plan action moved to you: Patrols past the address, case "
            f"{plan.case.reference}",
        ),
        (
            "daso.whitmore",
            f"Safety-plan action on your case moved: Patrols past the address, "
            f"case {plan.case.reference}",
        ),
    }


def _snapshot():
    return {
        "follow_ups": sorted(FollowUp.objects.values_list("action_id", "reason", "to_user_id")),
        "history": SafetyAction.history.count(),
        "events": Event.objects.count(),
        "notifications": Notification.objects.count(),
        "owners": sorted(SafetyAction.objects.values_list("pk", "owner_id", "version")),
    }


def _mixed_plan(staff, plan):
    """Six actions: two overdue with the owner at work, two falling due while the owner
    is on leave, one overdue while on leave, one far off with its owner at work."""
    with time_machine.travel(T0 - 3 * HOUR, tick=False):
        for _ in range(2):
            add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
        add(plan, staff.daso, owner=staff.insp_a, due_in=2 * HOUR)
        for minutes in (200, 210):
            add(plan, staff.daso, owner=staff.insp_a, due_in=minutes * MIN)
        add(plan, staff.daso, owner=staff.insp_b, due_in=5 * DAY)
        leave(staff.insp_a, by=staff.chief)


def test_after_hours_without_a_sweep_the_next_one_catches_up_from_the_database(staff, plan):
    """Redis or the workers were down all evening: nothing was queued, nothing is lost."""
    with time_machine.travel(T0, tick=False):
        overdue = [add(plan, staff.daso, owner=staff.insp_b, due_in=n * HOUR) for n in (1, 2)]
        away = add(plan, staff.daso, owner=staff.insp_a, due_in=7 * HOUR + 30 * MIN)
        leave(staff.insp_a, by=staff.chief)
    report = run(T0 + 7 * HOUR)
    assert (report.kept, report.moved) == (2, 1)
    assert all(follow_ups(a) == [FollowUpReason.OVERDUE] for a in overdue)
    away.refresh_from_db()
    assert away.owner == staff.insp_b


def test_running_the_sweep_twice_creates_no_duplicates(staff, plan):
    _mixed_plan(staff, plan)
    first = run(T0, batch_size=2)
    after_first = _snapshot()
    second = run(T0, batch_size=2)

    assert (first.followed_up, first.moved, first.kept) == (5, 3, 2)
    assert second.followed_up == 0
    assert _snapshot() == after_first
    assert FollowUp.objects.count() == 5


def test_batches_walk_every_due_action_once_in_due_order(staff, plan):
    _mixed_plan(staff, plan)
    report = run(T0, batch_size=1)
    assert report.scanned == 5  # the far-off action is never read
    assert report.followed_up == 5


class WorkerKilled(BaseException):
    """Stands in for a worker dying mid-task: not an Exception, so nothing catches it."""


def test_a_sweep_that_dies_half_way_is_finished_by_the_next_without_duplicates(staff, plan):
    _mixed_plan(staff, plan)
    real_apply = sweeping._apply_batch
    calls = {"n": 0}

    def dying_apply(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch of two
            raise WorkerKilled
        return real_apply(*args, **kwargs)

    with (
        mock.patch.object(sweeping, "_apply_batch", dying_apply),
        pytest.raises(WorkerKilled),
    ):
        run(T0, batch_size=2)
    # The first batch committed; the batch that was running left nothing behind.
    assert FollowUp.objects.count() == 2

    # acks_late: the broker delivers the task again (or the next beat runs it).
    run(T0, batch_size=2)

    assert FollowUp.objects.count() == 5
    assert FollowUp.objects.values("action").distinct().count() == 5
    moves = list(SafetyAction.history.filter(history_type="~").values_list("id", flat=True))
    assert len(moves) == len(set(moves)) == 3  # three moved, none twice


def test_one_action_that_fails_does_not_hold_up_the_others(staff, plan):
    _mixed_plan(staff, plan)
    real_messages = sweeping._messages
    first = SafetyAction.objects.order_by("due_at", "pk").first()

    def failing_messages(p, *args, **kwargs):
        if p.action.pk == first.pk:
            raise ValueError("bad data")
        return real_messages(p, *args, **kwargs)

    with mock.patch.object(sweeping, "_messages", failing_messages):
        report = run(T0)
    assert (report.failed, report.followed_up) == (1, 4)
    assert not FollowUp.objects.filter(action=first).exists()
    assert run(T0).followed_up == 1  # tried again next time


def test_the_unique_follow_up_stops_a_duplicate_even_when_the_state_check_misses_it(staff, plan):
    _mixed_plan(staff, plan)
    stale = {a.pk: a for a in SafetyAction.objects.select_related("action_type", "plan__case")}
    run(T0)
    before = _snapshot()
    # As if another worker's work were not yet visible to this one: its follow-ups, and
    # under the lock the actions as they were before it moved them.
    with (
        mock.patch.object(sweeping, "_raised", lambda ids: {}),
        mock.patch.object(sweeping, "_claim", lambda ids: [stale[pk] for pk in ids]),
    ):
        report = run(T0)
    # The three overdue ones look due again (the one moved to Joanna Price is decided as
    # it was, for Mark Fenwick); the two moved ahead of time are with someone at work now
    # and are not even tried.
    assert (report.followed_up, report.skipped) == (0, 3)
    assert _snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_on_postgresql_follow_each_action_up_once(org, persona):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writing transaction at a time: two sweeps cannot overlap there. "
            "Run with DATABASE_URL=postgres://… to test row claiming with SKIP LOCKED."
        )
    from cases.tests.test_safety_services import make_staff

    staff = make_staff(persona)
    with time_machine.travel(T0 - 3 * HOUR, tick=False):
        plan = safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)
        actions = [
            add(plan, staff.daso, owner=staff.insp_a, due_in=(60 + i) * MIN) for i in range(40)
        ]
        leave(staff.insp_a, by=staff.chief)
    safety_services.system_user()
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            barrier.wait()
            reports.append(safety_services.sweep_run(now=T0, batch_size=5))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors, errors
    assert sum(r.followed_up for r in reports) == 40
    per_action = FollowUp.objects.values_list("action_id", flat=True)
    assert sorted(per_action) == sorted(a.pk for a in actions)  # each exactly once
    for action in actions:
        action.refresh_from_db()
        assert action.version == 2  # moved once, never twice
    assert Event.objects.filter(verb=EventVerb.SAFETY_ACTION_REASSIGNED).count() == 40
    assert Notification.objects.filter(title__startswith="Safety-plan action moved").count() == 40


# The walkthrough -----------------------------------------------------------------------


def test_walkthrough_patrols_given_to_an_inspector_on_leave_move_within_one_sweep(
    staff, plan, client
):
    """A DASO agrees a safety plan with patrols past the address assigned to an inspector
    on annual leave; one sweep moves it to an inspector on duty, who is told, and the
    reason is in its history."""
    with time_machine.travel(T0, tick=False):
        leave(staff.insp_a, by=staff.chief, ends=dt.datetime(2026, 12, 3, 8, tzinfo=dt.UTC))
        safety_services.plan_agree(plan=plan, user=staff.daso, agreed_at=T0.date())
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=40 * MIN)

    report = safety_services.sweep_run(now=T0 + 5 * MIN)

    assert report.moved == 1
    action.refresh_from_db()
    assert action.owner == staff.insp_b and action.status == ActionStatus.OPEN
    assert action.history.first().history_change_reason == (
        "Moved from Mark Fenwick (away until 3 Dec) to Joanna Price, on duty"
    )
    note = Notification.objects.get(user=staff.insp_b)
    assert note.title == (
        f"Safety-plan action moved to you: Patrols past the address, case {plan.case.reference}"
    )
    # Joanna Price opens the link and sees the action with the follow-up on it.
    client.force_login(staff.insp_b)
    page = client.get(note.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Patrols past the address" in body
    assert "Moved from Mark Fenwick (away until 3 Dec) to Joanna Price, on duty" in body


def test_the_sweep_does_not_touch_done_actions(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
        safety_services.action_complete(action=action, user=staff.insp_b, note="Done")
    assert run(T0 + 2 * HOUR).scanned == 0


@pytest.mark.django_db
def test_the_demo_data_shows_the_walkthrough_one_sweep_moves_fenwicks_patrols_to_price():
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    action = SafetyAction.objects.get(owner__username="inspector.fenwick")
    assert action.plan.agreed_with_victim_at is not None
    assert action.action_type.code == "patrols"

    safety_services.sweep_run()

    action.refresh_from_db()
    assert action.owner.username == "inspector.price"
    assert action.history.first().history_change_reason.startswith(
        "Moved from Mark Fenwick (away until "
    )
    assert Notification.objects.filter(
        user__username="inspector.price", title__startswith="Safety-plan action moved to you"
    ).exists()
    call_command("seed_demo", stdout=io.StringIO())  # again: no second action for Fenwick
    assert SafetyAction.objects.count() == 1


@pytest.mark.parametrize("kind", ["moved", "kept", "escalated"])
def test_a_catch_up_batch_costs_the_same_statements_for_3_actions_or_30(staff, plan, kind):
    """Follow-ups, moves with their history, events and notifications are written a
    statement per batch, not per action: a catch-up after an outage stays fast. The same
    for overdue actions escalated to a supervisor a day after they fell due."""
    owner = staff.insp_a if kind == "moved" else staff.insp_b
    # Moved and kept: the actions of the rounds before are not escalated in between.
    later = {} if kind == "escalated" else {"escalate_after": 30 * DAY}

    def statements(n: int, at: dt.datetime) -> int:
        if kind == "escalated":
            with time_machine.travel(at - 30 * HOUR, tick=False):
                actions = [add(plan, staff.daso, owner=owner, due_in=HOUR) for _ in range(n)]
            assert run(at - 28 * HOUR).kept == n  # overdue, told, kept by Joanna Price
        else:
            with time_machine.travel(at - 3 * HOUR, tick=False):
                actions = [add(plan, staff.daso, owner=owner, due_in=HOUR) for _ in range(n)]
                if kind == "moved":
                    leave(staff.insp_a, by=staff.chief, starts=at - 4 * HOUR, ends=at + DAY)
        with CaptureQueriesContext(connection) as captured:
            report = run(at, **later)
        assert report.followed_up == n
        expected = staff.chief if kind == "escalated" else staff.insp_b
        assert {
            a.owner_id for a in SafetyAction.objects.filter(pk__in=[a.pk for a in actions])
        } == {expected.pk}
        assert Notification.objects.filter(dedupe_key__startswith="follow-up:").count() >= n
        return len(captured.captured_queries)

    statements(1, T0)  # the first run also makes the system account
    few = statements(3, T0 + 2 * DAY)
    many = statements(30, T0 + 4 * DAY)
    assert many == few, (few, many)
