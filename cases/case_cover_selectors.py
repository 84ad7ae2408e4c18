"""Reads for cases whose owner is away: the queue and caseload annotations and filter,
the owners a queue can be filtered by, and the staff of other teams who could cover a
case (with who is away).

"Away" here means a recorded absence (leave, sickness, training, any other: the words
never say which, sickness is health data) or a switched-off account. Being off shift
is not "away": every DASO is off shift every evening. A case's owner is shown away when
they are away now or will be before the case's review target (an absence that has not
ended and starts by the later of now and the target). One rule, written once as SQL
(`away_annotated`, `owner_away_q`) so a list page costs the same whatever its rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from cases.choices import CaseStatus, QueueKind
from cases.models import Case, Queue
from dasapp.choices import RiskLevel
from dasapp.models import User
from org import availability
from org.models import Absence

# The risk level of the cases each kind of queue holds: a case covered by another team
# goes to that team's queue for its level.
QUEUE_LEVELS: dict[str, str] = {
    QueueKind.HUB_HIGH: RiskLevel.HIGH,
    QueueKind.CRU_HIGH: RiskLevel.HIGH,
    QueueKind.CRU_MEDIUM: RiskLevel.MEDIUM,
    QueueKind.RESEARCHERS: RiskLevel.STANDARD,
}


def _horizon(now: dt.datetime):
    """The later of now and the case's review target (now when it has none)."""
    at = Value(now, output_field=DateTimeField())
    return Greatest(Coalesce("review_due_at", at), at, output_field=DateTimeField())


def _absences_before_target(now: dt.datetime) -> QuerySet[Absence]:
    """The owner's absences that have not ended and start by the case's horizon (the
    outer query annotates `away_horizon`)."""
    return Absence.objects.filter(
        user_id=OuterRef("assigned_to_id"),
        ends_at__gt=now,
        starts_at__lte=OuterRef("away_horizon"),
    )


def away_annotated(queryset: QuerySet[Case], now: dt.datetime | None = None) -> QuerySet[Case]:
    """Cases with `owner_away_from` and `owner_away_until` (the first start and the last
    end of the owner's absences between now and the review target; None when there is
    none) and `owner_inactive`: columns of the list's own query, not a query per row."""
    now = now or timezone.now()
    absences = _absences_before_target(now)
    return queryset.annotate(away_horizon=_horizon(now)).annotate(
        owner_away_from=Subquery(absences.order_by("starts_at").values("starts_at")[:1]),
        owner_away_until=Subquery(absences.order_by("-ends_at").values("ends_at")[:1]),
        owner_inactive=ExpressionWrapper(
            Q(assigned_to__isnull=False, assigned_to__is_active=False),
            output_field=BooleanField(),
        ),
    )


def owner_away_q(now: dt.datetime | None = None) -> Q:
    """The filter "owner away" on a queryset annotated by `away_annotated`."""
    now = now or timezone.now()
    return Q(assigned_to__is_active=False) | Q(Exists(_absences_before_target(now)))


def owner_away_filter(queryset: QuerySet[Case], now: dt.datetime | None = None):
    now = now or timezone.now()
    if "away_horizon" not in queryset.query.annotations:
        queryset = queryset.annotate(away_horizon=_horizon(now))
    return queryset.filter(owner_away_q(now))


def until_text(at: dt.datetime) -> str:
    """`3 December` for an absence ending at local midnight (away all of the 3rd),
    `4 December at 09:00` otherwise."""
    local = availability.local(at)
    if local.hour == 0 and local.minute == 0:
        return f"{local - dt.timedelta(days=1):%-d %B}"
    return f"{local:%-d %B} at {local:%H:%M}"


def from_text(at: dt.datetime) -> str:
    local = availability.local(at)
    if local.hour == 0 and local.minute == 0:
        return f"{local:%-d %B}"
    return f"{local:%-d %B} at {local:%H:%M}"


def away_text(case: Case, *, now: dt.datetime | None = None, mine: bool = False) -> str:
    """`Owner away until 3 December`, `Owner away from 1 December until 3 December` or
    `Owner's account is switched off`: never the kind of absence. Empty when the owner is
    not away. Reads the annotations of `away_annotated`."""
    if case.assigned_to_id is None:
        return ""
    if getattr(case, "owner_inactive", False):
        return "Your account is switched off" if mine else "Owner's account is switched off"
    until = getattr(case, "owner_away_until", None)
    if until is None:
        return ""
    start = getattr(case, "owner_away_from", None)
    lead = "You are away" if mine else "Owner away"
    now = now or timezone.now()
    if start is not None and start > now:
        return f"{lead} from {from_text(start)} until {until_text(until)}"
    return f"{lead} until {until_text(until)}"


def queue_owner_choices(*, queue: Queue) -> list[tuple[str, str]]:
    """Whom the queue page can be filtered by: those who work the queue (its team,
    holding the role that works it) and anyone holding one of its open cases, by name;
    switched-off accounts marked."""
    users = (
        User.objects.filter(
            Q(profile__team_id=queue.team_id, groups__name=queue.worked_by_role)
            | Q(cases_assigned__queue=queue, cases_assigned__status=CaseStatus.OPEN)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [
        (
            str(user.pk),
            (user.get_full_name() or user.username)
            + ("" if user.is_active else " (account switched off)"),
        )
        for user in users
    ]


# Staff who could cover a case --------------------------------------------------------


@dataclass(frozen=True)
class CoverChoice:
    """A member of staff in a picker: at work now or not, and until when away."""

    user: User
    at_work: bool
    away_until: dt.datetime | None = None
    team_name: str = ""

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def label(self) -> str:
        if self.away_until is not None:
            return f"{self.name} (away until {until_text(self.away_until)})"
        return self.name if self.at_work else f"{self.name} (not at work now)"


def _current_absences(user_ids, at: dt.datetime) -> dict[int, dt.datetime]:
    """When each person's absence covering `at` ends (the latest, if several): one query."""
    ends: dict[int, dt.datetime] = {}
    for user_id, ends_at in Absence.objects.filter(
        user_id__in=list(user_ids), starts_at__lte=at, ends_at__gt=at
    ).values_list("user_id", "ends_at"):
        if user_id not in ends or ends_at > ends[user_id]:
            ends[user_id] = ends_at
    return ends


def _at_work(user, at: dt.datetime, absent: bool, slots_by_pattern: dict) -> bool:
    """`availability.user_at_work` on what is already loaded (the absences of everyone
    listed in one query, their patterns' slots prefetched): no query per person."""
    if not user.is_active or absent:
        return False
    profile = getattr(user, "profile", None)
    pattern = profile.effective_shift_pattern if profile else None
    if pattern is None:
        return True
    if pattern.pk not in slots_by_pattern:
        slots_by_pattern[pattern.pk] = availability.slots_of(pattern)
    return availability.pattern_covers(
        slots=slots_by_pattern[pattern.pk],
        cycle_start=pattern.cycle_start,
        cycle_days=pattern.cycle_days,
        at_local=availability.local(at),
    )


def choices_for(queryset: QuerySet[User], at: dt.datetime | None = None) -> list[CoverChoice]:
    """Active staff of `queryset` with whether each is at work at `at` and until when
    they are away: a fixed number of queries whatever their number."""
    at = at or timezone.now()
    users = list(
        queryset.filter(is_active=True)
        .distinct()
        .select_related("profile__team__shift_pattern", "profile__shift_pattern")
        .prefetch_related("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")
        .order_by("profile__team__name", "first_name", "last_name", "username")
    )
    away = _current_absences([u.pk for u in users], at)
    slots: dict = {}
    return [
        CoverChoice(
            user=user,
            at_work=_at_work(user, at, user.pk in away, slots),
            away_until=away.get(user.pk),
            team_name=user.profile.team.name
            if getattr(user, "profile", None) and user.profile.team_id
            else "",
        )
        for user in users
    ]


def queue_choices(*, queue: Queue | None, at: dt.datetime | None = None) -> list[CoverChoice]:
    """`assignment_selectors.queue_staff` with until when each is away: active staff who
    work `queue` (or, without one, every DASO and researcher), by name."""
    from cases import rules

    if queue is None:
        return choices_for(User.objects.filter(groups__name__in=rules.CASE_OWNER_ROLES), at)
    return choices_for(
        User.objects.filter(profile__team_id=queue.team_id, groups__name=queue.worked_by_role),
        at,
    )


def cover_queue_for(*, case: Case, to_user) -> Queue | None:
    """The queue of `to_user`'s team that holds cases at the case's risk level and is
    worked by a role they hold; None when their team has none."""
    profile = getattr(to_user, "profile", None)
    team_id = profile.team_id if profile else None
    if team_id is None:
        return None
    kinds = [kind for kind, level in QUEUE_LEVELS.items() if level == case.risk_level]
    roles = set(to_user.groups.values_list("name", flat=True))
    return (
        Queue.objects.filter(team_id=team_id, kind__in=kinds, worked_by_role__in=roles)
        .select_related("team")
        .order_by("pk")
        .first()
    )


def _cover_users(*, level: str, team_id: int | None):
    """Users of teams other than `team_id` who hold the role that works a queue of their
    team at risk `level` (one query for the queues; the users' is the caller's)."""
    kinds = [kind for kind, lvl in QUEUE_LEVELS.items() if lvl == level]
    queues = (
        Queue.objects.filter(kind__in=kinds, team__is_active=True)
        .exclude(team_id=team_id)
        .values_list("team_id", "worked_by_role")
    )
    match = Q(pk__in=[])
    for other_team_id, role in queues:
        match |= Q(profile__team_id=other_team_id, groups__name=role)
    return User.objects.filter(match)


def cover_staff(*, case: Case, at: dt.datetime | None = None) -> list[CoverChoice]:
    """Active staff of other teams who could cover the case: they hold the role that
    works a queue of their team at the case's risk level. Grouped by team, by name, with
    who is away. Empty for a case outside any queue (anyone may already hold it)."""
    if case.queue_id is None:
        return []
    users = _cover_users(level=case.risk_level, team_id=case.queue.team_id)
    return [c for c in choices_for(users, at) if c.user.pk != case.assigned_to_id]


def queue_cover_staff(*, queue: Queue | None, at: dt.datetime | None = None) -> list[CoverChoice]:
    """Active staff of other teams who could cover the cases of `queue` (its risk level,
    `QUEUE_LEVELS`): the bulk reassignment picker's second part, the same people
    `cover_staff` offers for one of its cases. Fixed queries whatever their number."""
    level = QUEUE_LEVELS.get(queue.kind) if queue is not None else None
    if level is None:
        return []
    return choices_for(_cover_users(level=level, team_id=queue.team_id), at)
