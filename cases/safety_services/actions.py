"""Safety-plan actions: added from the catalogue or as free text, completed with a note,
reassigned or cancelled with a reason. Each change keeps who and why in its history and
an event; owners are told in the app and by email."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases import hooks
from cases.choices import ActionStatus, CaseStatus
from cases.event_verbs import EventVerb
from cases.models import Case, SafetyAction, SafetyActionType, SafetyPlan
from cases.safety_services.common import (
    action_what,
    check_version,
    local_when,
    notify_owner,
    owner_errors,
    owner_text,
    refuse,
    staff_name,
)
from cases.safety_services.plans import plan_get_or_create
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save
from dasapp.models import User
from org.models import Team

# Actions -------------------------------------------------------------------------------


def action_add_errors(
    *,
    action_type: SafetyActionType | None = None,
    description: str = "",
    owner: User | None = None,
    owner_team: Team | None = None,
    due_at: dt.datetime | None,
) -> dict[str, list[str]]:
    """What stops an action being added, by field (empty when nothing does): the rules
    of `action_add`, for a page to report every missing answer at once."""
    errors: dict[str, list[str]] = {}
    if action_type is None and not (description or "").strip():
        errors["action_type"] = ["Choose an action from the list or describe one"]
    elif action_type is not None and not action_type.is_active:
        errors["action_type"] = ["Choose an action from the list"]
    errors.update(owner_errors(owner=owner, owner_team=owner_team))
    if due_at is None:
        errors["due_at"] = ["Enter the date and time the action is due"]
    elif due_at <= timezone.now():
        errors["due_at"] = ["The due time must be in the future"]
    return errors


@transaction.atomic
def action_add(
    *,
    plan: SafetyPlan,
    user,
    action_type: SafetyActionType | None = None,
    description: str = "",
    owner: User | None = None,
    owner_team: Team | None = None,
    due_at: dt.datetime | None,
) -> SafetyAction:
    """Add an action to a plan: from the catalogue or free text, owned by a person or a
    team, due in the future. The owner is told."""
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if plan.case.status != CaseStatus.OPEN:
        raise DomainError(
            "This case is closed: reopen it to add actions.", {"case": ["The case is closed"]}
        )
    errors.update(
        action_add_errors(
            action_type=action_type,
            description=description,
            owner=owner,
            owner_team=owner_team,
            due_at=due_at,
        )
    )
    refuse(errors)
    now = timezone.now()
    action = SafetyAction(
        plan=plan,
        action_type=action_type,
        description=description,
        owner=owner,
        owner_team=owner_team,
        due_at=due_at,
        created_by=user if getattr(user, "pk", None) else None,
        created_at=now,
    )
    action.full_clean()
    who = owner_text(owner, owner_team)
    audited_save(action, user=user, reason=f"Added for {who}, due {local_when(due_at)}")
    event_record(
        verb=EventVerb.SAFETY_ACTION_ADDED,
        actor=user,
        case=plan.case,
        new={
            "action": action.pk,
            "title": action.title,
            # What the case history may show: the catalogue label (never the free text,
            # which may hold the victim's details) and the owner's name as it was then.
            "label": action_type.label if action_type else None,
            "owner": owner.pk if owner else None,
            "owner_name": staff_name(owner) if owner else None,
            "owner_team": owner_team.code if owner_team else None,
            "owner_team_name": owner_team.name if owner_team else None,
            "due_at": due_at.isoformat(),
        },
    )
    if not (owner is not None and owner.pk == getattr(user, "pk", None)):
        notify_owner(
            action=action,
            case_id=plan.case_id,
            title=f"Safety-plan action for you: {action_what(action, plan.case_id)}",
            body=f"Due {local_when(due_at)}. Added by {staff_name(user)}.",
            key=f"safety-action-added:{action.pk}",
        )
    return action


@transaction.atomic
def case_action_add(*, case: Case, user, **fields) -> SafetyAction:
    """`action_add` on the case's plan, started if it has none (both or neither)."""
    return action_add(plan=plan_get_or_create(case=case, user=user), user=user, **fields)


def _locked(action: SafetyAction) -> SafetyAction:
    return (
        SafetyAction.objects.select_for_update(of=("self",))
        .select_related("plan__case", "action_type", "owner", "owner_team")
        .get(pk=action.pk)
    )


def _finish(
    action: SafetyAction,
    *,
    user,
    status: str,
    text: str,
    version: int | None,
    missing: dict[str, list[str]],
    history_prefix: str,
    verb: str,
) -> SafetyAction:
    """End an open action (done or cancelled) with its note: the time, the note in
    `completion_note`, history and an event."""
    action = _locked(action)
    check_version(action, version, "action")
    if action.status != ActionStatus.OPEN:
        now = action.get_status_display().lower()
        raise DomainError(
            f"This action is not open: it is already {now}.",
            {"status": [f"The action is {now}"]},
        )
    text = (text or "").strip()
    if not text:
        refuse(missing)
    action.status = status
    action.completed_at = timezone.now()
    action.completion_note = text
    action.version += 1
    audited_save(action, user=user, reason=f"{history_prefix}: {text}")
    event_record(
        verb=verb,
        actor=user,
        case=action.plan.case,
        old={"status": ActionStatus.OPEN},
        new={"action": action.pk, "title": action.title, "status": status},
        reason=text,
    )
    return action


@transaction.atomic
def action_complete(
    *, action: SafetyAction, user, note: str, version: int | None = None
) -> SafetyAction:
    """Mark an open action done, with a note of what was done, then run the
    `action_done` hooks (`cases.hooks`: a done referral, an action whose catalogue entry
    `refers_to` an agency, starts that agency's work with the victim)."""
    action = _finish(
        action,
        user=user,
        status=ActionStatus.DONE,
        text=note,
        version=version,
        missing={"note": ["Say what was done"]},
        history_prefix="Done",
        verb=EventVerb.SAFETY_ACTION_DONE,
    )
    hooks.on_action_done(action=action, user=user)
    return action


@transaction.atomic
def action_reassign(
    *,
    action: SafetyAction,
    user,
    to_user: User | None = None,
    to_team: Team | None = None,
    reason: str,
    version: int | None = None,
) -> SafetyAction:
    """Give an open action to another person or team, with a reason. They are told."""
    action = _locked(action)
    check_version(action, version, "action")
    if action.status != ActionStatus.OPEN:
        raise DomainError(
            "This action is not open: it cannot be moved.",
            {"status": [f"The action is {action.get_status_display().lower()}"]},
        )
    errors = owner_errors(owner=to_user, owner_team=to_team)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Give a reason for moving the action"]
    if not errors and (
        (to_user is not None and to_user.pk == action.owner_id)
        or (to_team is not None and action.owner_id is None and to_team.pk == action.owner_team_id)
    ):
        errors["owner" if to_user else "owner_team"] = [
            f"The action is already {owner_text(to_user, to_team)}'s: choose someone else"
        ]
    refuse(errors)
    old_text = owner_text(action.owner, action.owner_team)
    old = {"owner": action.owner_id, "owner_team": action.owner_team_id}
    action.owner, action.owner_team = to_user, to_team
    action.version += 1
    new_text = owner_text(to_user, to_team)
    audited_save(action, user=user, reason=f"Moved from {old_text} to {new_text}: {reason}")
    event_record(
        verb=EventVerb.SAFETY_ACTION_REASSIGNED,
        actor=user,
        case=action.plan.case,
        old=old,
        new={
            "action": action.pk,
            "title": action.title,
            "owner": to_user.pk if to_user else None,
            "owner_team": to_team.pk if to_team else None,
        },
        reason=reason,
    )
    notify_owner(
        action=action,
        case_id=action.plan.case_id,
        title=f"Safety-plan action moved to you: {action_what(action, action.plan.case_id)}",
        body=f"Moved from {old_text} by {staff_name(user)}: {reason}. Due {local_when(action.due_at)}.",
        key=f"safety-action-moved:{action.pk}:{action.version}",
    )
    return action


@transaction.atomic
def action_cancel(
    *, action: SafetyAction, user, reason: str, version: int | None = None
) -> SafetyAction:
    """Cancel an open action that no longer makes sense (the victim declined it, or moved
    so that it no longer applies), with a reason. The reason goes where a done action's
    note goes (`completion_note`, with the time in `completed_at`), in its history and
    in an event. The owner is told it was cancelled, but not why: the reason may hold
    the victim's whereabouts, and emails leave the secure network."""
    action = _finish(
        action,
        user=user,
        status=ActionStatus.CANCELLED,
        text=reason,
        version=version,
        missing={"reason": ["Give a reason for cancelling the action"]},
        history_prefix="Cancelled",
        verb=EventVerb.SAFETY_ACTION_CANCELLED,
    )
    if not (action.owner_id is not None and action.owner_id == getattr(user, "pk", None)):
        notify_owner(
            action=action,
            case_id=action.plan.case_id,
            title=f"Safety-plan action cancelled: {action_what(action, action.plan.case_id)}",
            body=f"Cancelled by {staff_name(user)}. The reason is on the safety plan. "
            f"It was due {local_when(action.due_at)}.",
            key=f"safety-action-cancelled:{action.pk}",
        )
    return action
