"""The follow-up sweep on the database: applies the pure rules of `cases.sweep`, in
batches, safe to run twice or on two workers at once.

Three passes, none reading every open action:

1. the open actions due by the short look-ahead (overdue, or due within the hour), on
   the partial index of open actions in due order (an overdue one still open the
   escalation delay after it fell due and after its owner was told goes to a
   supervisor, once per due time);
2. the open actions due later, within the absence look-ahead (days), of the few owners
   who will be away when they fall due (a recorded absence covering the due time) or
   whose account is switched off, on the (owner, status) index;
3. the open actions due then held by a team as a whole, of the few teams whose every
   active member has an absence within the look-ahead (or who have nobody active), when
   none of them is left without an absence covering the due time.

Cancelled absences (recorded by mistake) count for none of them.

Follow-ups already raised are read per action and due time and matched to the owner now
(`cases.sweep.raised_for`); the follow-up is unique per action, due time, reason and
owner, so a run that got there first makes a second one's insert fail, not duplicate.
A move or an escalation tells, in the same batch of messages, whom it went to, the one
it was taken from and the case's owner (each once).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from cases import safety_selectors as selectors
from cases import sweep
from cases.choices import ActionStatus, FollowUpReason
from cases.event_verbs import EventVerb
from cases.models import CaseworkSettings, FollowUp, SafetyAction
from cases.safety_services.common import (
    action_url,
    action_what,
    local_when,
    staff_name,
    system_user,
)
from dasapp.events import events_record_many
from dasapp.models import Event, User
from dasapp.notify import Message, notify_many
from dasapp.roles import ALL_ROLES
from org import availability
from org.models import Absence, Team

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500


# The sweep -----------------------------------------------------------------------------


@dataclass
class SweepReport:
    """What one sweep did."""

    scanned: int = 0
    followed_up: int = 0
    moved: int = 0
    escalated: int = 0
    kept: int = 0
    skipped: int = 0  # held by another worker, or followed up by it first
    failed: int = 0
    seconds: float = 0.0


class _DbWorld:
    """`cases.sweep.World` on the database, with every answer cached for one run.

    Whether someone is at work is `org.availability.user_at_work` (the one rule); this
    class adds why not, for the follow-up's words. The plain "no"s of that rule (an
    account switched off, an absence, a shift pattern not covering the moment) are read
    from what the run has loaded, with `availability`'s own functions, so looking for a
    colleague at work days ahead does not ask the database once per person and minute;
    every "yes" is `user_at_work`'s.
    """

    _related = ("profile__shift_pattern", "profile__team__shift_pattern", "profile__team")
    _prefetch = ("groups", "profile__shift_pattern__slots", "profile__team__shift_pattern__slots")

    def __init__(self, *, start: dt.datetime, end: dt.datetime):
        self._window = (start, end)  # every moment the run asks about is in here
        self._absences: dict[int, list[Absence]] = {}
        self._users: dict[int, User | None] = {}
        self._staff: dict[int, sweep.Staff | None] = {}
        self._teams: dict[int, list[sweep.Staff]] = {}
        self._team_names: dict[int, str] = {}
        self._away: dict[tuple[int, dt.datetime], sweep.Away | None] = {}
        self._open: dict[int, int] = {}
        self._slots: dict[int, list[availability.Slot]] = {}

    def _remember(self, users) -> None:
        for user in users:
            self._users[user.pk] = user
            profile = getattr(user, "profile", None)
            self._staff[user.pk] = sweep.Staff(
                id=user.pk,
                name=staff_name(user),
                team_id=profile.team_id if profile else None,
                supervisor_id=profile.supervisor_id if profile else None,
                roles=frozenset(g.name for g in user.groups.all()) & ALL_ROLES,
                rank=profile.rank if profile else "",
            )

    def load(self, user_ids) -> None:
        missing = {i for i in user_ids if i is not None and i not in self._users}
        if not missing:
            return
        users = (
            User.objects.filter(pk__in=missing)
            .select_related(*self._related)
            .prefetch_related(*self._prefetch)
        )
        self._remember(users)
        self._load_absences(missing)
        for user_id in missing - set(self._users):
            self._users[user_id] = None
            self._staff[user_id] = None

    def _load_absences(self, user_ids) -> None:
        """Absences overlapping the run's window, to say why someone is away (whether
        they are is `user_at_work`'s answer)."""
        start, end = self._window
        for user_id in user_ids:
            self._absences.setdefault(user_id, [])
        rows = (
            Absence.objects.in_force()
            .filter(user_id__in=list(user_ids), starts_at__lte=end, ends_at__gt=start)
            .order_by("-ends_at")
        )
        for absence in rows:
            self._absences[absence.user_id].append(absence)

    def user(self, user_id: int) -> User | None:
        self.load([user_id])
        return self._users[user_id]

    def staff(self, user_id: int) -> sweep.Staff | None:
        self.load([user_id])
        return self._staff[user_id]

    def team_members(self, team_id: int) -> list[sweep.Staff]:
        if team_id not in self._teams:
            users = list(
                User.objects.filter(profile__team_id=team_id, is_active=True)
                .select_related(*self._related)
                .prefetch_related(*self._prefetch)
                .order_by("pk")
            )
            self._remember(users)
            self._load_absences([u.pk for u in users if u.pk not in self._absences])
            self._teams[team_id] = [self._staff[u.pk] for u in users]
            counts = selectors.open_action_counts([u.pk for u in users])
            for user in users:
                self._open.setdefault(user.pk, counts.get(user.pk, 0))
        return self._teams[team_id]

    def team_name(self, team_id: int) -> str:
        if team_id not in self._team_names:
            team = Team.objects.filter(pk=team_id).first()
            self._team_names[team_id] = team.name if team else f"team {team_id}"
        return self._team_names[team_id]

    def open_count(self, user_id: int) -> int:
        if user_id not in self._open:
            self._open[user_id] = selectors.open_action_counts([user_id]).get(user_id, 0)
        return self._open[user_id]

    def moved(self, from_id: int | None, to_id: int | None) -> None:
        if from_id is not None:
            self._open[from_id] = max(self.open_count(from_id) - 1, 0)
        if to_id is not None:
            self._open[to_id] = self.open_count(to_id) + 1

    def away(self, user_id: int, at: dt.datetime) -> sweep.Away | None:
        # Asked to the minute: shifts and absences are set in minutes, and it lets actions
        # falling due in the same minute share one answer.
        at = at.replace(second=0, microsecond=0)
        key = (user_id, at)
        if key not in self._away:
            self._away[key] = self._why_away(user_id, at)
        return self._away[key]

    def _why_away(self, user_id: int, at: dt.datetime) -> sweep.Away | None:
        user = self.user(user_id)
        if user is None:
            return sweep.Away(FollowUpReason.OWNER_INACTIVE, "no such account")
        absence = next(
            (a for a in self._absences.get(user_id, ()) if a.starts_at <= at < a.ends_at), None
        )
        if (
            user.is_active
            and absence is None
            and self._on_shift(user, at)
            and availability.user_at_work(user, at)
        ):
            return None
        if not user.is_active:
            return sweep.Away(FollowUpReason.OWNER_INACTIVE, "account switched off")
        if absence is not None:
            # The same words for every kind: sickness is health data, and the note and
            # messages are read by colleagues.
            until = availability.local(absence.ends_at)
            return sweep.Away(
                FollowUpReason.OWNER_ABSENT, f"away until {until:%-d %b}", absence_id=absence.pk
            )
        return sweep.Away(FollowUpReason.OWNER_OFF_SHIFT, self._off_shift(user, at))

    def _pattern_slots(self, user):
        """The person's shift pattern (their own, else their team's) and its slots, or
        (None, None)."""
        profile = getattr(user, "profile", None)
        pattern = profile.effective_shift_pattern if profile else None
        if pattern is None:
            return None, None
        if pattern.pk not in self._slots:
            self._slots[pattern.pk] = availability.slots_of(pattern)
        return pattern, self._slots[pattern.pk]

    def _on_shift(self, user, at: dt.datetime) -> bool:
        """Whether the person's shift pattern covers `at` (no pattern: yes)."""
        pattern, slots = self._pattern_slots(user)
        if pattern is None:
            return True
        return availability.pattern_covers(
            slots=slots,
            cycle_start=pattern.cycle_start,
            cycle_days=pattern.cycle_days,
            at_local=availability.local(at),
        )

    def _off_shift(self, user, at: dt.datetime) -> str:
        pattern, slots = self._pattern_slots(user)
        if pattern is None:
            return "off shift"
        start = availability.next_start(
            slots=slots,
            cycle_start=pattern.cycle_start,
            cycle_days=pattern.cycle_days,
            after_local=availability.local(at),
        )
        return f"off shift until {start:%H:%M on %-d %b}" if start else "off shift"


def _setting(name: str) -> int:
    """A force's sweep setting (the largest, if there are several forces)."""
    value = CaseworkSettings.objects.aggregate(m=Max(name))["m"]
    if value is None:
        value = CaseworkSettings._meta.get_field(name).default
    return value


def sweep_lookahead() -> dt.timedelta:
    """How soon before an action falls due its owner being off shift then counts."""
    return dt.timedelta(minutes=_setting("sweep_lookahead_minutes"))


def sweep_absence_lookahead() -> dt.timedelta:
    """How far ahead an owner's absence (or switched-off account) at the due time counts."""
    return dt.timedelta(days=_setting("sweep_absence_lookahead_days"))


def sweep_escalate_after() -> dt.timedelta:
    """How long after an overdue action fell due, still open, it goes to a supervisor."""
    return dt.timedelta(hours=_setting("sweep_escalate_after_hours"))


def _facts(action) -> sweep.ActionFacts:
    return sweep.ActionFacts(
        id=action.id,
        due_at=action.due_at,
        owner_id=action.owner_id,
        owner_team_id=action.owner_team_id,
    )


def _raised(action_ids) -> dict[tuple[int, dt.datetime], list[sweep.Raised]]:
    """The follow-ups raised for each action and due time, whoever held it then."""
    raised: dict[tuple[int, dt.datetime], list[sweep.Raised]] = {}
    rows = FollowUp.objects.filter(action_id__in=list(action_ids)).values_list(
        "action_id", "due_at", "reason", "owner_key", "to_key", "raised_at"
    )
    for action_id, due_at, reason, owner_key, to_key, raised_at in rows:
        raised.setdefault((action_id, due_at), []).append(
            sweep.Raised(reason, owner_key, to_key, overdue=raised_at >= due_at, at=raised_at)
        )
    return raised


TITLES = {
    sweep.MOVE: "Safety-plan action moved to you",
    sweep.ESCALATE_USER: "Safety-plan action escalated to you",
    sweep.ESCALATE_TEAM: "Safety-plan action for your team",
    sweep.KEEP: "Safety-plan action overdue",
}
# For the one it was taken from, and for the case's owner, when it moves.
FROM_TITLES = {
    sweep.MOVE: "Your safety-plan action was moved",
    sweep.ESCALATE_USER: "Your safety-plan action was escalated",
    sweep.ESCALATE_TEAM: "Your safety-plan action was escalated",
}
CASE_TITLES = {
    sweep.MOVE: "Safety-plan action on your case moved",
    sweep.ESCALATE_USER: "Safety-plan action on your case escalated",
    sweep.ESCALATE_TEAM: "Safety-plan action on your case escalated",
}


@dataclass
class _Planned:
    """One claimed action and what the rules decided for it."""

    action: SafetyAction
    decision: sweep.Decision
    old_owner_id: int | None
    old_team_id: int | None

    @property
    def case_id(self) -> int:
        return self.action.plan.case_id

    @property
    def case_owner_id(self) -> int | None:
        return self.action.plan.case.assigned_to_id

    @property
    def owner_key(self) -> str:
        """Who held the action when the follow-up was raised."""
        return sweep.owner_key(self.old_owner_id, self.old_team_id)


def _follow_up(p: _Planned, now: dt.datetime) -> FollowUp:
    return FollowUp(
        action=p.action,
        reason=p.decision.reason,
        due_at=p.action.due_at,
        raised_at=now,
        from_user_id=p.old_owner_id,
        to_user_id=p.decision.to_user_id if p.decision.moves else p.old_owner_id,
        escalated=p.decision.kind in (sweep.ESCALATE_USER, sweep.ESCALATE_TEAM),
        owner_key=p.owner_key,
        to_key=p.decision.to_key(p.owner_key),
        note=p.decision.note,
        absence_id=p.decision.absence_id,
    )


def _move(p: _Planned, system: User) -> SafetyAction:
    """Give the action to its new owner (not yet saved), with the reason for its history."""
    action, decision = p.action, p.decision
    if decision.kind == sweep.ESCALATE_TEAM:
        action.owner_id, action.owner_team_id = None, decision.to_team_id
    else:
        action.owner_id, action.owner_team_id = decision.to_user_id, None
    action.version += 1
    action._history_user = system
    action._change_reason = decision.history_reason or decision.note
    return action


def _save_moves(planned: list[_Planned], system: User) -> None:
    """The moved actions and their history rows (who: the system; why: the decision's
    note), one statement each, not a save per action."""
    moved = [_move(p, system) for p in planned if p.decision.moves]
    if moved:
        bulk_update_with_history(
            moved,
            SafetyAction,
            ["owner", "owner_team", "version"],
            default_user=system,
        )


def _event(p: _Planned, system: User, now: dt.datetime) -> Event:
    action, decision = p.action, p.decision
    return Event(
        at=now,
        verb=EventVerb.SAFETY_ACTION_REASSIGNED
        if decision.kind == sweep.MOVE
        else EventVerb.SAFETY_ACTION_ESCALATED,
        actor=system,
        case_id=p.case_id,
        old={"owner": p.old_owner_id, "owner_team": p.old_team_id},
        new={
            "action": action.pk,
            "owner": action.owner_id,
            "owner_team": action.owner_team_id,
            "follow_up": decision.reason,
            "moved": decision.moves,
        },
        reason=decision.note,
    )


def _recipients(p: _Planned) -> list[tuple[int, str]]:
    """Whom to tell about one follow-up, each once, with the title's start: whom the
    decision names; when it moves, also the one it was taken from and the case's owner
    (the DASO it is assigned to)."""
    kind = p.decision.kind
    told: dict[int, str] = dict.fromkeys(p.decision.notify_ids, TITLES[kind])
    if p.decision.moves:
        for user_id, title in ((p.old_owner_id, FROM_TITLES), (p.case_owner_id, CASE_TITLES)):
            if user_id is not None:
                told.setdefault(user_id, title[kind])
    return list(told.items())


def _messages(p: _Planned, world: _DbWorld) -> list[Message]:
    """The messages about one follow-up (in the app, and by email after commit), once
    per follow-up: per action, due time, reason and owner. Nobody switched off."""
    action = p.action
    what = action_what(action, p.case_id)
    body = f"{p.decision.note}. Due {local_when(action.due_at)}."
    key = (
        f"follow-up:{action.pk}:{p.decision.reason}:{int(action.due_at.timestamp())}:{p.owner_key}"
    )
    url = action_url(action, p.case_id)
    messages = []
    for user_id, title in _recipients(p):
        user = world.user(user_id)
        if user is not None and user.is_active:
            messages.append(
                Message(user=user, title=f"{title}: {what}", body=body, url=url, dedupe_key=key)
            )
    return messages


def _supervisor_messages(planned: list[_Planned], world: _DbWorld) -> list[Message]:
    """One message to each supervisor listing the overdue actions of their people that
    stay with them (owner at work): a catch-up sweep must not bury a supervisor under a
    message per action. Names staff and cases, never the victim."""
    by_supervisor: dict[int, list[_Planned]] = {}
    for p in planned:
        for supervisor_id in p.decision.supervisor_ids:
            by_supervisor.setdefault(supervisor_id, []).append(p)
    messages = []
    for supervisor_id, items in by_supervisor.items():
        supervisor = world.user(supervisor_id)
        if supervisor is None or not supervisor.is_active:
            continue
        first = items[0]
        if len(items) == 1:
            title = f"Safety-plan action overdue: {action_what(first.action, first.case_id)}"
        else:
            title = f"{len(items)} safety-plan actions overdue among your people"
        lines = [
            f"{action_what(p.action, p.case_id)}, {_owner_name(world, p)}, "
            f"due {local_when(p.action.due_at)}"
            for p in items[:20]
        ]
        if len(items) > 20:
            lines.append(f"and {len(items) - 20} more")
        messages.append(
            Message(
                user=supervisor,
                title=title,
                body="Overdue; the owner is at work and keeps it:\n" + "\n".join(lines),
                url=action_url(first.action, first.case_id),
                dedupe_key=f"overdue:{supervisor_id}:{first.action.pk}:"
                f"{int(first.action.due_at.timestamp())}:{first.owner_key}",
            )
        )
    return messages


def _owner_name(world: _DbWorld, p: _Planned) -> str:
    if p.old_owner_id is not None:
        staff = world.staff(p.old_owner_id)
        return staff.name if staff else "their owner"
    return world.team_name(p.old_team_id)


def _apply(planned: list[_Planned], *, now, system, world) -> None:
    """Follow-ups, moves with their history, events and messages: a statement or two
    each, whatever the number of actions (a catch-up sweep after an outage may have
    thousands)."""
    world.load(user_id for p in planned for user_id, _ in _recipients(p))  # one query
    messages = [m for p in planned for m in _messages(p, world)]
    messages += _supervisor_messages(planned, world)
    FollowUp.objects.bulk_create([_follow_up(p, now) for p in planned])
    _save_moves(planned, system)
    events_record_many([_event(p, system, now) for p in planned])
    notify_many(messages)


def _apply_batch(planned: list[_Planned], *, now, system, world) -> None:
    """The fast path: the whole batch at once."""
    _apply(planned, now=now, system=system, world=world)


def _apply_one(p: _Planned, *, now, system, world) -> None:
    """The slow path, for one action inside its own savepoint."""
    _apply([p], now=now, system=system, world=world)


def _count(report: SweepReport, decision: sweep.Decision) -> None:
    report.followed_up += 1
    if decision.kind == sweep.MOVE:
        report.moved += 1
    elif decision.kind in (sweep.ESCALATE_USER, sweep.ESCALATE_TEAM):
        report.escalated += 1
    else:
        report.kept += 1


def _claim(ids) -> list[SafetyAction]:
    """Lock the open actions among `ids`. Another worker's rows are skipped, not waited
    for (PostgreSQL); SQLite runs one writing transaction at a time, so the re-check
    under the lock is what counts there."""
    return list(
        SafetyAction.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=list(ids), status=ActionStatus.OPEN)
        .select_related("action_type", "plan__case")
        .order_by("due_at", "pk")
    )


def _sweep_batch(rows, *, world, now, lookaheads, system, report: SweepReport) -> None:
    """`lookaheads`: the short one, the absence one and the escalation delay, for
    `cases.sweep.decide`."""
    lookahead, absence_lookahead, escalate_after = lookaheads

    def decide(action, raised) -> sweep.Decision | None:
        return sweep.decide(
            _facts(action),
            world=world,
            now=now,
            lookahead=lookahead,
            absence_lookahead=absence_lookahead,
            escalate_after=escalate_after,
            raised=raised.get((action.id, action.due_at), ()),
        )

    raised = _raised(r.id for r in rows)
    world.load(r.owner_id for r in rows)
    wanted = [r.id for r in rows if decide(r, raised)]
    if not wanted:
        return
    with transaction.atomic():
        locked = _claim(wanted)
        report.skipped += len(wanted) - len(locked)
        raised = _raised(a.pk for a in locked)  # fresh, under the lock
        planned: list[_Planned] = []
        for action in locked:
            decision = decide(action, raised)
            if decision is None:  # another run dealt with it since we looked
                report.skipped += 1
                continue
            if decision.moves:
                world.moved(action.owner_id, decision.to_user_id)
            planned.append(_Planned(action, decision, action.owner_id, action.owner_team_id))
        if not planned:
            return
        try:
            with transaction.atomic():
                _apply_batch(planned, now=now, system=system, world=world)
        except (OperationalError, InterfaceError):
            raise  # the database is going away: let the task retry
        except Exception:
            # A duplicate follow-up (the unique constraint caught a run that got there
            # first) or one bad action: nothing of the batch was kept. Go again one
            # action at a time, so the others still go through.
            logger.warning("Safety-action sweep: batch failed, retrying one by one", exc_info=True)
            _one_by_one(planned, now=now, system=system, world=world, report=report)
            return
        for p in planned:
            _count(report, p.decision)


def _one_by_one(planned, *, now, system, world, report: SweepReport) -> None:
    fresh = SafetyAction.objects.select_related("action_type", "plan__case").in_bulk(
        [p.action.pk for p in planned]
    )
    for p in planned:
        p = _Planned(fresh[p.action.pk], p.decision, p.old_owner_id, p.old_team_id)
        try:
            with transaction.atomic():
                _apply_one(p, now=now, system=system, world=world)
        except IntegrityError:
            report.skipped += 1  # its follow-up exists: another run raised it
            continue
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            # One bad action must not hold up the rest; it is tried again next run.
            logger.exception("Safety-action sweep: action %s failed", p.action.pk)
            report.failed += 1
            continue
        _count(report, p.decision)


def _pages(queryset, batch_size: int):
    """Open actions of `queryset` a batch at a time, in (due time, id) order, each page
    starting after the last one read (keyset, not offset)."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            page = page.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
        rows = list(
            page.order_by("due_at", "pk").values_list(
                "id", "due_at", "owner_id", "owner_team_id", named=True
            )[:batch_size]
        )
        if not rows:
            return
        yield rows
        after = (rows[-1].due_at, rows[-1].id)


def _due_soon(horizon: dt.datetime):
    """Pass 1: open actions due by the short look-ahead, on the open-actions index."""
    return SafetyAction.objects.filter(status=ActionStatus.OPEN, due_at__lte=horizon)


def _owner_away_later(now: dt.datetime, horizon: dt.datetime, far: dt.datetime):
    """Pass 2: open actions due after the short look-ahead and by `far`, held by someone
    who will be away when they fall due (an absence covering the due time) or whose
    account is switched off. Found from the owners, a small set, on the (owner, status)
    index: not a scan of every open action. None when there are no such owners."""
    absent = set(
        Absence.objects.in_force()
        .filter(starts_at__lte=far, ends_at__gt=now)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    switched_off = set(
        SafetyAction.objects.filter(status=ActionStatus.OPEN, owner__is_active=False)
        .order_by()
        .values_list("owner_id", flat=True)
        .distinct()
    )
    owners = absent | switched_off
    if not owners:
        return None
    covering = Absence.objects.in_force().filter(
        user_id=OuterRef("owner_id"),
        starts_at__lte=OuterRef("due_at"),
        ends_at__gt=OuterRef("due_at"),
    )
    return SafetyAction.objects.filter(
        status=ActionStatus.OPEN,
        owner_id__in=sorted(owners),
        due_at__gt=horizon,
        due_at__lte=far,
    ).filter(Q(owner_id__in=sorted(switched_off)) | Exists(covering))


def _team_away_later(now: dt.datetime, horizon: dt.datetime, far: dt.datetime):
    """Pass 3: open actions held by a team as a whole, due after the short look-ahead and
    by `far`, when nobody active in the team is left without an absence covering the due
    time. Found from the teams, a few: those whose every active member has an absence
    within the look-ahead, and those with nobody active. None when there are none."""
    absent = set(
        Absence.objects.in_force()
        .filter(starts_at__lte=far, ends_at__gt=now)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    active = User.objects.filter(is_active=True, profile__team_id=OuterRef("pk"))
    teams = set(
        Team.objects.filter(
            ~Exists(active.exclude(pk__in=sorted(absent))) if absent else ~Exists(active)
        ).values_list("pk", flat=True)
    )
    if not teams:
        return None
    covering = Absence.objects.in_force().filter(
        user_id=OuterRef("pk"),
        starts_at__lte=OuterRef(OuterRef("due_at")),
        ends_at__gt=OuterRef(OuterRef("due_at")),
    )
    present = User.objects.filter(is_active=True, profile__team_id=OuterRef("owner_team_id"))
    return SafetyAction.objects.filter(
        status=ActionStatus.OPEN,
        owner__isnull=True,
        owner_team_id__in=sorted(teams),
        due_at__gt=horizon,
        due_at__lte=far,
    ).exclude(Exists(present.exclude(Exists(covering))))


def sweep_run(
    *,
    now: dt.datetime | None = None,
    batch_size: int | None = None,
    lookahead: dt.timedelta | None = None,
    absence_lookahead: dt.timedelta | None = None,
    escalate_after: dt.timedelta | None = None,
) -> SweepReport:
    """Follow up every open action that is overdue, or whose owner will not be at work
    when it falls due: off shift within the short look-ahead, away or switched off
    within the absence look-ahead; and escalate one overdue and still open
    `escalate_after` after it fell due. Three passes (see the module's docstring), a
    batch at a time. Idempotent."""
    started = time.monotonic()
    now = now or timezone.now()
    lookahead = lookahead if lookahead is not None else sweep_lookahead()
    if absence_lookahead is None:
        absence_lookahead = sweep_absence_lookahead()
    absence_lookahead = max(absence_lookahead, lookahead)
    if escalate_after is None:
        escalate_after = sweep_escalate_after()
    batch_size = batch_size or getattr(settings, "SAFETY_SWEEP_BATCH_SIZE", DEFAULT_BATCH_SIZE)
    horizon, far = now + lookahead, now + absence_lookahead
    system = system_user()
    world = _DbWorld(start=now - dt.timedelta(minutes=1), end=far)
    report = SweepReport()
    passes = [_due_soon(horizon)]
    if far > horizon:
        for later in (_owner_away_later(now, horizon, far), _team_away_later(now, horizon, far)):
            if later is not None:
                passes.append(later)
    for queryset in passes:
        for rows in _pages(queryset, batch_size):
            report.scanned += len(rows)
            _sweep_batch(
                rows,
                world=world,
                now=now,
                lookaheads=(lookahead, absence_lookahead, escalate_after),
                system=system,
                report=report,
            )
    report.seconds = time.monotonic() - started
    logger.info("Safety-action sweep: %s", report)
    return report
