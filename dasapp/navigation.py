"""The service navigation: each entry names the roles that see it.

Later capabilities add their entries here; the header shows only what the user's
roles may open (the same roles the views enforce).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dasapp.roles import ALL_ROLES, PERSON_READERS, Role, role_names


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "home", frozenset()),
    NavItem("Calls", "calls", frozenset({Role.CALL_TAKER, Role.SUPERVISOR})),
    NavItem(
        "Dispatch",
        "dispatch",
        frozenset({Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR}),
    ),
    NavItem("DV1s", "dv1_list", frozenset({Role.OFFICER, Role.SUPERVISOR})),
    NavItem("People", "people_search", PERSON_READERS),
    NavItem("Access log", "access_log", frozenset({Role.SUPERVISOR})),
    NavItem("Queues", "queues", frozenset({Role.DASO, Role.RESEARCHER, Role.SUPERVISOR})),
    NavItem("My caseload", "caseload", frozenset({Role.DASO, Role.RESEARCHER})),
    # The staff of an IDVA service or partner agency: partners.rules.AGENCY_ROLES.
    NavItem("My agency's victims", "agency_victims", frozenset({Role.IDVA, Role.PARTNER})),
    # Everyone who may own a safety-plan action (not partner agencies): cases.safety_selectors.
    NavItem("My actions", "my_safety_actions", frozenset(ALL_ROLES - {Role.PARTNER})),
    NavItem("Actions needing attention", "safety_actions_attention", frozenset({Role.SUPERVISOR})),
    NavItem("Notifications", "notifications", frozenset()),
]


def nav_for(user, current_path: str) -> list[dict]:
    names = role_names(user)
    items = []
    for item in NAV_ITEMS:
        if item.roles and not (names & item.roles):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active, "key": item.url_name})
    return items
