"""The follow-up sweep's rules, as pure functions over plain data.

For one open safety-plan action the sweep asks two questions:

1. Does it need a follow-up? Yes when it is overdue, or when its owner will not be at
   work when it falls due: away (leave, sickness or any other recorded absence) or an
   account switched off, as soon as the sweep sees it within the absence look-ahead
   (days: known in advance, so a colleague gets time to do it); off shift, within the
   short look-ahead only (the owner may well be on shift by then). A team-owned action
   is at work when anybody in the team is; when every one of its members is away or
   switched off at the due time it is followed up within the absence look-ahead too
   (nobody off shift among them: they may be on shift by then).
   A follow-up is raised once per action, due time, reason and owner: the person or
   team holding the action when it was raised. So an action moved to a colleague is
   followed up again when that colleague is away too, but nobody is told twice for one
   owner: an owner who keeps an overdue action is told once, and one who was given an
   action already overdue has been told it is overdue.
2. What is done about it? An owner at work keeps an overdue action (they and their
   supervisor are told). Otherwise it moves to a colleague at work in the owner's team
   (same rank first, then fewest open actions, then lowest id); when nobody is at work
   it goes to the owner's supervisor, or when the supervisor is away too to the
   supervisor's supervisor, else to the team as a whole. A team-owned action is "at
   work" when anybody in the team is.
3. Still not done? An overdue action kept by someone at work is followed up once, and
   they are told. When it is still open the escalation delay (hours, a force setting)
   after it fell due, counted from when its owner was told it was overdue (the sweep's
   first look after it fell due, or when they were given it already overdue: nobody is
   escalated over with less time than that), it goes to the owner's supervisor (for a
   team's action, the team's), or the next one up, or another supervisor in the team:
   the first at work. Once per action and due time, whoever holds it; with no
   supervisor at work it waits for the next sweep that finds one.

The words say why someone is not at work without saying what kind of absence it is
(sickness is health data): "away until 3 Dec", "off shift", "account switched off".

The database side (`cases.safety_services.sweep_run`) supplies a `World` that answers
who is who and who is away, using `org.availability.user_at_work`, and applies the
decision with history, an event and notifications.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from cases.choices import FollowUpReason

# How far up the supervisor chain an action climbs before going to the team as a whole.
ESCALATION_DEPTH = 2

KEEP = "keep"  # stays with its owner (at work): owner and supervisor are told
MOVE = "move"  # to a colleague at work in the owner's team
ESCALATE_USER = "escalate_user"  # to a supervisor
ESCALATE_TEAM = "escalate_team"  # to the owner's team as a whole

# Reasons known in advance: the owner is away all day whatever the shift, so the action
# is followed up as soon as the sweep sees it (within the absence look-ahead).
ABSENCE_REASONS = frozenset({FollowUpReason.OWNER_ABSENT, FollowUpReason.OWNER_INACTIVE})

# The role whose members in a team an overdue action is escalated to after the chain.
SUPERVISOR_ROLE = "supervisor"
# The action's history says this when it is escalated for being overdue and not done.
OVERDUE_ESCALATED_HISTORY = "Overdue and not done: escalated to supervisor"


@dataclass(frozen=True)
class Staff:
    """What the sweep needs to know about a person."""

    id: int
    name: str
    team_id: int | None = None
    supervisor_id: int | None = None
    roles: frozenset[str] = frozenset()
    rank: str = ""


@dataclass(frozen=True)
class Away:
    """Why someone is not at work at a moment: a follow-up reason and words for people."""

    reason: str  # FollowUpReason.OWNER_ABSENT, OWNER_OFF_SHIFT or OWNER_INACTIVE
    detail: str  # e.g. "away until 3 Dec", "off shift", "account switched off"
    absence_id: int | None = None  # the recorded absence, when it is one


def owner_key(owner_id: int | None, team_id: int | None) -> str:
    """How a follow-up names who held (or was given) an action: "user:12" or "team:3"."""
    return f"user:{owner_id}" if owner_id is not None else f"team:{team_id}"


@dataclass(frozen=True)
class ActionFacts:
    id: int
    due_at: dt.datetime
    owner_id: int | None
    owner_team_id: int | None

    @property
    def owner_key(self) -> str:
        return owner_key(self.owner_id, self.owner_team_id)


@dataclass(frozen=True)
class Raised:
    """A follow-up already raised for the action's current due time."""

    reason: str
    owner_key: str  # who held the action when it was raised
    to_key: str = ""  # who had it afterwards (the same when it stayed; "" if unknown)
    overdue: bool = False  # raised at or after the due time
    at: dt.datetime | None = None  # when it was raised


def raised_for(key: str, raised: Iterable[Raised]) -> set[str]:
    """The reasons already raised for the owner `key`: those raised while they held the
    action, and overdue when they were given it already overdue (they were told then)."""
    reasons = set()
    for r in raised:
        if r.owner_key == key:
            reasons.add(r.reason)
        if r.to_key == key and r.overdue:
            reasons.add(FollowUpReason.OVERDUE)
    return reasons


@dataclass(frozen=True)
class Decision:
    """What to do with one action: the follow-up to raise and where the action goes."""

    reason: str
    check_at: dt.datetime
    kind: str  # KEEP, MOVE, ESCALATE_USER or ESCALATE_TEAM
    note: str
    to_user_id: int | None = None
    to_team_id: int | None = None
    notify_ids: tuple[int, ...] = field(default=())  # told about this action
    # Supervisors told of an overdue action left with someone at work: one message per
    # supervisor per sweep batch lists them all, rather than one per action.
    supervisor_ids: tuple[int, ...] = field(default=())
    # The reason in the action's history when it moves (the note when empty).
    history_reason: str = ""
    # The owner's recorded absence the action moves for, if any.
    absence_id: int | None = None

    @property
    def moves(self) -> bool:
        return self.kind != KEEP

    def to_key(self, held_by: str) -> str:
        """Who has the action after this decision (`held_by` held it before)."""
        if self.kind == ESCALATE_TEAM:
            return owner_key(None, self.to_team_id)
        if self.kind in (MOVE, ESCALATE_USER):
            return owner_key(self.to_user_id, None)
        return held_by


class World(Protocol):
    """The facts the rules read. The database implementation caches per sweep run."""

    def staff(self, user_id: int) -> Staff | None: ...

    def team_members(self, team_id: int) -> list[Staff]:
        """Active members of a team."""
        ...

    def team_name(self, team_id: int) -> str: ...

    def away(self, user_id: int, at: dt.datetime) -> Away | None:
        """None when the person is at work at `at`."""
        ...

    def open_count(self, user_id: int) -> int: ...


# Question 1: does the action need a follow-up? --------------------------------------


def follow_up_trigger(
    *,
    due_at: dt.datetime,
    now: dt.datetime,
    lookahead: dt.timedelta,
    owner_away,
    raised: Iterable[str] = (),
    absence_lookahead: dt.timedelta | None = None,
    escalate_at: dt.datetime | None = None,
) -> tuple[str, dt.datetime, Away | None] | None:
    """(reason, the moment that matters, why the owner is away or None), or None.

    `owner_away(at)` says why the owner is not at work at `at` (None: at work). `raised`
    holds the reasons already raised for this due time and this owner: a reason is
    raised once per owner. An overdue action moved once (reason overdue) can still be
    moved again later for its new owner's absence, under that reason. Within
    `lookahead` any reason counts; beyond it, up to `absence_lookahead`, only an absence
    or a switched-off account (`ABSENCE_REASONS`): off shift then may be on shift later.
    An overdue action followed up already and still open at `escalate_at` is escalated
    (`OVERDUE_ESCALATED`); None: never (no delay set, or escalated already for this due
    time).
    """
    raised = set(raised)
    if due_at <= now:
        away = owner_away(now)
        if FollowUpReason.OVERDUE not in raised:
            return FollowUpReason.OVERDUE, now, away
        if away is not None and away.reason not in raised:
            return away.reason, now, away
        if escalate_at is not None and escalate_at <= now:
            return FollowUpReason.OVERDUE_ESCALATED, now, away
        return None
    if due_at <= now + lookahead:
        away = owner_away(due_at)
        if away is not None and away.reason not in raised:
            return away.reason, due_at, away
        return None
    if absence_lookahead is not None and due_at <= now + absence_lookahead:
        away = owner_away(due_at)
        if away is not None and away.reason in ABSENCE_REASONS and away.reason not in raised:
            return away.reason, due_at, away
    return None


def team_away(
    members: list[Staff], away, at: dt.datetime, team: str, *, absent_only: bool = False
) -> Away | None:
    """A team is at work when anybody in it is. Otherwise: inactive when it has nobody
    active, absent when someone would be on shift but is away, else off shift.

    `absent_only` (days ahead, where off shift does not count): away only when every
    member is away or switched off then; a member merely off shift may be on shift by
    then, or the rota may change."""
    if not members:
        return Away(FollowUpReason.OWNER_INACTIVE, f"nobody active in {team}")
    reasons = []
    for member in members:
        why = away(member.id, at)
        if why is None:
            return None
        if absent_only and why.reason not in ABSENCE_REASONS:
            return None
        reasons.append(why.reason)
    if FollowUpReason.OWNER_ABSENT in reasons or absent_only:
        return Away(FollowUpReason.OWNER_ABSENT, f"nobody in {team} at work")
    return Away(FollowUpReason.OWNER_OFF_SHIFT, f"nobody in {team} on shift")


# Question 2: where does it go? -------------------------------------------------------


def choose_colleague(
    *,
    owner: Staff,
    candidates: Iterable[Staff],
    at_work,
    open_count,
) -> Staff | None:
    """A colleague at work who does the owner's job (shares a role, when the owner has
    any): same rank first, then fewest open actions, then lowest id."""
    pool = [
        c for c in candidates if c.id != owner.id and (not owner.roles or owner.roles & c.roles)
    ]
    pool.sort(key=lambda c: (c.rank != owner.rank, open_count(c.id), c.id))
    # In order of preference, the first at work: asks about as few people as it can.
    return next((c for c in pool if at_work(c.id)), None)


def supervisor_chain(world: World, first_id: int | None, exclude: set[int]) -> list[Staff]:
    """The supervisor and their supervisor (ESCALATION_DEPTH levels), skipping loops."""
    chain: list[Staff] = []
    seen = set(exclude)
    next_id = first_id
    while next_id is not None and next_id not in seen and len(chain) < ESCALATION_DEPTH:
        person = world.staff(next_id)
        if person is None:
            break
        chain.append(person)
        seen.add(person.id)
        next_id = person.supervisor_id
    return chain


def team_lead_id(members: list[Staff]) -> int | None:
    """The supervisor of most of a team's members (lowest id on a tie): whom a team-owned
    action escalates to."""
    counts = Counter(m.supervisor_id for m in members if m.supervisor_id is not None)
    if not counts:
        return None
    return min(counts, key=lambda sid: (-counts[sid], sid))


def _escalate(
    *,
    world: World,
    reason: str,
    at: dt.datetime,
    from_text: str,
    first_supervisor_id: int | None,
    exclude: set[int],
    team_id: int | None,
    notify_when_stuck: tuple[int, ...],
    stuck_note: str,
) -> Decision:
    """Nobody in the team is at work: up the supervisor chain, else the team."""
    chain = supervisor_chain(world, first_supervisor_id, exclude)
    skipped: list[str] = []
    for level, supervisor in enumerate(chain):
        why = world.away(supervisor.id, at)
        if why is None:
            role = "supervisor" if level == 0 else f"{chain[0].name}'s supervisor"
            also = f"; {', '.join(skipped)}" if skipped else ""
            return Decision(
                reason=reason,
                check_at=at,
                kind=ESCALATE_USER,
                to_user_id=supervisor.id,
                notify_ids=(supervisor.id,),
                note=f"Escalated from {from_text} to {supervisor.name}, {role}: nobody else "
                f"on duty{also}",
            )
        skipped.append(f"{supervisor.name} {why.detail}")
    if team_id is not None:
        members = world.team_members(team_id)
        ids = tuple(sorted({m.id for m in members} | {s.id for s in chain}))
        also = f" ({', '.join(skipped)})" if skipped else ""
        return Decision(
            reason=reason,
            check_at=at,
            kind=ESCALATE_TEAM,
            to_team_id=team_id,
            notify_ids=ids,
            note=f"Escalated from {from_text} to {world.team_name(team_id)} as a whole: nobody "
            f"on duty and no supervisor at work{also}",
        )
    return Decision(
        reason=reason,
        check_at=at,
        kind=KEEP,
        notify_ids=tuple(sorted(set(notify_when_stuck) | {s.id for s in chain})),
        note=stuck_note,
    )


def decide(
    action: ActionFacts,
    *,
    world: World,
    now: dt.datetime,
    lookahead: dt.timedelta,
    absence_lookahead: dt.timedelta | None = None,
    escalate_after: dt.timedelta | None = None,
    raised: Iterable[Raised] = (),
) -> Decision | None:
    """The follow-up an open action needs now, and where it goes; None if it needs none.
    `raised`: the follow-ups raised for its due time, whoever held it; only those for
    its owner now count, except an escalation for being overdue and not done, which is
    once per due time whoever held it. `escalate_after`: how long after it fell due,
    and after its owner was told so, an overdue action still open goes to a supervisor
    (None: never)."""
    raised = list(raised)
    reasons = raised_for(action.owner_key, raised)
    trigger_args = {
        "due_at": action.due_at,
        "now": now,
        "lookahead": lookahead,
        "absence_lookahead": absence_lookahead,
        "escalate_at": escalate_at(action, raised, escalate_after),
        "raised": reasons,
    }
    if action.owner_id is not None:
        return _decide_person(action, world, trigger_args, escalate_after)
    if action.owner_team_id is not None:
        return _decide_team(action, world, trigger_args, escalate_after)
    return None


def escalate_at(
    action: ActionFacts, raised: list[Raised], after: dt.timedelta | None
) -> dt.datetime | None:
    """When an overdue action still open goes to a supervisor: `after` its due time, and
    `after` its owner now was told it was overdue (an overdue follow-up while they held
    it, or given it already overdue), whichever is later: a sweep catching up after an
    outage, or a colleague given it late, leaves them that long too. None: never (no
    delay, or escalated already for this due time, whoever held it)."""
    if after is None or any(r.reason == FollowUpReason.OVERDUE_ESCALATED for r in raised):
        return None
    key = action.owner_key
    told = [
        r.at
        for r in raised
        if r.at is not None
        and (
            (r.owner_key == key and r.reason == FollowUpReason.OVERDUE)
            or (r.to_key == key and r.overdue)
        )
    ]
    return max([action.due_at, *told]) + after


def _hours(delta: dt.timedelta | None) -> str:
    hours = round(delta.total_seconds() / 3600) if delta else 0
    return "1 hour" if hours == 1 else f"{hours} hours"


def _escalate_overdue(
    *,
    world: World,
    at: dt.datetime,
    from_text: str,
    first_supervisor_id: int | None,
    team_id: int | None,
    exclude: set[int],
    after: dt.timedelta | None,
) -> Decision | None:
    """Overdue and still not done: to the first at work of the supervisor chain, then
    the supervisors in the team (lowest id first). None when none is at work: the next
    sweep tries again."""
    chain = supervisor_chain(world, first_supervisor_id, exclude)
    seen = exclude | {s.id for s in chain}
    others = []
    if team_id is not None:
        others = sorted(
            (
                m
                for m in world.team_members(team_id)
                if SUPERVISOR_ROLE in m.roles and m.id not in seen
            ),
            key=lambda m: m.id,
        )
    for level, supervisor in enumerate([*chain, *others]):
        if world.away(supervisor.id, at) is not None:
            continue
        if level == 0:
            role = "supervisor"
        elif level < len(chain):
            role = f"{chain[0].name}'s supervisor"
        else:
            role = "a supervisor in the team"
        return Decision(
            reason=FollowUpReason.OVERDUE_ESCALATED,
            check_at=at,
            kind=ESCALATE_USER,
            to_user_id=supervisor.id,
            notify_ids=(supervisor.id,),
            note=f"Overdue and not done {_hours(after)} after it was followed up: escalated "
            f"from {from_text} to {supervisor.name}, {role}",
            history_reason=OVERDUE_ESCALATED_HISTORY,
        )
    return None


def _decide_person(action, world: World, trigger_args: dict, after) -> Decision | None:
    owner = world.staff(action.owner_id)
    if owner is None:
        return None
    trigger = follow_up_trigger(owner_away=lambda at: world.away(owner.id, at), **trigger_args)
    if trigger is None:
        return None
    reason, at, away = trigger
    if reason == FollowUpReason.OVERDUE_ESCALATED:
        return _escalate_overdue(
            world=world,
            at=at,
            from_text=f"{owner.name} ({away.detail})" if away else owner.name,
            first_supervisor_id=owner.supervisor_id,
            team_id=owner.team_id,
            exclude={owner.id},
            after=after,
        )
    if away is None:
        supervisor = world.staff(owner.supervisor_id) if owner.supervisor_id else None
        told = f" and {supervisor.name}, their supervisor" if supervisor else ""
        return Decision(
            reason=reason,
            check_at=at,
            kind=KEEP,
            notify_ids=(owner.id,),
            supervisor_ids=(supervisor.id,) if supervisor else (),
            note=f"Overdue: {owner.name} is at work and keeps it; told {owner.name}{told}",
        )
    from_text = f"{owner.name} ({away.detail})"
    decision = None
    if owner.team_id is not None:
        colleague = choose_colleague(
            owner=owner,
            candidates=world.team_members(owner.team_id),
            at_work=lambda uid: world.away(uid, at) is None,
            open_count=world.open_count,
        )
        if colleague is not None:
            decision = Decision(
                reason=reason,
                check_at=at,
                kind=MOVE,
                to_user_id=colleague.id,
                notify_ids=(colleague.id,),
                note=f"Moved from {from_text} to {colleague.name}, on duty",
            )
    if decision is None:
        decision = _escalate(
            world=world,
            reason=reason,
            at=at,
            from_text=from_text,
            first_supervisor_id=owner.supervisor_id,
            exclude={owner.id},
            team_id=owner.team_id,
            notify_when_stuck=(owner.id,),
            stuck_note=f"Stays with {from_text}: no team to move it to and no supervisor at work",
        )
    if away.absence_id is not None:
        decision = replace(decision, absence_id=away.absence_id)
    return decision


def _decide_team(action, world: World, trigger_args: dict, after) -> Decision | None:
    """A team-owned action: away when nobody in the team is at work; days ahead (the
    absence look-ahead), only when every member is away or switched off then."""
    team_id = action.owner_team_id
    name = world.team_name(team_id)
    members = world.team_members(team_id)
    soon = trigger_args["now"] + trigger_args["lookahead"]
    trigger = follow_up_trigger(
        owner_away=lambda at: team_away(members, world.away, at, name, absent_only=at > soon),
        **trigger_args,
    )
    if trigger is None:
        return None
    reason, at, away = trigger
    lead_id = team_lead_id(members)
    if reason == FollowUpReason.OVERDUE_ESCALATED:
        return _escalate_overdue(
            world=world,
            at=at,
            from_text=name,
            first_supervisor_id=lead_id,
            team_id=team_id,
            exclude=set(),
            after=after,
        )
    if away is None:
        # The team's supervisor is told; without one, the first member at work.
        if lead_id is not None:
            return Decision(
                reason=reason,
                check_at=at,
                kind=KEEP,
                supervisor_ids=(lead_id,),
                note=f"Overdue: {name} has people at work and keeps it; told the team's supervisor",
            )
        first = next(m.id for m in members if world.away(m.id, at) is None)
        return Decision(
            reason=reason,
            check_at=at,
            kind=KEEP,
            notify_ids=(first,),
            note=f"Overdue: {name} has people at work and keeps it; told someone on duty",
        )
    return _escalate(
        world=world,
        reason=reason,
        at=at,
        from_text=f"{name} ({away.detail})",
        first_supervisor_id=lead_id,
        exclude=set(),
        team_id=None,  # it is the team's already
        notify_when_stuck=tuple(m.id for m in members),
        stuck_note=f"Stays with {name} ({away.detail}): no supervisor at work; told the team",
    )
