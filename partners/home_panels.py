"""The home page's panel for the staff of an IDVA service or partner agency."""

from __future__ import annotations

from django.urls import reverse

from dasapp.home import ACROSS_ROLES, HomeSection, register_home_panel
from partners import rules
from partners.selectors import involvements as involvement_selectors


@register_home_panel(roles=rules.AGENCY_ROLES, order=ACROSS_ROLES)
def agency_victims(user, context) -> HomeSection:
    """How many victims their agency works with now (no names on the home page),
    linking to the list."""
    count = involvement_selectors.agency_victims(user=user).count()
    items = []
    if count:
        items.append(
            {
                "text": f"{count} victim{'s' if count != 1 else ''}: read "
                f"{'their' if count != 1 else 'her'} contact timeline before you contact "
                f"{'them' if count != 1 else 'her'}",
                "url": reverse("agency_victims"),
            }
        )
    return HomeSection(
        "My agency's victims", "Your agency is not working with any victim.", items=items
    )
