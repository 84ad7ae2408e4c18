"""Who may do what with people, places and (later) cases. Views, API views and
templates ask these predicates; selectors use the scoping helpers to filter lists."""

from __future__ import annotations

from django.db.models import Q

from cases.choices import IncidentStatus
from dasapp.roles import PERSON_READERS, PERSON_WRITERS, Role, has_role


def can_read_people(user) -> bool:
    return has_role(user, *PERSON_READERS)


def can_write_people(user) -> bool:
    return has_role(user, *PERSON_WRITERS)


def people_visible_to(user, queryset):
    """Scope a Person queryset to what `user` may see.

    Police and unit roles see every person (the look-up must find everyone); partner
    agencies see nobody here: their access comes through the MARAC cases shared with
    them (the MARAC issue adds that scope).
    """
    if can_read_people(user):
        return queryset
    return queryset.none()


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

    if incident.status == IncidentStatus.DRAFT:
        return has_role(user, Role.SUPERVISOR) or incident.created_by_id == user.pk
    return has_role(user, Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR)


def can_add_research(user, incident) -> bool:

    return incident.status != IncidentStatus.CLOSED and has_role(
        user, Role.INTELLIGENCE, Role.SUPERVISOR
    )


def can_see_incident_history(user) -> bool:

    return has_role(user, Role.SUPERVISOR)


def incidents_visible_to(user, queryset):
    """`can_read_incident` as a filter: a draft only for its call-taker and
    supervisors, logged calls for every role that reads incidents."""

    if has_role(user, Role.SUPERVISOR):
        return queryset
    if not has_role(user, Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR):
        return queryset.none()
    return queryset.filter(~Q(status=IncidentStatus.DRAFT) | Q(created_by=user))
