"""Who may do what with people, places and (later) cases. Views, API views and
templates ask these predicates; selectors use the scoping helpers to filter lists."""

from __future__ import annotations

from django.db.models import Q

from cases.reach import case_reaches
from dasapp.roles import Role, has_role

# Roles that work cases: they read any case and review its risk grading.
CASE_WORKERS = frozenset({Role.RESEARCHER, Role.DASO, Role.SUPERVISOR})


# Roles that may open the case pages at all (officers only their own cases).
CASE_READERS = CASE_WORKERS | {Role.OFFICER}


# Who works the tasks of each kind when a task is given to a team rather than a person.
TASK_ROLES = {
    "challenge": frozenset({Role.OFFICER}),
    "supervisor_review": frozenset({Role.SUPERVISOR}),
    "case_review": frozenset({Role.DASO, Role.RESEARCHER}),
}


def _team_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.team_id if profile else None


def cases_visible_to(user, queryset):
    """Researchers, DASOs and supervisors see every case; an officer sees the cases they
    hold a task on and those other apps link them to (`cases.reach`: the cases they
    submitted a DV1 for); everyone else (partners included) none."""
    if has_role(user, *CASE_WORKERS):
        return queryset
    if has_role(user, Role.OFFICER):
        from cases.models import Task

        reached = Q()
        for reach in case_reaches():
            reached |= Q(pk__in=reach(user))
        tasked = Task.objects.filter(assigned_to=user).values("case_id")
        return queryset.filter(reached | Q(pk__in=tasked))
    return queryset.none()


def can_read_case(user, case) -> bool:
    from cases.models import Case

    return cases_visible_to(user, Case.objects.filter(pk=case.pk)).exists()


def can_review_case(user, case, latest_assessment=None) -> bool:
    """Agree, change the level or challenge the officer: DASOs and supervisors on any
    open case; researchers on the cases in researchers' queues and on cases whose
    latest DV1 scored standard (the standard-risk DV1s they check)."""
    from cases.choices import CaseStatus, QueueKind
    from dasapp.choices import RiskLevel

    if case.status != CaseStatus.OPEN:
        return False
    if has_role(user, Role.DASO, Role.SUPERVISOR):
        return True
    if not has_role(user, Role.RESEARCHER):
        return False
    if case.queue_id and case.queue.kind == QueueKind.RESEARCHERS:
        return True
    return bool(latest_assessment and latest_assessment.suggested_level == RiskLevel.STANDARD)


def can_see_case_history(user, case) -> bool:
    """Supervisors, and the case's workers: its owner, the team working its queue, and
    anyone who has acted on it or holds a task on it."""
    if has_role(user, Role.SUPERVISOR):
        return True
    if not has_role(user, *CASE_READERS):
        return False
    if case.assigned_to_id == user.pk:
        return True
    queue = case.queue if case.queue_id else None
    if queue and queue.team_id == _team_id(user) and has_role(user, queue.worked_by_role):
        return True
    return case.events.filter(actor=user).exists() or case.tasks.filter(assigned_to=user).exists()


def can_complete_task(user, task) -> bool:
    """An open task is done by the person it is given to, or, when given to a team, by
    a member of that team holding the role its kind calls for."""
    from cases.choices import TaskStatus

    if task.status != TaskStatus.OPEN:
        return False
    if task.assigned_to_id is not None:
        return task.assigned_to_id == user.pk
    return task.team_id == _team_id(user) and has_role(user, *TASK_ROLES.get(task.kind, ()))


def queues_visible_to(user, queryset):
    """Supervisors see every queue; DASOs and researchers the queues of their team."""
    if has_role(user, Role.SUPERVISOR):
        return queryset
    if has_role(user, Role.DASO, Role.RESEARCHER):
        team_id = _team_id(user)
        return queryset.filter(team_id=team_id) if team_id else queryset.none()
    return queryset.none()


# Roles whose members hold cases on a caseload.
CASE_OWNER_ROLES = frozenset({Role.DASO, Role.RESEARCHER})


def works_queue(user, queue) -> bool:
    """Whether `user` may hold the cases of `queue`: an active account holding the role
    that works it, in the team it belongs to. A case outside any queue may be held by
    any DASO or researcher."""
    if not getattr(user, "is_active", False):
        return False
    if queue is None:
        return has_role(user, *CASE_OWNER_ROLES)
    return has_role(user, queue.worked_by_role) and _team_id(user) == queue.team_id


def can_claim_case(user, case) -> bool:
    """Take an open case onto your caseload: those who work its queue (researchers only
    from researchers' queues). Whether it is still free is the service's to say."""
    from cases.choices import CaseStatus

    return case.status == CaseStatus.OPEN and works_queue(user, case.queue)


def can_release_case(user, case) -> bool:
    """Put a held case back in its queue: its owner, or a supervisor."""
    from cases.choices import CaseStatus

    if case.status != CaseStatus.OPEN or case.assigned_to_id is None:
        return False
    return case.assigned_to_id == user.pk or has_role(user, Role.SUPERVISOR)


def can_reassign_case(user, case) -> bool:
    """Give an open case to someone else: supervisors only."""
    from cases.choices import CaseStatus

    return case.status == CaseStatus.OPEN and has_role(user, Role.SUPERVISOR)


def can_reassign_across_teams(user, case) -> bool:
    """Give an open case to a DASO (or researcher) of another hub or unit, covering while
    its team is away; the case moves to their team's queue (a case outside any queue may
    be held by anyone already). Supervisors only, like any reassignment; a DASO may not."""
    return can_reassign_case(user, case)


def can_close_case(user, case) -> bool:
    """Close an open case: its owner, or a supervisor."""
    from cases.choices import CaseStatus

    if case.status != CaseStatus.OPEN:
        return False
    if has_role(user, Role.SUPERVISOR):
        return True
    return case.assigned_to_id == user.pk and has_role(user, *CASE_WORKERS)


def can_acknowledge_out_of_hours(user) -> bool:
    """Supervisors acknowledge an out-of-hours alert (nobody was at work to be told about
    a high-risk case): they see every case and queue."""
    return has_role(user, Role.SUPERVISOR)
