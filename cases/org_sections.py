"""What casework keeps of the organisation, loaded with it by `load_org_defaults`
(`org.loader` finds this module on first use): each team's queues, the out-of-hours
escalation list (OutOfHoursContact) and the safety-plan action catalogue.

An out-of-hours line is matched by its team and role, an action type by its `code`;
loading again creates what is missing and brings the fields the files set back to
their values, and leaves alone what they do not set (whether a line or an action is
in use, a queue's targets).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from cases.case_services import queue_for
from cases.choices import QueueKind
from cases.models import OutOfHoursContact, SafetyActionType
from dasapp.roles import Role
from org.choices import TeamKind
from org.loader import (
    OrgFileError,
    register_catalogue,
    register_file_section,
    register_team_section,
)
from org.models import Team

# The queues each kind of team works, there from the start so that their targets can be
# set and their staff see them before the first case is routed.
QUEUES_OF_TEAM = {
    TeamKind.HUB: (QueueKind.HUB_HIGH,),
    TeamKind.CENTRAL_REFERRAL_UNIT: (
        QueueKind.CRU_HIGH,
        QueueKind.CRU_MEDIUM,
        QueueKind.RESEARCHERS,
    ),
}


@register_team_section("queues")
def queues_ensure(team: Team) -> int:
    """Create the team's queues that are missing (existing ones keep their targets)."""
    for kind in QUEUES_OF_TEAM.get(team.kind, ()):
        queue_for(team=team, kind=kind)
    return len(QUEUES_OF_TEAM.get(team.kind, ()))


@register_file_section("out_of_hours_escalation")
def out_of_hours_load(items: list) -> None:
    """The out-of-hours escalation list: each line (a team, and a role within it) is
    created when missing and its label and order brought back to the file's; whether a
    line is in use (`is_active`) is the administrator's and left alone."""
    for number, item in enumerate(items, start=1):
        try:
            code, label = item["team"], item["label"]
        except (KeyError, TypeError):
            raise OrgFileError("Every out-of-hours line needs a team and a label.") from None
        role = item.get("role") or ""
        if role and role not in Role.values:
            raise OrgFileError(
                f"Out-of-hours line {label!r}: unknown role {role!r}. "
                f"Choose from {', '.join(Role.values)}."
            )
        team = Team.objects.filter(code=code).first()
        if team is None:
            raise OrgFileError(f"Out-of-hours line {label!r}: no team has the code {code!r}.")
        wanted = {"label": label, "order": item.get("order", number * 10)}
        row = OutOfHoursContact.objects.filter(team=team, role=role).first()
        if row is None:
            OutOfHoursContact.objects.create(team=team, role=role, **wanted)
        elif any(getattr(row, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(row, key, value)
            row.save()


SAFETY_ACTIONS_FILE = Path(__file__).resolve().parent / "data" / "safety_actions.yaml"


@transaction.atomic
def load_safety_action_types(path: Path = SAFETY_ACTIONS_FILE) -> int:
    """Create or bring up to date the safety-plan action catalogue (matched by `code`).
    Rows the file does not name, and whether a row is offered (`is_active`), are left
    alone. A second run changes nothing. An action's `refers_to` names the team (by
    code) that a done referral starts working with the victim; when the organisation
    has no team of that code, the field is left as it is."""
    spec = yaml.safe_load(Path(path).read_text()) or {}
    count = 0
    for item in spec.get("actions") or []:
        try:
            code, label = item["code"], item["label"]
        except (KeyError, TypeError):
            raise OrgFileError(f"{path}: every action needs a code and a label.") from None
        wanted = {"label": label, "hint": item.get("hint", ""), "order": item.get("order", 100)}
        if not item.get("refers_to"):
            wanted["refers_to_id"] = None
        else:
            # A force without a team of that code keeps whatever its administrators
            # chose for the action (nothing, at first).
            team_id = Team.objects.filter(code=item["refers_to"]).values_list("pk", flat=True)
            if team_id:
                wanted["refers_to_id"] = team_id[0]
        row = SafetyActionType.objects.filter(code=code).first()
        if row is None:
            SafetyActionType.objects.create(code=code, **wanted)
        elif any(getattr(row, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(row, key, value)
            row.save()
        count += 1
    return count


@register_catalogue
def safety_action_catalogue() -> str:
    return f"Safety-plan action catalogue: {load_safety_action_types()} actions"
