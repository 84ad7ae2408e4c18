"""Loads an organisation description (YAML) into Force, District, ShiftPattern and Team,
and with them what other apps keep of the organisation (sections, below).

Rows are matched by their key (force, district and team by `code`, shift pattern by
`name`). Loading again creates what is missing and brings the fields the file sets
back to the file's values: names, postcodes, kinds, slots, and a team's pattern and
districts when the file gives them. It leaves alone rows the file does not name and
fields it does not set (a team's email or active flag, staff, absences). A second run
with the same file changes nothing.

Apps above `org` load their part with the organisation by registering it in their own
`org_sections.py` (found on first use, like `work_items.py`), in one of three ways:

- `@register_team_section("queues")`: called with each team the file loads, returns
  how many rows it made sure of for that team; the summary counts them under the name.
- `@register_file_section("out_of_hours_escalation")`: called with the items under
  that key of the file, after every team is loaded.
- `@register_catalogue`: a catalogue of the app's own, loaded after the organisation
  (the teams it names exist by then); returns the line `load_org_defaults` reports.

Team and file sections run in the organisation's transaction: a section that refuses
the file (`OrgFileError`) leaves nothing half-loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from org.choices import TeamKind
from org.models import District, Force, ShiftPattern, ShiftSlot, Team


class OrgFileError(ValueError):
    """The organisation file names something it does not define, or is malformed."""


# Sections other apps load with the organisation: see the module's docstring.
TeamSection = Callable[[Team], int]
FileSection = Callable[[list], None]
Catalogue = Callable[[], str]
_team_sections: dict[str, TeamSection] = {}
_file_sections: dict[str, FileSection] = {}
_catalogues: list[Catalogue] = []
_discovered = False


def register_team_section(name: str) -> Callable[[TeamSection], TeamSection]:
    """Decorator: `load(team)` makes sure of the team's rows of `name` and says how many."""

    def decorator(load: TeamSection) -> TeamSection:
        _team_sections[name] = load
        return load

    return decorator


def register_file_section(key: str) -> Callable[[FileSection], FileSection]:
    """Decorator: `load(items)` loads the items under `key` in the organisation file."""

    def decorator(load: FileSection) -> FileSection:
        _file_sections[key] = load
        return load

    return decorator


def register_catalogue(load: Catalogue) -> Catalogue:
    """Decorator: `load()` loads a catalogue after the organisation and says what it did."""
    _catalogues.append(load)
    return load


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("org_sections")
        _discovered = True


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
    _discover()
    teams = 0
    team_counts = dict.fromkeys(_team_sections, 0)
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
        for name, load in _team_sections.items():
            team_counts[name] += load(team)
    for key, load in _file_sections.items():
        load(spec.get(key) or [])
    return {
        "districts": len(districts),
        "shift patterns": len(patterns),
        "teams": teams,
        **team_counts,
    }


def load_catalogues() -> list[str]:
    """Load every registered catalogue (each in its own transaction), after the
    organisation; what each says it did."""
    _discover()
    return [load() for load in _catalogues]
