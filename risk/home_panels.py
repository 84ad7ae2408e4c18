"""The home page's panel of DV1s: the drafts an officer has still to complete."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from dasapp.home import HomeSection, register_home_panel, role_order
from dasapp.roles import Role
from risk.choices import AssessmentStatus
from risk.models import Assessment


@register_home_panel(roles={Role.OFFICER}, order=role_order(Role.OFFICER, 10))
def dv1_drafts(user, context) -> HomeSection:
    """The DV1s the officer started and has not submitted, oldest first (as they wait
    longest); references only, never names. One query."""
    drafts = (
        Assessment.objects.filter(created_by=user, status=AssessmentStatus.DRAFT)
        .select_related("incident")
        .order_by("created_at", "pk")[:20]
    )
    return HomeSection(
        "DV1 forms to complete",
        "You have no DV1 drafts.",
        items=[
            {
                "text": f"{draft.reference}"
                + (f" for incident {draft.incident.reference}" if draft.incident_id else "")
                + f", started {timezone.localtime(draft.created_at):%-d %b %H:%M}",
                "url": reverse("dv1_edit", args=[draft.pk])
                + (f"?via=incident:{draft.incident_id}" if draft.incident_id else ""),
            }
            for draft in drafts
        ],
        link_text="See all your DV1s",
        link_url="/dv1/",
    )
