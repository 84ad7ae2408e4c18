"""Staff absences (leave, sickness, training): the sweep and routing read them at once.
An absence can be ended early (back from sickness), its dates corrected, or cancelled
when it was recorded by mistake, with who and why kept in its history."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.choices import FollowUpReason
from cases.event_verbs import EventVerb
from cases.models import Case, FollowUp, SafetyAction
from cases.safety_services.common import local_when, owner_text, refuse, staff_name
from dasapp.events import event_record
from dasapp.history import audited_save
from dasapp.models import User
from org.choices import AbsenceKind
from org.models import Absence

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


def _refuse_cancelled(absence: Absence, what: str) -> None:
    if absence.cancelled_at is not None:
        refuse(
            {
                "absence": [
                    f"{staff_name(absence.user)}'s absence was cancelled on "
                    f"{local_when(absence.cancelled_at)}: {what}"
                ]
            }
        )


@transaction.atomic
def absence_end(*, absence: Absence, user, reason: str, at: dt.datetime | None = None) -> Absence:
    """End an absence early: the person is back now, or from `at` (not before the absence
    starts, not after it was due to end). Routing and the sweep count them at work from
    then. An absence already over is refused."""
    absence = Absence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    _refuse_cancelled(absence, "there is nothing to end")
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
    _refuse_cancelled(absence, "it can no longer be changed")
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


def actions_moved_for(absence: Absence, *, lock: bool = False) -> list[SafetyAction]:
    """The actions the sweep moved away from the absent person because of this absence
    (follow-ups that name it; for those raised before follow-ups named their absence,
    "owner away" follow-ups of that person due within it), in due order."""
    named = Q(absence=absence)
    before = Q(
        absence__isnull=True,
        from_user_id=absence.user_id,
        reason=FollowUpReason.OWNER_ABSENT,
        due_at__gte=absence.starts_at,
        due_at__lt=absence.ends_at,
    )
    moved = FollowUp.objects.filter(named | before).exclude(to_key=F("owner_key"))
    actions = SafetyAction.objects.filter(pk__in=list(moved.values_list("action_id", flat=True)))
    if lock:  # their history rows copy them as they are: nobody changes them meanwhile
        actions = actions.select_for_update(of=("self",))
    return list(actions.select_related("owner", "owner_team", "plan").order_by("due_at", "pk"))


@transaction.atomic
def absence_cancel(*, absence: Absence, user, reason: str) -> tuple[Absence, list[SafetyAction]]:
    """Cancel an absence recorded by mistake (the wrong person, the wrong dates, leave
    not taken): the row and its history stay, marked cancelled with who, when and why,
    and routing, the sweep and the owner pickers no longer count it. The actions the
    sweep already moved because of it stay with whoever has them now (they may have
    started on them, and have been told they are theirs): each gets a line in its
    history saying the absence was cancelled, not moved back, and each case they belong
    to one event saying how many had been moved and to whom (`_tell_cases`). Returns the
    absence and those actions. An absence cancelled already is refused."""
    absence = Absence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    _refuse_cancelled(absence, "there is nothing to cancel")
    refuse(_reason_errors(reason, "recorded for the wrong person"))
    reason = reason.strip()[:200]
    absence.cancelled_at = timezone.now()
    absence.cancelled_by = user if getattr(user, "pk", None) else None
    absence.cancel_reason = reason
    absence.full_clean()
    audited_save(absence, user=user, reason=f"Cancelled (recorded by mistake): {reason}")
    moved = actions_moved_for(absence, lock=True)
    name = staff_name(absence.user)
    for action in moved:
        # The same words whatever the kind of absence (sickness is health data).
        action._change_reason = (
            f"{name}'s absence that moved it was cancelled; it stays with "
            f"{owner_text(action.owner, action.owner_team)}"
        )
    if moved:
        SafetyAction.history.bulk_history_create(
            moved, update=True, default_user=user if getattr(user, "pk", None) else None
        )
        _tell_cases(absence, moved, user=user)
    return absence, moved


def _tell_cases(absence: Absence, moved: list[SafetyAction], *, user) -> None:
    """One event on each case whose actions had been moved because of the cancelled
    absence (not one per action): a supervisor reading the case's history sees that the
    absence is gone and who still has its actions. The same neutral words whatever the
    kind of absence, and not the reason it was cancelled (it is about a member of staff,
    kept in the absence's own history)."""
    by_case: dict[int, list[SafetyAction]] = {}
    for action in moved:
        by_case.setdefault(action.plan.case_id, []).append(action)
    for case_id, actions in sorted(by_case.items()):
        holders = list(dict.fromkeys(owner_text(a.owner, a.owner_team) for a in actions))
        event_record(
            verb=EventVerb.ABSENCE_CANCELLED,
            actor=user,
            case=Case(pk=case_id),
            old={"absent_user": absence.user_id, "absent_name": staff_name(absence.user)},
            new={
                "absence": absence.pk,
                "actions": [a.pk for a in actions],
                "count": len(actions),
                "now_with": holders,
            },
        )
