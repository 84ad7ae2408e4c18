"""Writes for dispatch: an officer has arrived at a call, and the call is closed with its
outcome. Pages, the API and the demo data all come through here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from calls import rules as call_rules
from calls.choices import Grade, IncidentOutcome, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save, version_check

NOTE_MAX = 2000
STALE_MESSAGE = (
    "Someone else has changed this call since you opened it. Check the call, then try again."
)
FORBIDDEN = "Only the control room, attending officers and supervisors may do this."


def _when(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local:%H:%M} on {local:%-d %B %Y}"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "someone"


def _locked(incident: Incident, user) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not call_rules.can_dispatch_incident(user, incident):
        raise PermissionDenied(FORBIDDEN)
    return incident


def _refuse_closed(incident: Incident) -> None:
    if incident.status == IncidentStatus.CLOSED:
        when = f" at {_when(incident.closed_at)}" if incident.closed_at else ""
        raise DomainError(
            f"This call was already closed{when}.", {"status": ["The call is closed"]}
        )


@transaction.atomic
def incident_attended(
    *, incident: Incident, user, at: dt.datetime | None = None, version: int | None = None
) -> Incident:
    """An officer has arrived at a logged call: record when (`at`, now if not given; never
    in the future nor before the call was logged) and who recorded it, and move the call
    off the waiting list. Whether the arrival broke the attend-by time is kept in the
    domain event and read from the row (`Incident.attended_late`)."""
    incident = _locked(incident, user)
    _refuse_closed(incident)
    if incident.status == IncidentStatus.ATTENDED:
        when = f" at {_when(incident.attended_at)}" if incident.attended_at else ""
        raise DomainError(
            f"The officer's arrival was already recorded{when} by {_name(incident.attended_by)}.",
            {"status": ["The officer's arrival is already recorded"]},
        )
    if incident.status != IncidentStatus.GRADED:
        raise DomainError(
            "Only a logged call can be attended.", {"status": ["The call is not logged yet"]}
        )
    if incident.grade == Grade.TELEPHONE:
        raise DomainError(
            "A call graded for telephone resolution is not attended: close it with its "
            "outcome instead.",
            {"status": ["A telephone resolution is not attended"]},
        )
    version_check(incident, version, what="call", user=user, message=STALE_MESSAGE)
    now = timezone.now()
    at = at or now
    logged = incident.logged_at or incident.graded_at or incident.created_at
    if at > now:
        raise DomainError(
            "The arrival time is in the future.",
            {"attended_at": ["The time the officer arrived must be now or in the past"]},
        )
    if logged and at < logged:
        raise DomainError(
            "The arrival time is before the call was logged.",
            {
                "attended_at": [
                    f"The time the officer arrived must be after the call was logged, "
                    f"at {_when(logged)}"
                ]
            },
        )
    incident.status = IncidentStatus.ATTENDED
    incident.attended_at = at
    incident.attended_by = user
    incident.version += 1
    late = incident.attended_late
    reason = "Officer arrived"
    if late:
        reason += f", {incident.minutes_late} min after the attend-by time"
    audited_save(incident, user=user, reason=reason)
    event_record(
        verb=EventVerb.INCIDENT_ATTENDED,
        actor=user,
        incident=incident,
        old={"status": IncidentStatus.GRADED},
        new={
            "status": IncidentStatus.ATTENDED,
            "attended_at": at.isoformat(),
            "attend_by": incident.attend_by.isoformat() if incident.attend_by else None,
            "late": late,
            "minutes_late": incident.minutes_late,
        },
    )
    return incident


@transaction.atomic
def incident_close(
    *, incident: Incident, user, outcome: str, note: str, version: int | None = None
) -> Incident:
    """Close a logged call with its outcome (`IncidentOutcome`) and a note, whether or
    not an officer attended (a duplicate call, a caller who could not be traced); an
    outcome that says an officer attended needs the arrival recorded first."""
    incident = _locked(incident, user)
    _refuse_closed(incident)
    if incident.status not in {IncidentStatus.GRADED, IncidentStatus.ATTENDED}:
        raise DomainError(
            "Only a logged call can be closed.", {"status": ["The call is not logged yet"]}
        )
    version_check(incident, version, what="call", user=user, message=STALE_MESSAGE)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in IncidentOutcome.values:
        errors["outcome"] = ["Choose how the call ended"]
    elif outcome == IncidentOutcome.SAFEGUARDING and incident.status != IncidentStatus.ATTENDED:
        errors["outcome"] = [
            "Record the officer's arrival first: this outcome says an officer attended"
        ]
    if not note:
        errors["note"] = ["Enter a note about the outcome"]
    elif len(note) > NOTE_MAX:
        errors["note"] = [f"The note must be {NOTE_MAX:,} characters or fewer"]
    if errors:
        raise DomainError("The call was not closed.", errors)
    old_status = incident.status
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.closed_by = user
    incident.outcome = outcome
    incident.outcome_note = note
    incident.version += 1
    label = IncidentOutcome(outcome).label
    audited_save(incident, user=user, reason=f"Closed: {label}")
    event_record(
        verb=EventVerb.INCIDENT_CLOSED,
        actor=user,
        incident=incident,
        old={"status": old_status},
        new={
            "status": IncidentStatus.CLOSED,
            "outcome": outcome,
            "attended": incident.attended_at is not None,
        },
        reason=note,
    )
    return incident
