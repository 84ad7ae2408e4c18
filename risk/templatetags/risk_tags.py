"""Template pieces of the DV1 used on other apps' pages."""

from __future__ import annotations

from django import template

from calls.choices import IncidentRole
from risk import rules
from risk.choices import AssessmentStatus
from risk.models import Assessment

register = template.Library()


@register.inclusion_tag("risk/_start.html", takes_context=True)
def dv1_start(context, incident, involved):
    """On the incident page: "Complete a DV1" for each victim, for those who may."""
    user = context["request"].user
    if not rules.can_start_dv1(user, incident):
        return {"show": False}
    links = list(involved)
    suspects = [link.person for link in links if link.role == IncidentRole.SUSPECT]
    latest: dict[int, Assessment] = {}
    for assessment in Assessment.objects.filter(incident=incident).order_by("created_at"):
        if assessment.status != AssessmentStatus.SUPERSEDED:
            latest[assessment.victim_id] = assessment
    rows = [
        {"victim": link.person, "assessment": latest.get(link.person_id)}
        for link in links
        if link.role == IncidentRole.VICTIM
    ]
    return {
        "show": True,
        "incident": incident,
        "rows": rows,
        "suspects": suspects,
        "csrf_token": context.get("csrf_token"),
    }
