"""Apps above `org` load their part of the organisation through the loader's sections:
each team's rows, a key of the file and a catalogue of their own, in the order and the
transaction the loader gives them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from org import loader
from org.models import Force, Team

pytestmark = pytest.mark.django_db

FORCE = """\
force: {code: northmoor, name: Northmoor Constabulary}
teams:
  - {code: safeguarding, name: Safeguarding team, kind: hub}
  - {code: advocates, name: Advocacy service, kind: idva_service}
radios:
  - {team: safeguarding, callsign: NM-1}
"""


@pytest.fixture
def sections(monkeypatch):
    """The registered sections, restored after the test (registering adds to them)."""
    loader._discover()
    monkeypatch.setattr(loader, "_team_sections", dict(loader._team_sections))
    monkeypatch.setattr(loader, "_file_sections", dict(loader._file_sections))
    monkeypatch.setattr(loader, "_catalogues", list(loader._catalogues))
    return loader


def _load(path) -> str:
    out = io.StringIO()
    call_command("load_org_defaults", "--file", str(path), stdout=out)
    return out.getvalue()


def test_an_apps_sections_load_with_the_organisation_and_are_reported(sections, tmp_path):
    calls = []

    @sections.register_team_section("radios")
    def radios_ensure(team):
        calls.append(("team", team.code))
        return 2 if team.kind == "hub" else 0

    @sections.register_file_section("radios")
    def radios_load(items):
        calls.append(("file", [item["callsign"] for item in items]))

    @sections.register_catalogue
    def radio_catalogue():
        calls.append(("catalogue", Team.objects.count()))
        return "Radio catalogue: 3 radios"

    path = tmp_path / "force.yaml"
    path.write_text(FORCE)
    output = _load(path)

    assert calls == [
        ("team", "safeguarding"),
        ("team", "advocates"),
        ("file", ["NM-1"]),
        ("catalogue", 2),  # after the organisation: its teams exist
    ]
    first, *others = output.splitlines()
    assert first == (
        "Organisation loaded: 0 districts, 0 shift patterns, 2 teams, 1 queues, 2 radios"
    )
    assert others[-1] == "Radio catalogue: 3 radios"


def test_a_section_refusing_the_file_leaves_nothing_half_loaded(sections, tmp_path):
    @sections.register_file_section("radios")
    def radios_load(items):
        raise loader.OrgFileError("Radio 'NM-1': no such callsign.")

    path = tmp_path / "force.yaml"
    path.write_text(FORCE)
    with pytest.raises(CommandError, match="no such callsign"):
        _load(path)
    assert not Force.objects.exists()
    assert not Team.objects.exists()


def test_casework_loads_its_queues_out_of_hours_list_and_action_catalogue_with_it():
    loader._discover()
    assert "queues" in loader._team_sections
    assert "out_of_hours_escalation" in loader._file_sections
    assert "cases.org_sections" in {load.__module__ for load in loader._catalogues}
