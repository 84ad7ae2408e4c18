"""The organisation is data: the defaults load, reload harmlessly, and any force loads."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from org.choices import TeamKind

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
ESSEX_DISTRICTS = {
    "Basildon",
    "Braintree",
    "Brentwood",
    "Castle Point",
    "Chelmsford",
    "Colchester",
    "Epping Forest",
    "Harlow",
    "Maldon",
    "Rochford",
    "Tendring",
    "Uttlesford",
    "Southend-on-Sea",
    "Thurrock",
}


def _load(path: Path | None = None) -> str:
    out = io.StringIO()
    args = ["--file", str(path)] if path else []
    call_command("load_org_defaults", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, list]:
    """Every organisation row with every field, to compare before and after a reload."""
    from cases.models import Queue
    from org.models import District, Force, ShiftPattern, ShiftSlot, Team

    return {
        "queues": list(Queue.objects.order_by("pk").values()),
        "forces": list(Force.objects.order_by("pk").values()),
        "districts": list(District.objects.order_by("pk").values()),
        "patterns": list(ShiftPattern.objects.order_by("pk").values()),
        "slots": list(ShiftSlot.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values()),
        "team_districts": sorted(Team.districts.through.objects.values_list("team", "district")),
    }


# The defaults -----------------------------------------------------------------------


def test_defaults_load_the_fourteen_districts_of_the_demo_force():
    from org.models import District, Force

    output = _load()
    assert "14 districts" in output
    assert Force.objects.count() == 1
    assert set(District.objects.values_list("name", flat=True)) == ESSEX_DISTRICTS
    assert not District.objects.filter(postcode_prefixes="").exists()


def test_defaults_load_three_hubs_that_between_them_serve_every_district_once():
    from org.models import District, Team

    _load()
    hubs = Team.objects.filter(kind=TeamKind.HUB).prefetch_related("districts")
    assert hubs.count() == 3
    served = [district.pk for hub in hubs for district in hub.districts.all()]
    assert all(hub.districts.exists() for hub in hubs)
    assert sorted(served) == sorted(District.objects.values_list("pk", flat=True))


def test_defaults_have_a_team_of_every_kind():
    from org.models import Team

    _load()
    assert set(Team.objects.values_list("kind", flat=True)) == set(TeamKind.values)


def test_defaults_give_the_central_unit_and_hubs_their_shift_patterns():
    from org.models import Team

    _load()
    cru = Team.objects.get(kind=TeamKind.CENTRAL_REFERRAL_UNIT)
    assert cru.shift_pattern.cycle_days == 1
    assert list(cru.shift_pattern.slots.values_list("starts", "ends")) == [(dt.time(8), dt.time(0))]
    hub_patterns = {hub.shift_pattern for hub in Team.objects.filter(kind=TeamKind.HUB)}
    assert len(hub_patterns) == 3, "each hub follows its own rota"
    for pattern in hub_patterns:
        assert pattern.cycle_days == 3
        assert pattern.slots.count() == 2  # a day shift and an evening shift; one day rests


def test_every_hub_and_the_central_unit_have_their_queues_before_any_case_is_routed():
    from cases.choices import QueueKind
    from cases.models import Queue
    from org.models import Team

    _load()
    kinds = {(code, kind) for code, kind in Queue.objects.values_list("team__code", "kind")}
    hubs = Team.objects.filter(kind="hub").values_list("code", flat=True)
    assert {(hub, QueueKind.HUB_HIGH) for hub in hubs} <= kinds
    assert {
        ("cru", QueueKind.CRU_HIGH),
        ("cru", QueueKind.CRU_MEDIUM),
        ("cru", QueueKind.RESEARCHERS),
    } <= kinds
    assert len(kinds) == len(hubs) + 3  # no other team gets a queue


def test_queues_are_named_after_their_team_without_repeating_it():
    from cases.models import Queue

    _load()
    names = dict(Queue.objects.values_list("kind", "name").filter(team__code="cru"))
    names["hub_high"] = Queue.objects.get(team__code="hub-colchester").name
    assert names == {
        "hub_high": "Colchester hub: high-risk queue",
        "cru_high": "Central referral unit: high-risk queue",
        "cru_medium": "Central referral unit: DASO queue (medium risk)",
        "researchers": "Central referral unit: researchers' queue (standard risk)",
    }


def test_loading_again_keeps_a_queue_target_set_since():
    from cases.models import Queue

    _load()
    queue = Queue.objects.get(team__code="cru", kind="cru_medium")
    queue.review_target_hours = 48
    queue.save()
    _load()
    queue.refresh_from_db()
    assert queue.review_target_hours == 48


# Loading again ----------------------------------------------------------------------


def test_loading_twice_changes_nothing():
    _load()
    before = _snapshot()
    _load()
    assert _snapshot() == before


def test_loading_again_puts_back_a_field_the_file_sets():
    """Documented in the command's help: the file wins for the fields it sets."""
    from org.models import District

    _load()
    district = District.objects.get(code="maldon")
    district.name = "Maldon and Heybridge"
    district.save()
    _load()
    district.refresh_from_db()
    assert district.name == "Maldon"


def test_loading_again_keeps_rows_and_fields_the_file_does_not_set():
    from org.models import District, Force, ShiftPattern, Team

    _load()
    force = Force.objects.get()
    extra = District.objects.create(force=force, code="new-town", name="New Town")
    hub = Team.objects.filter(kind=TeamKind.HUB).first()
    hub.email = "hub@example.invalid"
    hub.is_active = False
    hub.save()
    partner = Team.objects.filter(kind=TeamKind.PARTNER_AGENCY).first()
    office = ShiftPattern.objects.filter(cycle_days=7).first()
    partner.shift_pattern = office
    partner.save()

    _load()

    assert District.objects.filter(pk=extra.pk, name="New Town").exists()
    hub.refresh_from_db()
    assert (hub.email, hub.is_active) == ("hub@example.invalid", False)
    partner.refresh_from_db()
    assert partner.shift_pattern == office  # the file gives partners no pattern


def test_loading_again_after_a_slot_changed_restores_the_files_slots():
    from org.models import Team

    _load()
    pattern = Team.objects.get(kind=TeamKind.CENTRAL_REFERRAL_UNIT).shift_pattern
    pattern.slots.update(starts=dt.time(9))
    _load()
    assert list(pattern.slots.values_list("starts", "ends")) == [(dt.time(8), dt.time(0))]


# Another force ----------------------------------------------------------------------

OTHER_FORCE = """\
force: {code: northmoor, name: Northmoor Constabulary}
districts:
  - {code: eastholm, name: Eastholm, postcodes: "ZZ1 ZZ2"}
  - {code: westmere, name: Westmere}
shift_patterns:
  - name: Nights
    cycle_start: 2027-02-01
    cycle_days: 2
    slots:
      - {day: 1, starts: "20:00", ends: "06:00", label: Nights}
teams:
  - {code: safeguarding, name: Safeguarding team, kind: hub, shift: Nights, districts: [eastholm, westmere]}
  - {code: advocates, name: Advocacy service, kind: idva_service}
"""


def test_a_different_force_loads_with_none_of_the_demo_names(tmp_path):
    from org.availability import team_on_duty
    from org.models import District, Force, Team

    path = tmp_path / "northmoor.yaml"
    path.write_text(OTHER_FORCE)
    output = _load(path)

    assert "2 districts, 1 shift patterns, 2 teams" in output
    assert Force.objects.get().name == "Northmoor Constabulary"
    assert set(District.objects.values_list("name", flat=True)) == {"Eastholm", "Westmere"}
    assert District.objects.get(code="westmere").postcode_prefixes == ""
    hub = Team.objects.get(kind=TeamKind.HUB)
    assert set(hub.districts.values_list("code", flat=True)) == {"eastholm", "westmere"}
    # Its own rota works: 23:00 on day 1 of the cycle (February, so GMT = UTC).
    assert team_on_duty(hub, dt.datetime(2027, 2, 1, 23, 0, tzinfo=dt.UTC))
    assert not team_on_duty(hub, dt.datetime(2027, 2, 2, 23, 0, tzinfo=dt.UTC))


def test_staff_can_be_provisioned_into_a_different_force(tmp_path):
    from org.services import user_provision

    path = tmp_path / "northmoor.yaml"
    path.write_text(OTHER_FORCE)
    _load(path)
    user, _ = user_provision(username="advocate", roles=["idva"], team_code="advocates")
    assert user.profile.team.force.code == "northmoor"


@pytest.mark.parametrize(
    "broken, message",
    [
        ("shift: Nights,", "no shift pattern is named 'Days'"),
        ("districts: [eastholm, westmere]", "unknown districts nowhere"),
        ("kind: hub,", "unknown kind 'hubb'"),
    ],
)
def test_a_file_naming_something_it_does_not_define_is_refused_with_the_reason(
    tmp_path, broken, message
):
    from org.models import Force

    fixes = {
        "shift: Nights,": "shift: Days,",
        "districts: [eastholm, westmere]": "districts: [eastholm, nowhere]",
        "kind: hub,": "kind: hubb,",
    }
    path = tmp_path / "broken.yaml"
    path.write_text(OTHER_FORCE.replace(broken, fixes[broken]))
    with pytest.raises(CommandError, match=re.escape(message)):
        _load(path)
    assert not Force.objects.exists(), "nothing is half-loaded"


def test_a_slot_on_a_day_outside_the_cycle_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(OTHER_FORCE.replace("{day: 1,", "{day: 3,"))
    with pytest.raises(CommandError, match="outside its 2-day cycle"):
        _load(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No organisation file"):
        _load(tmp_path / "missing.yaml")


# Nothing in code assumes the demo force ----------------------------------------------


def test_no_code_or_template_names_the_demo_force_or_its_places():
    """The Essex names live in the defaults file and the demo data, nowhere else."""
    names = {*ESSEX_DISTRICTS, "Essex", "Laindon"}
    pattern = re.compile("|".join(re.escape(name) for name in sorted(names)), re.IGNORECASE)
    commands = REPO / "cases" / "management" / "commands"
    allowed = {commands / "seed_demo.py", commands / "_demo_data.py"}
    offenders = []
    for folder in ("dasapp", "org", "cases", "risk", "marac", "templates"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt", ".js"} or path in allowed:
                continue
            if {"tests", "migrations", "__pycache__"} & set(path.parts):
                continue
            match = pattern.search(path.read_text(errors="ignore"))
            if match:
                offenders.append(f"{path.relative_to(REPO)}: {match.group(0)}")
    assert offenders == []
