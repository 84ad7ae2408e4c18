"""Reads for which agencies work with a victim: her involvements (open first), the
victims an agency works with ("My agency's victims"), and the agencies one may be
recorded for. Who may see what is `cases.rules`'s: an involvement is seen by those who
may read the victim's contact timeline."""

from __future__ import annotations

from django.db.models import F, Max, OuterRef, QuerySet, Subquery

from org.models import Team
from partners import rules as partner_rules
from partners.models import AgencyInvolvement, Contact
from people.models import Person


def agency_choices() -> QuerySet[Team]:
    """The agencies that may work with a victim: active IDVA services and partners."""
    return Team.objects.filter(kind__in=partner_rules.AGENCY_KINDS, is_active=True).order_by("name")


def victim_involvements(*, victim: Person) -> QuerySet[AgencyInvolvement]:
    """Every agency that works or worked with her: those working with her now first
    (newest first), then the ended ones (most recently ended first)."""
    return (
        AgencyInvolvement.objects.filter(victim=victim)
        .select_related("agency", "started_by", "ended_by", "case")
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at", "-pk")
    )


def involvements_visible_to(user, queryset: QuerySet[AgencyInvolvement]):
    """The involvements of the victims whose contact timeline `user` may read."""
    victims = partner_rules.contact_victims_visible_to(user, Person.objects.all()).values("pk")
    return queryset.filter(victim_id__in=victims)


def involvement_for(*, user, pk: int) -> AgencyInvolvement | None:
    """An involvement `user` may see, or None."""
    return (
        involvements_visible_to(user, AgencyInvolvement.objects.all())
        .select_related("agency", "victim")
        .filter(pk=pk)
        .first()
    )


def agency_victims(*, user) -> QuerySet[AgencyInvolvement]:
    """The victims the user's agency works with now, by name, each with when the
    agency started and the last contact with her by anyone: one query, whatever the
    number of rows. None for a user who is not an agency's."""
    team_id = partner_rules.agency_team_id(user)
    if team_id is None:
        return AgencyInvolvement.objects.none()
    last_contact = (
        Contact.objects.filter(victim_id=OuterRef("victim_id"))
        .values("victim_id")
        .annotate(last=Max("at"))
        .values("last")
    )
    return (
        AgencyInvolvement.objects.filter(agency_id=team_id, ended_at__isnull=True)
        .select_related("victim")
        .annotate(last_contact_at=Subquery(last_contact))
        .order_by("victim__family_name", "victim__given_name", "victim_id")
    )
