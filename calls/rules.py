"""Who may do what with calls (incidents). Views, API views and templates ask these;
selectors use `incidents_visible_to` to scope lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from calls.choices import IncidentStatus
from calls.configuration import response_settings
from dasapp.roles import Role, has_role

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
