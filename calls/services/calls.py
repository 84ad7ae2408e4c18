"""Writes for call handling: start a call, autosave the draft, refresh intelligence,
log it, grade it, add research. Pages, the API and tests all come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from calls import grading, intelligence
from calls.choices import Grade, IncidentRole, IncidentStatus
from calls.configuration import response_settings
from calls.event_verbs import EventVerb
from calls.models import Incident, IncidentPerson, IncidentResearch, QuestionSet, ResponseSettings
from calls.rules import can_regrade_call
from dasapp import local_time
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save, version_check
from dasapp.roles import Role
from people import matching, services
from people.choices import LocationType
from people.models import Address, Person

CALL_QUESTION_SET = "control-room-call"


def current_question_set(code: str = CALL_QUESTION_SET) -> QuestionSet:
    qs = QuestionSet.objects.filter(code=code, is_current=True).first()
    if qs is None:
        from calls.question_sets import load_bundled_question_sets

        load_bundled_question_sets()
        qs = QuestionSet.objects.get(code=code, is_current=True)
    return qs


def grading_config(rs: ResponseSettings | None = None) -> grading.GradingConfig:
    rs = rs or response_settings()
    return grading.GradingConfig(
        fear_emergency_level=rs.fear_emergency_level,
        repeat_incidents_priority=rs.repeat_incidents_priority,
    )


def _check_version(incident: Incident, version: int | None, user=None) -> None:
    """Refuse a save based on a version someone else has since changed.

    A call-taker's own saves arrive out of order (autosave while typing, then the log
    button): those are one person's sequence of edits, not a conflict. A change by anyone
    else since the version the form was read at is refused.
    """
    version_check(
        incident,
        version,
        what="call",
        user=user,
        message="Someone else has changed this call since you opened it. Reload to see their "
        "changes; your own entries are shown so you can add them again.",
    )


@transaction.atomic
def incident_start(*, user, idempotency_key: str | None = None) -> tuple[Incident, bool]:
    """Open a new call (a draft). A retried request with the same key returns the same call."""
    if idempotency_key:
        existing = Incident.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    incident = Incident(
        created_by=user,
        created_at=timezone.now(),
        question_set=current_question_set(),
        idempotency_key=idempotency_key or None,
    )
    try:
        with transaction.atomic():
            audited_save(incident, user=user, reason="Call started")
    except IntegrityError:
        return Incident.objects.get(idempotency_key=idempotency_key), False
    return incident, True


@dataclass
class DraftInput:
    """Fields of a call as typed. Invalid values are kept in the draft with errors."""

    caller_phone: str | None = None
    address_line1: str | None = None
    address_town: str | None = None
    postcode: str | None = None
    location_type: str | None = None
    location_note: str | None = None
    narrative: str | None = None
    answers: dict | None = None
    # Question code to why it was not asked: words, or for a question that must always be
    # asked {"reason": a key of grading.SKIP_REASONS, "detail": optional words}.
    skipped: dict | None = None
    people: list[tuple[int, str]] | None = None  # (person id, role)
    prefill: list | None = None
    # True when `location_type` was chosen for this call (the API's explicit field): a
    # known address found later then leaves it alone. The page sends the area shown,
    # which a newly found known address replaces.
    keep_location_type: bool = False
    # "Use this address for the call" on a victim's known address (its Address id): the
    # address fields are filled from it, the detail confirmed, and what was in the
    # fields kept so that `undo_known_address` (the detail's key) can put it back.
    use_known_address: int | None = None
    undo_known_address: str = ""
    # The grade chosen, its reason and the appointment as typed, before the call is
    # logged: kept in the draft as they are, so that a refused log loses none of them.
    grade: str | None = None
    grade_reason: str | None = None
    appointment_text: str | None = None


def known_address(*, line1: str, postcode: str) -> Address | None:
    """The known address a typed first line and postcode match, or None; never creates
    one. ValidationError if the postcode or first line is missing or invalid."""
    normal_postcode = services.address_input_check(line1=line1, postcode=postcode)
    return (
        Address.objects.select_related("district")
        .filter(match_key=matching.address_match_key(line1, normal_postcode))
        .first()
    )


def _validate_answers(qset: QuestionSet, answers: dict) -> dict[str, list[str]]:
    """Errors in the answers given; a date answer that can be read is put in `answers`
    as an ISO date."""
    errors: dict[str, list[str]] = {}
    by_code = {q["code"]: q for q in qset.questions}
    for code, value in answers.items():
        question = by_code.get(code)
        if question is None:
            errors[code] = ["This question is not in the call questions"]
            continue
        if value in (None, "", []):
            continue
        allowed = {str(c["value"]) for c in question.get("choices", [])}
        kind = question["kind"]
        if kind == "yes_no" and value not in {"yes", "no", "not_known"}:
            errors[code] = ["Choose yes, no or not known"]
        elif kind in {"choice", "scale"} and str(value) not in allowed:
            errors[code] = [f"Choose one of the answers for: {question['text']}"]
        elif kind == "multi" and (
            not isinstance(value, list) or not set(map(str, value)) <= allowed
        ):
            errors[code] = [f"Choose from the answers for: {question['text']}"]
        elif kind == "date":
            # Typed into one field ("27/3/2027", "tomorrow"): kept as an ISO date, or
            # as typed with the reason it could not be read.
            try:
                day = local_time.parse_date(str(value), today=timezone.localdate())
            except ValueError as exc:
                errors[code] = [str(exc)]
            else:
                answers[code] = day.isoformat()
    return errors


def _skip_required_message(question: dict) -> str:
    return (
        f"Choose why '{question['text']}' was not asked: the line dropped, the caller cannot "
        "speak safely, or a third party is calling"
    )


def _clean_skipped(qset: QuestionSet, skipped: dict) -> tuple[dict, dict[str, list[str]]]:
    """The reasons questions were not asked, as stored, and errors. A question marked
    `always` may only be skipped for one of `grading.SKIP_REASONS` (with optional words);
    what was typed is kept even when refused, so nothing is lost."""
    by_code = {q["code"]: q for q in qset.questions}
    out: dict = {}
    errors: dict[str, list[str]] = {}
    for code, value in skipped.items():
        question = by_code.get(code)
        if question is None:
            errors[code] = ["This question is not in the call questions"]
            continue
        if isinstance(value, dict):
            reason = str(value.get("reason") or "").strip()
            detail = str(value.get("detail") or "").strip()[:300]
        else:
            reason, detail = "", str(value or "").strip()[:300]
        if not question.get("always"):
            text = detail or reason
            if text:
                out[code] = text
            continue
        if not reason and detail in grading.SKIP_REASONS:
            reason, detail = detail, ""  # the reason sent as a bare key
        if not reason and not detail:
            continue
        out[code] = {"reason": reason, "detail": detail}
        if reason not in grading.SKIP_REASONS:
            errors[code] = [_skip_required_message(question)]
    return out, errors


def skip_reason_keys(incident: Incident) -> dict[str, str]:
    """Question code to the key of the fixed reason it was not asked, for grading."""
    return {
        code: value.get("reason", "")
        for code, value in (incident.skipped or {}).items()
        if isinstance(value, dict)
    }


def skipped_text(incident: Incident) -> dict[str, str]:
    """Question code to why it was not asked, in words."""
    out = {}
    for code, value in (incident.skipped or {}).items():
        if isinstance(value, dict):
            reason = grading.SKIP_REASONS.get(value.get("reason", ""), "no reason chosen")
            detail = value.get("detail", "")
            out[code] = f"Not asked: {reason}" + (f" ({detail})" if detail else "")
        elif value:
            out[code] = f"Not asked: {value}"
    return out


@transaction.atomic
def incident_autosave(
    *, incident: Incident, user, data: DraftInput, version: int | None = None
) -> dict[str, list[str]]:
    """Save what has been typed so far. Returns field errors; invalid values are kept as
    typed so nothing is lost, and the call can be corrected and saved again."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.DRAFT:
        raise DomainError("This call has been logged; changes go through regrading or research.")
    _check_version(incident, version, user)
    errors: dict[str, list[str]] = {}
    data, known_fill = _known_address_fill(incident, data)
    if data.caller_phone is not None:
        incident.caller_phone_raw = data.caller_phone.strip()
        incident.caller_phone = None
        if incident.caller_phone_raw:
            try:
                incident.caller_phone, _ = services.phone_get_or_create(
                    number=incident.caller_phone_raw
                )
            except ValidationError as exc:
                errors["caller_phone"] = exc.message_dict.get("number", exc.messages)
    address_found = False
    if data.address_line1 is not None or data.postcode is not None:
        # The address as typed stays on the draft: an Address is only ever read here
        # (a known one the typing matches), and created when the call is logged, so a
        # half-typed "2 Ac" never becomes a place.
        raw = {
            "line1": (data.address_line1 or "").strip(),
            "town": (data.address_town or "").strip(),
            "postcode": (data.postcode or "").strip(),
        }
        previous = incident.address_id
        incident.address_raw = raw
        incident.address = None
        incident.district = None
        if raw["line1"] or raw["postcode"]:
            try:
                incident.address = known_address(line1=raw["line1"], postcode=raw["postcode"])
            except ValidationError as exc:
                errors.update(exc.message_dict)
            if incident.address is not None:
                incident.district = incident.address.district
                address_found = incident.address.pk != previous
    if data.location_type is not None and data.location_type not in LocationType.values:
        errors["location_type"] = ["Choose urban or rural"]
    elif address_found and not data.keep_location_type:
        # A known address sets the area by default; the call-taker may change it after.
        incident.location_type = incident.address.location_type
    elif data.location_type is not None:
        incident.location_type = data.location_type
    if data.location_note is not None:
        incident.location_note = data.location_note[:300]
    if data.narrative is not None:
        incident.narrative = data.narrative
    if data.answers is not None:
        answer_errors = _validate_answers(incident.question_set, data.answers)
        errors.update(answer_errors)
        incident.answers = {**incident.answers, **data.answers}
    if data.skipped is not None:
        incident.skipped, skip_errors = _clean_skipped(incident.question_set, data.skipped)
        for code, messages in skip_errors.items():
            errors.setdefault(code, []).extend(messages)
    if data.prefill is not None or known_fill is not None:
        incident.prefill = _prefill_kept(
            incident.prefill, data.prefill if data.prefill is not None else incident.prefill
        )
    if known_fill is not None:
        _record_known_fill(incident.prefill, *known_fill)
    if data.people is not None:
        _set_people(incident, data.people, errors)
    _keep_grade_draft(incident, data)
    incident.version += 1
    _save_draft(incident, user=user)
    return errors


def _keep_grade_draft(incident: Incident, data: DraftInput) -> None:
    """Keep the grade, its reason and the appointment as typed (checked only when the
    call is logged): a grade that is not one of the grades is not kept."""
    kept = dict(incident.grade_draft or {})
    if data.grade is not None:
        kept["grade"] = data.grade if data.grade in Grade.values else ""
    if data.grade_reason is not None:
        kept["reason"] = data.grade_reason
    if data.appointment_text is not None:
        kept["appointment"] = data.appointment_text.strip()[:100]
    incident.grade_draft = {key: value for key, value in kept.items() if value}


KNOWN_ADDRESS_KEY = "address:{}"


def _known_address_fill(
    incident: Incident, data: DraftInput
) -> tuple[DraftInput, tuple[str, dict | None, dict] | None]:
    """`data` with the address fields filled from a victim's known address (or put back
    as they were, for an undo), and (the detail's key, what the fields held before or
    None for an undo, its label and value); (data, None) when neither was asked for. Only a current address
    of a victim on this call can be used; any other id is ignored."""
    typed = {
        "line1": data.address_line1,
        "town": data.address_town,
        "postcode": data.postcode,
    }
    saved = incident.address_raw or {}
    before = {
        key: value if value is not None else saved.get(key, "") for key, value in typed.items()
    }
    if data.use_known_address is not None:
        address = (
            Address.objects.filter(
                pk=data.use_known_address,
                person_links__is_current=True,
                person_links__person__incident_links__incident=incident,
                person_links__person__incident_links__role=IncidentRole.VICTIM,
            )
            .distinct()
            .first()
        )
        if address is None:
            return data, None
        key = KNOWN_ADDRESS_KEY.format(address.pk)
        status = next(
            (i.get("status", "") for i in data.prefill or incident.prefill if i.get("key") == key),
            "",
        )
        filled = replace(
            data,
            address_line1=address.line1,
            address_town=address.town,
            postcode=address.postcode_display,
        )
        shown = {"label": "Known address", "value": str(address)}
        return filled, (key, {**before, "status": status}, shown)
    if data.undo_known_address:
        item = next(
            (
                i
                for i in incident.prefill or []
                if i.get("key") == data.undo_known_address and i.get("filled")
            ),
            None,
        )
        if item is None:
            return data, None
        was = item.get("replaced", {})
        restored = replace(
            data,
            address_line1=was.get("line1", ""),
            address_town=was.get("town", ""),
            postcode=was.get("postcode", ""),
        )
        return restored, (item["key"], None, {})
    return data, None


def _record_known_fill(prefill: list, key: str, before: dict | None, shown: dict) -> None:
    """Mark the known address `key` in `prefill` as used for the call (confirmed, with
    what the fields held `before`), or, with `before` None, as it was before it was
    used. Used twice, the first fields are kept: undo goes back to what was typed."""
    item = next((i for i in prefill if i.get("key") == key), None)
    if item is None:
        if before is None:
            return
        item = {"key": key, **shown, "status": "", "change": ""}
        prefill.append(item)
    if before is None:  # undone
        item["status"] = item.pop("replaced", {}).get("status", "")
        item.pop("filled", None)
    elif not item.get("filled"):
        item.update({"replaced": before, "filled": True, "status": "confirmed"})


def _prefill_kept(saved: list, posted: list) -> list:
    """The known details as posted, keeping for each what the page does not post: what
    the address fields held before a known address filled them (for its undo)."""
    kept = {item.get("key"): item for item in saved or []}
    out = []
    for item in posted:
        item = dict(item)
        previous = kept.get(item.get("key"), {})
        for name in ("replaced", "filled"):
            if name in previous and name not in item:
                item[name] = previous[name]
        out.append(item)
    return out


def _save_draft(incident: Incident, *, user) -> None:
    """Save a draft as it is typed. Its history names who changed it, not every
    keystroke: a save writes a history row only when someone other than the last person
    to change the call saves it (a supervisor taking over, the call-taker after them).
    The call keeps its rows for being started, logged and graded (or abandoned), which
    hold everything typed; and `dasapp.history.changed_by_someone_else`, which reads the
    user of the latest row, still tells one person's saves from someone else's."""
    last_user_id = (
        incident.history.order_by("-history_date", "-history_id")
        .values_list("history_user_id", flat=True)
        .first()
    )
    if last_user_id is not None and last_user_id == getattr(user, "pk", None):
        incident.skip_history_when_saving = True
    try:
        audited_save(incident, user=user, reason="Draft saved")
    finally:
        incident.__dict__.pop("skip_history_when_saving", None)


def _set_people(incident: Incident, people: list[tuple[int, str]], errors: dict) -> None:
    wanted = []
    for person_id, role in people:
        if role not in IncidentRole.values:
            errors["people"] = ["Choose the person's part in the call"]
            return
        wanted.append((int(person_id), role))
    found = set(Person.objects.filter(pk__in=[p for p, _ in wanted]).values_list("pk", flat=True))
    missing = [p for p, _ in wanted if p not in found]
    if missing:
        errors["people"] = ["A person on this call no longer exists; search again"]
        return
    incident.involved.exclude(
        pk__in=[
            link.pk for link in incident.involved.all() if (link.person_id, link.role) in wanted
        ]
    ).delete()
    existing = set(incident.involved.values_list("person_id", "role"))
    IncidentPerson.objects.bulk_create(
        IncidentPerson(incident=incident, person_id=p, role=r)
        for p, r in wanted
        if (p, r) not in existing
    )


def lookup_query_for(incident: Incident) -> intelligence.LookupQuery:
    return intelligence.LookupQuery(
        phone=incident.caller_phone.e164 if incident.caller_phone else incident.caller_phone_raw,
        address_id=incident.address_id,
        address_line1=incident.address_raw.get("line1", ""),
        postcode=incident.address_raw.get("postcode", ""),
        person_ids=list(incident.involved.values_list("person_id", flat=True)),
    )


def call_lookup(
    incident: Incident,
    *,
    query: intelligence.LookupQuery | None = None,
    now: dt.datetime | None = None,
) -> tuple[intelligence.Package, intelligence.Context]:
    """The look-up for a call's number, address and people. Once logged, the call is
    one of the incidents it finds: it is left out of the list and the count, so that a
    regrade does not count the call as a previous incident of its own, and the
    officer's current intelligence never shows it as new."""
    package, ctx = intelligence.lookup(query or lookup_query_for(incident), now=now)
    if not package.unavailable and incident.status != IncidentStatus.DRAFT:
        _without_the_call_itself(package, ctx, incident)
    return package, ctx


def _without_the_call_itself(
    package: intelligence.Package, ctx: intelligence.Context, incident: Incident
) -> None:
    """Once logged, a call is one of the incidents on its own number, address and
    people; the snapshot, taken while it was a draft, was not. Leave it out of the list
    and the count, so that the call is never "new since it was logged"."""
    listed = len(package.incidents)
    package.incidents = [i for i in package.incidents if i["id"] != incident.pk]
    if len(package.incidents) < listed:
        package.incident_count -= 1
        return
    # Not among the newest shown, but counted all the same: logged within the look-back,
    # and on a number, address or person the look-up searched.
    counted = (
        incident.status != IncidentStatus.DRAFT
        and incident.created_at >= ctx.now - dt.timedelta(days=intelligence.LOOKBACK_DAYS)
        and bool(ctx.phone or ctx.address or ctx.direct_ids)
    )
    if counted and package.incident_count > listed:
        package.incident_count -= 1


def suggestion_for(incident: Incident, package: intelligence.Package) -> grading.Suggestion:
    return grading.suggest_grade(
        incident.answers,
        package.for_grading(),
        grading_config(),
        skipped=skip_reason_keys(incident),
    )


def missing_questions(incident: Incident) -> dict[str, list[str]]:
    """Questions that must be answered, or skipped with a reason, before logging. A
    question marked `always` may be skipped only for one of the fixed reasons."""
    errors: dict[str, list[str]] = {}
    for question in incident.question_set.questions:
        code = question["code"]
        if question.get("optional"):
            continue
        if incident.answers.get(code) not in (None, "", []):
            continue
        skip = (incident.skipped or {}).get(code)
        if question.get("always"):
            if not (isinstance(skip, dict) and skip.get("reason") in grading.SKIP_REASONS):
                errors[code] = [
                    f"Answer '{question['text']}' or choose why it was not asked: the line "
                    "dropped, the caller cannot speak safely, or a third party is calling"
                ]
        elif not (isinstance(skip, str) and skip.strip()):
            errors[code] = [f"Answer '{question['text']}' or give a reason it was not asked"]
    return errors


@dataclass
class GradeDecision:
    grade: str
    reason: str = ""
    appointment_at: dt.datetime | None = None
    version: int | None = None
    errors: dict = field(default_factory=dict)


APPOINTMENT_REQUIRED = "Enter the date and time of the appointment for a scheduled visit"


SAME_GRADE = "Choose a different grade, or go back to the call"


@transaction.atomic
def incident_log_and_grade(
    *,
    incident: Incident,
    user,
    decision: GradeDecision,
    package: intelligence.Package | None = None,
) -> Incident:
    """Log the call and record the chosen grade, or regrade a logged call.

    A grade other than the suggestion needs a written reason; a scheduled grade needs
    an appointment. Grade and reason go into history and a domain event. The time to
    attend always counts from when the call was logged, so a regrade never hides a
    breach; the intelligence snapshot taken when the call was logged is what the
    attending officer opens, and a regrade's fresh look-up is kept beside it. The
    typed address becomes a place (found or created) only here."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _check_version(incident, decision.version, user)
    first_time = incident.status == IncidentStatus.DRAFT
    if incident.status not in {IncidentStatus.DRAFT, IncidentStatus.GRADED}:
        raise DomainError(
            "This call has been attended or closed; it cannot be regraded.",
            {"grade": ["The call has been attended or closed and cannot be regraded"]},
        )
    now = timezone.now()
    if not first_time and not can_regrade_call(user, incident, now=now):
        raise PermissionDenied(
            "Only a supervisor, or the call-taker who logged the call soon after logging "
            "it, may regrade it."
        )
    errors: dict[str, list[str]] = {}
    if first_time:
        errors.update(missing_questions(incident))
        if not incident.caller_phone and incident.caller_phone_raw:
            errors["caller_phone"] = [matching.PHONE_ERROR]
        typed = incident.address_raw or {}
        if incident.address is None and (typed.get("line1") or typed.get("postcode")):
            try:
                services.address_input_check(
                    line1=typed.get("line1", ""), postcode=typed.get("postcode", "")
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif incident.address is None and not incident.location_note.strip():
            errors["address_line1"] = ["Enter the address, or describe the location"]
    appointment = decision.appointment_at
    if decision.grade not in Grade.values:
        errors["grade"] = ["Choose a response grade"]
    elif decision.grade == Grade.SCHEDULED:
        if appointment is None:
            errors["appointment_at"] = [APPOINTMENT_REQUIRED]
        elif appointment <= now:
            errors["appointment_at"] = ["The appointment must be in the future"]
    else:
        appointment = None
    if (
        not first_time
        and decision.grade == incident.grade
        and not (decision.grade == Grade.SCHEDULED and appointment != incident.appointment_at)
    ):
        # Nothing would change: not a regrade (a scheduled call may still be given a new
        # appointment).
        errors["grade"] = [SAME_GRADE]
    if package is None:
        package, _ = call_lookup(incident)
    suggestion = suggestion_for(incident, package)
    reason = (decision.reason or "").strip()
    if decision.grade in Grade.values and decision.grade != suggestion.grade and not reason:
        errors["grade_reason"] = [
            f"Explain why you chose {Grade(decision.grade).label.lower()} when the system "
            f"suggested {Grade(suggestion.grade).label.lower()}"
        ]
    if errors:
        message = "The call cannot be logged yet." if first_time else "The call was not regraded."
        raise DomainError(message, errors)
    rs = response_settings()
    old = {
        "grade": incident.grade,
        "reason": incident.grade_reason,
        "attend_by": incident.attend_by.isoformat() if incident.attend_by else None,
    }
    if first_time:
        typed = incident.address_raw or {}
        if incident.address is None and (typed.get("line1") or typed.get("postcode")):
            incident.address, _ = services.address_get_or_create(
                line1=typed.get("line1", ""),
                town=typed.get("town", ""),
                postcode=typed.get("postcode", ""),
                location_type=incident.location_type,
            )
        if incident.address is not None:
            incident.district = incident.address.district
        incident.logged_at = now
        incident.logged_by = user
        incident.intelligence = package.as_json()
        incident.intelligence_at = now
    else:
        incident.regrade_intelligence = package.as_json()
        incident.regrade_intelligence_at = now
    incident.suggested_grade = suggestion.grade
    incident.suggestion_reasons = suggestion.as_json()
    incident.grade = decision.grade
    incident.grade_reason = reason
    incident.graded_by = user
    incident.graded_at = now
    incident.appointment_at = appointment
    incident.attend_by = grading.attend_by(
        grade=decision.grade,
        graded_at=incident.logged_at or now,
        rural=incident.location_type == LocationType.RURAL,
        emergency_urban=rs.emergency_urban_minutes,
        emergency_rural=rs.emergency_rural_minutes,
        priority=rs.priority_minutes,
        appointment=appointment,
    )
    incident.status = IncidentStatus.GRADED
    incident.version += 1
    history_reason = f"Graded {decision.grade} (suggested {suggestion.grade})" + (
        f": {reason}" if reason else ""
    )
    audited_save(incident, user=user, reason=history_reason)
    if first_time:
        event_record(
            verb=EventVerb.INCIDENT_LOGGED,
            actor=user,
            incident=incident,
            new={"suggested": suggestion.grade},
        )
    event_record(
        verb=EventVerb.INCIDENT_GRADED if first_time else EventVerb.INCIDENT_REGRADED,
        actor=user,
        incident=incident,
        old=old,
        new={
            "grade": decision.grade,
            "suggested": suggestion.grade,
            "attend_by": incident.attend_by.isoformat() if incident.attend_by else None,
        },
        reason=reason,
    )
    if first_time and incident.prefill:
        event_record(
            verb=EventVerb.PREFILL_CONFIRMED,
            actor=user,
            incident=incident,
            new={"items": incident.prefill},
        )
    if first_time and package.unavailable:
        _tell_intelligence_desk(incident, now)
    return incident


def _tell_intelligence_desk(incident: Incident, now: dt.datetime) -> None:
    """A call logged without its look-up: tell the intelligence researchers at work, in
    the app only (the title names the call, never a person)."""
    from dasapp.models import User
    from dasapp.notify import notify
    from org.availability import user_at_work

    desk = (
        User.objects.filter(is_active=True, groups__name=Role.INTELLIGENCE)
        .distinct()
        .select_related("profile__shift_pattern", "profile__team__shift_pattern")
        .prefetch_related("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")
        .order_by("pk")
    )
    notify(
        users=[member for member in desk if user_at_work(member, now)],
        title=f"Look-up unavailable for call {incident.reference}: research needed",
        body="The background look-up was unavailable when this call was logged. Research "
        "it for the attending officer.",
        url=f"/calls/{incident.pk}/?via=incident:{incident.pk}",
        dedupe_key=f"lookup-unavailable:{incident.pk}",
        email=False,
    )


@transaction.atomic
def incident_add_research(*, incident: Incident, user, text: str) -> IncidentResearch:
    if not text.strip():
        raise DomainError("Enter the research.", {"text": ["Enter the research"]})
    note = IncidentResearch.objects.create(incident=incident, author=user, text=text.strip())
    event_record(
        verb=EventVerb.RESEARCH_ADDED, actor=user, incident=incident, new={"research": note.pk}
    )
    return note
