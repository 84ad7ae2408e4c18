"""Who may read and record a victim's contact timeline and the agencies that work with her."""

from __future__ import annotations

from django.db.models import Q

from cases.rules import CASE_READERS, cases_visible_to
from dasapp.roles import Role, has_role
from org.choices import TeamKind

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
    if not has_role(user, *AGENCY_ROLES):
        return None
    profile = getattr(user, "profile", None)
    return profile.team_id if profile else None


def involved_victim_ids(user):
    """The ids of the victims the user's agency works with now (a subquery), or None
    for a user who is not an agency's."""
    team_id = agency_team_id(user)
    if team_id is None:
        return None
    from partners.models import AgencyInvolvement

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
    from people.models import Person

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
