"""Reads for safety plans, their actions and staff absences, and who may do what with
them (pages, API and services ask the same predicates).

Who may do what: DASOs and supervisors work safety plans (add, reassign, agree with the
victim, complete); the owner of an action (or, for a team's action, anyone in the team)
may complete it; partner agencies have no access. Supervisors record absences for the
people they supervise and for their own team; everyone sees their own.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cases import rules
from cases.choices import ActionStatus, TeamKind
from cases.models import Absence, Case, FollowUp, SafetyAction, SafetyActionType, SafetyPlan, Team
from dasapp.models import User
from dasapp.roles import ALL_ROLES, Role, has_role

PLAN_WORKERS = frozenset({Role.DASO, Role.SUPERVISOR})
# Roles that may hold a safety-plan action: everyone but partner agencies.
ACTION_OWNER_ROLES = frozenset(ALL_ROLES - {Role.PARTNER})


# Rules ---------------------------------------------------------------------------------


def _team_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.team_id if profile else None


def can_work_plans(user) -> bool:
    """Add actions, reassign them, agree the plan with the victim."""
    return has_role(user, *PLAN_WORKERS)


def _owns_an_action(user, plan: SafetyPlan | None) -> bool:
    if plan is None or not has_role(user, *ACTION_OWNER_ROLES):
        return False
    team_id = _team_id(user)
    mine = Q(owner=user) | (Q(owner__isnull=True, owner_team_id=team_id) if team_id else Q())
    return plan.actions.filter(mine).exists()


def can_see_plan(user, case: Case, plan: SafetyPlan | None = None) -> bool:
    """Anyone who may read the case, and the owners of its actions (they need the
    plan to do their part)."""
    if has_role(user, *rules.CASE_READERS) and rules.can_read_case(user, case):
        return True
    return _owns_an_action(user, plan)


def can_complete_action(user, action: SafetyAction) -> bool:
    if action.status != ActionStatus.OPEN or not has_role(user, *ACTION_OWNER_ROLES):
        return False
    if can_work_plans(user) or action.owner_id == user.pk:
        return True
    return action.owner_id is None and action.owner_team_id == _team_id(user)


def can_reassign_action(user, action: SafetyAction) -> bool:
    return action.status == ActionStatus.OPEN and can_work_plans(user)


def can_cancel_action(user, action: SafetyAction) -> bool:
    """Cancelling is working the plan, like moving it: DASOs and supervisors, not the
    action's owner (who does it, or asks for it to be moved)."""
    return action.status == ActionStatus.OPEN and can_work_plans(user)


def actions_visible_to(user, queryset: QuerySet[SafetyAction]) -> QuerySet[SafetyAction]:
    """Actions on cases the user may read, and actions they (or their team) own."""
    if not has_role(user, *ACTION_OWNER_ROLES):
        return queryset.none()
    readable = rules.cases_visible_to(user, Case.objects.all()).values("pk")
    mine = Q(plan__case__in=readable) | Q(owner=user)
    team_id = _team_id(user)
    if team_id:
        mine |= Q(owner__isnull=True, owner_team_id=team_id)
    return queryset.filter(mine)


def can_record_absences(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def absence_people(user) -> QuerySet[User]:
    """Whose absences a supervisor records: the people they supervise and their team."""
    if not can_record_absences(user):
        return User.objects.none()
    team_id = _team_id(user)
    scope = Q(profile__supervisor=user)
    if team_id:
        scope |= Q(profile__team_id=team_id)
    return User.objects.filter(scope).exclude(pk=user.pk).distinct()


def absences_visible_to(user, queryset: QuerySet[Absence]) -> QuerySet[Absence]:
    """A supervisor sees their people's absences and their own; others their own."""
    if can_record_absences(user):
        return queryset.filter(Q(user__in=absence_people(user).values("pk")) | Q(user=user))
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(user=user)


# Choices for owners --------------------------------------------------------------------


def assignable_users() -> QuerySet[User]:
    """Active staff who may hold a safety-plan action (not partner agencies)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=ACTION_OWNER_ROLES)
        .select_related("profile__team")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def assignable_teams() -> QuerySet[Team]:
    return Team.objects.filter(is_active=True).exclude(kind=TeamKind.PARTNER_AGENCY)


def active_members(team: Team) -> QuerySet[User]:
    return User.objects.filter(profile__team=team, is_active=True)


def catalogue() -> QuerySet[SafetyActionType]:
    return SafetyActionType.objects.filter(is_active=True)


# Plans and actions ---------------------------------------------------------------------


def _with_details(queryset: QuerySet[SafetyAction]) -> QuerySet[SafetyAction]:
    return queryset.select_related(
        "action_type", "owner", "owner_team", "created_by", "plan__case"
    ).prefetch_related(
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.select_related("from_user", "to_user").order_by(
                "-raised_at", "-pk"
            ),
        )
    )


def plan_for_case(*, case: Case) -> SafetyPlan | None:
    return SafetyPlan.objects.select_related("agreed_by").filter(case=case).first()


def plan_actions(*, plan: SafetyPlan) -> list[SafetyAction]:
    """Open actions first (soonest due first), then done ones."""
    actions = list(_with_details(plan.actions.all()).order_by("due_at", "pk"))
    return sorted(actions, key=lambda a: a.status != ActionStatus.OPEN)


def actions_for_user(*, user) -> QuerySet[SafetyAction]:
    """Every action `user` may see, with what a list shows, soonest due first."""
    return actions_visible_to(user, _with_details(SafetyAction.objects.all())).order_by(
        "due_at", "pk"
    )


def action_for_user(*, user, pk: int) -> SafetyAction | None:
    return actions_for_user(user=user).filter(pk=pk).first()


def actions_due(*, user, within: dt.timedelta = dt.timedelta(days=7)) -> list[SafetyAction]:
    """Open actions the user (or their team) owns that are overdue or due soon, for the
    home page."""
    team_id = _team_id(user)
    mine = Q(owner=user)
    if team_id:
        mine |= Q(owner__isnull=True, owner_team_id=team_id)
    return list(
        SafetyAction.objects.filter(mine, status=ActionStatus.OPEN)
        .filter(due_at__lte=timezone.now() + within)
        .select_related("action_type", "plan__case")
        .order_by("due_at", "pk")[:20]
    )


def open_action_counts(user_ids) -> dict[int, int]:
    rows = (
        SafetyAction.objects.filter(status=ActionStatus.OPEN, owner_id__in=list(user_ids))
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {row["owner_id"]: row["n"] for row in rows}


def absences_for_user(*, user) -> QuerySet[Absence]:
    return absences_visible_to(
        user, Absence.objects.select_related("user", "recorded_by").order_by("-starts_at", "-pk")
    )
