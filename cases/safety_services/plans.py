"""Safety plans: started once per case, agreed with the victim on a recorded date."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.choices import CaseStatus
from cases.event_verbs import EventVerb
from cases.models import Case, SafetyPlan
from cases.safety_services.common import check_version, refuse
from dasapp.events import event_record
from dasapp.history import audited_save
from org import availability
from people.choices import FlagKind, FlagSeverity
from people.event_verbs import EventVerb as FlagVerb
from people.flag_services import flag_raise, flags_lift
from people.models import Flag

# Plans ---------------------------------------------------------------------------------


def plan_get_or_create(*, case: Case, user=None) -> SafetyPlan:
    """The case's safety plan, started the first time it is asked for."""
    plan = SafetyPlan.objects.filter(case=case).first()
    if plan is not None:
        return plan
    try:
        with transaction.atomic():
            plan = SafetyPlan(case=case, created_at=timezone.now())
            audited_save(plan, user=user, reason="Safety plan started")
    except IntegrityError:  # started at the same moment by someone else
        plan = SafetyPlan.objects.get(case=case)
    return plan


@transaction.atomic
def plan_agree(
    *, plan: SafetyPlan, user, agreed_at: dt.date | dt.datetime | None, version: int | None = None
) -> SafetyPlan:
    """Record the date the plan was agreed with the victim."""
    plan = SafetyPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    check_version(plan, version, "safety plan")
    if agreed_at is None:
        refuse({"agreed_at": ["Enter the date the plan was agreed with the victim"]})
    if isinstance(agreed_at, dt.datetime):
        at = agreed_at
    else:  # a date: kept as midday London time, so it reads as that day in any zone
        tz = availability.local(timezone.now()).tzinfo
        at = dt.datetime.combine(agreed_at, dt.time(12), tzinfo=tz)
    today = availability.local(timezone.now()).date()
    if availability.local(at).date() > today:
        refuse({"agreed_at": ["The date agreed with the victim must be today or in the past"]})
    if availability.local(at).date() < availability.local(plan.case.opened_at).date():
        refuse(
            {
                "agreed_at": [
                    "The date agreed with the victim must be on or after the day the case "
                    f"was opened ({availability.local(plan.case.opened_at):%-d %B %Y})"
                ]
            }
        )
    old = plan.agreed_with_victim_at
    plan.agreed_with_victim_at = at
    plan.agreed_by = user
    plan.version += 1
    audited_save(
        plan, user=user, reason=f"Agreed with the victim on {availability.local(at):%-d %b %Y}"
    )
    event_record(
        verb=EventVerb.SAFETY_PLAN_AGREED,
        actor=user,
        case=plan.case,
        old={"agreed_with_victim_at": old.isoformat() if old else None},
        new={"agreed_with_victim_at": at.isoformat()},
    )
    plan_flags_raise(plan=plan, user=user)
    return plan


def plan_flags_source(case: Case) -> str:
    """What the "safety plan in place" flags name as their source: the case."""
    return f"case:{case.pk}"


def plan_flags_raise(*, plan: SafetyPlan, user) -> list[Flag]:
    """Flag "safety plan in place" on the victim and her current addresses, so the
    call-taker's look-up shows it, while the case is open. Agreeing again updates the
    flags' date (with history), never adds another; they are lifted when the case
    closes (`plan_flags_lift`)."""
    case = plan.case
    if case.status != CaseStatus.OPEN or plan.agreed_with_victim_at is None:
        return []
    source = plan_flags_source(case)
    already = Flag.objects.filter(
        kind=FlagKind.SAFETY_PLAN, source=source, lifted_at__isnull=True
    ).exists()
    agreed = availability.local(plan.agreed_with_victim_at)
    summary = (
        f"Safety plan in place: case {case.reference}, agreed with the victim on {agreed:%-d %B %Y}"
    )
    reason = f"Safety plan agreed with the victim on {agreed:%-d %b %Y}"
    subjects = [{"person": case.victim}] + [
        {"address": link.address}
        for link in case.victim.address_links.filter(is_current=True).select_related("address")
    ]
    flags = [
        flag_raise(
            kind=FlagKind.SAFETY_PLAN,
            severity=FlagSeverity.MEDIUM,
            summary=summary,
            source=source,
            user=user,
            reason=reason,
            **subject,
        )
        for subject in subjects
    ]
    if not already:
        event_record(
            verb=FlagVerb.FLAG_RAISED,
            actor=user,
            case=case,
            new={"kind": FlagKind.SAFETY_PLAN.value, "flags": [f.pk for f in flags]},
            reason=reason,
        )
    return flags


def plan_flags_lift(*, case: Case, user, reason: str) -> int:
    """Lift the case's "safety plan in place" flags (when it closes), with history and an
    event. Returns how many were lifted."""
    lifted = flags_lift(
        source=plan_flags_source(case), kind=FlagKind.SAFETY_PLAN, reason=reason, user=user
    )
    if lifted:
        event_record(
            verb=FlagVerb.FLAG_LIFTED,
            actor=user,
            case=case,
            old={"kind": FlagKind.SAFETY_PLAN.value, "count": lifted},
            reason=reason,
        )
    return lifted


@transaction.atomic
def case_plan_agree(
    *, case: Case, user, agreed_at: dt.date | dt.datetime | None, version: int | None = None
) -> SafetyPlan:
    """`plan_agree` on the case's plan, started if it has none (both or neither)."""
    existing = SafetyPlan.objects.filter(case=case).first()
    plan = existing or plan_get_or_create(case=case, user=user)
    return plan_agree(
        plan=plan, user=user, agreed_at=agreed_at, version=version if existing else None
    )
