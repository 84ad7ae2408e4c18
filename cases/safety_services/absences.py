"""Staff absences (leave, sickness, training): the sweep and routing read them at once.
An absence can be ended early (back from sickness) or its dates corrected, with who and
why kept in its history."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases.choices import AbsenceKind
from cases.models import (
    Absence,
)
from cases.safety_services.common import local_when, refuse, staff_name
from dasapp.history import audited_save
from dasapp.models import User

# Absences ------------------------------------------------------------------------------


@transaction.atomic
def absence_record(
    *,
    user,
    person: User | None,
    kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    note: str = "",
) -> Absence:
    """Record leave, sickness or training. The sweep and routing read it at once."""
    errors: dict[str, list[str]] = {}
    if person is None:
        errors["user"] = ["Choose the person who is away"]
    elif not person.is_active:
        errors["user"] = [f"{staff_name(person)}'s account is switched off: choose someone else"]
    if kind not in AbsenceKind.values:
        errors["kind"] = ["Choose annual leave, sickness, training or other absence"]
    if starts_at is None:
        errors["starts_at"] = ["Enter the date and time the absence starts"]
    if ends_at is None:
        errors["ends_at"] = ["Enter the date and time the absence ends"]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start"]
    refuse(errors)
    absence = Absence(
        user=person,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        note=(note or "").strip()[:200],
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    absence.full_clean()
    audited_save(
        absence,
        user=user,
        reason=f"{AbsenceKind(kind).label} {local_when(starts_at)} to {local_when(ends_at)}",
    )
    return absence


def _reason_errors(reason: str, example: str) -> dict[str, list[str]]:
    if not (reason or "").strip():
        return {"reason": [f"Give a reason, for example {example}"]}
    return {}


@transaction.atomic
def absence_end(*, absence: Absence, user, reason: str, at: dt.datetime | None = None) -> Absence:
    """End an absence early: the person is back now, or from `at` (not before the absence
    starts, not after it was due to end). Routing and the sweep count them at work from
    then. An absence already over is refused."""
    absence = Absence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    now = timezone.now()
    at = at or now
    name = staff_name(absence.user)
    if absence.ends_at <= now:
        refuse(
            {
                "absence": [
                    f"{name}'s absence ended at {local_when(absence.ends_at)}: "
                    "there is nothing to end"
                ]
            }
        )
    errors = _reason_errors(reason, "back early from sickness")
    if at <= absence.starts_at:
        errors["ends_at"] = [
            f"{name}'s absence has not started yet (it starts at "
            f"{local_when(absence.starts_at)}): change its dates instead"
            if absence.starts_at > now
            else f"The end must be after the absence started, at {local_when(absence.starts_at)}"
        ]
    elif at >= absence.ends_at:
        errors["ends_at"] = [
            f"The absence already ends at {local_when(absence.ends_at)}: to make it longer, "
            "change its dates"
        ]
    refuse(errors)
    absence.ends_at = at
    absence.full_clean()
    audited_save(absence, user=user, reason=f"Ended at {local_when(at)}: {reason.strip()}")
    return absence


@transaction.atomic
def absence_change(
    *,
    absence: Absence,
    user,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    reason: str,
) -> Absence:
    """Correct an absence's dates (recorded wrongly, leave extended or moved). The end
    must be after the start; an absence already over is refused."""
    absence = Absence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    if absence.ends_at <= timezone.now():
        refuse(
            {
                "absence": [
                    f"{staff_name(absence.user)}'s absence ended at "
                    f"{local_when(absence.ends_at)}: it can no longer be changed"
                ]
            }
        )
    errors = _reason_errors(reason, "leave extended by a week")
    if starts_at is None:
        errors["starts_at"] = ["Enter the date and time the absence starts"]
    if ends_at is None:
        errors["ends_at"] = ["Enter the date and time the absence ends"]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start"]
    refuse(errors)
    if (absence.starts_at, absence.ends_at) == (starts_at, ends_at):
        return absence
    absence.starts_at, absence.ends_at = starts_at, ends_at
    absence.full_clean()
    audited_save(
        absence,
        user=user,
        reason=f"Now {local_when(starts_at)} to {local_when(ends_at)}: {reason.strip()}",
    )
    return absence
