"""Reads for who holds cases: a person's caseload, and the staff a case or a queue may be
given to (with whether each is at work now)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from cases import rules
from cases.casework_selectors import QueueRow, _risk_rank, queue_rows
from cases.choices import ActionStatus, CaseStatus
from cases.models import Case, Queue, SafetyAction
from dasapp.models import User
from org import availability


def caseload_cases(*, user) -> QuerySet[Case]:
    """The open cases `user` holds: high risk first, then the longest waiting."""
    return (
        Case.objects.filter(assigned_to=user, status=CaseStatus.OPEN)
        .select_related("victim", "queue", "district")
        .annotate(risk_rank=_risk_rank())
        .order_by("-risk_rank", F("routed_at").asc(nulls_last=True), "opened_at", "pk")
    )


def caseload_rows(*, user, now: dt.datetime | None = None) -> list[QueueRow]:
    """The caseload with each case's time to its review target."""
    return queue_rows(caseload_cases(user=user), now or timezone.now())


@dataclass(frozen=True)
class StaffChoice:
    user: User
    at_work: bool

    @property
    def label(self) -> str:
        name = self.user.get_full_name() or self.user.username
        return name if self.at_work else f"{name} (not at work now)"


def _staff(queryset, at: dt.datetime | None) -> list[StaffChoice]:
    at = at or timezone.now()
    users = (
        queryset.filter(is_active=True)
        .distinct()
        .select_related("profile__team__shift_pattern", "profile__shift_pattern")
        .prefetch_related("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")
        .order_by("first_name", "last_name", "username")
    )
    return [StaffChoice(user, availability.user_at_work(user, at)) for user in users]


def queue_staff(*, queue: Queue | None, at: dt.datetime | None = None) -> list[StaffChoice]:
    """Active staff who work `queue` (its team, holding the role that works it), by name.
    Without a queue: every active DASO and researcher."""
    if queue is None:
        return _staff(User.objects.filter(groups__name__in=rules.CASE_OWNER_ROLES), at)
    return _staff(
        User.objects.filter(profile__team_id=queue.team_id, groups__name=queue.worked_by_role),
        at,
    )


def open_safety_actions(*, case: Case) -> list[SafetyAction]:
    """The case's safety-plan actions that are neither done nor cancelled, soonest due
    first: they keep a case from closing."""
    return list(
        SafetyAction.objects.filter(plan__case=case, status=ActionStatus.OPEN)
        .select_related("action_type", "owner", "owner_team")
        .order_by("due_at", "pk")
    )
