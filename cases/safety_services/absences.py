"""Staff absences (leave, sickness, training): the sweep and routing read them at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

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
