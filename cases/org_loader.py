"""Loads an organisation description (YAML) into Force, District, ShiftPattern and Team."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.db import transaction

from cases.choices import TeamKind
from cases.models import District, Force, ShiftPattern, ShiftSlot, Team


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


@transaction.atomic
def load_org(path: Path) -> dict[str, int]:
    spec = yaml.safe_load(path.read_text())
    force, _ = Force.objects.update_or_create(
        code=spec["force"]["code"], defaults={"name": spec["force"]["name"]}
    )
    districts = {}
    for item in spec["districts"]:
        districts[item["code"]], _ = District.objects.update_or_create(
            code=item["code"],
            defaults={"force": force, "name": item["name"], "postcode_prefixes": item["postcodes"]},
        )
    patterns = {}
    for item in spec["shift_patterns"]:
        cycle_start = item["cycle_start"]
        if isinstance(cycle_start, str):
            cycle_start = dt.date.fromisoformat(cycle_start)
        pattern, _ = ShiftPattern.objects.update_or_create(
            name=item["name"],
            defaults={"cycle_start": cycle_start, "cycle_days": item["cycle_days"]},
        )
        pattern.slots.all().delete()
        ShiftSlot.objects.bulk_create(
            ShiftSlot(
                pattern=pattern,
                cycle_day=slot["day"],
                starts=_time(slot["starts"]),
                ends=_time(slot["ends"]),
                label=slot.get("label", ""),
            )
            for slot in item["slots"]
        )
        patterns[item["name"]] = pattern
    teams = 0
    for item in spec["teams"]:
        kind = TeamKind(item["kind"])
        team, _ = Team.objects.update_or_create(
            code=item["code"],
            defaults={
                "force": force,
                "name": item["name"],
                "kind": kind,
                "shift_pattern": patterns.get(item.get("shift", "")),
            },
        )
        team.districts.set([districts[code] for code in item.get("districts", [])])
        teams += 1
    return {
        "districts": len(districts),
        "shift patterns": len(patterns),
        "teams": teams,
    }
