"""The access log, as views use it: every page or API response that shows a person or
case records who saw it, when, and the work item or purpose that brought them.

Pages linked from a work item carry `?via=<kind>:<id>` (ids only, never personal
data). Without one, the user is asked to state a purpose once per record per session.
API callers may send `X-Work-Item` and `X-Access-Purpose` headers.
"""

from __future__ import annotations

import re

from django.shortcuts import redirect, render

from dasapp import services
from dasapp.forms import PurposeForm
from dasapp.models import AccessLog

WORK_ITEM_RE = re.compile(r"^[a-z_]{2,30}:\d{1,18}$")
SESSION_KEY = "access_purposes"


def work_item_from(request) -> str:
    value = request.GET.get("via", "") or request.headers.get("X-Work-Item", "")
    return value if WORK_ITEM_RE.match(value) else ""


def log_consult(request, *, obj, person_id: int | None = None, purpose: str = "", detail=None):
    """Record that the requesting user consulted `obj` (web or API)."""
    return log_action(
        request,
        action=AccessLog.Action.CONSULT,
        obj=obj,
        person_id=person_id,
        purpose=purpose,
        detail=detail,
    )


def log_action(
    request, *, action: str, obj, person_id: int | None = None, purpose: str = "", detail=None
):
    """Record a consultation, collection or alteration of `obj` by the requesting user."""
    channel = AccessLog.Channel.API if request.path.startswith("/api/") else AccessLog.Channel.WEB
    if channel == AccessLog.Channel.API and not purpose:
        purpose = request.headers.get("X-Access-Purpose", "")[:500]
    return services.access_record(
        user=request.user,
        action=action,
        obj=obj,
        person_id=person_id,
        purpose=purpose,
        work_item=work_item_from(request),
        channel=channel,
        detail=detail,
    )


def log_search(request, *, object_type: str, detail: dict, purpose: str = ""):
    channel = AccessLog.Channel.API if request.path.startswith("/api/") else AccessLog.Channel.WEB
    return services.access_record(
        user=request.user,
        action=AccessLog.Action.SEARCH,
        object_type=object_type,
        purpose=purpose or request.headers.get("X-Access-Purpose", "")[:500],
        work_item=work_item_from(request),
        channel=channel,
        detail=detail,
    )


def consult_or_ask_purpose(request, *, obj, person_id: int | None = None):
    """For a page: log the view and return None, or return a response to send instead
    (the page asking for a purpose, or the redirect after one is given).

    A user who came from a work item (`?via=`) is not asked; otherwise they state a
    purpose once per record in this session, and every view after it is logged with it.
    """
    label = f"{obj._meta.label_lower}:{obj.pk}"
    purposes = request.session.get(SESSION_KEY, {})
    work_item = work_item_from(request)
    if request.method == "POST" and "purpose" in request.POST and not work_item:
        form = PurposeForm(request.POST)
        if not form.is_valid():
            return render(request, "access/purpose.html", {"form": form}, status=400)
        purposes[label] = form.cleaned_data["purpose"]
        request.session[SESSION_KEY] = purposes
        # Show the record on a GET, which logs it: a refresh does not post again.
        return redirect(request.get_full_path())
    if not work_item and label not in purposes:
        return render(request, "access/purpose.html", {"form": PurposeForm()})
    log_consult(request, obj=obj, person_id=person_id, purpose=purposes.get(label, ""))
    return None


def via_query(request) -> str:
    """`?via=<work item>` to carry the work item on to the next page, or ""."""
    work_item = work_item_from(request)
    return f"?via={work_item}" if work_item else ""
