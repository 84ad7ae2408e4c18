"""Raising and lifting flags. Any capability that knows a danger calls these: a
high-risk case, bail conditions from court, a MARAC listing, a manual warning."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dasapp.history import audited_save
from people.choices import FlagSeverity
from people.models import Address, Flag, Person, PhoneNumber


@transaction.atomic
def flag_raise(
    *,
    kind: str,
    summary: str,
    source: str,
    user=None,
    person: Person | None = None,
    address: Address | None = None,
    phone: PhoneNumber | None = None,
    severity: str = FlagSeverity.HIGH,
    ends_at: dt.datetime | None = None,
    reason: str = "",
) -> Flag:
    """Raise a flag on one subject. Raising the same kind from the same source on the
    same subject again returns the live flag (updated), never a duplicate."""
    subjects = [s for s in (person, address, phone) if s is not None]
    if len(subjects) != 1:
        raise ValidationError("A flag goes on exactly one person, address or phone number.")
    live = Flag.objects.filter(
        kind=kind,
        source=source,
        person=person,
        address=address,
        phone=phone,
        lifted_at__isnull=True,
    ).first()
    if live:
        if live.summary != summary or live.ends_at != ends_at or live.severity != severity:
            live.summary, live.ends_at, live.severity = summary, ends_at, severity
            audited_save(live, user=user, reason=reason or "Flag updated")
        return live
    flag = Flag(
        kind=kind,
        summary=summary,
        source=source,
        person=person,
        address=address,
        phone=phone,
        severity=severity,
        starts_at=timezone.now(),
        ends_at=ends_at,
        created_by=user if getattr(user, "pk", None) else None,
    )
    flag.full_clean(exclude=["subject_key"])
    try:
        with transaction.atomic():
            audited_save(flag, user=user, reason=reason or "Flag raised")
    except IntegrityError:
        return Flag.objects.get(
            kind=kind, source=source, subject_key=flag.subject_key, lifted_at__isnull=True
        )
    return flag


@transaction.atomic
def flags_lift(*, source: str, reason: str, user=None, kind: str | None = None) -> int:
    """Lift every live flag a source raised (e.g. when a case closes). Kept in history."""
    flags = Flag.objects.select_for_update().filter(source=source, lifted_at__isnull=True)
    if kind:
        flags = flags.filter(kind=kind)
    count = 0
    for flag in flags:
        flag.lifted_at = timezone.now()
        flag.lifted_reason = reason[:300]
        audited_save(flag, user=user, reason=f"Lifted: {reason}")
        count += 1
    return count
