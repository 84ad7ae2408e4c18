"""Writes for which agencies work with a victim (`AgencyInvolvement`): started when a
referral to the agency is done on her safety plan, or recorded by hand by a DASO who
works her case, and ended with a reason. Each change keeps who and why in its history
and an event; the agency's staff are told in the app and by email (without her name:
emails leave the secure network)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.models import Case, SafetyAction
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save, version_check
from dasapp.notify import notify
from org.models import Team
from partners import rules as partner_rules
from partners.event_verbs import EventVerb
from partners.models import AgencyInvolvement
from people.models import Person

REASON_MAX = 2000


def _refuse(errors: dict[str, list[str]], message: str = "") -> None:
    if errors:
        raise DomainError(message or next(iter(errors.values()))[0], errors)


def _day(at) -> str:
    local = timezone.localtime(at)
    return f"{local.day} {local:%B %Y}"


def agency_errors(agency: Team | None) -> dict[str, list[str]]:
    """The one rule of which teams may work with a victim: an active IDVA service or
    partner agency (police teams read her timeline through her cases)."""
    if agency is None:
        return {"agency": ["Choose the agency working with her"]}
    if agency.kind not in partner_rules.AGENCY_KINDS or not agency.is_active:
        return {"agency": [f"{agency} is not a partner agency or IDVA service: choose another"]}
    return {}


def open_involvement(*, victim: Person, agency: Team) -> AgencyInvolvement | None:
    return AgencyInvolvement.objects.filter(
        victim=victim, agency=agency, ended_at__isnull=True
    ).first()


def _already(found: AgencyInvolvement) -> DomainError:
    text = f"{found.agency} has been working with her since {_day(found.started_at)}"
    return DomainError(text, {"agency": [text]})


def agency_staff(team: Team):
    """The agency's active staff who read the timelines its involvements open."""
    from dasapp.models import User

    return User.objects.filter(
        profile__team=team, is_active=True, groups__name__in=partner_rules.AGENCY_ROLES
    ).distinct()


def _tell_agency(involvement: AgencyInvolvement, *, user) -> None:
    staff = [u for u in agency_staff(involvement.agency) if u.pk != getattr(user, "pk", None)]
    if staff:
        notify(
            users=staff,
            title=f"{involvement.agency.name} is now working with a victim",
            body="Her contact timeline is open to your agency: see My agency's victims.",
            url=reverse("agency_victims"),
            dedupe_key=f"involvement-started:{involvement.pk}",
        )


@transaction.atomic
def involvement_start(
    *,
    victim: Person,
    agency: Team | None,
    user,
    reason: str,
    case: Case | None = None,
    safety_action: SafetyAction | None = None,
) -> AgencyInvolvement:
    """Record that `agency` works with the victim from now, and why. Refused: a team
    that is not an agency, no reason, a case that is not hers, or the agency already
    working with her."""
    reason = (reason or "").strip()
    errors = agency_errors(agency)
    if not reason:
        errors["reason"] = ["Say why the agency is working with her"]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"The reason must be {REASON_MAX:,} characters or fewer"]
    if case is not None and case.victim_id != victim.pk:
        errors["case"] = ["Choose one of this victim's cases"]
    _refuse(errors, "There is a problem with the agency working with her.")
    found = open_involvement(victim=victim, agency=agency)
    if found is not None:
        raise _already(found)
    involvement = AgencyInvolvement(
        victim=victim,
        agency=agency,
        case=case,
        safety_action=safety_action,
        started_at=timezone.now(),
        started_by=user,
        reason=reason,
    )
    try:
        # A colleague starting the same agency at the same moment: the one-open
        # constraint refuses the second, which is told as if it had looked first.
        with transaction.atomic():
            audited_save(involvement, user=user, reason=f"Started: {reason}")
    except IntegrityError:
        raise _already(open_involvement(victim=victim, agency=agency)) from None
    event_record(
        verb=EventVerb.INVOLVEMENT_STARTED,
        actor=user,
        case=case,
        new={
            "involvement": involvement.pk,
            "victim": victim.pk,
            "agency": agency.pk,
            "agency_name": agency.name,
            "safety_action": safety_action.pk if safety_action else None,
        },
        reason=reason,
    )
    _tell_agency(involvement, user=user)
    return involvement


def involvement_from_referral(*, action: SafetyAction, user) -> AgencyInvolvement | None:
    """A done referral on a safety plan (a catalogue action that `refers_to` an agency)
    starts that agency's work with the case's victim. Nothing when the action refers to
    nobody, the agency is switched off, or it already works with her."""
    action_type = action.action_type if action.action_type_id else None
    agency = action_type.refers_to if action_type and action_type.refers_to_id else None
    if agency is None or agency_errors(agency):
        return None
    case = action.plan.case
    if open_involvement(victim=case.victim, agency=agency) is not None:
        return None
    return involvement_start(
        victim=case.victim,
        agency=agency,
        user=user,
        reason=f"{action_type.label}: done on the safety plan of case {case.reference}",
        case=case,
        safety_action=action,
    )


@transaction.atomic
def involvement_end(
    *,
    involvement: AgencyInvolvement,
    user,
    reason: str,
    version: int | None = None,
    event_case: Case | None = None,
) -> AgencyInvolvement:
    """End the agency's work with the victim, with a reason: its staff no longer see her
    contact timeline. The event goes on the case it was started from, or `event_case`
    (the case whose closing ends it). The agency's own staff may end it (their work
    with her is over): then the DASOs holding her open cases are told, as they would
    not otherwise know."""
    involvement = (
        AgencyInvolvement.objects.select_for_update(of=("self",))
        .select_related("agency", "victim", "case")
        .get(pk=involvement.pk)
    )
    version_check(involvement, version, what="agency's work with her")
    if involvement.ended_at is not None:
        text = f"{involvement.agency} stopped working with her on {_day(involvement.ended_at)}"
        raise DomainError(text, {"status": [text]})
    reason = (reason or "").strip()
    if not reason:
        _refuse({"reason": ["Say why the agency is no longer working with her"]})
    if len(reason) > REASON_MAX:
        _refuse({"reason": [f"The reason must be {REASON_MAX:,} characters or fewer"]})
    involvement.ended_at = timezone.now()
    involvement.ended_by = user
    involvement.end_reason = reason
    involvement.version += 1
    audited_save(involvement, user=user, reason=f"Ended: {reason}")
    event_record(
        verb=EventVerb.INVOLVEMENT_ENDED,
        actor=user,
        case=event_case or involvement.case,
        old={"involvement": involvement.pk, "open": True},
        new={
            "involvement": involvement.pk,
            "victim": involvement.victim_id,
            "agency": involvement.agency_id,
            "agency_name": involvement.agency.name,
        },
        reason=reason,
    )
    if partner_rules.agency_team_id(user) == involvement.agency_id:
        _tell_case_owners(involvement, user=user)
    return involvement


def _tell_case_owners(involvement: AgencyInvolvement, *, user) -> None:
    """The agency stopped working with her: each DASO holding an open case of hers is
    told, with a link to the case. Without her name or the reason (emails leave the
    secure network; the reason is in the case history and on the involvement)."""
    cases = (
        Case.objects.filter(
            victim_id=involvement.victim_id,
            status=CaseStatus.OPEN,
            assigned_to__isnull=False,
            assigned_to__is_active=True,
        )
        .exclude(assigned_to_id=getattr(user, "pk", None))
        .select_related("assigned_to")
        .order_by("pk")
    )
    by_owner: dict[int, list[Case]] = {}
    for case in cases:
        by_owner.setdefault(case.assigned_to_id, []).append(case)
    who = user.get_full_name() or user.username
    for owned in by_owner.values():
        refs = ", ".join(c.reference for c in owned)
        notify(
            users=[owned[0].assigned_to],
            title=f"{involvement.agency.name} stopped working with the victim of case {refs}",
            body=f"Recorded by {who} of {involvement.agency.name}. The reason is in the "
            "case history.",
            url=f"/cases/{owned[0].pk}/?via=case:{owned[0].pk}",
            dedupe_key=f"involvement-ended:{involvement.pk}",
        )


CASE_CLOSED_REASON = "Case closed"


def involvements_end_with_case(*, case: Case, user) -> list[AgencyInvolvement]:
    """A closed case ends the agencies' work with her that came from it: her partner
    agencies lose her contact timeline when the police case closes. Kept while she has
    another open case (the agency's work goes on with that one: the involvement ends
    when her last open case closes, whichever case it came from). One started by hand
    without a case is left for a person to end. Each ends with the reason "Case
    closed", who closed it in its history, and an event on the closed case."""
    if (
        Case.objects.filter(victim_id=case.victim_id, status=CaseStatus.OPEN)
        .exclude(pk=case.pk)
        .exists()
    ):
        return []
    open_ones = AgencyInvolvement.objects.filter(
        victim_id=case.victim_id,
        ended_at__isnull=True,
        case__isnull=False,
        case__status=CaseStatus.CLOSED,
    ).order_by("pk")
    return [
        involvement_end(
            involvement=involvement, user=user, reason=CASE_CLOSED_REASON, event_case=case
        )
        for involvement in open_ones
    ]
