"""Reads for safety plans, their actions and staff absences, and who may do what with
them (pages, API and services ask the same predicates).

Who may do what: a case's plan is worked (actions added, moved, cancelled or completed,
the plan agreed with the victim) by those who work the case: supervisors, the case's
owner, and the DASOs or researchers who work its queue (`rules.works_queue`: DASOs a
DASO queue, researchers the researchers' queue of their team); a DASO or researcher
elsewhere reads it but does not change it. The owner of an action (or, for a team's action, anyone in
the team) may complete it; partner agencies have no access. Supervisors record absences
for the people they supervise and for their own team; everyone sees their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases import rules
from cases.choices import ActionStatus
from cases.models import Case, FollowUp, SafetyAction, SafetyActionType, SafetyPlan
from dasapp.models import User
from dasapp.roles import ALL_ROLES, Role, has_role
from org import availability
from org.choices import TeamKind
from org.models import Absence, Team

# The roles that may work plans at all (the gate of the pages and the API); which cases'
# plans is `can_work_plan`'s to say. Researchers hold the standard-risk cases of their
# queue, and work those cases' plans as a DASO does a DASO queue's.
PLAN_WORKERS = frozenset({Role.DASO, Role.RESEARCHER, Role.SUPERVISOR})
# Roles that may hold a safety-plan action: everyone but partner agencies.
ACTION_OWNER_ROLES = frozenset(ALL_ROLES - {Role.PARTNER})


# Rules ---------------------------------------------------------------------------------


def _team_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.team_id if profile else None


def can_work_plans(user) -> bool:
    """Whether the user's role works safety plans at all (the gate on the pages and the
    API); which cases' plans is `can_work_plan`'s to say."""
    return has_role(user, *PLAN_WORKERS)


def can_work_plan(user, case: Case) -> bool:
    """Add actions to the case's plan, move or cancel them, agree the plan with the
    victim: supervisors, the case's owner, and those who work the case's queue (the
    people who may hold its cases: `rules.works_queue`)."""
    if not can_work_plans(user):
        return False
    if has_role(user, Role.SUPERVISOR):
        return True
    if case.assigned_to_id is not None and case.assigned_to_id == user.pk:
        return True
    return rules.works_queue(user, case.queue if case.queue_id else None)


# How a reader who may not open the plan sees a free-text action named.
FREE_TEXT_TITLE = "Free-text action"


def can_read_plan_text(user, case: Case) -> bool:
    """Whether a record outside the plan (the case history in the API) may name the
    case's safety-plan actions by their free text (it may hold the victim's details):
    for those who work the plan (`can_work_plan`: supervisors, the case's owner, those
    on its queue). Anyone else who may read the history gets the catalogue label or
    `FREE_TEXT_TITLE`, as the history page shows everyone; the text itself is on the
    plan, whose page asks why they are looking and logs it."""
    return can_work_plan(user, case)


def safe_action_titles(*, case: Case) -> dict[int, str]:
    """Each of the case's actions by id, named without free text: its catalogue label,
    or `FREE_TEXT_TITLE`. One query."""
    rows = SafetyAction.objects.filter(plan__case=case).values_list("pk", "action_type__label")
    return {pk: label or FREE_TEXT_TITLE for pk, label in rows}


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
    """Its owner (or, for a team's action, anyone in the team), and those who work the
    case's plan."""
    if action.status != ActionStatus.OPEN or not has_role(user, *ACTION_OWNER_ROLES):
        return False
    if action.owner_id == user.pk:
        return True
    if action.owner_id is None and action.owner_team_id == _team_id(user):
        return True
    return can_work_plan(user, action.plan.case)


def can_reassign_action(user, action: SafetyAction) -> bool:
    """Moving is working the plan: those who work the case, not the action's owner (who
    asks for it to be moved)."""
    return action.status == ActionStatus.OPEN and can_work_plan(user, action.plan.case)


def can_cancel_action(user, action: SafetyAction) -> bool:
    """Cancelling is working the plan, like moving it: those who work the case, not the
    action's owner (who does it, or asks for it to be moved)."""
    return action.status == ActionStatus.OPEN and can_work_plan(user, action.plan.case)


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


def team_choices() -> QuerySet[Team]:
    """The teams an owner picker offers: those that may hold actions and have somebody
    active in them (an empty team is refused on save)."""
    staffed = User.objects.filter(profile__team=OuterRef("pk"), is_active=True)
    return assignable_teams().filter(Exists(staffed)).order_by("name")


def catalogue() -> QuerySet[SafetyActionType]:
    return SafetyActionType.objects.filter(is_active=True)


# Who is away ---------------------------------------------------------------------------

# How far ahead an owner picker says someone will be away.
AWAY_NOTICE = dt.timedelta(days=14)
# Why an action's owner will not be at work when it falls due (`owners_not_at_work`).
AWAY, OFF_SHIFT, SWITCHED_OFF = "away", "off shift", "switched off"


@dataclass(frozen=True)
class AwaySpell:
    """A time someone is away: their absences back to back read as one, and never
    what kind (sickness is health data; the absences page is for supervisors)."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def away_spells(
    user_ids, *, now: dt.datetime | None = None, within: dt.timedelta = AWAY_NOTICE
) -> dict[int, AwaySpell]:
    """For each of `user_ids` away now, or from some time in the next `within`, that
    spell away. One query."""
    now = now or timezone.now()
    rows = (
        Absence.objects.in_force()
        .filter(user_id__in=list(user_ids), ends_at__gt=now)
        .order_by("user_id", "starts_at")
        .values_list("user_id", "starts_at", "ends_at")
    )
    spells: dict[int, AwaySpell] = {}
    for user_id, starts_at, ends_at in rows:
        spell = spells.get(user_id)
        if spell is None:
            if starts_at <= now + within:
                spells[user_id] = AwaySpell(starts_at, ends_at)
        elif starts_at <= spell.ends_at:
            spells[user_id] = AwaySpell(spell.starts_at, max(spell.ends_at, ends_at))
    return spells


def owners_not_at_work(actions, *, now: dt.datetime | None = None) -> dict[int, str]:
    """Open actions, due in the future, whose owner (a person) will not be at work when
    they fall due, by `availability.user_at_work` (the follow-up sweep's rule: the sweep
    will move them): action id -> AWAY (an absence), OFF_SHIFT or SWITCHED_OFF. Never the
    kind of absence. A team's action is left out: it goes to whoever in the team is at
    work."""
    now = now or timezone.now()
    pending = [
        a for a in actions if a.status == ActionStatus.OPEN and a.owner_id and a.due_at > now
    ]
    if not pending:
        return {}
    owners = {
        user.pk: user
        for user in User.objects.filter(pk__in={a.owner_id for a in pending})
        .select_related("profile__shift_pattern", "profile__team__shift_pattern")
        .prefetch_related("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")
    }
    absent = list(
        Absence.objects.in_force()
        .filter(
            user_id__in=list(owners),
            starts_at__lte=max(a.due_at for a in pending),
            ends_at__gt=min(a.due_at for a in pending),
        )
        .values_list("user_id", "starts_at", "ends_at")
    )
    found: dict[int, str] = {}
    for action in pending:
        owner = owners.get(action.owner_id)
        if owner is None or availability.user_at_work(owner, action.due_at):
            continue
        if not owner.is_active:
            found[action.pk] = SWITCHED_OFF
        elif any(
            user_id == owner.pk and starts_at <= action.due_at < ends_at
            for user_id, starts_at, ends_at in absent
        ):
            found[action.pk] = AWAY
        else:
            found[action.pk] = OFF_SHIFT
    return found


# Plans and actions ---------------------------------------------------------------------


def _with_details(queryset: QuerySet[SafetyAction]) -> QuerySet[SafetyAction]:
    return queryset.select_related(
        "action_type", "owner", "owner_team", "created_by", "plan__case__queue"
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
        user,
        Absence.objects.select_related("user", "recorded_by", "cancelled_by").order_by(
            "-starts_at", "-pk"
        ),
    )


# Lists beyond the plan: "My safety-plan actions" and "Actions needing attention" -----


@dataclass(frozen=True)
class ActionCounts:
    open: int
    overdue: int


def _owned_by(user) -> Q:
    """Actions the user holds, or their team holds as a whole."""
    team_id = _team_id(user)
    mine = Q(owner=user)
    if team_id:
        mine |= Q(owner__isnull=True, owner_team_id=team_id)
    return mine


def _escalated() -> QuerySet[FollowUp]:
    """The escalated follow-ups of the outer action (for `Exists`)."""
    return FollowUp.objects.filter(action=OuterRef("pk"), escalated=True)


def _listed(queryset: QuerySet[SafetyAction]) -> QuerySet[SafetyAction]:
    """What the lists show, in a fixed number of queries however long they are: the
    catalogue label, the plan (its case's reference is the case id: no victim is read),
    the owner, whether the action was escalated, and its follow-ups newest first (in
    `listed_follow_ups`)."""
    return (
        queryset.select_related("action_type", "plan", "owner", "owner_team")
        .annotate(escalated=Exists(_escalated()))
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.order_by("-raised_at", "-pk"),
                to_attr="listed_follow_ups",
            )
        )
        .order_by("due_at", "pk")
    )


def _my_open(user) -> QuerySet[SafetyAction]:
    if not has_role(user, *ACTION_OWNER_ROLES):
        return SafetyAction.objects.none()
    return SafetyAction.objects.filter(_owned_by(user), status=ActionStatus.OPEN)


def my_open_actions(*, user) -> QuerySet[SafetyAction]:
    """The open actions the user, or their team as a whole, owns, soonest due first:
    the "My safety-plan actions" page. Nothing for a role that holds no actions."""
    return _listed(_my_open(user))


def my_action_counts(*, user, now: dt.datetime | None = None) -> ActionCounts:
    """How many of `my_open_actions` there are, and how many are overdue. One query."""
    now = now or timezone.now()
    counts = _my_open(user).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now))
    )
    return ActionCounts(open=counts["open"] or 0, overdue=counts["overdue"] or 0)


def can_see_attention(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def _attention(user, now: dt.datetime) -> QuerySet[SafetyAction]:
    """Open actions, overdue or escalated by the sweep, that a supervisor chases: those
    held by the people they look after (whom they supervise, and the others in their own
    team; not their own, which are on their own list), those held as a whole by their
    team or the team of someone they supervise, and any escalated to them."""
    if not can_see_attention(user):
        return SafetyAction.objects.none()
    team_id = _team_id(user)
    people = Q(owner__profile__supervisor=user)
    teams = Q(owner_team_id__in=user.supervisees.exclude(team=None).values("team_id"))
    if team_id:
        people |= Q(owner__profile__team_id=team_id)
        teams |= Q(owner_team_id=team_id)
    scope = (
        (people & ~Q(owner=user))
        | (Q(owner__isnull=True) & teams)
        | Exists(_escalated().filter(to_user=user))
    )
    return SafetyAction.objects.filter(scope, status=ActionStatus.OPEN).filter(
        Q(due_at__lte=now) | Exists(_escalated())
    )


def actions_needing_attention(*, user, now: dt.datetime | None = None) -> QuerySet[SafetyAction]:
    """The supervisor's "Actions needing attention" (`_attention`), soonest due first."""
    return _listed(_attention(user, now or timezone.now()))


def attention_count(*, user, now: dt.datetime | None = None) -> int:
    """How many actions need the supervisor's attention. One query."""
    return _attention(user, now or timezone.now()).count()
