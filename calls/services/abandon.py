"""Writes for abandoning a call in progress: a draft opened by mistake, a duplicate, a
test, or a caller who hung up before anything was said. The call is never deleted: it
leaves every working list and stays in its history. Pages and the API come through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from calls import rules as call_rules
from calls.choices import AbandonReason, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident
from calls.selectors import calls as call_selectors
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save, version_check

NOTE_MAX = 2000
FORBIDDEN = "Only the call-taker who started the call, or a supervisor, may abandon it."
STALE_MESSAGE = (
    "Someone else has changed this call since you opened it. Check the call, then abandon "
    "it again if it should still be abandoned."
)
# Shown beside every way of abandoning a call, and in the API's documentation.
SILENT_CALL_WARNING = (
    "A silent or dropped call can be a victim who cannot speak. If abuse may be happening, "
    "log and grade the call (a question not asked: the caller cannot speak safely, or the "
    "line dropped). Do not abandon it."
)


def _when(at) -> str:
    local = timezone.localtime(at)
    return f"{local:%H:%M} on {local:%-d %B %Y}"


@transaction.atomic
def incident_abandon(
    *,
    incident: Incident,
    user,
    reason: str,
    duplicate_of: str = "",
    note: str = "",
    version: int | None = None,
) -> Incident:
    """Abandon a call still in progress (a draft), with why (`AbandonReason`) and an
    optional note. A duplicate names the call it repeats by its reference, which must be
    a call the user may see, other than this one and not itself abandoned. A logged call
    cannot be abandoned: it is closed with its outcome. The status change goes into the
    call's history with the user and reason, and into a domain event."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not call_rules.may_abandon_calls_of(user, incident):
        raise PermissionDenied(FORBIDDEN)
    if incident.status == IncidentStatus.ABANDONED:
        by = f" by {incident.abandoned_by}" if incident.abandoned_by_id else ""
        when = f" at {_when(incident.abandoned_at)}" if incident.abandoned_at else ""
        raise DomainError(
            f"This call was already abandoned{when}{by}.",
            {"status": ["The call is already abandoned"]},
        )
    if incident.status != IncidentStatus.DRAFT:
        raise DomainError(
            "This call has been logged, so it cannot be abandoned. Close it with its outcome "
            "instead (for example, a duplicate call).",
            {"status": ["A logged call cannot be abandoned"]},
        )
    version_check(incident, version, what="call", user=user, message=STALE_MESSAGE)
    errors: dict[str, list[str]] = {}
    other = None
    if reason not in AbandonReason.values:
        errors["reason"] = ["Choose why the call is being abandoned"]
    elif reason == AbandonReason.DUPLICATE:
        reference = (duplicate_of or "").strip()
        if not reference:
            errors["duplicate_of"] = ["Enter the reference of the call this one duplicates"]
        else:
            other = call_selectors.incident_by_reference(reference=reference, user=user)
            if other is None:
                errors["duplicate_of"] = [
                    "No call you can see has that reference. Enter it as shown on the "
                    "call, like DA-250314-42"
                ]
            elif other.pk == incident.pk:
                errors["duplicate_of"] = ["Enter the reference of the other call, not this one"]
            elif other.status == IncidentStatus.ABANDONED:
                errors["duplicate_of"] = [
                    "That call was abandoned too. Enter the reference of the call that was kept"
                ]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"The note must be {NOTE_MAX:,} characters or fewer"]
    if errors:
        raise DomainError("The call was not abandoned.", errors)
    incident.status = IncidentStatus.ABANDONED
    incident.abandoned_at = timezone.now()
    incident.abandoned_by = user
    incident.abandon_reason = reason
    incident.abandon_note = note
    incident.duplicate_of = other
    incident.version += 1
    why = (
        f"duplicate of {other.reference}"
        if other is not None
        else AbandonReason(reason).label.lower()
    )
    audited_save(incident, user=user, reason=f"Call abandoned: {why}")
    event_record(
        verb=EventVerb.INCIDENT_ABANDONED,
        actor=user,
        incident=incident,
        old={"status": IncidentStatus.DRAFT},
        new={
            "status": IncidentStatus.ABANDONED,
            "reason": reason,
            "duplicate_of": other.reference if other is not None else None,
        },
        reason=note,
    )
    return incident
