"""Writes for cases: open or join, change the risk level, route to a queue, raise and
lift high-risk markers, create tasks, and the review of a case's grading (agree,
challenge the officer, answer a task). Every change keeps who, when, from, to and why
(simple-history on the row, and a domain event)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases.assessment_providers import assessment_provider
from cases.choices import CaseStatus, QueueKind, TaskKind, TaskStatus
from cases.event_verbs import EventVerb
from cases.models import Case, Queue, Task
from cases.routing import HubRota, route_case
from dasapp.api import DomainError
from dasapp.choices import RiskLevel
from dasapp.events import event_record
from dasapp.history import audited_save, version_check
from dasapp.notify import notify
from org import availability
from org.choices import TeamKind
from org.models import Team
from people.choices import FlagKind
from people.flag_services import flag_raise, flags_lift
from people.models import Person

DEFAULT_TARGET_HOURS = {
    QueueKind.HUB_HIGH: 24,
    QueueKind.CRU_HIGH: 24,
    QueueKind.CRU_MEDIUM: 72,
    QueueKind.RESEARCHERS: 168,
}
# A queue's name follows its team's ("<hub>: high-risk queue"); the kind's label would
# repeat the team ("<hub>: hub high-risk queue").
QUEUE_NAMES = {
    QueueKind.HUB_HIGH: "high-risk queue",
    QueueKind.CRU_HIGH: "high-risk queue",
    QueueKind.CRU_MEDIUM: "DASO queue (medium risk)",
    QueueKind.RESEARCHERS: "researchers' queue (standard risk)",
}
WORKED_BY = {
    QueueKind.HUB_HIGH: "daso",
    QueueKind.CRU_HIGH: "daso",
    QueueKind.CRU_MEDIUM: "daso",
    QueueKind.RESEARCHERS: "researcher",
}


def queue_for(*, team: Team, kind: str) -> Queue:
    """The team's queue of this kind, created with default targets the first time."""
    queue, _ = Queue.objects.get_or_create(
        team=team,
        kind=kind,
        defaults={
            "name": queue_name(team=team, kind=kind),
            "review_target_hours": DEFAULT_TARGET_HOURS[kind],
            "worked_by_role": WORKED_BY[kind],
        },
    )
    return queue


def queue_name(*, team: Team, kind: str) -> str:
    """The name a new queue of this kind gets: its team's name, then what it holds."""
    return f"{team.name}: {QUEUE_NAMES[kind]}"


def central_unit() -> Team:
    team = (
        Team.objects.filter(kind=TeamKind.CENTRAL_REFERRAL_UNIT, is_active=True)
        .order_by("pk")
        .first()
    )
    if team is None:
        raise DomainError("No central referral unit is set up. Load the organisation defaults.")
    return team


def _check_version(case: Case, version: int | None) -> None:
    version_check(case, version, what="case")


@transaction.atomic
def case_open_or_join(
    *, victim: Person, perpetrator: Person | None, level: str, user, district=None
) -> tuple[Case, bool]:
    """The open case for this victim and perpetrator, or a new one (repeat incidents join)."""
    case = (
        Case.objects.select_for_update()
        .filter(victim=victim, perpetrator=perpetrator, status=CaseStatus.OPEN)
        .first()
    )
    if case:
        event_record(verb=EventVerb.CASE_JOINED, actor=user, case=case)
        return case, False
    case = Case(
        victim=victim,
        perpetrator=perpetrator,
        risk_level=level,
        district=district,
        opened_at=timezone.now(),
    )
    audited_save(case, user=user, reason=f"Opened at {level} risk")
    event_record(verb=EventVerb.CASE_OPENED, actor=user, case=case, new={"risk_level": level})
    return case, True


@transaction.atomic
def case_join(*, case: Case, user, reason: str, new: dict | None = None) -> Case:
    """Add a new incident's DV1 to the victim's open case: the case keeps its level here
    (the caller raises it through `case_risk_change`); the join is kept in history with
    who and why, and as an event on the case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise DomainError(
            "This case is closed.", {"open_case": [f"{case.reference} is closed: choose again"]}
        )
    case.version += 1
    audited_save(case, user=user, reason=f"New incident joined: {reason}")
    event_record(verb=EventVerb.CASE_JOINED, actor=user, case=case, new=new or {}, reason=reason)
    return case


@transaction.atomic
def case_open(
    *,
    victim: Person,
    perpetrator: Person | None,
    level: str,
    user,
    district=None,
    alongside: list[Case] | None = None,
    reason: str = "",
) -> Case:
    """Open a case. When the victim already has open cases (`alongside`) a reason is
    needed; it is kept on the new case and in history, and each of her open cases gets
    an event saying the new one was opened beside it and why."""
    alongside = alongside or []
    reason = reason.strip()
    if alongside and not reason:
        raise DomainError(
            "Give the reason for opening another case.",
            {"open_case_reason": ["Give the reason for opening a new case"]},
        )
    case = Case(
        victim=victim,
        perpetrator=perpetrator,
        risk_level=level,
        district=district,
        opened_at=timezone.now(),
        opened_alongside=alongside[0] if alongside else None,
        opened_alongside_reason=reason if alongside else "",
    )
    beside = ", ".join(other.reference for other in alongside)
    audited_save(
        case,
        user=user,
        reason=f"Opened at {level} risk alongside {beside}: {reason}"
        if alongside
        else f"Opened at {level} risk",
    )
    event_record(
        verb=EventVerb.CASE_OPENED,
        actor=user,
        case=case,
        new={"risk_level": level} | ({"alongside": [o.pk for o in alongside]} if alongside else {}),
        reason=reason if alongside else "",
    )
    for other in alongside:
        event_record(
            verb=EventVerb.CASE_OPENED_ALONGSIDE,
            actor=user,
            case=other,
            new={"case": case.pk, "risk_level": level},
            reason=reason,
        )
    return case


@transaction.atomic
def case_risk_change(
    *, case: Case, user, level: str, reason: str, version: int | None = None, source: str = "review"
) -> Case:
    """Change a case's risk level. Needs a reason; keeps who, when, from, to and why;
    re-routes the case and raises or lifts the high-risk markers."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version)
    if level not in RiskLevel.values:
        raise DomainError(
            "Choose a risk level.", {"risk_level": ["Choose standard, medium or high"]}
        )
    if not reason.strip():
        raise DomainError("Give a reason.", {"reason": ["Explain why the risk level is changing"]})
    if case.status != CaseStatus.OPEN:
        raise DomainError(
            "This case is closed.", {"risk_level": ["Reopen the case to change its risk"]}
        )
    old = case.risk_level
    if old == level:
        return case
    case.risk_level = level
    case.version += 1
    audited_save(case, user=user, reason=f"Risk {old} to {level}: {reason}")
    event_record(
        verb=EventVerb.RISK_LEVEL_CHANGED,
        actor=user,
        case=case,
        old={"risk_level": old},
        new={"risk_level": level, "source": source},
        reason=reason,
    )
    case_route(case=case, user=user)
    markers_sync(case=case, user=user, reason=reason)
    return case


@transaction.atomic
def case_route(*, case: Case, user, at: dt.datetime | None = None) -> Case:
    """Put the case in the queue its level, district and the time of day call for, and
    notify at once. Outside hub hours a high-risk case waits with the central unit and
    shows when the hub takes over."""
    at = at or timezone.now()
    cru = central_unit()
    teams = {
        team.pk: team
        for team in Team.objects.filter(
            kind=TeamKind.HUB, is_active=True, shift_pattern__isnull=False
        )
        .select_related("shift_pattern")
        .prefetch_related("districts", "shift_pattern__slots")
    }
    hubs = [
        HubRota(
            team_id=team.pk,
            name=team.name,
            district_ids=frozenset(d.pk for d in team.districts.all()),
            slots=tuple(availability.slots_of(team.shift_pattern)),
            cycle_start=team.shift_pattern.cycle_start,
            cycle_days=team.shift_pattern.cycle_days,
        )
        for team in teams.values()
    ]
    route = route_case(
        level=case.risk_level,
        district_id=case.district_id,
        at_local=availability.local(at),
        hubs=hubs,
        cru_team_id=cru.pk,
        # A hub on its shift takes cases only with a DASO at work: the one rule.
        at_work=lambda hub, when: availability.team_at_work(teams[hub.team_id], when),
    )
    team = Team.objects.get(pk=route.team_id)
    queue = queue_for(team=team, kind=route.queue_kind)
    old_queue = case.queue.name if case.queue_id else None
    case.queue = queue
    case.routed_at = at
    case.review_due_at = at + dt.timedelta(hours=queue.review_target_hours)
    case.hub_takes_over_at = route.hub_takes_over_at
    case.reviewed_at = None
    audited_save(case, user=user, reason=f"Routed: {route.note}")
    event_record(
        verb=EventVerb.CASE_ROUTED,
        actor=user,
        case=case,
        old={"queue": old_queue},
        new={"queue": queue.name, "note": route.note},
    )
    url = f"/cases/{case.pk}/"
    recipients = _queue_workers(queue)
    if route.notify_central_unit:
        recipients |= _team_members(cru, roles={"daso", "researcher", "supervisor"})
    notify(
        users=sorted(recipients, key=lambda u: u.pk),
        title=f"{RiskLevel(case.risk_level).label} risk case {case.reference} in {queue.name}",
        body=route.note,
        url=url,
        dedupe_key=f"routed:{case.pk}:{case.version}:{queue.pk}",
    )
    return case


def _team_members(team: Team, roles: set[str]):
    from dasapp.models import User

    return set(
        User.objects.filter(profile__team=team, is_active=True, groups__name__in=roles).distinct()
    )


def _queue_workers(queue: Queue):
    return _team_members(queue.team, roles={queue.worked_by_role})


@transaction.atomic
def markers_sync(*, case: Case, user, reason: str) -> None:
    """A high-risk open case flags the victim's current addresses and numbers; the flags
    are lifted (with history) when the case closes or its risk is lowered."""
    source = f"case:{case.pk}"
    if case.status == CaseStatus.OPEN and case.risk_level == RiskLevel.HIGH:
        summary = f"High-risk domestic abuse victim: case {case.reference}"
        flag_raise(
            kind=FlagKind.HIGH_RISK_VICTIM,
            summary=summary,
            source=source,
            user=user,
            person=case.victim,
            reason=reason,
        )
        for link in case.victim.address_links.filter(is_current=True).select_related("address"):
            flag_raise(
                kind=FlagKind.HIGH_RISK_VICTIM,
                summary=summary,
                source=source,
                user=user,
                address=link.address,
                reason=reason,
            )
        for link in case.victim.phone_links.filter(is_current=True).select_related("phone"):
            flag_raise(
                kind=FlagKind.HIGH_RISK_VICTIM,
                summary=summary,
                source=source,
                user=user,
                phone=link.phone,
                reason=reason,
            )
        event_record(verb=EventVerb.MARKERS_RAISED, actor=user, case=case, reason=reason)
    elif flags_lift(source=source, kind=FlagKind.HIGH_RISK_VICTIM, reason=reason, user=user):
        event_record(verb=EventVerb.MARKERS_LIFTED, actor=user, case=case, reason=reason)


def task_create(
    *,
    kind: str,
    case: Case,
    note: str,
    user,
    assigned_to=None,
    team: Team | None = None,
    assessment=None,
    due_in: dt.timedelta | None = None,
) -> Task:
    task = Task(
        kind=kind,
        case=case,
        note=note,
        assigned_to=assigned_to,
        team=team,
        assessment=assessment,
        created_by=user if getattr(user, "pk", None) else None,
        created_at=timezone.now(),
        due_at=timezone.now() + due_in if due_in else None,
    )
    audited_save(task, user=user, reason=f"Task: {TaskKind(kind).label}")
    return task


# Review by researchers and DASOs ------------------------------------------------------


@transaction.atomic
def case_review_agree(*, case: Case, user, note: str = "", version: int | None = None) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version)
    case.reviewed_at = timezone.now()
    case.version += 1
    audited_save(case, user=user, reason=f"Risk level {case.risk_level} agreed")
    event_record(
        verb=EventVerb.RISK_LEVEL_AGREED,
        actor=user,
        case=case,
        new={"risk_level": case.risk_level},
        reason=note,
    )
    return case


@transaction.atomic
def case_challenge(*, case: Case, user, reason: str, version: int | None = None) -> Task:
    """Challenge the officer's grading: the officer gets a task to answer."""
    if not reason.strip():
        raise DomainError(
            "Give the reason for the challenge.", {"reason": ["Explain what you challenge"]}
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version)
    latest = assessment_provider().latest_submitted(case)
    if latest is None:
        raise DomainError("There is no submitted DV1 to challenge on this case.")
    officer = latest.submitted_by
    task = task_create(
        kind=TaskKind.CHALLENGE,
        case=case,
        assessment=latest,
        user=user,
        assigned_to=officer,
        note=reason.strip(),
        due_in=dt.timedelta(hours=72),
    )
    case.version += 1
    audited_save(case, user=user, reason=f"Grading challenged: {reason}")
    event_record(
        verb=EventVerb.GRADING_CHALLENGED,
        actor=user,
        case=case,
        new={"task": task.pk, "officer": officer.pk},
        reason=reason,
    )
    notify(
        users=[officer],
        title=f"Your risk grading on {case.reference} has been challenged",
        body=reason,
        url=f"/cases/{case.pk}/",
        dedupe_key=f"task:{task.pk}",
    )
    return task


@transaction.atomic
def task_complete(*, task: Task, user, outcome: str) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        return task
    if not outcome.strip():
        raise DomainError("Record the outcome.", {"outcome": ["Enter the outcome"]})
    task.status = TaskStatus.DONE
    task.outcome = outcome.strip()
    task.done_at = timezone.now()
    audited_save(task, user=user, reason="Task done")
    verb = {
        TaskKind.CHALLENGE: EventVerb.CHALLENGE_ANSWERED,
        TaskKind.SUPERVISOR_REVIEW: EventVerb.SUPERVISOR_REVIEW_DONE,
    }.get(task.kind)
    if verb:
        event_record(
            verb=verb, actor=user, case=task.case, new={"task": task.pk}, reason=task.outcome
        )
    return task
