"""Call handling pages: the new-call page with autosave and live intelligence, grading,
research and the incident's history. The dispatch board is in `dispatch`, abandoning and
regrading in `call_changes`, a logged call's live intelligence in `call_intelligence`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from calls import grading, intelligence
from calls import rules as call_rules
from calls.choices import Grade, IncidentRole, IncidentStatus
from calls.models import Incident
from calls.selectors import calls as call_selectors
from calls.services import abandon as abandon_services
from calls.services import calls as call_services
from calls.views.common import CALL_ROLES, INCIDENT_READERS, _incident_for, _log_lookup, _posted_int
from calls.views.intelligence import LIVE_REFRESH_SECONDS, LIVE_STATUSES, _log_live_lookup
from dasapp import access, local_time
from dasapp.api import DomainError
from dasapp.models import AccessLog
from dasapp.permissions import role_required
from dasapp.roles import Role
from people import selectors
from people.choices import LocationType


@role_required(*CALL_ROLES)
@never_cache
def calls(request):
    return render(
        request,
        "calls/index.html",
        {
            "drafts": call_selectors.calls_in_progress(user=request.user),
            "idempotency_key": uuid.uuid4().hex,
            "can_see_abandoned": call_rules.can_see_abandoned_calls(request.user),
        },
    )


@role_required(*CALL_ROLES)
@require_POST
def call_start(request):
    """Open a new call. The form carries a one-time key, so a double-click opens one call."""
    key = request.POST.get("idempotency_key", "")[:100] or None
    incident, _ = call_services.incident_start(
        user=request.user, idempotency_key=key and f"web:{key}"
    )
    return redirect("call_edit", pk=incident.pk)


def _draft_from_post(post) -> call_services.DraftInput:
    answers: dict = {}
    skipped: dict = {}
    skip_details: dict = {}
    multi = set(post.getlist("multi"))
    for key in post:
        if key.startswith("q-"):
            code = key[2:]
            values = post.getlist(key)
            answers[code] = [v for v in values if v] if code in multi else values[-1]
        elif key.startswith("skipdetail-"):
            skip_details[key[len("skipdetail-") :]] = post.get(key, "").strip()
        elif key.startswith("skip-"):
            skipped[key[5:]] = post.get(key, "").strip()
    # A question that must always be asked is skipped with a fixed reason (radios) and
    # optional words.
    for code, detail in skip_details.items():
        skipped[code] = {"reason": skipped.get(code, ""), "detail": detail}
    people = []
    removed = post.get("remove_person", "")
    for value in [*post.getlist("person"), post.get("add_person", "")]:
        person_id, _, role = value.partition(":")
        if person_id.isdigit() and value != removed and (int(person_id), role) not in people:
            people.append((int(person_id), role))
    prefill = []
    for key in post:
        # Every known detail shown, with what the caller said of it (if anything yet).
        if key.startswith("prefill-label-"):
            item_key = key[len("prefill-label-") :]
            prefill.append(
                {
                    "key": item_key,
                    "label": post.get(key, ""),
                    "value": post.get(f"prefill-value-{item_key}", ""),
                    "status": post.get(f"prefill-status-{item_key}", ""),
                    "change": post.get(f"prefill-change-{item_key}", "").strip(),
                }
            )
    return call_services.DraftInput(
        caller_phone=post.get("caller_phone", ""),
        address_line1=post.get("address_line1", ""),
        address_town=post.get("address_town", ""),
        postcode=post.get("postcode", ""),
        location_type=post.get("location_type") or LocationType.URBAN,
        location_note=post.get("location_note", ""),
        narrative=post.get("narrative", ""),
        answers=answers,
        skipped=skipped,
        people=people if "people-present" in post else None,
        prefill=prefill if "prefill-present" in post else None,
        use_known_address=_posted_int(post.get("use_address")),
        undo_known_address=post.get("undo_address", "")[:50],
        grade=post.get("grade", "") if "grade_reason" in post else None,
        grade_reason=post.get("grade_reason"),
        appointment_text=post.get("appointment_at"),
    )


# Service field names that the page shows under another field.
PAGE_FIELDS = {"line1": "address_line1", "town": "address_town"}
# The element an error summary link takes the user to (it must take focus).
FIELD_ANCHORS = {
    "caller_phone": "caller_phone",
    "address_line1": "address_line1",
    "address_town": "address_town",
    "postcode": "postcode",
    "location_type": f"location_type-{LocationType.values[0]}",
    "location_note": "location_note",
    "people": "person_name",
    "grade": f"grade-{Grade.values[0]}",
    "grade_reason": "grade_reason",
    "appointment_at": "appointment_at",
    "version": "caller_phone",
}


def _page_errors(errors: dict | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, texts in (errors or {}).items():
        out.setdefault(PAGE_FIELDS.get(key, key), []).extend(texts)
    return out


def _question_anchor(question: dict, incident: Incident) -> str:
    """The first input of a question; of its fixed skip reasons when a skip was refused."""
    code = question["code"]
    skip = (incident.skipped or {}).get(code)
    if question.get("always") and isinstance(skip, dict):
        return f"skip-{code}-{next(iter(grading.SKIP_REASONS))}"
    if question["kind"] in {"text", "date"}:
        return f"q-{code}"
    if question["kind"] == "yes_no":
        return f"q-{code}-yes"
    return f"q-{code}-1"


# The call page's fields in the order it shows them, before and after the questions
# (which come in their question set's order): the error summary lists errors in this
# order, as a sighted user meets them going down the page.
PAGE_ORDER_BEFORE_QUESTIONS = (
    "version",
    "caller_phone",
    "address_line1",
    "address_town",
    "postcode",
    "location_type",
    "location_note",
    "people",
    "prefill",
    "narrative",
)
PAGE_ORDER_AFTER_QUESTIONS = ("grade", "grade_reason", "appointment_at")


def unanswered_summary(count: int) -> str:
    return f"Answer the {count} questions not yet answered, or say why each was not asked"


def _error_list(
    errors: dict[str, list[str]], incident: Incident, *, unanswered: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary, each anchor an input that takes focus,
    in the page's order. The questions in `unanswered` (more than one) are one entry,
    linking to the first of them; each still shows its own error beside it."""
    questions = incident.question_set.questions if incident.question_set else []
    by_code = {q["code"]: q for q in questions}
    order = [
        *PAGE_ORDER_BEFORE_QUESTIONS,
        *(q["code"] for q in questions),
        *PAGE_ORDER_AFTER_QUESTIONS,
    ]
    position = {key: index for index, key in enumerate(order)}
    keys = sorted(errors, key=lambda key: position.get(key, len(order)))
    grouped = [key for key in keys if key in unanswered and key in by_code]
    if len(grouped) < 2:
        grouped = []
    out = []
    for key in keys:
        if key in grouped:
            if key == grouped[0]:
                out.append(
                    (_question_anchor(by_code[key], incident), unanswered_summary(len(grouped)))
                )
            continue
        if key in by_code:
            anchor = _question_anchor(by_code[key], incident)
        else:
            anchor = FIELD_ANCHORS.get(key, "caller_phone")
        out.extend((anchor, text) for text in errors[key])
    return out


def _flag_ids(package: intelligence.Package) -> str:
    return ",".join(str(f["id"]) for f in package.flags)


def _flags_announcement(posted: str | None, package: intelligence.Package) -> str:
    """A short sentence for screen readers when the flags shown change; "" otherwise."""
    if posted is None or posted == _flag_ids(package):
        return ""
    seen = set(posted.split(","))
    new = [f["label"] for f in package.flags if str(f["id"]) not in seen]
    count = len(package.flags)
    if not count:
        return "Background intelligence updated: no flags now."
    total = f"{count} flag{'s' if count != 1 else ''} in all"
    if new:
        return f"New flag{'s' if len(new) != 1 else ''}: {_labels(new)}. {total}."
    return f"Flags changed: {total}: {_labels([f['label'] for f in package.flags])}."


def _labels(labels: list[str]) -> str:
    """Each label once, in order, with how many when more than one: the same flag
    raised on the number and on the person is one thing to hear, said once."""
    counts = Counter(labels)
    return ", ".join(
        label if counts[label] == 1 else f"{label} ({counts[label]})" for label in counts
    )


def _number_check_key(offers, checks) -> str:
    """What the caller's number section says, as ids: the page posts it back, and an
    autosave swaps the section only when it changes."""
    return ";".join(
        [
            *(f"offer:{offer.person_id}" for offer in offers),
            *(f"safe:{check.person_id}:{int(check.is_safe_number)}" for check in checks),
        ]
    )


def _number_check_announcement(posted: str | None, context: dict, *, offers: bool) -> str:
    """What the caller's number section now says (whether it is a victim's safe number,
    or with `offers`, whom it belongs to), for screen readers, when it changed since the
    page was shown; "" otherwise."""
    if posted is None or posted == context["number_check_key"]:
        return ""
    if offers:
        texts = [
            f"This number belongs to a known person: {offer.name}."
            for offer in context["number_offers"]
        ]
    else:
        texts = [
            f"The caller's number is the recorded safe number for {check.name}."
            if check.is_safe_number
            else "Warning: calling from a number that is not the recorded safe number for "
            f"{check.name}."
            for check in context["safe_number_checks"]
        ]
    return " ".join(texts)


def _page_context(request, incident: Incident, *, errors=None, package=None) -> dict:
    errors = _page_errors(errors)
    if package is None:
        package, _ = call_services.call_lookup(incident)
    suggestion = call_services.suggestion_for(incident, package)
    involved = list(
        incident.involved.select_related("person").order_by("role", "person__family_name")
    )
    victims = [link.person for link in involved if link.role == IncidentRole.VICTIM]
    prefill_known = {item["key"]: item for item in incident.prefill}
    prefill = []
    for victim in victims:
        for item in call_selectors.prefill_items(person=victim):
            saved = prefill_known.get(item["key"], {})
            kind, _, known_id = item["key"].partition(":")
            prefill.append(
                {
                    **item,
                    "status": saved.get("status", ""),
                    "change": saved.get("change", ""),
                    "filled": bool(saved.get("filled")),
                    # A known address may fill the call's address fields.
                    "address_id": int(known_id) if kind == "address" else None,
                }
            )
    number_offers = call_selectors.number_offers(
        incident=incident, package=package, on_call={link.person_id for link in involved}
    )
    safe_number_checks = call_selectors.safe_number_checks(incident=incident, victims=victims)
    return {
        "incident": incident,
        "can_abandon": call_rules.can_abandon_call(request.user, incident),
        "silent_call_warning": abandon_services.SILENT_CALL_WARNING,
        "number_offers": number_offers,
        "safe_number_checks": safe_number_checks,
        "number_check_key": _number_check_key(number_offers, safe_number_checks),
        "questions": incident.question_set.questions if incident.question_set else [],
        "answers": incident.answers,
        "skipped": incident.skipped or {},
        "skip_reasons": list(grading.SKIP_REASONS.items()),
        "involved": involved,
        "roles": IncidentRole.choices,
        "package": package,
        "suggestion": suggestion,
        "grades": Grade.choices,
        # What was chosen and typed before the call was logged, as the draft keeps it.
        "chosen_grade": (incident.grade_draft or {}).get("grade", ""),
        "grade_reason": (incident.grade_draft or {}).get("reason", ""),
        "appointment_at": (incident.grade_draft or {}).get("appointment", ""),
        "errors": errors,
        "error_list": _error_list(
            errors,
            incident,
            unanswered=frozenset(call_services.missing_questions(incident))
            if errors and incident.question_set
            else frozenset(),
        ),
        "flag_ids": _flag_ids(package),
        "prefill": prefill,
        "location_types": LocationType.choices,
        "yes_no": [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
        "prefill_choices": [
            ("confirmed", "Confirmed"),
            ("changed", "Changed"),
            ("not_asked", "Not asked"),
        ],
    }


@role_required(*INCIDENT_READERS)
@never_cache
def call_edit(request, pk: int):
    """The call page: a draft is edited here; a logged call is shown read-only."""
    incident = _incident_for(request, pk)
    if incident.status != IncidentStatus.DRAFT or not call_rules.can_edit_call(
        request.user, incident
    ):
        return call_detail(request, incident)
    context = _page_context(request, incident)
    _log_lookup(request, incident, context["package"])
    return render(request, "calls/edit.html", context)


def call_detail(request, incident: Incident):
    victim = (
        incident.involved.filter(role=IncidentRole.VICTIM)
        .order_by("pk")
        .values_list("person_id", flat=True)
        .first()
    )
    access.log_consult(request, obj=incident, person_id=victim, reason="Opened the call's page")
    live = None
    if incident.status in LIVE_STATUSES:
        live = call_selectors.live_intelligence(incident=incident)
        _log_live_lookup(request, incident, live, refresh=False)
    can_dispatch = call_rules.can_dispatch_incident(request.user, incident)
    return render(
        request,
        "calls/detail.html",
        {
            "incident": incident,
            "live": live,
            "live_refresh_seconds": LIVE_REFRESH_SECONDS,
            "checked_at": timezone.now(),
            "can_record_arrival": can_dispatch
            and incident.status == IncidentStatus.GRADED
            and incident.grade != Grade.TELEPHONE,
            "can_close": can_dispatch
            and incident.status in {IncidentStatus.GRADED, IncidentStatus.ATTENDED},
            "can_regrade": call_rules.can_regrade_call(request.user, incident),
            "package": incident.intelligence or None,
            "regrade_package": incident.regrade_intelligence or None,
            "changed_details": [
                item for item in incident.prefill or [] if item.get("status") == "changed"
            ],
            "involved": incident.involved.select_related("person"),
            "research": incident.research.select_related("author"),
            "can_research": call_rules.can_add_research(request.user, incident),
            "can_see_history": call_rules.can_see_incident_history(request.user),
            "questions": incident.question_set.questions if incident.question_set else [],
            "skipped_text": call_services.skipped_text(incident),
        },
    )


def _focus_address(post) -> str:
    """The known address whose button takes focus after use or undo (the button pressed
    is replaced by the other one)."""
    if post.get("undo_address"):
        return post["undo_address"][:50]
    if _posted_int(post.get("use_address")) is not None:
        return call_services.KNOWN_ADDRESS_KEY.format(int(post["use_address"]))
    return ""


def _address_announcement(post, incident: Incident) -> str:
    """For a screen reader, after "Use this address for the call" or its undo."""
    if post.get("undo_address"):
        return "Undone: the call's address fields are back as they were."
    if post.get("use_address"):
        typed = incident.address_raw or {}
        words = ", ".join(
            v for v in (typed.get("line1"), typed.get("town"), typed.get("postcode")) if v
        )
        return f"The call's address is now the known address: {words}."
    return ""


def _mark_added(post, involved) -> None:
    """Mark the person just added (`add_person`), whose row then takes focus."""
    person_id, _, role = post.get("add_person", "").partition(":")
    for link in involved:
        link.just_added = str(link.person_id) == person_id and link.role == role


def _added_announcement(post, involved) -> str:
    """For a screen reader, when a person was added (the button that added them is gone
    from the page): e.g. "Added <name> to the call as victim."; "" otherwise."""
    person_id, _, role = post.get("add_person", "").partition(":")
    for link in involved:
        if str(link.person_id) == person_id and link.role == role:
            return (
                f"Added {link.person.full_name} to the call as {link.get_role_display().lower()}."
            )
    return ""


@role_required(*CALL_ROLES)
@require_POST
def call_autosave(request, pk: int):
    """Save the draft as it is typed (htmx), and refresh the intelligence and the grade
    suggestion. Returns the live panels; nothing typed is lost on an error."""
    incident = _incident_for(request, pk)
    if incident.status != IncidentStatus.DRAFT:
        # Logged in the meantime (another window, or a save overtaken by "Log call"): say
        # so as a conflict, so the browser keeps what was typed; nothing is saved.
        return render(
            request,
            "calls/_save_status.html",
            {
                "message": (
                    "this call has been abandoned, so this page no longer saves changes."
                    if incident.status == IncidentStatus.ABANDONED
                    else "this call has been logged, so this page no longer saves changes."
                ),
                "failed": True,
                "logged_url": reverse("call_edit", args=[incident.pk]),
            },
            status=409,
        )
    if not call_rules.can_edit_call(request.user, incident):
        raise PermissionDenied
    address_before = incident.address_id
    version = request.POST.get("version")
    try:
        errors = call_services.incident_autosave(
            incident=incident,
            user=request.user,
            data=_draft_from_post(request.POST),
            version=int(version) if version and version.isdigit() else None,
        )
    except DomainError as exc:
        status = getattr(exc, "status_code", 400)
        return render(
            request,
            "calls/_save_status.html",
            {"message": exc.message, "errors": exc.errors, "failed": True},
            status=status,
        )
    incident.refresh_from_db()
    context = _page_context(request, incident, errors=errors)
    _log_lookup(request, incident, context["package"])
    context["saved_at"] = timezone.now()
    number_check_shown = request.POST.get("number_check_shown")
    # One polite announcement: who was added, the safe number, new flags, whose number.
    _mark_added(request.POST, context["involved"])
    context["address_filled"] = bool(
        request.POST.get("use_address") or request.POST.get("undo_address")
    )
    context["focus_address"] = _focus_address(request.POST)
    context["flags_announcement"] = " ".join(
        text
        for text in (
            _added_announcement(request.POST, context["involved"]),
            _address_announcement(request.POST, incident) if context["address_filled"] else "",
            _number_check_announcement(number_check_shown, context, offers=False),
            _flags_announcement(request.POST.get("flags_shown"), context["package"]),
            _number_check_announcement(number_check_shown, context, offers=True),
        )
        if text
    )
    context["number_check_changed"] = number_check_shown != context["number_check_key"]
    context["people_changed"] = bool(
        request.POST.get("add_person") or request.POST.get("remove_person")
    )
    # A known address found (or lost) sets the area: show it on the page.
    context["area_changed"] = (
        incident.address_id != address_before
        or request.POST.get("location_type", incident.location_type) != incident.location_type
    )
    return render(request, "calls/_live.html", context)


@role_required(*CALL_ROLES)
@require_POST
def call_save_draft(request, pk: int):
    """The autosave without JavaScript: a button of the call page that adds a person (the
    one the caller's number belongs to) posts the whole call form here. The draft is
    saved by the same service, with the person added, and the call page shown again:
    with the field errors if any, nothing typed lost."""
    incident = _incident_for(request, pk, edit=True)
    post = request.POST
    try:
        errors = call_services.incident_autosave(
            incident=incident,
            user=request.user,
            data=_draft_from_post(post),
            version=_posted_int(post.get("version")),
        )
    except DomainError as exc:
        messages.error(request, f"Not saved: {exc.message}")
        return redirect("call_edit", pk=incident.pk)
    incident.refresh_from_db()
    if not errors:
        # The call page's GET logs the look-up it shows; it opens where the change is.
        person_id, _, role = post.get("add_person", "").partition(":")
        if person_id.isdigit() and role in IncidentRole.values:
            anchor = f"#involved-{int(person_id)}-{role}"
        elif post.get("use_address") or post.get("undo_address"):
            anchor = "#address-fields"
        else:
            anchor = ""
        return redirect(reverse("call_edit", args=[incident.pk]) + anchor)
    context = _page_context(request, incident, errors=errors)
    _log_lookup(request, incident, context["package"])
    return render(request, "calls/edit.html", context, status=400)


@role_required(*CALL_ROLES)
@require_POST
def call_people_search(request, pk: int):
    incident = _incident_for(request, pk, edit=True)
    name = request.POST.get("person_name", "").strip()
    results = []
    if len(name) >= 2:
        results = selectors.person_search(name=name, limit=8)
        access.log_search(
            request,
            object_type="people.person",
            detail={"incident": incident.pk, "results": [p.pk for p in results]},
        )
    return render(
        request,
        "calls/_people_results.html",
        {"results": results, "incident": incident, "roles": IncidentRole.choices, "query": name},
    )


@role_required(*CALL_ROLES)
@require_POST
def call_log(request, pk: int):
    """Save the last changes, then log the call with the chosen grade. A retried submit
    after the call was logged goes to the logged call, saying so."""
    incident = _incident_for(request, pk)
    if incident.status != IncidentStatus.DRAFT:
        logged_at = incident.logged_at or incident.graded_at
        when = f" at {timezone.localtime(logged_at):%H:%M}" if logged_at else ""
        messages.info(request, f"This call was already logged{when}")
        return redirect("call_edit", pk=incident.pk)
    if not call_rules.can_edit_call(request.user, incident):
        raise PermissionDenied
    post = request.POST
    errors: dict = {}
    package = None
    try:
        errors = call_services.incident_autosave(
            incident=incident,
            user=request.user,
            data=_draft_from_post(post),
            version=int(post["version"]) if post.get("version", "").isdigit() else None,
        )
        incident.refresh_from_db()
        # The fresh look-up the call is logged with (and shown again if it is refused).
        package, _ = call_services.call_lookup(incident)
        _log_lookup(request, incident, package)
        if not errors:
            appointment, appointment_error = _appointment_from(post)
            try:
                call_services.incident_log_and_grade(
                    incident=incident,
                    user=request.user,
                    decision=call_services.GradeDecision(
                        grade=post.get("grade", ""),
                        reason=post.get("grade_reason", ""),
                        appointment_at=appointment,
                        version=incident.version,
                    ),
                    package=package,
                )
            except DomainError as exc:
                # What was typed and could not be read, rather than "enter the
                # appointment", when the appointment is wanted (or the grade not chosen).
                if appointment_error and post.get("grade", "") in {"", Grade.SCHEDULED}:
                    exc.errors = {**(exc.errors or {}), "appointment_at": [appointment_error]}
                raise
            access.log_action(
                request,
                action=AccessLog.Action.COLLECT,
                obj=incident,
                purpose=f"Logged call {incident.reference}",
            )
            messages.success(request, f"Call {incident.reference} logged and graded")
            return redirect("call_edit", pk=incident.pk)
    except DomainError as exc:
        errors = exc.errors or {"grade": [exc.message]}
    incident.refresh_from_db()
    context = _page_context(request, incident, errors=errors, package=package)
    if package is None:
        _log_lookup(request, incident, context["package"])
    context["chosen_grade"] = post.get("grade", "")
    context["grade_reason"] = post.get("grade_reason", "")
    context["appointment_at"] = post.get("appointment_at", "")
    return render(request, "calls/edit.html", context, status=400)


def _appointment_from(post) -> tuple[dt.datetime | None, str]:
    """The appointment typed into its one field, read as UK time, and why it could not
    be read ("" when it could, or nothing was typed)."""
    try:
        return (
            local_time.parse_datetime(
                post.get("appointment_at", ""), words="appointment", now=timezone.now()
            ),
            "",
        )
    except ValueError as exc:
        return None, str(exc)


@role_required(Role.INTELLIGENCE, Role.SUPERVISOR)
@require_POST
def call_research(request, pk: int):
    incident = _incident_for(request, pk)
    if not call_rules.can_add_research(request.user, incident):
        raise PermissionDenied
    try:
        call_services.incident_add_research(
            incident=incident, user=request.user, text=request.POST.get("text", "")
        )
        messages.success(request, "Research added for the attending officer")
    except DomainError as exc:
        messages.error(request, exc.errors.get("text", [exc.message])[0])
    return redirect("call_edit", pk=incident.pk)


@role_required(Role.SUPERVISOR)
@never_cache
def call_history(request, pk: int):
    """The incident's history for supervisors: every event with who, when and why."""
    incident = _incident_for(request, pk)
    access.log_consult(request, obj=incident, reason="Opened the call's history")
    return render(
        request,
        "calls/history.html",
        {
            "incident": incident,
            "timeline": call_selectors.incident_timeline(incident=incident),
            "versions": incident.history.select_related("history_user").order_by("history_date"),
        },
    )
