"""Writes for MARAC: recording a referral. The MARAC capability (meetings, agendas,
actions) builds on this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from cases.models import Case
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save
from marac.models import Referral
from org import availability
from people.choices import FlagKind, FlagSeverity
from people.event_verbs import EventVerb
from people.flag_services import flag_raise
from people.models import Flag, Person
from risk.choices import MaracCriterion

# The source of the "on a MARAC list" flag: one live flag per victim, however many
# referrals, dated from the latest.
FLAG_SOURCE = "marac"


@transaction.atomic
def referral_record(
    *,
    victim: Person | None = None,
    user,
    case: Case | None = None,
    perpetrator: Person | None = None,
    referred_at: dt.datetime | None = None,
    criteria: Sequence[str] = (),
) -> Referral:
    """Record that a victim was referred to a MARAC, when (now unless given) and on
    which criteria; with a case, its victim and perpetrator unless given. Flags the
    victim "on a MARAC list" for the call-taker's look-up until the repeat-MARAC window
    after her latest referral ends (a later referral moves the end, never adds a flag)."""
    if case is not None:
        victim = victim or case.victim
        perpetrator = perpetrator or case.perpetrator
        if victim.pk != case.victim_id:
            raise DomainError(
                "The victim is not the case's victim.",
                {"victim": [f"Choose the victim of case {case.reference}"]},
            )
    if victim is None:
        raise DomainError("Choose the victim.", {"victim": ["Choose who was referred"]})
    now = timezone.now()
    referred_at = referred_at or now
    if referred_at > now:
        raise DomainError(
            "The referral date is in the future.",
            {"referred_at": ["The date of the referral must be today or in the past"]},
        )
    unknown = sorted(set(criteria) - set(MaracCriterion.values))
    if unknown:
        raise DomainError(
            "Unknown MARAC criteria.",
            {"criteria": [f"Choose from {', '.join(MaracCriterion.values)}"]},
        )
    referral = Referral(
        victim=victim,
        perpetrator=perpetrator,
        case=case,
        referred_at=referred_at,
        criteria=list(dict.fromkeys(criteria)),
        referred_by=user if getattr(user, "pk", None) else None,
    )
    referral.full_clean()
    audited_save(referral, user=user, reason="Referred to MARAC")
    _listed_flag_raise(referral=referral, user=user)
    return referral


def _listed_flag_raise(*, referral: Referral, user) -> Flag | None:
    """Flag the victim "on a MARAC list", dated from her latest referral, for the
    repeat-MARAC window of the case's district (or the force's)."""
    from risk.services import thresholds_for

    latest = (
        Referral.objects.filter(victim_id=referral.victim_id)
        .select_related("case__district")
        .order_by("-referred_at", "-pk")
        .first()
    )
    district = latest.case.district if latest.case_id else None
    ends_at = latest.referred_at + dt.timedelta(
        days=thresholds_for(district=district).repeat_marac_days
    )
    if ends_at <= timezone.now():
        return None  # a referral recorded long after: its listing is over
    on = availability.local(latest.referred_at)
    summary = f"Referred to MARAC on {on:%-d %B %Y}"
    if latest.criteria:
        labels = [str(MaracCriterion(c).label).lower() for c in latest.criteria]
        summary += f": {', '.join(labels)}"
    if latest.case_id:
        summary += f" (case {latest.case.reference})"
    reason = f"MARAC referral {referral.pk} recorded"
    flag = flag_raise(
        kind=FlagKind.MARAC_LISTED,
        severity=FlagSeverity.HIGH,
        summary=summary[:300],
        source=FLAG_SOURCE,
        user=user,
        person=referral.victim,
        ends_at=ends_at,
        reason=reason,
    )
    if referral.case_id:
        event_record(
            verb=EventVerb.FLAG_RAISED,
            actor=user,
            case=referral.case,
            new={"kind": FlagKind.MARAC_LISTED.value, "flags": [flag.pk], "referral": referral.pk},
            reason=reason,
        )
    return flag
