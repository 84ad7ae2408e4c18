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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
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


def log_consult(
    request,
    *,
    obj,
    person_id: int | None = None,
    purpose: str = "",
    detail=None,
    reason: str = "",
):
    """Record that the requesting user consulted `obj` (web or API). `purpose` is what
    the user stated, nothing else; `reason` what the page knows happened ("Opened the
    call's page")."""
    return log_action(
        request,
        action=AccessLog.Action.CONSULT,
        obj=obj,
        person_id=person_id,
        purpose=purpose,
        detail=detail,
        reason=reason,
    )


def log_action(
    request,
    *,
    action: str,
    obj,
    person_id: int | None = None,
    purpose: str = "",
    detail=None,
    reason: str = "",
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
        reason=reason,
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


def log_search(request, *, object_type: str, detail: dict, purpose: str = "", reason: str = ""):
    channel = AccessLog.Channel.API if _is_api(request) else AccessLog.Channel.WEB
    return services.access_record(
        user=request.user,
        action=AccessLog.Action.SEARCH,
        object_type=object_type,
        purpose=purpose or request.headers.get("X-Access-Purpose", "")[:500],
        work_item=work_item_from(request),
        channel=channel,
        detail=detail,
        reason=reason,
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


# Saying in words what each row of the log is about ------------------------------------
#
# The log stores ids (`cases.case` 2, `queue:2`), never names: a row must not copy personal
# data that may later be corrected or erased. The access-log page and its export name
# them when they are read, through a registry like the work items': each app says how
# its records are named (`@register_record("cases.case", ...)`) and what each kind of
# work item was (`@describe_work_items("queue")`), one query per kind for a whole page.

# namer(object_ids) -> {object_id: name}; ids it does not return are no longer held.
RecordNamer = Callable[[list[str]], dict[str, str]]
# describer(pks) -> {pk: "Working the high-risk queue (North hub)"}
WorkItemDescriber = Callable[[list[int]], dict[int, str]]
# parse(text) -> object_id if `text` is a reference to one of this type's records.
ReferenceParser = Callable[[str], str | None]


@dataclass(frozen=True)
class RecordType:
    object_type: str
    noun: str
    namer: RecordNamer
    parse_reference: ReferenceParser | None = None


_record_types: dict[str, RecordType] = {}
_work_item_describers: dict[str, WorkItemDescriber] = {}


def register_record(
    object_type: str, *, noun: str, parse_reference: ReferenceParser | None = None
) -> Callable[[RecordNamer], RecordNamer]:
    """Decorator: `namer` names the records of `object_type` ("cases.case") for the access
    log, in one query for any number of ids. `noun` names the type ("Case");
    `parse_reference` turns a reference a supervisor types ("C-000001") into an id."""

    def decorator(namer: RecordNamer) -> RecordNamer:
        _record_types[object_type] = RecordType(object_type, noun, namer, parse_reference)
        return namer

    return decorator


def describe_work_items(kind: str) -> Callable[[WorkItemDescriber], WorkItemDescriber]:
    """Decorator: `describer` says in words what the work items `<kind>:<id>` were, in one
    query for any number of ids."""

    def decorator(describer: WorkItemDescriber) -> WorkItemDescriber:
        _work_item_describers[kind] = describer
        return describer

    return decorator


def record_types() -> dict[str, RecordType]:
    _discover()
    return dict(_record_types)


def record_for_reference(text: str) -> tuple[str, str] | None:
    """(object_type, object_id) of the record a typed reference names, or None."""
    text = (text or "").strip().upper()
    if not text:
        return None
    for record_type in record_types().values():
        if record_type.parse_reference is not None:
            object_id = record_type.parse_reference(text)
            if object_id is not None:
                return record_type.object_type, object_id
    return None


def _noun(object_type: str) -> str:
    registered = _record_types.get(object_type)
    if registered is not None:
        return registered.noun
    try:
        return str(apps.get_model(object_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return object_type or "Record"


def record_names(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(object_type, object_id): "Case C-000001"} for every pair, one query per type."""
    _discover()
    by_type: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in pairs:
        if object_id:
            by_type[object_type].add(object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in by_type.items():
        registered = _record_types.get(object_type)
        found = registered.namer(sorted(ids)) if registered else {}
        noun = _noun(object_type)
        for object_id in ids:
            name = found.get(object_id)
            names[object_type, object_id] = (
                f"{noun} {name}" if name else f"{noun} {object_id} (no longer held)"
            )
    return names


def work_item_descriptions(values: Iterable[str]) -> dict[str, str]:
    """{"queue:2": "Working the high-risk queue (North hub)"}, one query per kind."""
    _discover()
    by_kind: dict[str, set[int]] = defaultdict(set)
    for value in values:
        match = WORK_ITEM_RE.match(value or "")
        if match:
            by_kind[match["kind"]].add(int(match["pk"]))
    described: dict[str, str] = {}
    for kind, pks in by_kind.items():
        describer = _work_item_describers.get(kind)
        found = describer(sorted(pks)) if describer else {}
        for pk in pks:
            described[f"{kind}:{pk}"] = found.get(pk) or f"From {kind.replace('_', ' ')} {pk}"
    return described


def describe_entries(entries: list[AccessLog]) -> list[AccessLog]:
    """Give each row `record_text` (what was seen, in words), `about_text` (the person it
    is about, when that is not the record itself) and `purpose_text` (why), reading each
    kind of record and work item once for all the rows."""
    pairs = {(e.object_type, e.object_id) for e in entries}
    pairs |= {(PERSON_TYPE, str(e.person_id)) for e in entries if e.person_id is not None}
    names = record_names(pairs)
    items = work_item_descriptions(e.work_item for e in entries)
    for entry in entries:
        if entry.object_id:
            entry.record_text = names[entry.object_type, entry.object_id]
        else:
            entry.record_text = f"{_noun(entry.object_type)} (a search)"
        about = (PERSON_TYPE, str(entry.person_id)) if entry.person_id is not None else None
        entry.about_text = (
            names[about] if about and about != (entry.object_type, entry.object_id) else ""
        )
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        reasons = []
        if entry.work_item:
            reasons.append(items.get(entry.work_item, entry.work_item))
        if detail.get("reason"):
            reasons.append(str(detail["reason"]))  # what happened, as the page recorded it
        if entry.purpose:
            reasons.append(f"Purpose given: {entry.purpose}")  # only ever what was typed
        if entry.recipient:
            reasons.append(f"Disclosed to {entry.recipient}")
        change = detail.get("change")
        if change and entry.action == AccessLog.Action.ALTER:
            reasons.append(f"Change: {str(change).replace('_', ' ')}")
        entry.purpose_text = ". ".join(reasons) if reasons else "No purpose recorded"
    return entries


# The record type whose rows name a person; the log's `person_id` points at one.
PERSON_TYPE = "people.person"
