"""Writes for who holds a case: claim, release, reassign (one case or a batch) and close.

Each change locks the case row (`select_for_update`), so of two people claiming the same
case at the same moment exactly one wins; keeps who and why in the row's history; records
a domain event; and tells the people it affects. Never `queryset.update()` on a case: it
would leave no history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cases import hooks, rules
from cases.assignment_selectors import open_safety_actions
from cases.case_cover_selectors import cover_queue_for
from cases.case_services import _check_version, markers_sync
from cases.choices import CaseStatus
from cases.event_verbs import EventVerb
from cases.models import Case, Queue, SafetyAction
from cases.safety_services.plans import plan_flags_lift
from dasapp.api import ConflictError, DomainError
from dasapp.events import event_record
from dasapp.history import audited_save
from dasapp.models import Event
from dasapp.notify import notify
from dasapp.roles import Role, has_role
from org import availability

BULK_MAX = 200
REASON_MAX = 300


@dataclass(frozen=True)
class Reassigned:
    """What a reassignment did: the cases moved, those already with the new owner, and
    warnings for the person who did it (the new owner is not at work now)."""

    cases: list[Case]
    unchanged: list[Case] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    queue: Queue | None = None  # the queue the case moved to (another team covering)
    # A batch: the queue each moved case went to, by case id (another team covering).
    queues: dict[int, Queue] = field(default_factory=dict)


def name_of(user) -> str:
    return user.get_full_name() or user.username


def _when(at) -> str:
    return f"{timezone.localtime(at):%-d %B %Y} at {timezone.localtime(at):%H:%M}"


def _case_url(case: Case) -> str:
    return f"/cases/{case.pk}/?via=case:{case.pk}"


def _locked(case_or_pk) -> Case:
    pk = getattr(case_or_pk, "pk", case_or_pk)
    return Case.objects.select_for_update().get(pk=pk)


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise DomainError(f"Case {case.reference} is closed.", {"case": ["The case is closed"]})


def _reason(reason: str, *, required: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError("Give a reason.", {"reason": [required]})
    if len(reason) > REASON_MAX:
        raise DomainError(
            "The reason is too long.",
            {"reason": [f"Reason must be {REASON_MAX} characters or fewer"]},
        )
    return reason


def _claimed_at(case: Case):
    """When the case's owner got it: their claim or the reassignment to them."""
    event = (
        Event.objects.filter(
            case=case, verb__in=[EventVerb.CASE_CLAIMED, EventVerb.CASE_REASSIGNED]
        )
        .order_by("-at", "-id")
        .first()
    )
    return event.at if event else None


def _queue_refusal(user, queue: Queue | None) -> str:
    """Why `user` may not hold the cases of `queue` (empty when they may)."""
    if rules.works_queue(user, queue):
        return ""
    who = name_of(user)
    if not user.is_active:
        return f"{who}'s account is switched off: choose someone else"
    if queue is None:
        return f"{who} is not a DASO or researcher: choose someone who holds cases"
    role = Role(queue.worked_by_role).label if queue.worked_by_role in Role.values else "worker"
    return f"{who} does not work {queue.name}: choose a {role.lower()} in {queue.team.name}"


def _not_at_work_warning(user, count: int) -> list[str]:
    if availability.user_at_work(user):
        return []
    what = "the case" if count == 1 else f"the {count} cases"
    return [
        f"{name_of(user)} is not at work now (on leave, sick or off shift): {what} will wait "
        "until they are back. Reassign to someone on duty if it cannot wait."
    ]


# Claim and release ----------------------------------------------------------------------


@transaction.atomic
def case_claim(*, case: Case, user, version: int | None = None) -> Case:
    """Take an unassigned open case onto your caseload.

    The row lock makes a second, simultaneous claim wait for the first to commit; it
    then sees the owner and is refused (`ConflictError`: 409 in the API). Claiming a case
    you already hold changes nothing.
    """
    case = _locked(case)
    _require_open(case)
    if case.assigned_to_id == user.pk:
        return case
    if case.assigned_to_id is not None:
        owner = case.assigned_to
        at = _claimed_at(case)
        message = f"Already claimed by {name_of(owner)}" + (f" at {_when(at)}" if at else "")
        raise ConflictError(message, {"assigned_to": [message]})
    _check_version(case, version)
    refusal = _queue_refusal(user, case.queue)
    if refusal:
        raise DomainError("You may not claim this case.", {"assigned_to": [refusal]})
    case.assigned_to = user
    case.version += 1
    audited_save(case, user=user, reason=f"Claimed by {name_of(user)}")
    event_record(
        verb=EventVerb.CASE_CLAIMED,
        actor=user,
        case=case,
        new={"assigned_to": user.pk, "name": name_of(user)},
    )
    return case


@transaction.atomic
def case_release(*, case: Case, user, reason: str = "", version: int | None = None) -> Case:
    """Put a held case back in its queue, unassigned. Its owner may give a reason; a
    supervisor taking someone else's case must, and the owner is told."""
    case = _locked(case)
    _check_version(case, version)
    _require_open(case)
    if case.assigned_to_id is None:
        raise DomainError(
            "This case is not assigned to anyone.", {"assigned_to": ["Nobody holds this case"]}
        )
    previous = case.assigned_to
    own = previous.pk == user.pk
    reason = _reason(
        reason, required="" if own else f"Explain why you are taking the case from {previous}"
    )
    case.assigned_to = None
    case.version += 1
    audited_save(case, user=user, reason=f"Released: {reason or 'by its owner'}")
    event_record(
        verb=EventVerb.CASE_RELEASED,
        actor=user,
        case=case,
        old={"assigned_to": previous.pk, "name": name_of(previous)},
        new={"assigned_to": None},
        reason=reason,
    )
    if not own:
        notify(
            users=[previous],
            title=f"Case {case.reference} was taken off your caseload by {name_of(user)}",
            body=reason,
            url=_case_url(case),
            dedupe_key=f"released:{case.pk}:{case.version}",
        )
    return case


# Reassign -------------------------------------------------------------------------------


def _check_target(to_user) -> None:
    if to_user is None:
        raise DomainError("Choose the new owner.", {"to_user": ["Choose who takes the case"]})
    if not to_user.is_active:
        message = f"{name_of(to_user)}'s account is switched off: choose someone else"
        raise DomainError(message, {"to_user": [message]})


def cover_review_due(case: Case, queue: Queue, now=None):
    """When a case moving to another team's queue must next be reviewed: the sooner of
    its current due date and now plus that queue's review target. A move never pushes a
    review later, and the team taking it over sees it within its own target."""
    now = now or timezone.now()
    target = now + dt.timedelta(hours=queue.review_target_hours)
    if case.review_due_at is None or target < case.review_due_at:
        return target
    return case.review_due_at


def _move(case: Case, *, user, to_user, reason: str, queue: Queue | None = None) -> dict:
    """Give one locked, checked case to `to_user` (and, another team covering, into
    `queue`, that team's queue for its risk level, due for review by the sooner of its
    current due date and that queue's target from now); returns who had it."""
    previous = case.assigned_to if case.assigned_to_id else None
    old_queue = case.queue if case.queue_id else None
    old_due = case.review_due_at
    case.assigned_to = to_user
    history = f"Reassigned to {name_of(to_user)}: {reason}"
    if queue is not None:
        case.queue = queue
        case.hub_takes_over_at = None  # another team covers: nobody waits for the hub
        case.review_due_at = cover_review_due(case, queue)
        sooner = ""
        if case.review_due_at != old_due:
            due = timezone.localtime(case.review_due_at)
            sooner = f", review due by {due:%-d %b %H:%M}"
        history = f"Reassigned to {name_of(to_user)}, {queue.team.name} covering{sooner}: {reason}"
    case.version += 1
    audited_save(case, user=user, reason=history)
    old = {"assigned_to": previous.pk, "name": name_of(previous)} if previous else {}
    new = {"assigned_to": to_user.pk, "name": name_of(to_user)}
    if queue is not None:
        old = (old or {"assigned_to": None}) | {
            "queue_id": old_queue.pk if old_queue else None,
            "queue": old_queue.name if old_queue else None,
            "review_due_at": old_due.isoformat() if old_due else None,
        }
        new |= {
            "queue_id": queue.pk,
            "queue": queue.name,
            "team": queue.team.name,
            "review_due_at": case.review_due_at.isoformat(),
            "review_target_hours": queue.review_target_hours,
        }
    event_record(
        verb=EventVerb.CASE_REASSIGNED,
        actor=user,
        case=case,
        old=old or {"assigned_to": None},
        new=new,
        reason=reason,
    )
    return {"previous": previous}


def _tell_previous_owners(moved: list[tuple[Case, object]], *, user, to_user, reason: str):
    by_owner: dict[int, tuple[object, list[Case]]] = {}
    for case, previous in moved:
        if previous is not None and previous.pk not in (user.pk, to_user.pk):
            by_owner.setdefault(previous.pk, (previous, []))[1].append(case)
    for previous, cases in by_owner.values():
        refs = ", ".join(c.reference for c in cases)
        title = (
            f"Case {refs} was reassigned to {name_of(to_user)}"
            if len(cases) == 1
            else f"{len(cases)} of your cases were reassigned to {name_of(to_user)}"
        )
        notify(
            users=[previous],
            title=title,
            body=f"{refs}. {name_of(user)}: {reason}",
            url=_case_url(cases[0]) if len(cases) == 1 else "/caseload/",
            dedupe_key=_batch_key("moved-off", cases),
        )


def _batch_key(prefix: str, cases: Iterable[Case]) -> str:
    digest = hashlib.sha256(
        ",".join(f"{c.pk}.{c.version}" for c in sorted(cases, key=lambda c: c.pk)).encode()
    ).hexdigest()
    return f"{prefix}:{digest}"


def _cover_queue(case: Case, to_user) -> Queue:
    """The queue of `to_user`'s team for the case's risk level, worked by a role they
    hold: where the case goes when their team covers. Refused when there is none."""
    queue = cover_queue_for(case=case, to_user=to_user)
    if queue is None:
        level = case.get_risk_level_display().lower()
        message = (
            f"{name_of(to_user)}'s team has no queue of {level}-risk cases that they work: "
            "choose someone else"
        )
        raise DomainError("Choose someone who can cover this case.", {"to_user": [message]})
    return queue


@transaction.atomic
def case_reassign(
    *,
    case: Case,
    user,
    to_user,
    reason: str,
    version: int | None = None,
    across_teams: bool = False,
) -> Reassigned:
    """A supervisor gives a case to someone who works its queue, with a reason. Refused
    for a switched-off account or someone who does not work the queue; allowed with a
    warning when the new owner is not at work now. The new owner is notified, and so is
    the one who had it.

    `across_teams`: the new owner may be in another hub or unit, covering while the
    case's team is away: the case moves to their team's queue for its risk level (the
    same review target; a hub takeover pending is cleared), with the reason in its
    history. Without it, someone of another team is refused, with that hint."""
    reason = _reason(reason, required="Explain why the case is moving")
    _check_target(to_user)
    case = _locked(case)
    _check_version(case, version)
    _require_open(case)
    if case.assigned_to_id == to_user.pk:
        message = f"The case is already assigned to {name_of(to_user)}"
        raise DomainError(message, {"to_user": [message]})
    refusal = _queue_refusal(to_user, case.queue)
    queue = None
    if refusal and case.queue_id is not None and has_role(to_user, *rules.CASE_OWNER_ROLES):
        if across_teams:
            queue, refusal = _cover_queue(case, to_user), ""
        else:
            other = cover_queue_for(case=case, to_user=to_user)
            if other is not None and other.team_id != case.queue.team_id:
                refusal += ", or reassign across teams: the case then moves to their team's queue"
    if refusal:
        raise DomainError("Choose someone who works this case's queue.", {"to_user": [refusal]})
    moved = _move(case, user=user, to_user=to_user, reason=reason, queue=queue)
    body = reason
    if queue is not None:
        body = f"{reason}\nThe case is now in {queue.name}: your team covers it."
    notify(
        users=[to_user],
        title=f"Case {case.reference} reassigned to you by {name_of(user)}",
        body=body,
        url=_case_url(case),
        dedupe_key=f"reassigned:{case.pk}:{case.version}",
    )
    _tell_previous_owners([(case, moved["previous"])], user=user, to_user=to_user, reason=reason)
    return Reassigned([case], warnings=_not_at_work_warning(to_user, 1), queue=queue)


@transaction.atomic
def cases_bulk_reassign(
    *,
    case_ids: Iterable[int],
    user,
    to_user,
    reason: str,
    versions: Mapping[int, int | None] | None = None,
    across_teams: bool = False,
) -> Reassigned:
    """A supervisor gives a batch of cases to one person, all or nothing: if any case is
    closed, changed since it was read (`versions`: case id to the version read) or in a
    queue the new owner does not work, nothing moves. Cases the new owner already holds
    are left as they are. One notification to the new owner for the batch.

    `across_teams`: as for `case_reassign`, the new owner may be a DASO (or researcher)
    of another hub or unit covering: each case whose queue they do not work moves to
    their team's queue for its risk level, due for review by the sooner of its due date
    and that queue's target (refused, nothing moving, when their team has none)."""
    reason = _reason(reason, required="Explain why the cases are moving")
    ids = sorted({int(pk) for pk in case_ids})
    if not ids:
        raise DomainError("Select the cases to reassign.", {"cases": ["Select at least one case"]})
    if len(ids) > BULK_MAX:
        raise DomainError(
            "Too many cases at once.", {"cases": [f"Select {BULK_MAX} cases or fewer"]}
        )
    _check_target(to_user)
    versions = versions or {}
    cases = list(
        Case.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )  # always the same lock order: two batches cannot deadlock
    missing = sorted(set(ids) - {c.pk for c in cases})
    problems: list[str] = [f"There is no case {Case(pk=pk).reference}" for pk in missing]
    stale: list[str] = []
    queues = {q.pk: q for q in Queue.objects.filter(pk__in={c.queue_id for c in cases})}
    refusals: dict[int | None, str] = {}
    owner = has_role(to_user, *rules.CASE_OWNER_ROLES)
    cover: dict[str, Queue | None] = {}  # by risk level: the new owner's team's queue
    moving_to: dict[int, Queue] = {}
    for case in cases:
        read = versions.get(case.pk)
        if read is not None and int(read) != case.version:
            stale.append(
                f"{case.reference} changed since you read it (you had version {read}; "
                f"it is now at version {case.version})"
            )
        if case.status != CaseStatus.OPEN:
            problems.append(f"{case.reference} is closed")
            continue
        if case.queue_id not in refusals:
            refusals[case.queue_id] = _queue_refusal(to_user, queues.get(case.queue_id))
        refusal = refusals[case.queue_id]
        if refusal and case.queue_id is not None and owner:
            if case.risk_level not in cover:
                cover[case.risk_level] = cover_queue_for(case=case, to_user=to_user)
            other = cover[case.risk_level]
            if across_teams and other is not None:
                refusal = ""
                if case.assigned_to_id != to_user.pk:
                    moving_to[case.pk] = other
            elif across_teams:
                level = case.get_risk_level_display().lower()
                refusal = (
                    f"{name_of(to_user)}'s team has no queue of {level}-risk cases that they "
                    "work: choose someone else"
                )
            elif other is not None and other.team_id != queues[case.queue_id].team_id:
                refusal += ", or reassign across teams: the cases then move to their team's queue"
        if refusal:
            problems.append(f"{case.reference}: {refusal}")
    if problems:
        raise DomainError(
            "Nothing was reassigned: "
            + (
                "a selected case cannot go to this person."
                if len(problems) == 1
                else f"{len(problems)} of the selected cases cannot go to this person."
            ),
            {"cases": problems + stale},
        )
    if stale:
        raise ConflictError(
            "Nothing was reassigned: someone else changed "
            + ("a selected case" if len(stale) == 1 else f"{len(stale)} of the selected cases")
            + " while you were working. Check the queue, then try again.",
            {"cases": stale},
        )
    moved: list[tuple[Case, object]] = []
    unchanged: list[Case] = []
    for case in cases:
        if case.assigned_to_id == to_user.pk:
            unchanged.append(case)
            continue
        queue = moving_to.get(case.pk)
        done = _move(case, user=user, to_user=to_user, reason=reason, queue=queue)
        moved.append((case, done["previous"]))
    moved_cases = [case for case, _ in moved]
    if moved_cases:
        refs = ", ".join(c.reference for c in moved_cases)
        single = len(moved_cases) == 1
        body = f"{refs}. {reason}"
        now_in = sorted({q.name for q in moving_to.values()})
        if now_in:
            what = "The case is" if single else f"{len(moving_to)} of them are"
            them = "it" if len(moving_to) == 1 else "them"
            body += f"\n{what} now in {', '.join(now_in)}: your team covers {them}."
        notify(
            users=[to_user],
            title=(
                f"Case {refs} reassigned to you by {name_of(user)}"
                if single
                else f"{len(moved_cases)} cases reassigned to you by {name_of(user)}"
            ),
            body=body,
            url=_case_url(moved_cases[0]) if single else "/caseload/",
            dedupe_key=_batch_key("reassigned", moved_cases),
        )
        _tell_previous_owners(moved, user=user, to_user=to_user, reason=reason)
    warnings = _not_at_work_warning(to_user, len(moved_cases)) if moved_cases else []
    queue = next(iter(moving_to.values())) if len(set(moving_to.values())) == 1 else None
    return Reassigned(
        moved_cases, unchanged=unchanged, warnings=warnings, queue=queue, queues=moving_to
    )


# Close ----------------------------------------------------------------------------------


def open_actions_message(count: int) -> str:
    if count == 1:
        return "1 safety-plan action is still open: mark it done or cancel it first"
    return f"{count} safety-plan actions are still open: mark them done or cancel them first"


def describe_action(action: SafetyAction) -> str:
    owner = action.owner or action.owner_team
    return f"{action.title}: {owner}, due {_when(action.due_at)}"


@transaction.atomic
def case_close(*, case: Case, user, reason: str, version: int | None = None) -> Case:
    """Close a case with a reason. Refused while any safety-plan action is open (each must
    be done or cancelled first). Lifts the case's high-risk markers and its "safety plan
    in place" flags, then runs the `case_closed` hooks (`cases.hooks`: partners end the
    agencies' work with her that came from it unless she has another open case)."""
    reason = _reason(reason, required="Enter why the case is closing")
    case = _locked(case)
    _check_version(case, version)
    if case.status != CaseStatus.OPEN:
        raise DomainError("This case is already closed.", {"case": ["The case is closed"]})
    actions = open_safety_actions(case=case)
    if actions:
        raise DomainError(
            open_actions_message(len(actions)),
            {"safety_actions": [describe_action(a) for a in actions]},
        )
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.closed_reason = reason
    case.version += 1
    audited_save(case, user=user, reason=f"Closed: {reason}")
    event_record(
        verb=EventVerb.CASE_CLOSED,
        actor=user,
        case=case,
        old={"status": CaseStatus.OPEN},
        new={"status": CaseStatus.CLOSED},
        reason=reason,
    )
    markers_sync(case=case, user=user, reason=f"Case closed: {reason}")
    plan_flags_lift(case=case, user=user, reason=f"Case closed: {reason}")
    hooks.on_case_closed(case=case, user=user)
    return case
