"""What the safety-plan services share: the system account, how an action is named in
messages, the owner rule, version checks and refusals."""

from __future__ import annotations

import datetime as dt

from cases import safety_selectors as selectors
from cases.models import Case, SafetyAction
from dasapp.api import DomainError
from dasapp.history import version_check
from dasapp.models import User
from dasapp.notify import notify
from dasapp.roles import ALL_ROLES
from org import availability
from org.models import Team

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The account that background work acts as in history and events. It cannot sign
    in (inactive, no usable password)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "The", "last_name": "system", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def staff_name(user) -> str:
    return user.get_full_name() or user.username


def local_when(at: dt.datetime) -> str:
    return f"{availability.local(at):%-d %b %Y %H:%M}"


def action_what(action: SafetyAction, case_id: int) -> str:
    """How a notification names an action: the catalogue label and the case, never free
    text (it may hold the victim's details, and emails leave the secure network)."""
    reference = Case(pk=case_id).reference
    if action.action_type_id:
        return f"{action.action_type.label}, case {reference}"
    return f"case {reference}"


def action_url(action: SafetyAction, case_id: int) -> str:
    return f"/cases/{case_id}/safety-plan/?via=safety_action:{action.pk}#action-{action.pk}"


def check_version(obj, version: int | None, what: str) -> None:
    version_check(obj, version, what=what)


def refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, errors)


def owner_errors(*, owner: User | None, owner_team: Team | None) -> dict[str, list[str]]:
    """The one rule of who may hold an action: an active member of staff (not a partner
    agency), or an active team with somebody active in it."""
    if owner is None and owner_team is None:
        return {"owner": ["Choose a person or a team to own the action"]}
    if owner is not None and owner_team is not None:
        return {"owner": ["Choose a person or a team, not both"]}
    if owner is not None:
        if not owner.is_active:
            return {
                "owner": [f"{staff_name(owner)}'s account is switched off: choose someone else"]
            }
        roles = set(owner.groups.values_list("name", flat=True)) & ALL_ROLES
        if not roles & selectors.ACTION_OWNER_ROLES:
            return {
                "owner": [
                    f"{staff_name(owner)} cannot hold safety-plan actions: choose someone else"
                ]
            }
        return {}
    if not selectors.assignable_teams().filter(pk=owner_team.pk).exists():
        return {
            "owner_team": [f"{owner_team} cannot hold safety-plan actions: choose another team"]
        }
    if not selectors.active_members(owner_team).exists():
        return {"owner_team": [f"{owner_team} has nobody in it: choose a person or another team"]}
    return {}


def owner_text(owner: User | None, team: Team | None) -> str:
    return staff_name(owner) if owner is not None else str(team)


def notify_owner(*, action: SafetyAction, case_id: int, title: str, body: str, key: str) -> None:
    if action.owner_id:
        users = [action.owner]
    else:
        users = list(selectors.active_members(action.owner_team).order_by("pk"))
    notify(users=users, title=title, body=body, url=action_url(action, case_id), dedupe_key=key)
