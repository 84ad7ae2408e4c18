"""Loads an organisation description (YAML) into Force, District, ShiftPattern, Team and
the out-of-hours escalation list (OutOfHoursContact).

Rows are matched by their key (force, district and team by `code`, shift pattern by
`name`, an out-of-hours line by its team and role). Loading again creates what is missing and brings the fields the file sets
back to the file's values: names, postcodes, kinds, slots, and a team's pattern and
districts when the file gives them. It leaves alone rows the file does not name and
fields it does not set (a team's email or active flag, an out-of-hours line's active
flag, staff, absences). A second run
with the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.db import transaction

from cases.choices import QueueKind
from org.choices import TeamKind
from org.models import District, Force, ShiftPattern, ShiftSlot, Team


class OrgFileError(ValueError):
    """The organisation file names something it does not define, or is malformed."""


def _time(text: str) -> dt.time:
    hours, minutes = str(text).split(":")
    return dt.time(int(hours), int(minutes))


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _slots_match(pattern: ShiftPattern, wanted: list[tuple]) -> bool:
    have = sorted(pattern.slots.values_list("cycle_day", "starts", "ends", "label"))
    return have == sorted(wanted)


@transaction.atomic
def load_org(path: Path) -> dict[str, int]:
    """Create or bring up to date the organisation described in a YAML file."""
    spec = yaml.safe_load(Path(path).read_text())
    try:
        force, _ = Force.objects.update_or_create(
            code=spec["force"]["code"], defaults={"name": spec["force"]["name"]}
        )
    except (KeyError, TypeError):
        raise OrgFileError(f"{path}: the file must start with a force (code and name).") from None
    districts = {}
    for item in spec.get("districts") or []:
        districts[item["code"]], _ = District.objects.update_or_create(
            code=item["code"],
            defaults={
                "force": force,
                "name": item["name"],
                "postcode_prefixes": item.get("postcodes", ""),
            },
        )
    patterns = {}
    for item in spec.get("shift_patterns") or []:
        pattern, _ = ShiftPattern.objects.update_or_create(
            name=item["name"],
            defaults={"cycle_start": _date(item["cycle_start"]), "cycle_days": item["cycle_days"]},
        )
        wanted = []
        for slot in item["slots"]:
            if not 1 <= slot["day"] <= pattern.cycle_days:
                raise OrgFileError(
                    f"Shift pattern {pattern.name!r}: day {slot['day']} is outside its "
                    f"{pattern.cycle_days}-day cycle."
                )
            wanted.append(
                (slot["day"], _time(slot["starts"]), _time(slot["ends"]), slot.get("label", ""))
            )
        if not _slots_match(pattern, wanted):
            pattern.slots.all().delete()
            ShiftSlot.objects.bulk_create(
                ShiftSlot(pattern=pattern, cycle_day=day, starts=starts, ends=ends, label=label)
                for day, starts, ends, label in wanted
            )
        patterns[item["name"]] = pattern
    teams = queues = 0
    for item in spec.get("teams") or []:
        if item["kind"] not in TeamKind.values:
            raise OrgFileError(
                f"Team {item['code']!r}: unknown kind {item['kind']!r}. "
                f"Choose from {', '.join(TeamKind.values)}."
            )
        shift = item.get("shift")
        if shift and shift not in patterns:
            raise OrgFileError(f"Team {item['code']!r}: no shift pattern is named {shift!r}.")
        unknown = [code for code in item.get("districts", []) if code not in districts]
        if unknown:
            raise OrgFileError(f"Team {item['code']!r}: unknown districts {', '.join(unknown)}.")
        defaults = {"force": force, "name": item["name"], "kind": TeamKind(item["kind"])}
        if "shift" in item:
            defaults["shift_pattern"] = patterns[shift] if shift else None
        team, _ = Team.objects.update_or_create(code=item["code"], defaults=defaults)
        if "districts" in item:
            team.districts.set([districts[code] for code in item["districts"]])
        teams += 1
        queues += _queues_ensure(team)
    _out_of_hours_load(spec.get("out_of_hours_escalation") or [])
    return {
        "districts": len(districts),
        "shift patterns": len(patterns),
        "teams": teams,
        "queues": queues,
    }


def _out_of_hours_load(items: list) -> None:
    """The out-of-hours escalation list: each line (a team, and a role within it) is
    created when missing and its label and order brought back to the file's; whether a
    line is in use (`is_active`) is the administrator's and left alone."""
    from cases.models import OutOfHoursContact
    from dasapp.roles import Role

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


def _queues_ensure(team: Team) -> int:
    """Create the team's queues that are missing (existing ones keep their targets)."""
    from cases.case_services import queue_for

    for kind in QUEUES_OF_TEAM.get(team.kind, ()):
        queue_for(team=team, kind=kind)
    return len(QUEUES_OF_TEAM.get(team.kind, ()))


SAFETY_ACTIONS_FILE = Path(__file__).resolve().parent / "data" / "safety_actions.yaml"


@transaction.atomic
def load_safety_action_types(path: Path = SAFETY_ACTIONS_FILE) -> int:
    """Create or bring up to date the safety-plan action catalogue (matched by `code`).
    Rows the file does not name, and whether a row is offered (`is_active`), are left
    alone. A second run changes nothing. An action's `refers_to` names the team (by
    code) that a done referral starts working with the victim; when the organisation
    has no team of that code, the field is left as it is."""
    from cases.models import SafetyActionType

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
