"""The apps above calls add their parts to the look-up through its registry: open cases
from cases, the DV1s' risk and DASH answers from risk, in the order of INSTALLED_APPS."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls import intelligence
from calls.choices import IncidentRole
from calls.intelligence import registry
from calls.models import IncidentPerson
from calls.tests.test_intelligence import NOW, household, whole_call  # noqa: F401
from cases import lookup_sources as case_sources
from cases.models import Case, Queue
from dasapp.choices import RiskLevel
from risk import lookup_sources as risk_sources
from risk.models import Assessment


@pytest.fixture
def own_registry(monkeypatch):
    """The registry as discovered, which a test may add to without leaving it behind."""
    for name in ("_tables", "_sources", "_incident_columns", "_suspect_harms"):
        registry._discover()
        monkeypatch.setattr(registry, name, list(getattr(registry, name)))
    monkeypatch.setattr(registry, "_ordered", {})
    return registry


def test_cases_and_risk_add_their_parts_from_their_lookup_sources():
    assert registry.sources() == (case_sources.source_open_cases,)
    assert [column.read.__module__ for column in registry.incident_columns()] == [
        "risk.lookup_sources"
    ]
    assert [harm.tag for harm in registry.suspect_harms()] == ["dv1"]
    assert {Case, Queue, Assessment} <= set(registry.tables())
    assert risk_sources.NO_DV1 == "No DV1 submitted"


def test_parts_come_in_the_order_of_installed_apps_whichever_registered_first(own_registry):
    def from_marac(ctx, package):
        pass

    def from_partners(ctx, package):
        pass

    from_marac.__module__ = "marac.lookup_sources"
    from_partners.__module__ = "partners.lookup_sources"
    own_registry.register_source(from_marac)
    own_registry.register_source(from_partners)

    assert own_registry.sources() == (case_sources.source_open_cases, from_partners, from_marac)


def test_a_suspect_harm_cannot_take_a_tag_the_suspects_statement_uses(own_registry):
    for tag in ("victim", "incident", "partner", "dv1"):
        with pytest.raises(ValueError, match="already has rows tagged"):
            own_registry.register_suspect_harm(
                registry.SuspectHarm(tag=tag, sql=lambda: "SELECT 1")
            )


_VICTIMS_ON_IT = """(SELECT count(*) FROM {IncidentPerson} x
        WHERE x.{IncidentPerson.incident} = i.{Incident.id} AND x.{IncidentPerson.role} = %s)"""


@pytest.mark.django_db
def test_an_added_column_and_source_reach_the_package_in_the_same_six_statements(
    household,  # noqa: F811
    own_registry,
):
    def read_victims(entry: dict, count: object) -> None:
        entry["victims"] = count

    def source_seen(ctx, package) -> None:
        package.extra["seen"] = [{"id": pk} for pk in sorted(ctx.direct_ids)]

    own_registry.register_incident_column(
        registry.IncidentColumn(
            sql=lambda: _VICTIMS_ON_IT, read=read_victims, params=(IncidentRole.VICTIM.value,)
        )
    )
    own_registry.register_source(source_seen)
    query = whole_call(household)

    with CaptureQueriesContext(connection) as captured:
        package, ctx = intelligence.lookup(query, now=NOW)

    reads = [q["sql"] for q in captured if "SELECT" in q["sql"] or "EXECUTE" in q["sql"]]
    assert len(reads) == 6
    assert [entry["victims"] for entry in package.incidents] == [
        IncidentPerson.objects.filter(incident=entry["id"], role=IncidentRole.VICTIM).count()
        for entry in package.incidents
    ]
    # The parameters of risk's column still go to risk's column.
    assert package.incidents[-1]["risk"] == RiskLevel.HIGH
    assert package.extra["seen"] == [{"id": pk} for pk in sorted(ctx.direct_ids)]
    assert package.open_cases
