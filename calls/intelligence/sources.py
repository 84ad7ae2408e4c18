"""The look-up's own statements, and the source functions that read them into the package.

`resolve` finds the number and the address (one statement, carrying the look-up's
settings on PostgreSQL), then the people in scope with their ties (one statement); the
source functions read flags, incidents and suspects in one statement each. The apps
above add to them (`registry`): a column of the incidents statement (the risk of their
DV1s, from `risk`), a part of the suspects statement (the DASH answers of their DV1s,
from `risk`), and sources of their own, run after these (open cases, from `cases`).
Every part of a statement walks an index: at a million incidents an OR across tables,
or a plan that reads a table through, costs seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from calls.choices import IncidentRole, IncidentStatus
from calls.intelligence import registry
from calls.intelligence.data import Context, LookupQuery, Package, PersonRow, RelationshipRow
from calls.intelligence.registry import Source
from calls.intelligence.sql import (
    db_datetime,
    display,
    fetch,
    row_date,
    row_datetime,
    row_json,
)
from calls.models import Incident
from people import matching
from people.choices import RelationshipKind
from people.models import Address, Flag, PhoneNumber

LOOKBACK_DAYS = 365
MAX_PEOPLE = 20
MAX_INCIDENTS = 20
MAX_FLAGS = 50
# Recent incidents counted per source (number, address, people), and a suspect's
# incidents read for the summary.
MAX_RECENT_PER_SOURCE = 200
MAX_SUSPECT_INCIDENTS = 200


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
# The people in scope, each once: those named on the call, then those on the number,
# then those at the address, at most MAX_PEOPLE; and their current ties (partners,
# ex-partners, children, household), oldest first, each side of a tie found on its own
# index. A row is a person found by part 0, 1 or 2, or a tie (3).
_PEOPLE_AND_TIES = """
WITH found (id, given_name, family_name, date_of_birth, part) AS ({parts}),
direct AS MATERIALIZED (
    SELECT id, given_name, family_name, date_of_birth, min(part) AS part FROM found
    GROUP BY id, given_name, family_name, date_of_birth
    ORDER BY 5, 1
    LIMIT %s
),
tie (id, person, other, kind) AS (
    SELECT r.{Relationship.id}, r.{Relationship.person}, r.{Relationship.other},
           r.{Relationship.kind}
    FROM {Relationship} r
    WHERE r.{Relationship.person} IN (SELECT id FROM direct) AND r.{Relationship.ended} IS NULL
    UNION
    SELECT r.{Relationship.id}, r.{Relationship.person}, r.{Relationship.other},
           r.{Relationship.kind}
    FROM {Relationship} r
    WHERE r.{Relationship.other} IN (SELECT id FROM direct) AND r.{Relationship.ended} IS NULL
    ORDER BY 1
    LIMIT %s
)
SELECT part, id, id, given_name, family_name, date_of_birth, NULL, NULL, NULL, NULL, NULL
FROM direct
UNION ALL
SELECT 3, t.id, t.person, p.{Person.given_name}, p.{Person.family_name},
       p.{Person.date_of_birth}, t.kind, t.other, o.{Person.given_name},
       o.{Person.family_name}, o.{Person.date_of_birth}
FROM tie t
JOIN {Person} p ON t.person = p.{Person.id}
JOIN {Person} o ON t.other = o.{Person.id}
ORDER BY 1, 2"""
_TIE = 3


def resolve(query: LookupQuery, ctx: Context) -> None:
    """Put the number, the address, the people in scope and their ties into `ctx`."""
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
        for kind, pk, *values in fetch(" UNION ALL ".join(parts), params):
            if kind == "phone":
                ctx.phone = PhoneNumber.from_db(connection.alias, ["id", "e164"], [pk, values[0]])
            else:
                ctx.address = Address.from_db(
                    connection.alias,
                    ["id", "line1", "line2", "town", "postcode", "location_type"],
                    [pk, *values],
                )
    if query.person_ids or ctx.phone or ctx.address:
        _people_in_scope(query, ctx)


def _people_in_scope(query: LookupQuery, ctx: Context) -> None:
    """People named on the call, then those on the number, then those at the address (at
    most MAX_PEOPLE), and their ties, in one query, each part walking an index. (An OR
    across the two link tables made PostgreSQL scan every person: 2 s at a million
    incidents.)"""
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
    params += [MAX_PEOPLE, MAX_PEOPLE * 4]
    rows = fetch(_PEOPLE_AND_TIES, params, parts=" UNION ALL ".join(parts))
    people: dict[int, PersonRow] = {}
    for part, _, pk, given_name, family_name, born, kind, other_id, *other in rows:
        person = PersonRow(pk, given_name, family_name, row_date(born))
        if part != _TIE:
            people[pk] = person
            continue
        other_person = PersonRow(other_id, other[0], other[1], row_date(other[2]))
        ctx.relationships.append(RelationshipRow(pk, other_id, kind, person, other_person))
    ctx.direct_ids = set(people)
    for rel in ctx.relationships:
        people.setdefault(rel.person_id, rel.person)
        people.setdefault(rel.other_id, rel.other)
    ctx.people = people


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
    at = db_datetime(ctx.now)
    rows = fetch(_FLAGS, [at, at, *params, MAX_FLAGS], subjects=" OR ".join(subjects))
    for pk, kind, severity, summary, person_id, address_id, ends_at in rows:
        on = f"person:{person_id}" if person_id else "this address" if address_id else "this number"
        who = ctx.people.get(person_id)
        package.flags.append(
            {
                "id": pk,
                "kind": kind,
                "label": display(Flag, "kind", kind),
                "severity": severity,
                "summary": summary,
                "on": who.full_name if who else on,
                "until": row_datetime(ends_at).isoformat() if ends_at else None,
            }
        )


# Incidents of the last 12 months that were logged (not drafts, nor abandoned). Each part
# walks its own index ((caller_phone, -created_at), (address, -created_at), (person,
# role)); their UNION counts an incident found twice once.
_RECENT_ON_NUMBER = """
SELECT * FROM (
    SELECT i.{Incident.id}, i.{Incident.created_at} FROM {Incident} i
    WHERE i.{Incident.created_at} >= %s AND NOT (i.{Incident.status} IN (%s, %s))
      AND i.{Incident.caller_phone} = %s
    ORDER BY 2 DESC LIMIT %s
) AS on_number"""
_RECENT_AT_ADDRESS = """
SELECT * FROM (
    SELECT i.{Incident.id}, i.{Incident.created_at} FROM {Incident} i
    WHERE i.{Incident.created_at} >= %s AND NOT (i.{Incident.status} IN (%s, %s))
      AND i.{Incident.address} = %s
    ORDER BY 2 DESC LIMIT %s
) AS at_address"""
_RECENT_OF_PEOPLE = """
SELECT * FROM (
    SELECT ip.{IncidentPerson.incident}, i.{Incident.created_at}
    FROM {IncidentPerson} ip JOIN {Incident} i ON ip.{IncidentPerson.incident} = i.{Incident.id}
    WHERE i.{Incident.created_at} >= %s AND ip.{IncidentPerson.person} = ANY(%s)
      AND NOT (i.{Incident.status} IN (%s, %s))
    ORDER BY 2 DESC LIMIT %s
) AS of_people"""
# The newest MAX_INCIDENTS of them in full, newest first, each with the count of all and
# the columns the apps above add (`registry.IncidentColumn`: the risk of its DV1s).
_INCIDENTS = """
WITH recent (id, created_at) AS ({parts}),
shown AS (
    SELECT id, created_at, count(*) OVER () AS total FROM recent
    ORDER BY created_at DESC, id DESC LIMIT %s
)
SELECT i.{Incident.id}, i.{Incident.created_at}, i.{Incident.grade}, i.{Incident.answers},{columns}
       ad.{Address.id}, ad.{Address.line1}, ad.{Address.line2}, ad.{Address.town},
       ad.{Address.postcode}, shown.total
FROM shown
JOIN {Incident} i ON i.{Incident.id} = shown.id
LEFT JOIN {Address} ad ON i.{Incident.address} = ad.{Address.id}
ORDER BY shown.created_at DESC, shown.id DESC"""


def source_incidents(ctx: Context, package: Package) -> None:
    since = db_datetime(ctx.now - dt.timedelta(days=LOOKBACK_DAYS))
    unlogged = [IncidentStatus.DRAFT.value, IncidentStatus.ABANDONED.value]
    parts, params = [], []
    if ctx.phone:
        parts.append(_RECENT_ON_NUMBER)
        params += [since, *unlogged, ctx.phone.pk, MAX_RECENT_PER_SOURCE]
    if ctx.address:
        parts.append(_RECENT_AT_ADDRESS)
        params += [since, *unlogged, ctx.address.pk, MAX_RECENT_PER_SOURCE]
    if ctx.direct_ids:
        people = list(ctx.direct_ids)
        parts.append(_RECENT_OF_PEOPLE)
        params += [since, people, *unlogged, MAX_RECENT_PER_SOURCE]
    if not parts:
        return
    columns = registry.incident_columns()
    params.append(MAX_INCIDENTS)
    for column in columns:
        params += column.params
    rows = fetch(
        _INCIDENTS,
        params,
        parts=" UNION ".join(parts),
        columns="".join(f"\n       {column.sql()}," for column in columns),
    )
    package.incident_count = rows[0][-1] if rows else 0
    addresses: dict[int, str] = {}
    for pk, created_at, grade, answers, *values in rows:
        created_at = row_datetime(created_at)
        answers = row_json(answers) or {}
        address_id, *address, _total = values[len(columns) :]
        if address_id and address_id not in addresses:
            addresses[address_id] = str(_AddressText(*address))
        entry = {
            "id": pk,
            "reference": _IncidentKey(pk, created_at).reference,
            "at": created_at.isoformat(),
            "grade": grade,
            "grade_label": display(Incident, "grade", grade) if grade else "Not graded",
            "address": addresses.get(address_id, ""),
            "weapons": answers.get("weapons") == "yes",
            "injuries": answers.get("injuries") in {"minor", "serious"},
        }
        for column, value in zip(columns, values, strict=False):
            column.read(entry, value)
        package.incidents.append(entry)


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


# Suspects: the partners and ex-partners of the people in scope (their ids known), and
# the suspects of the incidents where those people were victims. One statement reads
# them with their names, their incidents as suspect (newest first), the victims of
# those incidents and the parts the apps above add (`registry.SuspectHarm`: weapons and
# strangulation on the DV1s submitted on them), in rows tagged by what they are: each
# part walks an index. Suspects of the victims' incidents are counted once each towards the
# limit, so a suspect on many of her incidents does not hide another.
_PARTNERS = """
SELECT p.{Person.id}, 'partner' FROM {Person} p WHERE p.{Person.id} = ANY(%s)"""
_SUSPECTS_OF_VICTIMS = """
SELECT * FROM (
    SELECT DISTINCT ip.{IncidentPerson.person}, 'of victims' FROM {IncidentPerson} ip
    WHERE ip.{IncidentPerson.incident} IN (
        SELECT v.{IncidentPerson.incident} FROM {IncidentPerson} v
        WHERE v.{IncidentPerson.person} = ANY(%s) AND v.{IncidentPerson.role} = %s
    ) AND ip.{IncidentPerson.role} = %s
    LIMIT %s
) AS of_victims"""
# The people found directly (on the number, at the address, on the call) who are known
# as a suspect and never as a victim: a suspect's own history is the look-up's suspect
# section, not his partner's.
_DIRECT_SUSPECTS = """
SELECT * FROM (
    SELECT DISTINCT ip.{IncidentPerson.person}, 'direct' FROM {IncidentPerson} ip
    WHERE ip.{IncidentPerson.person} = ANY(%s) AND ip.{IncidentPerson.role} = %s
      AND NOT EXISTS (
        SELECT 1 FROM {IncidentPerson} v
        WHERE v.{IncidentPerson.person} = ip.{IncidentPerson.person}
          AND v.{IncidentPerson.role} = %s
      )
) AS direct"""
_SUSPECTS = """
WITH suspect (id, found_as) AS MATERIALIZED ({parts}),
history (person, incident, created_at, answers) AS MATERIALIZED (
    SELECT ip.{IncidentPerson.person}, ip.{IncidentPerson.incident}, i.{Incident.created_at},
           i.{Incident.answers}
    FROM {IncidentPerson} ip JOIN {Incident} i ON ip.{IncidentPerson.incident} = i.{Incident.id}
    WHERE ip.{IncidentPerson.person} IN (SELECT id FROM suspect)
      AND ip.{IncidentPerson.role} = %s
    ORDER BY 3 DESC
    LIMIT %s
)
SELECT s.found_as, s.id, p.{Person.given_name}, p.{Person.family_name}, NULL, NULL, NULL
FROM suspect s JOIN {Person} p ON s.id = p.{Person.id}
UNION ALL
SELECT 'incident', person, NULL, NULL, incident, created_at, answers FROM history
UNION ALL
SELECT 'victim', v.{IncidentPerson.person}, NULL, NULL, v.{IncidentPerson.incident}, NULL, NULL
FROM {IncidentPerson} v
WHERE v.{IncidentPerson.incident} IN (SELECT incident FROM history)
  AND v.{IncidentPerson.role} = %s{harms}"""


def source_suspects(ctx: Context, package: Package) -> None:
    """Partners and ex-partners of the people in scope, and suspects of their incidents:
    their incidents as suspect, other victims, and the incidents on which a weapon or
    strangulation was reported, on the call or elsewhere (a DV1's DASH checklist)."""
    victim, suspect = IncidentRole.VICTIM.value, IncidentRole.SUSPECT.value
    # Each partner or ex-partner, with the people in scope through whom they were found.
    partners_via: dict[int, set[int]] = {}
    for rel in ctx.relationships:
        if rel.kind in {RelationshipKind.PARTNER, RelationshipKind.EX_PARTNER}:
            found, via = (
                (rel.other_id, rel.person_id)
                if rel.person_id in ctx.direct_ids
                else (rel.person_id, rel.other_id)
            )
            partners_via.setdefault(found, set()).add(via)
    suspect_ids = set(partners_via) - ctx.direct_ids
    parts, params = [], []
    if suspect_ids:
        parts.append(_PARTNERS)
        params.append(list(suspect_ids))
    if ctx.direct_ids:
        parts.append(_SUSPECTS_OF_VICTIMS)
        params += [list(ctx.direct_ids), victim, suspect, MAX_PEOPLE]
        parts.append(_DIRECT_SUSPECTS)
        params += [list(ctx.direct_ids), suspect, victim]
    if not parts:
        return
    params += [suspect, MAX_SUSPECT_INCIDENTS, victim]
    harms = registry.suspect_harms()
    for harm in harms:
        params += harm.params
    rows = fetch(
        _SUSPECTS,
        params,
        parts=" UNION ALL ".join(parts),
        harms="".join(f"\nUNION ALL\n{harm.sql()}" for harm in harms),
    )
    harm_tags = {harm.tag for harm in harms}
    of_victims = {row[1] for row in rows if row[0] == "of victims"}
    direct_suspects = {row[1] for row in rows if row[0] == "direct"}
    suspect_ids |= of_victims | direct_suspects
    names: dict[int, str] = {}
    history: list[tuple] = []
    victims_by_incident: dict[int, set[int]] = {}
    # (suspect, incident) -> what was recorded elsewhere (the DV1s submitted on it) as yes.
    recorded_yes: dict[tuple[int, int], set[str]] = {}
    for kind, person_id, given_name, family_name, incident_id, created_at, answers in rows:
        if kind == "incident":
            history.append(
                (person_id, incident_id, row_datetime(created_at), row_json(answers) or {})
            )
        elif kind == "victim":
            victims_by_incident.setdefault(incident_id, set()).add(person_id)
        elif kind in harm_tags:
            said = row_json(answers) or {}
            recorded_yes.setdefault((person_id, incident_id), set()).update(
                key for key, answer in said.items() if answer == "yes"
            )
        else:
            names[person_id] = PersonRow(person_id, given_name, family_name, None).full_name
    summary: dict[int, dict] = {
        pk: {
            "id": pk,
            "name": names.get(pk, ""),
            "incidents": 0,
            "last": None,
            "other_victims": set(),
            "weapons": False,
            "strangulation": False,
            "weapons_incidents": 0,
            "strangulation_incidents": 0,
        }
        for pk in suspect_ids
    }
    for person_id, incident_id, created_at, answers in history:
        entry = summary[person_id]
        entry["incidents"] += 1
        if entry["last"] is None or created_at > entry["last"]:
            entry["last"] = created_at
        recorded = recorded_yes.get((person_id, incident_id), set())
        if answers.get("weapons") == "yes" or "weapons" in recorded:
            entry["weapons_incidents"] += 1
        if answers.get("strangulation") == "yes" or "strangulation" in recorded:
            entry["strangulation_incidents"] += 1
        entry["other_victims"] |= victims_by_incident.get(incident_id, set()) - ctx.direct_ids
    # The partner of a known suspect, found only through him, is not a suspect unless
    # she has been one herself (most often she is his victim).
    for pk, via in partners_via.items():
        if (
            pk in summary
            and via <= direct_suspects
            and pk not in of_victims
            and pk not in direct_suspects
            and not summary[pk]["incidents"]
        ):
            del summary[pk]
    for entry in summary.values():
        entry["other_victims"] = len(entry["other_victims"])
        entry["last"] = entry["last"].isoformat() if entry["last"] else None
        entry["weapons"] = entry["weapons_incidents"] > 0
        entry["strangulation"] = entry["strangulation_incidents"] > 0
        package.suspects.append(entry)
    package.suspects.sort(key=lambda s: -s["incidents"])


# The look-up's own sources, in the order they run; the apps above add theirs after
# them (`registry.register_source`).
SOURCES: list[Source] = [
    source_flags,
    source_incidents,
    source_people_and_children,
    source_suspects,
]
