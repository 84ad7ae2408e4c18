"""What the apps above `calls` add to the look-up. Each such app registers its part in
its `lookup_sources.py`, found on first use (like `admin.py`):

- `register_tables(*models)`: the models whose table and column names its statements
  use (`{Case}`, `{Case.opened_at}`);
- `register_source(source)`: a source function run after the look-up's own, with the
  same context and package (open cases from `cases`), in one statement of its own;
- `register_incident_column(column)`: a value read with each incident shown, inside
  the incidents statement (the risk of its DV1s, from `risk`);
- `register_suspect_harm(harm)`: harm recorded elsewhere than on the call about a
  suspect's incidents, inside the suspects statement (the DASH answers of DV1s, from
  `risk`).

Contributions come in the order of INSTALLED_APPS (the layer order), whichever module
was imported first, so the statements and their order do not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.apps import apps
from django.db import models
from django.utils.module_loading import autodiscover_modules

from calls.intelligence.data import Context, Package

Source = Callable[[Context, Package], None]
T = TypeVar("T")

# The tags the suspects statement gives its own rows.
_SUSPECT_ROW_TAGS = frozenset({"partner", "of victims", "direct", "incident", "victim"})


@dataclass(frozen=True)
class IncidentColumn:
    """A value read with each incident shown, as one more column of the incidents
    statement. `sql()` gives an SQL expression over the incident `i` (a scalar subquery
    walking an index), with a `%s` for each of `params`; `read(entry, value)` puts the
    value into the incident's entry of the package."""

    sql: Callable[[], str]
    read: Callable[[dict, object], None]
    params: Sequence[object] = ()


@dataclass(frozen=True)
class SuspectHarm:
    """Harm recorded elsewhere than on the call about the incidents of a suspect's
    history, as one more part of the suspects statement. `sql()` gives a SELECT over
    `history h` (person, incident, created_at, answers) whose rows are
    `(tag, h.person, NULL, NULL, h.incident, NULL, answers)`, `answers` a JSON object
    with "yes" for what was reported (`{"weapons": "yes", "strangulation": "no"}`),
    with a `%s` for each of `params`."""

    tag: str
    sql: Callable[[], str]
    params: Sequence[object] = ()


_tables: list[type[models.Model]] = []
_sources: list[Source] = []
_incident_columns: list[IncidentColumn] = []
_suspect_harms: list[SuspectHarm] = []
# Each list above in app order, once discovered (the look-up asks on every call).
_ordered: dict[str, tuple] = {}
_discovered = False


def register_tables(*models_used: type[models.Model]) -> None:
    """The models whose table and column names the registering app's statements use."""
    _tables.extend(model for model in models_used if model not in _tables)
    _ordered.clear()


def register_source(source: Source) -> Source:
    """Decorator: run `source(ctx, package)` after the look-up's own sources."""
    if source not in _sources:
        _sources.append(source)
    _ordered.clear()
    return source


def register_incident_column(column: IncidentColumn) -> IncidentColumn:
    if column not in _incident_columns:
        _incident_columns.append(column)
    _ordered.clear()
    return column


def register_suspect_harm(harm: SuspectHarm) -> SuspectHarm:
    if harm in _suspect_harms:
        return harm
    if harm.tag in _SUSPECT_ROW_TAGS or harm.tag in {h.tag for h in _suspect_harms}:
        raise ValueError(f"The suspects statement already has rows tagged {harm.tag!r}")
    _suspect_harms.append(harm)
    _ordered.clear()
    return harm


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("lookup_sources")
        _discovered = True


def _app_order(module: str) -> int:
    """The place in INSTALLED_APPS of the app a module belongs to."""
    configs = list(apps.get_app_configs())
    config = apps.get_containing_app_config(module)
    return configs.index(config) if config else len(configs)


def _in_app_order(name: str, items: list[T], module: Callable[[T], str]) -> tuple[T, ...]:
    _discover()
    if name not in _ordered:
        _ordered[name] = tuple(sorted(items, key=lambda item: _app_order(module(item))))
    return _ordered[name]


def tables() -> tuple[type[models.Model], ...]:
    return _in_app_order("tables", _tables, lambda model: model.__module__)


def sources() -> tuple[Source, ...]:
    return _in_app_order("sources", _sources, lambda source: source.__module__)


def incident_columns() -> tuple[IncidentColumn, ...]:
    return _in_app_order("columns", _incident_columns, lambda column: column.read.__module__)


def suspect_harms() -> tuple[SuspectHarm, ...]:
    return _in_app_order("harms", _suspect_harms, lambda harm: harm.sql.__module__)
