"""Writes for call handling: start a call, autosave the draft, refresh intelligence,
log it, grade it, add research. Pages, the API and tests all come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import grading, intelligence, matching, services
from cases.choices import EventVerb, Grade, IncidentRole, IncidentStatus, LocationType
from cases.events import event_record
from cases.models import (
    Force,
    Incident,
    IncidentPerson,
    IncidentResearch,
    Person,
    QuestionSet,
    ResponseSettings,
)
from dasapp.api import DomainError
from dasapp.history import audited_save, version_check

CALL_QUESTION_SET = "control-room-call"


def current_question_set(code: str = CALL_QUESTION_SET) -> QuestionSet:
    qs = QuestionSet.objects.filter(code=code, is_current=True).first()
    if qs is None:
        from cases.question_sets import load_bundled_question_sets

        load_bundled_question_sets()
        qs = QuestionSet.objects.get(code=code, is_current=True)
    return qs


def response_settings() -> ResponseSettings:
    """The force's response settings, created with defaults when missing."""
    force = Force.objects.order_by("pk").first()
    if force is None:
        return ResponseSettings()  # unsaved defaults: no organisation loaded yet
    settings_row, _ = ResponseSettings.objects.get_or_create(force=force)
    return settings_row


def grading_config(rs: ResponseSettings | None = None) -> grading.GradingConfig:
    rs = rs or response_settings()
    return grading.GradingConfig(
        fear_priority_level=rs.fear_priority_level,
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
    skipped: dict | None = None
    people: list[tuple[int, str]] | None = None  # (person id, role)
    prefill: list | None = None


def _validate_answers(qset: QuestionSet, answers: dict) -> dict[str, list[str]]:
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
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                errors[code] = ["Enter a real date"]
    return errors


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
    if data.address_line1 is not None or data.postcode is not None:
        raw = {
            "line1": (data.address_line1 or "").strip(),
            "town": (data.address_town or "").strip(),
            "postcode": (data.postcode or "").strip(),
        }
        incident.address_raw = raw
        incident.address = None
        if raw["line1"] or raw["postcode"]:
            try:
                incident.address, _ = services.address_get_or_create(
                    line1=raw["line1"],
                    town=raw["town"],
                    postcode=raw["postcode"],
                    location_type=data.location_type or incident.location_type,
                )
                incident.district = incident.address.district
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if data.location_type is not None:
        if data.location_type not in LocationType.values:
            errors["location_type"] = ["Choose urban or rural"]
        else:
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
        incident.skipped = {k: v for k, v in data.skipped.items() if v}
    if data.prefill is not None:
        incident.prefill = data.prefill
    if data.people is not None:
        _set_people(incident, data.people, errors)
    incident.version += 1
    audited_save(incident, user=user, reason="Draft saved")
    return errors


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


def suggestion_for(incident: Incident, package: intelligence.Package) -> grading.Suggestion:
    return grading.suggest_grade(incident.answers, package.for_grading(), grading_config())


def missing_questions(incident: Incident) -> dict[str, list[str]]:
    """Questions that must be answered, or skipped with a reason, before logging."""
    errors: dict[str, list[str]] = {}
    for question in incident.question_set.questions:
        code = question["code"]
        if question.get("optional"):
            continue
        answered = incident.answers.get(code) not in (None, "", [])
        skipped = bool((incident.skipped or {}).get(code, "").strip())
        if not answered and not skipped:
            errors[code] = [f"Answer '{question['text']}' or give a reason it was not asked"]
    return errors


@dataclass
class GradeDecision:
    grade: str
    reason: str = ""
    appointment_at: dt.datetime | None = None
    version: int | None = None
    errors: dict = field(default_factory=dict)


@transaction.atomic
def incident_log_and_grade(
    *,
    incident: Incident,
    user,
    decision: GradeDecision,
    package: intelligence.Package | None = None,
) -> Incident:
    """Log the call and record the chosen grade. A grade other than the suggestion needs
    a written reason; grade and reason go into history and a domain event."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _check_version(incident, decision.version, user)
    first_time = incident.status == IncidentStatus.DRAFT
    if incident.status not in {IncidentStatus.DRAFT, IncidentStatus.GRADED}:
        raise DomainError(
            "This call has been attended or closed; it cannot be regraded.",
            {"grade": ["The call has been attended or closed and cannot be regraded"]},
        )
    errors: dict[str, list[str]] = {}
    if first_time:
        errors.update(missing_questions(incident))
        if not incident.caller_phone and incident.caller_phone_raw:
            errors["caller_phone"] = [matching.PHONE_ERROR]
        if not incident.address and not incident.location_note.strip():
            errors["address_line1"] = ["Enter the address, or describe the location"]
    if decision.grade not in Grade.values:
        errors["grade"] = ["Choose a response grade"]
    if errors:
        raise DomainError("The call cannot be logged yet.", errors)
    if package is None:
        package, _ = intelligence.lookup(lookup_query_for(incident))
    suggestion = suggestion_for(incident, package)
    reason = (decision.reason or "").strip()
    if decision.grade != suggestion.grade and not reason:
        raise DomainError(
            "Give a reason for the grade.",
            {
                "grade_reason": [
                    f"Explain why you chose {Grade(decision.grade).label.lower()} when the system "
                    f"suggested {Grade(suggestion.grade).label.lower()}"
                ]
            },
        )
    rs = response_settings()
    now = timezone.now()
    appointment = decision.appointment_at
    if decision.grade == Grade.SCHEDULED:
        if appointment is None:
            appointment = now + dt.timedelta(hours=rs.scheduled_default_hours)
        elif appointment <= now:
            raise DomainError(
                "Choose a future appointment.",
                {"appointment_at": ["The appointment must be in the future"]},
            )
    old = {"grade": incident.grade, "reason": incident.grade_reason}
    incident.suggested_grade = suggestion.grade
    incident.suggestion_reasons = suggestion.as_json()
    incident.intelligence = package.as_json()
    incident.intelligence_at = now
    incident.grade = decision.grade
    incident.grade_reason = reason
    incident.graded_by = user
    incident.graded_at = now
    incident.appointment_at = appointment if decision.grade == Grade.SCHEDULED else None
    incident.attend_by = grading.attend_by(
        grade=decision.grade,
        graded_at=now,
        rural=incident.location_type == LocationType.RURAL,
        emergency_urban=rs.emergency_urban_minutes,
        emergency_rural=rs.emergency_rural_minutes,
        priority=rs.priority_minutes,
        appointment=incident.appointment_at,
    )
    if decision.grade == Grade.TELEPHONE:
        incident.attend_by = None
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
    if incident.prefill:
        event_record(
            verb=EventVerb.PREFILL_CONFIRMED,
            actor=user,
            incident=incident,
            new={"items": incident.prefill},
        )
    return incident


@transaction.atomic
def incident_add_research(*, incident: Incident, user, text: str) -> IncidentResearch:
    if not text.strip():
        raise DomainError("Enter the research.", {"text": ["Enter the research"]})
    note = IncidentResearch.objects.create(incident=incident, author=user, text=text.strip())
    event_record(
        verb=EventVerb.RESEARCH_ADDED, actor=user, incident=incident, new={"research": note.pk}
    )
    return note
