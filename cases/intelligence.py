"""The call-taker's background intelligence: everything known about a number, an
address and the people on a call, in a small fixed number of queries.

Sections are built by source functions; later capabilities (open cases and their
risk, MARAC status, court outcomes) add theirs to `SOURCES` without touching the rest.
If the database is slow or down the look-up returns `unavailable` with a warning, and
the call can still be logged.

The look-up runs on every keystroke pause of a call, so it reads with plain SQL
returning tuples: at a million incidents the ORM's query compilation and model
instances were three quarters of its time. Table and column names come from the
models, and the same SQL runs on SQLite and PostgreSQL, where it runs as prepared
statements (see `_prepared`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import logging
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.encoding import force_str

from cases import matching
from cases.choices import IncidentRole, IncidentStatus, RelationshipKind
from cases.grading import Intelligence
from cases.models import (
    Address,
    Flag,
    Incident,
    IncidentPerson,
    Person,
    PersonAddress,
    PersonPhone,
    PhoneNumber,
    Relationship,
)

logger = logging.getLogger(__name__)

LOOKBACK_DAYS = 365
MAX_PEOPLE = 20
MAX_INCIDENTS = 20
MAX_FLAGS = 50
# Recent incidents counted per source (number, address, people), and a suspect's
# incidents read for the summary.
MAX_RECENT_PER_SOURCE = 200
MAX_SUSPECT_INCIDENTS = 200
STATEMENT_TIMEOUT_MS = 2000
UNAVAILABLE_MESSAGE = (
    "Intelligence unavailable: ask the control-room intelligence desk. You can still log the call."
)


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
    extra: dict[str, list[dict]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """A copy in plain JSON types. The package holds nothing else, so copying lists
        and dicts is enough: `dataclasses.asdict` deep-copies every value, which cost
        more than some of the look-up's queries."""
        return {f.name: _json_copy(getattr(self, f.name)) for f in fields(self)}

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


# An address's text and an incident's reference by the models' own rules, from a row.
class _AddressText(NamedTuple):
    line1: str
    line2: str
    town: str
    postcode: str

    postcode_display = Address.postcode_display
    __str__ = Address.__str__


class _IncidentKey(NamedTuple):
    pk: int
    created_at: dt.datetime

    reference = Incident.reference


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


# Reading with a raw cursor.


class _Table(str):
    """A model's quoted table name, with its quoted column names as attributes, so the
    SQL below reads `{Incident}` and `{Incident.created_at}`."""


@functools.cache
def _names() -> dict[str, _Table]:
    quote = connection.ops.quote_name
    names = {}
    for model in (
        Address,
        Flag,
        Incident,
        IncidentPerson,
        Person,
        PersonAddress,
        PersonPhone,
        PhoneNumber,
        Relationship,
    ):
        table = _Table(quote(model._meta.db_table))
        for model_field in model._meta.concrete_fields:
            setattr(table, model_field.name, quote(model_field.column))
        names[model.__name__] = table
    return names


def _marks(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


# An `= ANY(%s)`, or any other `%s`: one each per parameter, in order.
_MARK = re.compile(r"= ANY\(%s\)|%s")


def _in_lists(sql: str, params: Sequence) -> tuple[str, list]:
    """The statement without arrays (SQLite has none): each `= ANY(%s)` of a list
    written `IN (%s, …)`, and the parameters flattened to match."""
    values, flat = iter(params), []

    def mark(match: re.Match) -> str:
        value = next(values)
        if match.group() == "%s":
            flat.append(value)
            return "%s"
        flat.extend(value)
        return f"IN ({_marks(value)})"

    return _MARK.sub(mark, sql), flat


# Prepared statements (PostgreSQL). At a million incidents planning the look-up's
# statements took three times as long as running them. Prepared once per connection
# and run with generic plans (`lookup()` sets `plan_cache_mode`), a statement is
# neither parsed nor planned again. Left to itself PostgreSQL would keep re-planning
# those with an `= ANY(...)` of ids, pricing a generic plan for ten ids; their generic
# plans walk the same indexes as the custom ones, on the busiest numbers, addresses
# and people too.


def _prepared() -> bool:
    """Whether the look-up runs prepared statements: on PostgreSQL unless
    `LOOKUP_PREPARED_STATEMENTS` is off, as it must be behind a proxy that pools by
    transaction (PgBouncer), where the next transaction may be on another session."""
    return connection.vendor == "postgresql" and settings.LOOKUP_PREPARED_STATEMENTS


# The names prepared on each open connection (the driver's object, so a new connection
# after a reconnect starts with none).
_prepared_on: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()


@functools.cache
def _statement(sql: str) -> tuple[str, str]:
    """A statement's name, from its text, and its text with `$1`, `$2`… for `%s`."""
    name = "lookup_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
    numbers = itertools.count(1)
    return name, re.sub("%s", lambda _: f"${next(numbers)}", sql)


def _execute_prepared(cursor, sql: str, params: Sequence) -> None:
    """EXECUTE the statement, PREPAREd first in the same round trip if this connection
    has not seen it. A list is one array parameter, so one statement serves every
    length of `= ANY(%s)`."""
    name, numbered = _statement(sql)
    execute = f"EXECUTE {name}({_marks(params)})"
    prepared = _prepared_on.setdefault(connection.connection, set())
    if name in prepared:
        cursor.execute(execute, params)
    else:
        # Counted before it runs: a PREPARE outlives a failed EXECUTE after it.
        prepared.add(name)
        cursor.execute(f"PREPARE {name} AS {numbered}; {execute}", params)


def _prepared_statements_lost(exc: DatabaseError) -> bool:
    """The server's prepared statements are not the ones counted: one is missing (after
    `DEALLOCATE ALL` or `DISCARD ALL`) or already there."""
    return getattr(exc.__cause__, "pgcode", None) in {
        "26000",  # invalid_sql_statement_name: no such prepared statement
        "42P05",  # duplicate_prepared_statement
    }


def _recount_prepared() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        _prepared_on[connection.connection] = {name for (name,) in cursor.fetchall()}


def _fetch(template: str, params: Sequence, **fragments: str) -> list[tuple]:
    """Run `template` with its `{name}` fragments put in (a condition, a column), then
    its table and column names. A list parameter goes with `= ANY(%s)`."""
    for name, text in fragments.items():
        template = template.replace(f"{{{name}}}", text)
    sql = template.format(**_names())
    with connection.cursor() as cursor:
        if _prepared():
            _execute_prepared(cursor, sql, params)
        else:
            cursor.execute(*_in_lists(sql, params))
        return cursor.fetchall()


def _db_datetime(value: dt.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _datetime(value: dt.datetime | str) -> dt.datetime:
    """What the ORM gives for a datetime column: aware, in UTC. PostgreSQL's driver
    gives that already; SQLite gives text or a naive datetime in UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _date(value: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _json(value: object) -> object:
    """A JSON column: text from both drivers here (Django reads PostgreSQL's jsonb as
    text), but take a decoded value as it is."""
    return json.loads(value) if isinstance(value, str | bytes) else value


@functools.cache
def _choices(model_field: models.Field) -> dict:
    return dict(model_field.flatchoices)


def _display(model: type[models.Model], name: str, value: str) -> str:
    """`get_FOO_display()` without an instance."""
    return force_str(_choices(model._meta.get_field(name)).get(value, value), strings_only=True)


def _age(born: dt.date | None, today: dt.date) -> int | None:
    if not born:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# Resolving the number, the address and the people in scope.

_PHONE = """
SELECT 'phone', {PhoneNumber.id}, {PhoneNumber.e164}, NULL, NULL, NULL, NULL
FROM {PhoneNumber} WHERE {PhoneNumber.e164} = %s"""
_ADDRESS = """
SELECT 'address', {Address.id}, {Address.line1}, {Address.line2}, {Address.town},
       {Address.postcode}, {Address.location_type}
FROM {Address} WHERE {key} = %s"""
# Each part of the UNION ALL walks an index: the people by id, the number's links, the
# address's links. Unordered LIMITs, as any MAX_PEOPLE of a crowd will do.
_PEOPLE_NAMED = """
SELECT * FROM (
    SELECT p.{Person.id}, p.{Person.given_name}, p.{Person.family_name},
           p.{Person.date_of_birth}, 0 AS part
    FROM {Person} p WHERE p.{Person.id} = ANY(%s) LIMIT %s
) AS named"""
_PEOPLE_ON_NUMBER = """
SELECT * FROM (
    SELECT p.{Person.id}, p.{Person.given_name}, p.{Person.family_name},
           p.{Person.date_of_birth}, 1 AS part
    FROM {Person} p
    JOIN {PersonPhone} link ON link.{PersonPhone.person} = p.{Person.id}
    WHERE link.{PersonPhone.is_current} AND link.{PersonPhone.phone} = %s LIMIT %s
) AS on_number"""
_PEOPLE_AT_ADDRESS = """
SELECT * FROM (
    SELECT p.{Person.id}, p.{Person.given_name}, p.{Person.family_name},
           p.{Person.date_of_birth}, 2 AS part
    FROM {Person} p
    JOIN {PersonAddress} link ON link.{PersonAddress.person} = p.{Person.id}
    WHERE link.{PersonAddress.address} = %s AND link.{PersonAddress.is_current} LIMIT %s
) AS at_address"""
# Their partners, ex-partners, children and household.
_RELATIONSHIPS = """
SELECT r.{Relationship.person}, r.{Relationship.other}, r.{Relationship.kind},
       p.{Person.given_name}, p.{Person.family_name}, p.{Person.date_of_birth},
       o.{Person.given_name}, o.{Person.family_name}, o.{Person.date_of_birth}
FROM {Relationship} r
JOIN {Person} p ON r.{Relationship.person} = p.{Person.id}
JOIN {Person} o ON r.{Relationship.other} = o.{Person.id}
WHERE (r.{Relationship.person} = ANY(%s) OR r.{Relationship.other} = ANY(%s))
  AND r.{Relationship.ended} IS NULL
LIMIT %s"""


def _resolve(query: LookupQuery, ctx: Context) -> None:
    e164 = matching.try_normalise_phone(query.phone) if query.phone else None
    address_key: tuple[str, object] | None = None
    if query.address_id:
        address_key = ("{Address.id}", int(query.address_id))
    elif query.postcode and query.address_line1:
        postcode = matching.try_normalise_postcode(query.postcode)
        if postcode:
            key = f"{postcode}|{matching.normalise_address_line(query.address_line1)}"
            address_key = ("{Address.match_key}", key)
    # The number and the address in one statement.
    parts, params = [], []
    if e164:
        parts.append(_PHONE)
        params.append(e164)
    if address_key:
        parts.append(_ADDRESS.replace("{key}", address_key[0]))
        params.append(address_key[1])
    if parts:
        for kind, pk, *values in _fetch(" UNION ALL ".join(parts), params):
            if kind == "phone":
                ctx.phone = PhoneNumber.from_db(connection.alias, ["id", "e164"], [pk, values[0]])
            else:
                ctx.address = Address.from_db(
                    connection.alias,
                    ["id", "line1", "line2", "town", "postcode", "location_type"],
                    [pk, *values],
                )
    if query.person_ids or ctx.phone or ctx.address:
        direct = _people_in_scope(query, ctx)
        ids = [person.pk for person in direct]
        ctx.relationships = []
        if ids:
            rows = _fetch(_RELATIONSHIPS, [ids, ids, MAX_PEOPLE * 4])
            for person_id, other_id, kind, *names in rows:
                ctx.relationships.append(
                    RelationshipRow(
                        person_id,
                        other_id,
                        kind,
                        PersonRow(person_id, names[0], names[1], _date(names[2])),
                        PersonRow(other_id, names[3], names[4], _date(names[5])),
                    )
                )
        people = {person.pk: person for person in direct}
        for rel in ctx.relationships:
            people.setdefault(rel.person_id, rel.person)
            people.setdefault(rel.other_id, rel.other)
        ctx.people = people
        ctx.direct_ids = set(ids)
    else:
        ctx.direct_ids = set()


def _people_in_scope(query: LookupQuery, ctx: Context) -> list[PersonRow]:
    """People named on the call, then those on the number, then those at the address (at
    most MAX_PEOPLE), in one UNION query, each part walking an index. (An OR across the
    two link tables made PostgreSQL scan every person: 2 s at a million incidents.)"""
    parts, params = [], []
    if query.person_ids:
        named = [int(pk) for pk in query.person_ids]
        parts.append(_PEOPLE_NAMED)
        params += [named, MAX_PEOPLE]
    if ctx.phone:
        parts.append(_PEOPLE_ON_NUMBER)
        params += [ctx.phone.pk, MAX_PEOPLE]
    if ctx.address:
        parts.append(_PEOPLE_AT_ADDRESS)
        params += [ctx.address.pk, MAX_PEOPLE]
    rows = _fetch(" UNION ALL ".join(parts), params)
    people: dict[int, PersonRow] = {}
    for pk, given_name, family_name, born, _part in sorted(rows, key=lambda r: (r[4], r[0])):
        if pk not in people:
            people[pk] = PersonRow(pk, given_name, family_name, _date(born))
    return list(people.values())[:MAX_PEOPLE]


# Sources.

# Live flags: the rule of FlagQuerySet.active.
_FLAGS = """
SELECT {Flag.id}, {Flag.kind}, {Flag.severity}, {Flag.summary}, {Flag.person},
       {Flag.address}, {Flag.ends_at}
FROM {Flag}
WHERE {Flag.lifted_at} IS NULL AND {Flag.starts_at} <= %s
  AND ({Flag.ends_at} IS NULL OR {Flag.ends_at} > %s)
  AND ({subjects})
ORDER BY {Flag.starts_at} DESC
LIMIT %s"""


def source_flags(ctx: Context, package: Package) -> None:
    subjects, params = [], []
    if ctx.people:
        subjects.append("{Flag.person} = ANY(%s)")
        params.append(list(ctx.people))
    if ctx.phone:
        subjects.append("{Flag.phone} = %s")
        params.append(ctx.phone.pk)
    if ctx.address:
        subjects.append("{Flag.address} = %s")
        params.append(ctx.address.pk)
    if not subjects:
        return
    at = _db_datetime(ctx.now)
    rows = _fetch(_FLAGS, [at, at, *params, MAX_FLAGS], subjects=" OR ".join(subjects))
    for pk, kind, severity, summary, person_id, address_id, ends_at in rows:
        on = f"person:{person_id}" if person_id else "this address" if address_id else "this number"
        who = ctx.people.get(person_id)
        package.flags.append(
            {
                "id": pk,
                "kind": kind,
                "label": _display(Flag, "kind", kind),
                "severity": severity,
                "summary": summary,
                "on": who.full_name if who else on,
                "until": _datetime(ends_at).isoformat() if ends_at else None,
            }
        )


# Incidents of the last 12 months that are not drafts. Each part walks its own index
# ((caller_phone, -created_at), (address, -created_at), (person, role)); one UNION ALL
# query for all of them.
_RECENT_ON_NUMBER = """
SELECT * FROM (
    SELECT i.{Incident.id}, i.{Incident.created_at} FROM {Incident} i
    WHERE i.{Incident.created_at} >= %s AND NOT (i.{Incident.status} = %s)
      AND i.{Incident.caller_phone} = %s
    ORDER BY 2 DESC LIMIT %s
) AS on_number"""
_RECENT_AT_ADDRESS = """
SELECT * FROM (
    SELECT i.{Incident.id}, i.{Incident.created_at} FROM {Incident} i
    WHERE i.{Incident.created_at} >= %s AND NOT (i.{Incident.status} = %s)
      AND i.{Incident.address} = %s
    ORDER BY 2 DESC LIMIT %s
) AS at_address"""
_RECENT_OF_PEOPLE = """
SELECT * FROM (
    SELECT ip.{IncidentPerson.incident}, i.{Incident.created_at}
    FROM {IncidentPerson} ip JOIN {Incident} i ON ip.{IncidentPerson.incident} = i.{Incident.id}
    WHERE i.{Incident.created_at} >= %s AND ip.{IncidentPerson.person} = ANY(%s)
      AND NOT (i.{Incident.status} = %s)
    ORDER BY 2 DESC LIMIT %s
) AS of_people"""
_INCIDENTS_SHOWN = """
SELECT i.{Incident.id}, i.{Incident.created_at}, i.{Incident.grade}, i.{Incident.answers},
       a.{Address.id}, a.{Address.line1}, a.{Address.line2}, a.{Address.town},
       a.{Address.postcode}
FROM {Incident} i LEFT JOIN {Address} a ON i.{Incident.address} = a.{Address.id}
WHERE i.{Incident.id} = ANY(%s)
ORDER BY i.{Incident.created_at} DESC"""


def source_incidents(ctx: Context, package: Package) -> None:
    since = _db_datetime(ctx.now - dt.timedelta(days=LOOKBACK_DAYS))
    draft = IncidentStatus.DRAFT.value
    parts, params = [], []
    if ctx.phone:
        parts.append(_RECENT_ON_NUMBER)
        params += [since, draft, ctx.phone.pk, MAX_RECENT_PER_SOURCE]
    if ctx.address:
        parts.append(_RECENT_AT_ADDRESS)
        params += [since, draft, ctx.address.pk, MAX_RECENT_PER_SOURCE]
    if ctx.direct_ids:
        people = list(ctx.direct_ids)
        parts.append(_RECENT_OF_PEOPLE)
        params += [since, people, draft, MAX_RECENT_PER_SOURCE]
    recent: dict[int, dt.datetime] = {}
    if parts:
        recent.update(
            (pk, _datetime(created_at))
            for pk, created_at in _fetch(" UNION ALL ".join(parts), params)
        )
    package.incident_count = len(recent)
    top = sorted(recent, key=lambda pk: recent[pk], reverse=True)[:MAX_INCIDENTS]
    if not top:
        return
    rows = _fetch(_INCIDENTS_SHOWN, [top])
    addresses: dict[int, str] = {}
    for pk, created_at, grade, answers, address_id, *address in rows:
        created_at = _datetime(created_at)
        answers = _json(answers) or {}
        if address_id and address_id not in addresses:
            addresses[address_id] = str(_AddressText(*address))
        package.incidents.append(
            {
                "id": pk,
                "reference": _IncidentKey(pk, created_at).reference,
                "at": created_at.isoformat(),
                "grade": grade,
                "grade_label": _display(Incident, "grade", grade) if grade else "Not graded",
                "address": addresses.get(address_id, ""),
                "weapons": answers.get("weapons") == "yes",
                "injuries": answers.get("injuries") in {"minor", "serious"},
            }
        )


def source_people_and_children(ctx: Context, package: Package) -> None:
    today = timezone.localdate()
    children: dict[int, dict] = {}
    for person in ctx.people.values():
        package.people.append(
            {
                "id": person.pk,
                "name": person.full_name,
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
                "age": _age(person.date_of_birth, today),
                "direct": person.pk in ctx.direct_ids,
            }
        )
    for rel in ctx.relationships:
        if rel.kind == RelationshipKind.PARENT_OF:
            age = _age(rel.other.date_of_birth, today)
            if age is None or age < 18:
                children[rel.other_id] = {
                    "id": rel.other_id,
                    "name": rel.other.full_name,
                    "age": age,
                }
    package.children = list(children.values())


# Suspects of the incidents where the people in scope were victims.
_SUSPECTS_OF_VICTIMS = """
SELECT ip.{IncidentPerson.person} FROM {IncidentPerson} ip
WHERE ip.{IncidentPerson.incident} IN (
    SELECT v.{IncidentPerson.incident} FROM {IncidentPerson} v
    WHERE v.{IncidentPerson.person} = ANY(%s) AND v.{IncidentPerson.role} = %s
) AND ip.{IncidentPerson.role} = %s
LIMIT %s"""
# A suspect's incidents, newest first.
_SUSPECT_INCIDENTS = """
SELECT ip.{IncidentPerson.person}, ip.{IncidentPerson.incident}, i.{Incident.created_at},
       i.{Incident.answers}, p.{Person.given_name}, p.{Person.family_name}
FROM {IncidentPerson} ip
JOIN {Person} p ON ip.{IncidentPerson.person} = p.{Person.id}
JOIN {Incident} i ON ip.{IncidentPerson.incident} = i.{Incident.id}
WHERE ip.{IncidentPerson.person} = ANY(%s) AND ip.{IncidentPerson.role} = %s
ORDER BY 3 DESC
LIMIT %s"""
_VICTIMS_OF_INCIDENTS = """
SELECT ip.{IncidentPerson.incident}, ip.{IncidentPerson.person} FROM {IncidentPerson} ip
WHERE ip.{IncidentPerson.incident} = ANY(%s) AND ip.{IncidentPerson.role} = %s"""
_NAMES = """
SELECT {Person.id}, {Person.given_name}, {Person.family_name} FROM {Person}
WHERE {Person.id} = ANY(%s)"""


def source_suspects(ctx: Context, package: Package) -> None:
    """Partners and ex-partners of the people in scope, and suspects of their incidents:
    their incidents as suspect, other victims, weapons."""
    victim, suspect = IncidentRole.VICTIM.value, IncidentRole.SUSPECT.value
    suspect_ids = {
        (rel.other_id if rel.person_id in ctx.direct_ids else rel.person_id)
        for rel in ctx.relationships
        if rel.kind in {RelationshipKind.PARTNER, RelationshipKind.EX_PARTNER}
    } - ctx.direct_ids
    if ctx.direct_ids:
        direct = list(ctx.direct_ids)
        suspect_ids |= {
            row[0] for row in _fetch(_SUSPECTS_OF_VICTIMS, [direct, victim, suspect, MAX_PEOPLE])
        }
    if not suspect_ids:
        return
    wanted = list(suspect_ids)
    rows = _fetch(_SUSPECT_INCIDENTS, [wanted, suspect, MAX_SUSPECT_INCIDENTS])
    victims_by_incident: dict[int, set[int]] = {}
    if rows:
        incident_ids = list(dict.fromkeys(row[1] for row in rows))
        for incident_id, person_id in _fetch(_VICTIMS_OF_INCIDENTS, [incident_ids, victim]):
            victims_by_incident.setdefault(incident_id, set()).add(person_id)
    # Names from what is already loaded; a query only for a partner with no incidents
    # as a suspect in the rows read.
    names = {pk: person.full_name for pk, person in ctx.people.items() if pk in suspect_ids}
    names.update((row[0], f"{row[4]} {row[5]}".strip()) for row in rows)
    if missing := list(suspect_ids - names.keys()):
        names.update(
            (pk, PersonRow(pk, given_name, family_name, None).full_name)
            for pk, given_name, family_name in _fetch(_NAMES, [missing])
        )
    summary: dict[int, dict] = {
        pk: {
            "id": pk,
            "name": names.get(pk, ""),
            "incidents": 0,
            "last": None,
            "other_victims": set(),
            "weapons": False,
            "strangulation": False,
        }
        for pk in suspect_ids
    }
    for person_id, incident_id, created_at, answers, _given, _family in rows:
        entry = summary[person_id]
        answers = _json(answers) or {}
        entry["incidents"] += 1
        entry["last"] = entry["last"] or _datetime(created_at).isoformat()
        entry["weapons"] = entry["weapons"] or answers.get("weapons") == "yes"
        entry["strangulation"] = entry["strangulation"] or bool(answers.get("strangulation"))
        entry["other_victims"] |= victims_by_incident.get(incident_id, set()) - ctx.direct_ids
    for entry in summary.values():
        entry["other_victims"] = len(entry["other_victims"])
        package.suspects.append(entry)
    package.suspects.sort(key=lambda s: -s["incidents"])


Source = Callable[[Context, Package], None]
SOURCES: list[Source] = [
    source_flags,
    source_incidents,
    source_people_and_children,
    source_suspects,
]


def lookup(query: LookupQuery, *, now: dt.datetime | None = None) -> tuple[Package, Context]:
    """Run every source. Degrades to an 'unavailable' package if the database fails."""
    now = now or timezone.now()
    ctx = Context(query=query, now=now)
    try:
        try:
            return _run(ctx), ctx
        except DatabaseError as exc:
            if not (_prepared() and _prepared_statements_lost(exc)):
                raise
            # Rolled back: once more, knowing what the server has prepared.
            _recount_prepared()
            ctx = Context(query=query, now=now)
            return _run(ctx), ctx
    except DatabaseError:
        logger.warning("Intelligence look-up failed; degraded to unavailable", exc_info=True)
        return Package(
            searched_at=now.isoformat(), unavailable=True, message=UNAVAILABLE_MESSAGE
        ), ctx


def _run(ctx: Context) -> Package:
    package = Package(searched_at=ctx.now.isoformat())
    # Inside a caller's transaction, SET LOCAL would outlive the look-up: put it back.
    nested = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            local = [f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}"]
            if _prepared():
                local.append("SET LOCAL plan_cache_mode = force_generic_plan")
            with connection.cursor() as cursor:
                cursor.execute("; ".join(local))
        _resolve(ctx.query, ctx)
        if ctx.phone:
            package.phone = {"id": ctx.phone.pk, "number": ctx.phone.national}
        if ctx.address:
            package.address = {
                "id": ctx.address.pk,
                "text": str(ctx.address),
                "location_type": ctx.address.location_type,
            }
        for source in SOURCES:
            source(ctx, package)
        if nested and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET LOCAL statement_timeout TO DEFAULT; SET LOCAL plan_cache_mode TO DEFAULT"
                )
    return package
