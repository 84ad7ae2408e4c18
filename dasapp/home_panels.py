"""The kernel's panels of the home page: administration and the access log."""

from __future__ import annotations

from django.urls import reverse

from dasapp.home import ACROSS_ROLES, HomeSection, register_home_panel
from dasapp.roles import Role


@register_home_panel(roles=None, order=0)
def administration(user, context) -> HomeSection | None:
    """For administrators (who may hold no role): where their work is, the Django admin
    (users, teams, rotas, settings) and the system status (the worker's heartbeat)."""
    if not (user.is_superuser or user.is_staff):
        return None
    return HomeSection(
        "Administration",
        "",
        items=[
            {
                "text": "Administration: staff accounts, teams, rotas and settings",
                "url": reverse("admin:index"),
            },
            {
                "text": "System status: the database and the background worker",
                "url": reverse("health"),
            },
        ],
    )


@register_home_panel(roles={Role.SUPERVISOR}, order=ACROSS_ROLES + 20)
def access_log(user, context) -> HomeSection:
    return HomeSection(
        "Access log",
        "",
        link_text="See who viewed which record",
        link_url="/access-log/",
    )
