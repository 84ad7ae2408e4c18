"""Reads for casework: the case page, queues in risk order with time to target, the
readable case history (from domain events, never from history diffs), home-page work
lists and the notification inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import case_cover_selectors, rules
from cases.assessment_providers import assessment_provider
from cases.choices import CaseStatus, QueueKind, TaskKind, TaskStatus
from cases.models import Case, Queue, Task
from dasapp.choices import RiskLevel
from dasapp.events import TimelineEntry, describe_events
from dasapp.models import Event, Notification
from dasapp.roles import has_role

# Cases --------------------------------------------------------------------------------


def cases_for_user(*, user) -> QuerySet[Case]:
    """Every case `user` may see, with what a list shows."""
    return rules.cases_visible_to(
        user,
        Case.objects.select_related("victim", "perpetrator", "queue", "district", "assigned_to"),
    )


def case_detail(*, user, pk: int) -> Case | None:
    """The case with everything its page shows on one row (whether its owner is away
    too: `case_cover_selectors.away_text`), or None if `user` may not see it."""
    return (
        rules.cases_visible_to(
            user,
            case_cover_selectors.away_annotated(
                Case.objects.select_related(
                    "victim",
                    "perpetrator",
                    "queue__team",
                    "district",
                    "assigned_to",
                )
            ),
        )
        .filter(pk=pk)
        .first()
    )


def case_assessments(*, case: Case) -> list:
    """The case's submitted (and superseded) DV1s, newest first (from the app that holds
    them: `cases.assessment_providers`)."""
    return assessment_provider().for_case(case)


def latest_assessment(assessments: list):
    """Of `case_assessments`, the DV1 the case is graded on: the newest submitted one."""
    return assessment_provider().latest(assessments)


def case_tasks(*, case: Case, status: str = TaskStatus.OPEN) -> list[Task]:
    return list(
        case.tasks.filter(status=status)
        .select_related("assigned_to", "team", "assessment", "created_by")
        .order_by(F("due_at").asc(nulls_last=True), "created_at")
    )


# The victim's other open cases ------------------------------------------------------------


@dataclass(frozen=True)
class OtherOpenCase:
    """Another open case of the same victim, as a case page, queue row or caseload row
    shows it ("also has open case C-000002"), with why it was opened beside this one."""

    pk: int
    risk_level: str
    opened_alongside_id: int | None
    opened_alongside_reason: str
    beside_id: int

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}"

    @property
    def risk_label(self) -> str:
        return RiskLevel(self.risk_level).label

    @property
    def note(self) -> str:
        """Why the two cases are apart, when one was opened beside the other."""
        if self.opened_alongside_id == self.beside_id and self.opened_alongside_reason:
            return f"opened alongside this case: {self.opened_alongside_reason}"
        return ""


def other_open_cases(cases) -> dict[int, list[OtherOpenCase]]:
    """For each case, the victim's other open cases, oldest first, in one query
    whatever the number of cases (queue pages, caseloads)."""
    cases = list(cases)
    victims = {case.victim_id for case in cases}
    if not victims:
        return {}
    by_victim: dict[int, list[tuple]] = {}
    rows = (
        Case.objects.filter(victim_id__in=victims, status=CaseStatus.OPEN)
        .order_by("opened_at", "pk")
        .values_list(
            "pk", "victim_id", "risk_level", "opened_alongside_id", "opened_alongside_reason"
        )
    )
    for row in rows:
        by_victim.setdefault(row[1], []).append(row)
    return {
        case.pk: [
            OtherOpenCase(pk, level, alongside, reason, case.pk)
            for pk, _, level, alongside, reason in by_victim.get(case.victim_id, [])
            if pk != case.pk
        ]
        for case in cases
    }


def openable_case_ids(*, user, pks) -> set[int]:
    """Which of these cases `user` may open (for links; the case page checks again)."""
    pks = {pk for pk in pks if pk}
    if not pks:
        return set()
    return set(
        rules.cases_visible_to(user, Case.objects.filter(pk__in=pks)).values_list("pk", flat=True)
    )


# Time to target -------------------------------------------------------------------------


def _duration_text(seconds: int) -> str:
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = f"{days} day{'s' if days != 1 else ''}"
        return f"{text} {hours} hour{'s' if hours != 1 else ''}" if hours else text
    if hours:
        return f"{hours} h {mins} min"
    return f"{max(mins, 1) if seconds else 0} min"


@dataclass(frozen=True)
class TargetClock:
    """Time left before a case's review target (negative: overdue)."""

    due_at: dt.datetime | None
    seconds_left: int | None

    @property
    def breached(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0

    @property
    def text(self) -> str:
        if self.seconds_left is None:
            return "No target"
        text = _duration_text(self.seconds_left)
        return f"Overdue by {text}" if self.breached else f"{text} left"


def target_clock(case: Case, now: dt.datetime | None = None) -> TargetClock:
    if case.review_due_at is None or case.status != CaseStatus.OPEN:
        return TargetClock(case.review_due_at, None)
    now = now or timezone.now()
    return TargetClock(case.review_due_at, int((case.review_due_at - now).total_seconds()))


# Queues ---------------------------------------------------------------------------------


def _risk_rank():
    """2 for high, 0 for standard: sort descending for high first."""
    return models.Case(
        *[When(risk_level=value, then=Value(i)) for i, value in enumerate(RiskLevel.values)],
        output_field=IntegerField(),
    )


def queues_for(*, user, now: dt.datetime | None = None) -> QuerySet[Queue]:
    """The queues `user` may open, each with its open and breached case counts."""
    now = now or timezone.now()
    open_cases = Q(cases__status=CaseStatus.OPEN)
    return (
        rules.queues_visible_to(user, Queue.objects.select_related("team"))
        .annotate(
            open_count=Count("cases", filter=open_cases),
            breached_count=Count("cases", filter=open_cases & Q(cases__review_due_at__lt=now)),
        )
        .order_by("team__name", "name")
    )


def queue_summaries(*, user, now: dt.datetime | None = None) -> QuerySet[Queue]:
    """The queues `user` may open, as a home page sums them up: open and breached cases
    (`queues_for`), the cases nobody has claimed yet and how many of those are high
    risk, and when the longest-waiting of them arrived. One query."""
    waiting = Q(cases__status=CaseStatus.OPEN, cases__assigned_to__isnull=True)
    return queues_for(user=user, now=now).annotate(
        waiting_count=Count("cases", filter=waiting),
        waiting_high_count=Count("cases", filter=waiting & Q(cases__risk_level=RiskLevel.HIGH)),
        oldest_waiting_at=Min(Coalesce("cases__routed_at", "cases__opened_at"), filter=waiting),
    )


def waiting_text(since: dt.datetime, now: dt.datetime | None = None) -> str:
    """`3 h 10 min`, `2 days 4 hours`: how long a case has waited since `since`."""
    now = now or timezone.now()
    return _duration_text(max(int((now - since).total_seconds()), 0))


def queue_cases(queryset: QuerySet[Case], *, queue: Queue) -> QuerySet[Case]:
    """Open cases of a queue: high risk first, then the longest waiting."""
    return (
        queryset.filter(queue=queue, status=CaseStatus.OPEN)
        .select_related("victim", "district", "assigned_to")
        .annotate(risk_rank=_risk_rank())
        .order_by(
            "-risk_rank",
            F("routed_at").asc(nulls_last=True),
            "opened_at",
            "pk",
        )
    )


@dataclass(frozen=True)
class QueueRow:
    case: Case
    clock: TargetClock
    also_open: list[OtherOpenCase] = field(default_factory=list)


def queue_rows(cases, now: dt.datetime | None = None) -> list[QueueRow]:
    """Rows of a queue or caseload page: each case with its time to target and the
    victim's other open cases (one query for the page)."""
    now = now or timezone.now()
    cases = list(cases)
    others = other_open_cases(cases)
    return [QueueRow(case, target_clock(case, now), others.get(case.pk, [])) for case in cases]


# The readable history -------------------------------------------------------------------


def case_events(*, case: Case) -> QuerySet[Event]:
    return case.events.select_related("actor").order_by("at", "id")


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """The case's history as readable entries, oldest first, in at most two queries
    whatever its length. Each verb reads as its app's `event_verbs.py` says."""
    return describe_events(case_events(case=case))


# Home-page work lists -------------------------------------------------------------------


def caseload(*, user) -> QuerySet[Case]:
    """Open cases assigned to `user`, high risk first."""
    return (
        Case.objects.filter(assigned_to=user, status=CaseStatus.OPEN)
        .select_related("victim")
        .annotate(risk_rank=_risk_rank())
        .order_by("-risk_rank", F("review_due_at").asc(nulls_last=True), "pk")
    )


def open_tasks_for(*, user, kind: str) -> QuerySet[Task]:
    """Open tasks of a kind given to `user`, or to their team when nobody is named."""
    team_id = rules._team_id(user)
    mine = Q(assigned_to=user)
    if team_id and has_role(user, *rules.TASK_ROLES.get(kind, ())):
        mine |= Q(assigned_to__isnull=True, team_id=team_id)
    return (
        Task.objects.filter(mine, kind=kind, status=TaskStatus.OPEN)
        .select_related("case")
        .order_by(F("due_at").asc(nulls_last=True), "created_at")
    )


def researcher_queues(*, user) -> QuerySet[Queue]:
    return queues_for(user=user).filter(kind=QueueKind.RESEARCHERS)


def supervisor_reviews(*, user) -> QuerySet[Task]:
    return open_tasks_for(user=user, kind=TaskKind.SUPERVISOR_REVIEW)


def challenges_to_answer(*, user) -> QuerySet[Task]:
    return open_tasks_for(user=user, kind=TaskKind.CHALLENGE)


def backlogged_queues(*, user) -> list[Queue]:
    return [q for q in queues_for(user=user) if q.breached_count]


# Notifications --------------------------------------------------------------------------


def notifications_for(*, user) -> QuerySet[Notification]:
    """A user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
