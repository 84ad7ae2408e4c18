"""What the look-up takes (`LookupQuery`), what it gives (`Package`) and what its steps
pass on to the source functions (`Context`, with people and their ties as rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from calls.grading import Intelligence
from people.models import Address, Person, PhoneNumber


@dataclass
class LookupQuery:
    phone: str = ""
    address_line1: str = ""
    postcode: str = ""
    address_id: int | None = None
    person_ids: list[int] = field(default_factory=list)


def _json_copy(value):
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    return value


@dataclass
class Package:
    """What the look-up found. `as_json()` is what is snapshotted onto the incident."""

    searched_at: str = ""
    unavailable: bool = False
    message: str = ""
    phone: dict | None = None
    address: dict | None = None
    people: list[dict] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    incident_count: int = 0
    suspects: list[dict] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    open_cases: list[dict] = field(default_factory=list)
    extra: dict[str, list[dict]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """A copy in plain JSON types. The package holds nothing else, so copying lists
        and dicts is enough: `dataclasses.asdict` deep-copies every value, which cost
        more than some of the look-up's queries."""
        return {f.name: _json_copy(getattr(self, f.name)) for f in fields(self)}

    def shown_ids(self) -> dict:
        """The ids of everything the package shows, for the access log: which records a
        look-up put in front of whom (ids only, never names)."""
        return {
            "phone": (self.phone or {}).get("id"),
            "address": (self.address or {}).get("id"),
            "people": [p["id"] for p in self.people],
            "flags": [f["id"] for f in self.flags],
            "incidents": [i["id"] for i in self.incidents],
            "suspects": [p["id"] for p in self.suspects],
            "children": [p["id"] for p in self.children],
            "cases": [c["id"] for c in self.open_cases],
        }

    def for_grading(self) -> Intelligence:
        return Intelligence(
            flag_kinds=frozenset(f["kind"] for f in self.flags),
            incidents_last_12_months=self.incident_count,
            suspect_weapons_history=any(s.get("weapons") for s in self.suspects),
            suspect_strangulation_history=any(s.get("strangulation") for s in self.suspects),
            children_linked=len(self.children),
            unavailable=self.unavailable,
        )

    @property
    def found_anything(self) -> bool:
        return bool(self.flags or self.incidents or self.people or self.suspects)


class PersonRow(NamedTuple):
    """A person as the look-up reads them: a row, not a model instance (a look-up may
    load a hundred and more)."""

    pk: int
    given_name: str
    family_name: str
    date_of_birth: dt.date | None

    full_name = Person.full_name  # the model's own rule, over the same fields


class RelationshipRow(NamedTuple):
    """A current tie between two people in scope; `parent_of` reads person to other."""

    person_id: int
    other_id: int
    kind: str
    person: PersonRow
    other: PersonRow


@dataclass
class Context:
    """What earlier steps resolved, for the source functions. The phone number and the
    address are model instances with only the fields the look-up reads; people and
    their ties are plain rows (`PersonRow`, `RelationshipRow`): filter by their ids."""

    query: LookupQuery
    now: dt.datetime
    phone: PhoneNumber | None = None
    address: Address | None = None
    people: dict[int, PersonRow] = field(default_factory=dict)
    relationships: list[RelationshipRow] = field(default_factory=list)
    direct_ids: set[int] = field(default_factory=set)
