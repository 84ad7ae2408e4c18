"""The access log, as views use it: every page or API response that shows a person or
case records who saw it, when, and the work item or purpose that brought them.

Pages linked from a work item carry `?via=<kind>:<id>` (ids only, never personal
data). Without one, the user is asked to state a purpose once per record per session.
API callers may send `X-Work-Item` and `X-Access-Purpose` headers.

A work item is never taken on trust: it counts only when the user may see it and it
is about the record being opened (a case whose victim is the person, the call she was
in, an action on her safety plan …). Each kind registers the check that says so with
`@register_work_item("<kind>")` in its app's `work_items.py` (found on first use, like
`admin.py`); a kind nobody registered, or a check that says no, is ignored: the log
row has no work item and a page asks for the purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.shortcuts import redirect, render
from django.utils.module_loading import autodiscover_modules

from dasapp import services
from dasapp.forms import PurposeForm
from dasapp.models import AccessLog

WORK_ITEM_RE = re.compile(r"^(?P<kind>[a-z_]{2,30}):(?P<pk>\d{1,18})$")
SESSION_KEY = "access_purposes"
# The verified work item each record was first opened from in this session, so that
# moving between pages of the same record does not ask for a purpose.
WORK_ITEMS_SESSION_KEY = "access_work_items"

# check(user, pk, *, obj, person_id) -> bool: may `user` see work item `pk`, and is it
# about the record (`obj`, the person `person_id`)? With neither (a search or a list),
# only whether the user may see it.
WorkItemCheck = Callable[..., bool]
_checks: dict[str, WorkItemCheck] = {}
_discovered = False


def register_work_item(kind: str) -> Callable[[WorkItemCheck], WorkItemCheck]:
    """Decorator: `check` verifies the work items `<kind>:<id>`."""
    if not re.fullmatch(r"[a-z_]{2,30}", kind):
        raise ValueError(f"A work item kind is 2 to 30 lower-case letters: {kind!r}")

    def decorator(check: WorkItemCheck) -> WorkItemCheck:
        _checks[kind] = check
        return check

    return decorator


def work_item_kinds() -> frozenset[str]:
    """The kinds of work item that can be verified."""
    _discover()
    return frozenset(_checks)


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("work_items")
        _discovered = True


def _label(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def work_item_verified(request, value: str, *, obj=None, person_id: int | None = None) -> bool:
    """Whether the requesting user may see work item `value` and it is about the record
    (`obj`, `person_id`); with no record, whether they may see it. Answers are kept for
    the rest of the request."""
    match = WORK_ITEM_RE.match(value or "")
    user = getattr(request, "user", None)
    if match is None or not getattr(user, "is_authenticated", False):
        return False
    _discover()
    check = _checks.get(match["kind"])
    if check is None:
        return False
    key = (value, _label(obj) if obj is not None else "", person_id)
    cache = getattr(request, "_work_item_checks", None)
    if cache is None:
        cache = {}
        request._work_item_checks = cache
    if key not in cache:
        cache[key] = bool(check(user, int(match["pk"]), obj=obj, person_id=person_id))
    return cache[key]


def _offered(request) -> str:
    return request.GET.get("via", "") or request.headers.get("X-Work-Item", "")


def work_item_from(request, *, obj=None, person_id: int | None = None) -> str:
    """The work item the request came from (`?via=` or `X-Work-Item`) if it is verified
    for the record (`obj`, `person_id`; with neither, if the user may see it), else ""."""
    value = _offered(request)
    return value if work_item_verified(request, value, obj=obj, person_id=person_id) else ""


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def work_item_for(request, *, obj=None, person_id: int | None = None) -> str:
    """The work item to log for the record: the one the request came from if verified;
    on a page, else the one this record was opened from earlier in the session (verified
    for it then: a case the user's own change has just moved out of the queue they
    opened it from still came from that queue); else ""."""
    found = work_item_from(request, obj=obj, person_id=person_id)
    if found or obj is None or _is_api(request):
        return found
    return request.session.get(WORK_ITEMS_SESSION_KEY, {}).get(_label(obj), "")


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
    channel = AccessLog.Channel.API if _is_api(request) else AccessLog.Channel.WEB
    if channel == AccessLog.Channel.API and not purpose:
        purpose = request.headers.get("X-Access-Purpose", "")[:500]
    return services.access_record(
        user=request.user,
        action=action,
        obj=obj,
        person_id=person_id,
        purpose=purpose,
        work_item=work_item_for(request, obj=obj, person_id=person_id),
        channel=channel,
        detail=detail,
    )


def log_alteration(request, *, obj, person_id: int | None = None, change: str = "", **detail):
    """Record that the requesting user changed `obj` (a write whose answer or next page
    shows the record): `change` says what was done, e.g. "claim"."""
    return log_action(
        request,
        action=AccessLog.Action.ALTER,
        obj=obj,
        person_id=person_id,
        detail={"change": change, **detail} if change else detail,
    )


def log_search(request, *, object_type: str, detail: dict, purpose: str = ""):
    channel = AccessLog.Channel.API if _is_api(request) else AccessLog.Channel.WEB
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

    A user who came from a work item (`?via=`) that is verified for this record is not
    asked, for this record, again in this session; otherwise they state a purpose once
    per record in this session, and every view after it is logged with it.
    """
    label = _label(obj)
    purposes = request.session.get(SESSION_KEY, {})
    work_item = work_item_for(request, obj=obj, person_id=person_id)
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
    if work_item:
        remembered = request.session.get(WORK_ITEMS_SESSION_KEY, {})
        if remembered.get(label) != work_item:
            request.session[WORK_ITEMS_SESSION_KEY] = remembered | {label: work_item}
    log_consult(request, obj=obj, person_id=person_id, purpose=purposes.get(label, ""))
    return None


def purpose_given(request, *, obj) -> str:
    """The purpose the user stated for `obj` in this session, or ""."""
    return request.session.get(SESSION_KEY, {}).get(_label(obj), "")


def reason_given(request, *, obj, person_id: int | None = None) -> bool:
    """Whether a page may show `obj` without asking why: a work item vouches for it, or
    a purpose was stated for it in this session."""
    return bool(
        work_item_for(request, obj=obj, person_id=person_id) or purpose_given(request, obj=obj)
    )


def remember_purpose(request, *, obj, purpose: str) -> None:
    """State the purpose for `obj` for the rest of the session, as the user would on the
    purpose page (for a page that has just recorded the record, say)."""
    purposes = request.session.get(SESSION_KEY, {})
    request.session[SESSION_KEY] = purposes | {_label(obj): purpose[:500]}


def via_query(request) -> str:
    """`?via=<work item>` to carry a work item the user may see on to the next page
    (which checks it against its own record), or ""."""
    work_item = work_item_from(request)
    return f"?via={work_item}" if work_item else ""
