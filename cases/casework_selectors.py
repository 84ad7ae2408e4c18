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
from dasapp.choices import EventVerb, RiskLevel
from dasapp.models import Event, Notification, User
from dasapp.roles import has_role
from dasapp.templatetags.dasapp_tags import hours_in_words

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


def _name(user) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.username


def _when(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%-d %B %Y %H:%M}"


def _level(value) -> str:
    return RiskLevel(value).label.lower() if value in RiskLevel.values else str(value or "none")


def _case_ref(pk) -> str:
    return f"C-{int(pk):06d}" if str(pk).isdigit() else "another case"


def _dv1(pk) -> str:
    return f"DV1-{int(pk):06d}" if str(pk).isdigit() else "a DV1"


def _safety_action_added(new: dict, names: dict[int, str]) -> str:
    """`Safety-plan action added: Patrols past the address, for Mark Fenwick, due 1 Dec
    2026 10:30`: the catalogue label, never the free text (it may hold the victim's
    details). Events from before the label and names were kept say what they can."""
    what = ""
    if "label" in new:
        what = f": {new['label'] or 'an action described in the plan'}"
    if new.get("owner_name") or new.get("owner") in names:
        who = new.get("owner_name") or names[new["owner"]]
    elif new.get("owner_team_name") or new.get("owner_team"):
        who = f"{new.get('owner_team_name') or new['owner_team']} (the whole team)"
    else:
        who = ""
    parts = [f"Safety-plan action added{what}"]
    if who:
        parts.append(f"for {who}")
    try:
        due = dt.datetime.fromisoformat(new["due_at"])
    except (KeyError, TypeError, ValueError):
        pass
    else:
        parts.append(f"due {timezone.localtime(due):%-d %b %Y %H:%M}")
    return ", ".join(parts)


def _at(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@dataclass
class TimelineEntry:
    """One event as people read it: a title, a sentence with who, when, from, to and
    why, and any details."""

    event: Event
    title: str
    sentence: str
    details: list[str] = field(default_factory=list)
    link: str = ""
    link_text: str = ""

    @property
    def at(self) -> dt.datetime:
        return self.event.at

    @property
    def actor_name(self) -> str:
        return _name(self.event.actor)


def describe_event(event: Event, names: dict[int, str] | None = None) -> TimelineEntry:
    """The readable entry for one domain event. `names` maps the ids of other people an
    event mentions (a challenged officer) to their names."""
    names = names or {}
    old, new, reason = event.old or {}, event.new or {}, event.reason.strip()
    by = f"by {_name(event.actor)}, {_when(event.at)}"
    why = f": {reason}" if reason else ""
    title = event.get_verb_display()
    details: list[str] = []
    link = link_text = ""
    verb = event.verb
    if verb == EventVerb.RISK_LEVEL_CHANGED:
        what = f"Risk level changed from {_level(old.get('risk_level'))} to "
        what += _level(new.get("risk_level"))
        if new.get("source") == "dv1":
            what += " on a DV1"
        sentence = f"{what} {by}{why}"
    elif verb == EventVerb.RISK_LEVEL_AGREED:
        sentence = f"Risk level {_level(new.get('risk_level'))} agreed {by}{why}"
    elif verb == EventVerb.GRADING_CHALLENGED:
        officer = names.get(new.get("officer"))
        asked = f" {officer} was asked to answer." if officer else ""
        sentence = f"Officer's risk grading challenged {by}{why}.{asked}".replace("..", ".")
    elif verb == EventVerb.CHALLENGE_ANSWERED:
        sentence = f"Challenge answered {by}{why}"
    elif verb == EventVerb.CASE_ROUTED:
        sentence = f"Routed to {new.get('queue', 'a queue')}"
        if old.get("queue") and old.get("queue") != new.get("queue"):
            sentence += f" from {old['queue']}"
        sentence += f" {by}"
        if new.get("note"):
            details.append(new["note"])
    elif verb == EventVerb.MARKERS_RAISED:
        sentence = f"High-risk markers raised on the victim's record, addresses and numbers {by}"
        sentence += why
    elif verb == EventVerb.MARKERS_LIFTED:
        sentence = f"High-risk markers lifted {by}{why}"
    elif verb == EventVerb.ASSESSMENT_SUBMITTED:
        ref = _dv1(new.get("assessment"))
        sentence = (
            f"{ref} submitted {by}: {new.get('yes_count', 0)} yes answers, suggested "
            f"{_level(new.get('suggested'))}, level recorded {_level(new.get('level'))}"
        )
        criteria = new.get("criteria") or []
        if criteria:
            labels = [c.replace("_", " ") for c in criteria]
            details.append(f"MARAC criteria met: {', '.join(labels)}")
        if new.get("red_flags"):
            details.append(f"Red flags: {'; '.join(new['red_flags'])}")
        if reason:
            details.append(f"Reason for the level: {reason}")
        if new.get("assessment"):
            link, link_text = f"/dv1/{new['assessment']}/", f"Open {ref}"
    elif verb == EventVerb.ASSESSMENT_AMENDED:
        sentence = f"{_dv1(new.get('amends'))} amended as {_dv1(new.get('assessment'))} {by}"
    elif verb == EventVerb.CASE_OPENED:
        sentence = f"Case opened at {_level(new.get('risk_level'))} risk {by}"
        if new.get("alongside"):
            beside = ", ".join(_case_ref(pk) for pk in new["alongside"])
            sentence += f", alongside {beside}{why}"
    elif verb == EventVerb.CASE_JOINED:
        if new.get("assessment"):
            sentence = f"{_dv1(new['assessment'])} added to the case {by}{why}"
        else:
            sentence = f"A new incident joined the case {by}"
        if new.get("kept_higher"):
            details.append(
                f"The DV1 recorded {_level(new.get('level'))} risk; the case stays at "
                f"{_level(new.get('case_level'))}. Change the risk level, with a reason, to "
                "lower it."
            )
    elif verb == EventVerb.CASE_OPENED_ALONGSIDE:
        sentence = f"{_case_ref(new.get('case'))} opened alongside this case {by}{why}"
    elif verb == EventVerb.CASE_CLAIMED:
        sentence = f"Case claimed {by}"
    elif verb == EventVerb.CASE_RELEASED:
        owner = old.get("name") or "its owner"
        sentence = f"Case released from {owner} {by}{why}"
    elif verb == EventVerb.CASE_REASSIGNED:
        source = f" from {old['name']}" if old.get("name") else ""
        sentence = f"Case reassigned{source} to {new.get('name', 'someone else')} {by}{why}"
        if new.get("queue") and new.get("queue") != old.get("queue"):
            moved = f" from {old['queue']}" if old.get("queue") else ""
            details.append(
                f"{new.get('team') or 'Another team'} covers: moved{moved} to {new['queue']}"
            )
        due = _at(new.get("review_due_at"))
        if due is not None and new.get("review_due_at") != old.get("review_due_at"):
            target = new.get("review_target_hours")
            within = (
                f", within {new['queue']}'s target of {hours_in_words(target)}" if target else ""
            )
            details.append(
                f"Review now due by {timezone.localtime(due):%-d %b %Y %H:%M}{within} "
                "(a move never makes a review later)"
            )
    elif verb == EventVerb.CASE_CLOSED:
        sentence = f"Case closed {by}{why}"
    elif verb == EventVerb.SUPERVISOR_REVIEW_REQUESTED:
        sentence = f"Supervisor review of a lowered risk level requested {by}{why}"
    elif verb == EventVerb.SAFETY_ACTION_ADDED:
        sentence = f"{_safety_action_added(new, names)}, {by}"
    elif verb in (EventVerb.INVOLVEMENT_STARTED, EventVerb.INVOLVEMENT_ENDED):
        agency = new.get("agency_name") or "An agency"
        did = "started" if verb == EventVerb.INVOLVEMENT_STARTED else "stopped"
        sentence = f"{agency} {did} working with the victim, recorded {by}{why}"
    elif verb == EventVerb.ABSENCE_CANCELLED:
        count = new.get("count") or len(new.get("actions") or [])
        actions = "1 safety-plan action" if count == 1 else f"{count} safety-plan actions"
        holders = _and(new.get("now_with") or []) or "someone at work"
        absent = old.get("absent_name") or "The owner"
        sentence = (
            f"{absent}'s absence cancelled (recorded by mistake) {by}: {actions} of this "
            f"case had been moved to {holders} because of it, and "
            f"{'it stays' if count == 1 else 'they stay'} there"
        )
    elif verb == EventVerb.OUT_OF_HOURS_TOLD:
        told = [f"{t.get('name')} ({t.get('as')}, {t.get('team')})" for t in new.get("told") or []]
        team = new.get("team") or "the receiving team"
        if told:
            sentence = f"Nobody in {team} at work: told at once {_and(told)}, {_when(event.at)}"
        else:
            sentence = (
                f"Nobody in {team} nor on the out-of-hours list at work, {_when(event.at)}: "
                "supervisors alerted"
            )
    elif verb == EventVerb.OUT_OF_HOURS_ACKNOWLEDGED:
        sentence = f"Out-of-hours alert acknowledged {by}"
    else:
        sentence = f"{title} {by}{why}"
    return TimelineEntry(event, title, sentence, details, link, link_text)


def _and(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def case_events(*, case: Case) -> QuerySet[Event]:
    return case.events.select_related("actor").order_by("at", "id")


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """The case's history as readable entries, oldest first, in at most two queries
    whatever its length."""
    events = list(case_events(case=case))
    mentioned = {
        e.new.get("officer")
        for e in events
        if e.verb == EventVerb.GRADING_CHALLENGED and isinstance(e.new.get("officer"), int)
    }
    # Actions added before their owner's name was kept with the event.
    mentioned |= {
        e.new.get("owner")
        for e in events
        if e.verb == EventVerb.SAFETY_ACTION_ADDED
        and not e.new.get("owner_name")
        and isinstance(e.new.get("owner"), int)
    }
    names = {}
    if mentioned:
        names = {u.pk: _name(u) for u in User.objects.filter(pk__in=mentioned)}
    return [describe_event(event, names) for event in events]


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
