"""The home page's panels of calls: a call-taker's calls in progress, the live incidents
the intelligence desk has to research and the calls waiting for an officer."""

from __future__ import annotations

from django.urls import reverse

from calls.selectors import calls as call_selectors
from calls.selectors import dispatch as dispatch_selectors
from dasapp.home import HomeSection, register_home_panel, role_order
from dasapp.roles import Role


@register_home_panel(roles={Role.CALL_TAKER}, order=role_order(Role.CALL_TAKER))
def calls_in_progress(user, context) -> HomeSection:
    return HomeSection(
        "Calls in progress",
        "You have no calls in progress.",
        items=[
            {
                "text": f"{call.reference}, started {call.created_at:%H:%M}",
                "url": reverse("call_edit", args=[call.pk]),
            }
            for call in call_selectors.calls_in_progress(user=user)[:10]
        ],
        link_text="Start or continue a call",
        link_url="/calls/",
    )


@register_home_panel(roles={Role.INTELLIGENCE}, order=role_order(Role.INTELLIGENCE))
def incidents_needing_research(user, context) -> HomeSection:
    """How many live incidents need the intelligence desk, then the five most urgent,
    each with why (references only, never names)."""
    rows = call_selectors.incidents_needing_research(now=context.now)
    items: list = []
    if rows:
        count = f"{len(rows)} live incident{'s need' if len(rows) != 1 else ' needs'} research"
        items = [
            f"{count}. The most urgent:" if len(rows) > 5 else f"{count}:",
            *(
                {
                    "text": f"{row.incident.reference}, {row.incident.get_grade_display().lower()}, "
                    f"{row.time_left_text}: {'; '.join(row.reasons)}",
                    "url": f"{reverse('call_edit', args=[row.incident.pk])}"
                    f"?via=incident:{row.incident.pk}",
                }
                for row in rows[:5]
            ),
        ]
    return HomeSection(
        "Live incidents needing research",
        "No live incidents need research.",
        items=items,
        link_text="See every incident needing research",
        link_url="/research/",
    )


@register_home_panel(roles={Role.OFFICER}, order=role_order(Role.OFFICER))
def calls_to_attend(user, context) -> HomeSection:
    """Calls waiting for an officer, most urgent grade first, then the attend-by time,
    each with where it is and the time left (or how long overdue); references and
    places, never names. One query."""
    waiting = dispatch_selectors.calls_to_attend(now=context.now)
    items: list = [
        {
            "text": f"{row.incident.reference}, {row.incident.get_grade_display().lower()}, "
            f"{row.location}: {row.time_left_text}",
            "url": f"{reverse('call_edit', args=[row.incident.pk])}?via=incident:{row.incident.pk}",
            "tag": "Breached" if row.breached else "",
        }
        for row in waiting.rows
    ]
    if waiting.more:
        items.append(f"More calls are waiting: the {len(waiting.rows)} most urgent are shown.")
    return HomeSection(
        "Calls to attend",
        "No calls are waiting for an officer.",
        items=items,
        link_text="Open the dispatch board",
        link_url="/dispatch/",
    )
