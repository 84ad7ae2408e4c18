"""The intelligence desk's list of live incidents needing research: refreshed every 30
seconds with htmx, as the dispatch board is."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from calls.selectors import calls as call_selectors
from dasapp import access
from dasapp.permissions import role_required
from dasapp.roles import Role

RESEARCH_ROLES = (Role.INTELLIGENCE, Role.SUPERVISOR)
# The incidents the last logged view of the list showed, kept in the session.
SHOWN_SESSION_KEY = "research_list_shown"


@role_required(*RESEARCH_ROLES)
@never_cache
def research_list(request):
    """Live incidents needing research. Every page view is one search row on the access
    log naming the incidents shown; a refresh adds one only when what it shows changed,
    so that a list left open does not write a row every 30 seconds."""
    now = timezone.now()
    rows = call_selectors.incidents_needing_research(now=now)
    shown = [row.incident.pk for row in rows]
    if not request.htmx or request.session.get(SHOWN_SESSION_KEY) != shown:
        access.log_search(
            request,
            object_type="calls.incident",
            reason="Opened the list of live incidents needing research",
            detail={"research_list": True, "results": shown},
        )
        request.session[SHOWN_SESSION_KEY] = shown
    template = "calls/_research_list.html" if request.htmx else "calls/research.html"
    return render(request, template, {"rows": rows, "now": now})
