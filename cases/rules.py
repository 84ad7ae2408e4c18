"""Who may do what with people, places and (later) cases. Views, API views and
templates ask these predicates; selectors use the scoping helpers to filter lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from cases.choices import IncidentStatus, TeamKind
from dasapp.roles import PERSON_READERS, PERSON_WRITERS, Role, has_role


def can_read_people(user) -> bool:
    return has_role(user, *PERSON_READERS)


def can_write_people(user) -> bool:
    return has_role(user, *PERSON_WRITERS)


def people_visible_to(user, queryset):
    """Scope a Person queryset to what `user` may see.

    Police and unit roles see every person (the look-up must find everyone); IDVAs and
    partner agencies see nobody here: they see the contact timeline of a victim their
    agency works with (`can_see_contacts`), and the MARAC issue adds the cases shared
    with them.
    """
    if can_read_people(user):
        return queryset
    return queryset.none()


# A call that was never logged: in progress, or abandoned. Seen only by the call-taker who
# started it and by supervisors, and never worked (dispatched, researched, a DV1).
UNLOGGED = frozenset({IncidentStatus.DRAFT, IncidentStatus.ABANDONED})


def can_edit_call(user, incident) -> bool:
    """A draft call is edited by the call-taker who opened it (or a supervisor)."""

    if incident.status != IncidentStatus.DRAFT:
        return False
    if has_role(user, Role.SUPERVISOR):
        return True
    return has_role(user, Role.CALL_TAKER) and incident.created_by_id == user.pk


def can_read_incident(user, incident) -> bool:
    """Control room, attending officers and supervisors read logged calls; a draft is
    seen only by its call-taker and supervisors."""

    if incident.status in UNLOGGED:
        return has_role(user, Role.SUPERVISOR) or incident.created_by_id == user.pk
    return has_role(user, Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR)


def may_abandon_calls_of(user, incident) -> bool:
    """Whether `user` is someone who may abandon this call while it is in progress: the
    call-taker who started it, or a supervisor. Whatever the call's status: a page or
    the API tells such a person why a logged call cannot be abandoned."""
    if has_role(user, Role.SUPERVISOR):
        return True
    return has_role(user, Role.CALL_TAKER) and incident.created_by_id == user.pk


def can_abandon_call(user, incident) -> bool:
    """A call still in progress (a draft) is abandoned, never deleted, by the call-taker
    who started it or a supervisor. Once logged it is closed with its outcome instead."""
    return incident.status == IncidentStatus.DRAFT and may_abandon_calls_of(user, incident)


def can_see_abandoned_calls(user) -> bool:
    """The recent abandoned calls, for call-quality review: supervisors."""
    return has_role(user, Role.SUPERVISOR)


def can_add_research(user, incident) -> bool:

    return incident.status not in {IncidentStatus.CLOSED, IncidentStatus.ABANDONED} and has_role(
        user, Role.INTELLIGENCE, Role.SUPERVISOR
    )


# Who records an officer's arrival at a call and closes it: the control room (call-takers
# dispatch; there is no separate dispatcher role), supervisors, and attending officers
# (who arrive). Intelligence researchers read the board but do not dispatch.
DISPATCHERS = frozenset({Role.CALL_TAKER, Role.OFFICER, Role.SUPERVISOR})


def can_dispatch_incident(user, incident) -> bool:
    """Record the officer's arrival at a logged call, or close it. Whether the call is
    still open for that is the service's to say (a second click is told it was done)."""
    return incident.status not in UNLOGGED and has_role(user, *DISPATCHERS)


def can_regrade_call(user, incident, *, now: dt.datetime | None = None) -> bool:
    """A logged call is regraded by a supervisor, or by the call-taker who logged it
    within the force's regrade window (ResponseSettings.regrade_window_minutes) of
    logging it. Attended and closed calls are never regraded."""
    if incident.status != IncidentStatus.GRADED:
        return False
    if has_role(user, Role.SUPERVISOR):
        return True
    if not (has_role(user, Role.CALL_TAKER) and incident.logged_by_id == user.pk):
        return False
    from cases.call_services import response_settings

    window = dt.timedelta(minutes=response_settings().regrade_window_minutes)
    logged_at = incident.logged_at or incident.graded_at
    return logged_at is not None and (now or timezone.now()) <= logged_at + window


def can_see_incident_history(user) -> bool:

    return has_role(user, Role.SUPERVISOR)


def incidents_visible_to(user, queryset):
    """`can_read_incident` as a filter: a draft (or an abandoned call) only for its
    call-taker and supervisors, logged calls for every role that reads incidents."""

    if has_role(user, Role.SUPERVISOR):
        return queryset
    if not has_role(user, Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR):
        return queryset.none()
    return queryset.filter(~Q(status__in=UNLOGGED) | Q(created_by=user))


# Cases, queues, tasks and DV1s ----------------------------------------------------------

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
    submitted a DV1 for or hold a task on; everyone else (partners included) none."""
    if has_role(user, *CASE_WORKERS):
        return queryset
    if has_role(user, Role.OFFICER):
        from cases.models import Task
        from risk.models import Assessment

        mine = Assessment.objects.filter(submitted_by=user).values("case_id")
        tasked = Task.objects.filter(assigned_to=user).values("case_id")
        return queryset.filter(Q(pk__in=mine) | Q(pk__in=tasked))
    return queryset.none()


def can_read_case(user, case) -> bool:
    from cases.models import Case

    return cases_visible_to(user, Case.objects.filter(pk=case.pk)).exists()


def can_review_case(user, case, latest_assessment=None) -> bool:
    """Agree, change the level or challenge the officer: DASOs and supervisors on any
    open case; researchers on the cases in researchers' queues and on cases whose
    latest DV1 scored standard (the standard-risk DV1s they check)."""
    from cases.choices import CaseStatus, QueueKind, RiskLevel

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


# The victim contact timeline ------------------------------------------------------------

# Agencies outside the police that work with a victim: the IDVA service and partner
# agencies (victim support, children's services, housing …). Their staff read and add to
# a victim's contact timeline only while their agency works with her (an open
# `AgencyInvolvement`), and see nothing else of her cases.
AGENCY_ROLES = frozenset({Role.IDVA, Role.PARTNER})
AGENCY_KINDS = frozenset({TeamKind.IDVA_SERVICE, TeamKind.PARTNER_AGENCY})

# The roles that read a victim's contact timeline and record contacts: the police roles
# working cases, who see the victims of the cases they may read (`cases_visible_to`),
# never a perpetrator, a witness or anyone else; and the agencies' staff, who see the
# victims their agency works with. The contact service itself is agency-agnostic: it
# records against the user's team.
POLICE_CONTACT_WORKERS = frozenset(
    {Role.DASO, Role.RESEARCHER, Role.SUPERVISOR, Role.INVESTIGATOR, Role.OFFICER}
)
CONTACT_WORKERS = POLICE_CONTACT_WORKERS | AGENCY_ROLES

# Who records by hand that an agency works with a victim, and ends it: those who work a
# case of hers (its safety plan: `safety_selectors.can_work_plan`).
INVOLVEMENT_RECORDERS = frozenset({Role.DASO, Role.SUPERVISOR})


def agency_team_id(user) -> int | None:
    """The agency a partner-agency user or IDVA works for (their team), or None."""
    return _team_id(user) if has_role(user, *AGENCY_ROLES) else None


def involved_victim_ids(user):
    """The ids of the victims the user's agency works with now (a subquery), or None
    for a user who is not an agency's."""
    team_id = agency_team_id(user)
    if team_id is None:
        return None
    from cases.models import AgencyInvolvement

    return AgencyInvolvement.objects.filter(agency_id=team_id, ended_at__isnull=True).values(
        "victim_id"
    )


def contact_victims_visible_to(user, queryset):
    """Scope a Person queryset to the victims whose contact timeline `user` may read and
    add to: the victims of the cases the user may read, and those their agency works
    with now."""
    if not has_role(user, *CONTACT_WORKERS):
        return queryset.none()
    from cases.models import Case

    scope = Q(pk__in=[])
    if has_role(user, *CASE_READERS):
        scope |= Q(pk__in=cases_visible_to(user, Case.objects.all()).values("victim_id"))
    involved = involved_victim_ids(user)
    if involved is not None:
        scope |= Q(pk__in=involved)
    return queryset.filter(scope)


def can_see_contacts(user, victim) -> bool:
    from cases.models import Person

    return contact_victims_visible_to(user, Person.objects.filter(pk=victim.pk)).exists()


def can_record_contact(user, victim) -> bool:
    """The same people who read the timeline may add to it (the service also needs the
    user to be in a team: the agency the contact is recorded against)."""
    return can_see_contacts(user, victim)


def involvement_cases(user, victim):
    """The victim's open cases whose safety plan `user` works, newest first: those a
    hand-recorded involvement may be started from."""
    from cases.choices import CaseStatus
    from cases.models import Case
    from cases.safety_selectors import can_work_plan

    if not has_role(user, *INVOLVEMENT_RECORDERS):
        return []
    cases = (
        Case.objects.filter(victim_id=victim.pk, status=CaseStatus.OPEN)
        .select_related("queue")
        .order_by("-opened_at", "-pk")
    )
    return [case for case in cases if can_work_plan(user, case)]


def can_record_involvement(user, victim) -> bool:
    """Record that an agency works with the victim: DASOs and supervisors who work an
    open case of hers."""
    return bool(involvement_cases(user, victim))


def can_end_involvement(user, involvement) -> bool:
    """End an open involvement: those who may record one for her, and the agency's own
    staff (their work with her is over). Whether it is still open is the service's."""
    if involvement.ended_at is not None:
        return False
    if agency_team_id(user) == involvement.agency_id:
        return True
    return can_record_involvement(user, involvement.victim)


# Claiming, releasing, reassigning and closing cases (assignment) --------------------------

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
