"""The live intelligence on a logged call's page (htmx refresh) and its access-log rows."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from calls.choices import IncidentStatus
from calls.models import Incident
from calls.selectors import calls as call_selectors
from calls.views.common import INCIDENT_READERS, _incident_for, _log_lookup
from dasapp.permissions import role_required

# The officer's current intelligence on a logged call's page: refreshed (htmx) every
# LIVE_REFRESH_SECONDS while the call is open. The page itself always writes its look-up
# to the access log; a refresh writes a row only when what it shows changed, or when
# LIVE_LOG_EVERY has passed since the last row for the call (a panel left open all shift
# is on the record without a row every refresh).
LIVE_STATUSES = frozenset({IncidentStatus.GRADED, IncidentStatus.ATTENDED})
LIVE_REFRESH_SECONDS = 45
LIVE_LOG_EVERY = dt.timedelta(minutes=15)
# Per call: the ids the last logged look-up showed and when, kept in the session (the
# latest LIVE_LOG_KEPT calls only).
LIVE_LOG_SESSION_KEY = "live_intelligence_logged"
LIVE_LOG_KEPT = 20
# htmx stops polling on this status: a closed call's intelligence is not refreshed.
STOP_POLLING = 286


def _log_live_lookup(
    request, incident: Incident, live: call_selectors.LiveIntelligence, *, refresh: bool
) -> bool:
    """Write the current look-up to the access log as the call page's look-ups are
    (`_log_lookup`): always for the page, for a refresh only when it shows something
    else than the last row did or LIVE_LOG_EVERY has passed. Whether a row was written."""
    shown = live.package.shown_ids()
    now = timezone.now().timestamp()
    logged = dict(request.session.get(LIVE_LOG_SESSION_KEY, {}))
    last = logged.pop(str(incident.pk), None)
    if (
        refresh
        and isinstance(last, dict)
        and last.get("shown") == shown
        and now - last.get("at", 0) < LIVE_LOG_EVERY.total_seconds()
    ):
        return False
    _log_lookup(
        request,
        incident,
        live.package,
        reason=f"Current intelligence for call {incident.reference}",
    )
    logged[str(incident.pk)] = {"shown": shown, "at": now}
    request.session[LIVE_LOG_SESSION_KEY] = dict(list(logged.items())[-LIVE_LOG_KEPT:])
    return True


@role_required(*INCIDENT_READERS)
@never_cache
@require_GET
def call_intelligence(request, pk: int):
    """The current intelligence for a logged call, beside the snapshot on its page,
    with what is new since the call was logged (htmx refresh). Stops for a closed call."""
    incident = _incident_for(request, pk)
    if incident.status not in LIVE_STATUSES:
        return render(
            request,
            "calls/_intelligence_live.html",
            {"incident": incident, "live": None},
            status=STOP_POLLING if request.htmx else 200,
        )
    live = call_selectors.live_intelligence(incident=incident)
    _log_live_lookup(request, incident, live, refresh=bool(request.htmx))
    return render(
        request,
        "calls/_intelligence_live.html",
        {
            "incident": incident,
            "live": live,
            "live_refresh_seconds": LIVE_REFRESH_SECONDS,
            "checked_at": timezone.now(),
        },
    )
