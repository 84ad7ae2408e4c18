"""The call-taker's background intelligence: everything known about a number, an
address and the people on a call, in a small fixed number of queries.

Sections are built by source functions; later capabilities (open cases and their
risk, MARAC status, court outcomes) add theirs to `SOURCES` without touching the rest.
If the database is slow or down the look-up returns `unavailable` with a warning, and
the call can still be logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Value
from django.utils import timezone

from cases import matching
from cases.choices import IncidentRole, RelationshipKind
from cases.grading import Intelligence
from cases.models import (
    Address,
    Flag,
    Incident,
    IncidentPerson,
    Person,
    PhoneNumber,
    Relationship,
)

logger = logging.getLogger(__name__)

LOOKBACK_DAYS = 365
MAX_PEOPLE = 20
MAX_INCIDENTS = 20
# What the package shows of an incident (not the snapshot JSON or the narrative).
INCIDENT_FIELDS = (
    "created_at",
    "grade",
    "answers",
    "address__line1",
    "address__line2",
    "address__town",
    "address__postcode",
)
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
        return asdict(self)

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


@dataclass
class Context:
    """What earlier steps resolved, for the source functions."""

    query: LookupQuery
    now: dt.datetime
    phone: PhoneNumber | None = None
    address: Address | None = None
    people: dict[int, Person] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    direct_ids: set[int] = field(default_factory=set)


def _age(born: dt.date | None, today: dt.date) -> int | None:
    if not born:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _resolve(query: LookupQuery, ctx: Context) -> None:
    e164 = matching.try_normalise_phone(query.phone) if query.phone else None
    if e164:
        ctx.phone = PhoneNumber.objects.filter(e164=e164).first()
    if query.address_id:
        ctx.address = Address.objects.filter(pk=query.address_id).first()
    elif query.postcode and query.address_line1:
        postcode = matching.try_normalise_postcode(query.postcode)
        if postcode:
            key = f"{postcode}|{matching.normalise_address_line(query.address_line1)}"
            ctx.address = Address.objects.filter(match_key=key).first()
    if query.person_ids or ctx.phone or ctx.address:
        direct = _people_in_scope(query, ctx)
        ids = [person.pk for person in direct]
        # Their partners, ex-partners, children and household, in one query.
        ctx.relationships = list(
            Relationship.objects.filter(
                Q(person_id__in=ids) | Q(other_id__in=ids), ended__isnull=True
            ).select_related("person", "other")[: MAX_PEOPLE * 4]
        )
        people = {person.pk: person for person in direct}
        for rel in ctx.relationships:
            people.setdefault(rel.person_id, rel.person)
            people.setdefault(rel.other_id, rel.other)
        ctx.people = people
        ctx.direct_ids = set(ids)
    else:
        ctx.direct_ids = set()


def _people_in_scope(query: LookupQuery, ctx: Context) -> list[Person]:
    """People named on the call, then those on the number, then those at the address (at
    most MAX_PEOPLE), in one UNION query, each part walking an index. (An OR across the
    two link tables made PostgreSQL scan every person: 2 s at a million incidents.)"""
    parts = []
    if query.person_ids:
        parts.append(Person.objects.filter(pk__in=query.person_ids).annotate(rank=Value(0)))
    if ctx.phone:
        on_number = Person.objects.filter(
            phone_links__phone=ctx.phone, phone_links__is_current=True
        )
        parts.append(on_number.annotate(rank=Value(1)))
    if ctx.address:
        at_address = Person.objects.filter(
            address_links__address=ctx.address, address_links__is_current=True
        )
        parts.append(at_address.annotate(rank=Value(2)))
    parts = [part.order_by() for part in parts]
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [part[:MAX_PEOPLE] for part in parts]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    people: dict[int, Person] = {}
    for person in sorted(rows, key=lambda p: (p.rank, p.pk)):
        people.setdefault(person.pk, person)
    return list(people.values())[:MAX_PEOPLE]


def source_flags(ctx: Context, package: Package) -> None:
    condition = Q(person_id__in=list(ctx.people))
    if ctx.phone:
        condition |= Q(phone=ctx.phone)
    if ctx.address:
        condition |= Q(address=ctx.address)
    for flag in Flag.objects.active(ctx.now).filter(condition).order_by("-starts_at")[:50]:
        on = (
            f"person:{flag.person_id}"
            if flag.person_id
            else "this address"
            if flag.address_id
            else "this number"
        )
        who = ctx.people.get(flag.person_id)
        package.flags.append(
            {
                "id": flag.pk,
                "kind": flag.kind,
                "label": flag.get_kind_display(),
                "severity": flag.severity,
                "summary": flag.summary,
                "on": who.full_name if who else on,
                "until": flag.ends_at.isoformat() if flag.ends_at else None,
            }
        )


def source_incidents(ctx: Context, package: Package) -> None:
    since = ctx.now - dt.timedelta(days=LOOKBACK_DAYS)
    base = Incident.objects.filter(created_at__gte=since).exclude(status="draft")
    # Each part walks its own index ((caller_phone, -created_at), (address, -created_at),
    # (person, role)); one UNION ALL query for all of them.
    parts = []
    if ctx.phone:
        parts.append(base.filter(caller_phone=ctx.phone).order_by("-created_at"))
    if ctx.address:
        parts.append(base.filter(address=ctx.address).order_by("-created_at"))
    parts = [part.values_list("pk", "created_at") for part in parts]
    if ctx.direct_ids:
        parts.append(
            IncidentPerson.objects.filter(
                person_id__in=list(ctx.direct_ids), incident__created_at__gte=since
            )
            .exclude(incident__status="draft")
            .order_by("-incident__created_at")
            .values_list("incident_id", "incident__created_at")
        )
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [part[:200] for part in parts]
    else:
        parts = [part.order_by() for part in parts]
    recent: dict[int, dt.datetime] = {}
    if parts:
        recent.update(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    package.incident_count = len(recent)
    top = sorted(recent, key=lambda pk: recent[pk], reverse=True)[:MAX_INCIDENTS]
    shown = (
        Incident.objects.filter(pk__in=top)
        .select_related("address")
        .only(*INCIDENT_FIELDS)
        .order_by("-created_at")
    )
    for incident in shown:
        package.incidents.append(
            {
                "id": incident.pk,
                "reference": incident.reference,
                "at": incident.created_at.isoformat(),
                "grade": incident.grade,
                "grade_label": incident.get_grade_display() if incident.grade else "Not graded",
                "address": str(incident.address) if incident.address else "",
                "weapons": incident.answers.get("weapons") == "yes",
                "injuries": incident.answers.get("injuries") in {"minor", "serious"},
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


def source_suspects(ctx: Context, package: Package) -> None:
    """Partners and ex-partners of the people in scope, and suspects of their incidents:
    their incidents as suspect, other victims, weapons."""
    suspect_ids = {
        (rel.other_id if rel.person_id in ctx.direct_ids else rel.person_id)
        for rel in ctx.relationships
        if rel.kind in {RelationshipKind.PARTNER, RelationshipKind.EX_PARTNER}
    } - ctx.direct_ids
    if ctx.direct_ids:
        victim_incidents = IncidentPerson.objects.filter(
            person_id__in=list(ctx.direct_ids), role=IncidentRole.VICTIM
        ).values("incident_id")
        suspect_ids |= set(
            IncidentPerson.objects.filter(
                incident_id__in=victim_incidents, role=IncidentRole.SUSPECT
            ).values_list("person_id", flat=True)[:MAX_PEOPLE]
        )
    if not suspect_ids:
        return
    # Plain tuples, not model instances: up to 200 rows for a prolific suspect.
    rows = list(
        IncidentPerson.objects.filter(person_id__in=list(suspect_ids), role=IncidentRole.SUSPECT)
        .order_by("-incident__created_at")
        .values_list(
            "person_id",
            "incident_id",
            "incident__created_at",
            "incident__answers",
            "person__given_name",
            "person__family_name",
        )[:200]
    )
    victims_by_incident: dict[int, set[int]] = {}
    for incident_id, person_id in IncidentPerson.objects.filter(
        incident_id__in=[row[1] for row in rows], role=IncidentRole.VICTIM
    ).values_list("incident_id", "person_id"):
        victims_by_incident.setdefault(incident_id, set()).add(person_id)
    # Names from what is already loaded; a query only for a partner with no incidents
    # as a suspect in the 200 rows.
    names = {pk: person.full_name for pk, person in ctx.people.items() if pk in suspect_ids}
    names.update((row[0], f"{row[4]} {row[5]}".strip()) for row in rows)
    if missing := suspect_ids - names.keys():
        names.update(
            (person.pk, person.full_name)
            for person in Person.objects.filter(pk__in=list(missing)).only(
                "given_name", "family_name"
            )
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
        answers = answers or {}
        entry["incidents"] += 1
        entry["last"] = entry["last"] or created_at.isoformat()
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
    package = Package(searched_at=now.isoformat())
    ctx = Context(query=query, now=now)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}")
            _resolve(query, ctx)
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
    except DatabaseError:
        logger.warning("Intelligence look-up failed; degraded to unavailable", exc_info=True)
        return Package(
            searched_at=now.isoformat(), unavailable=True, message=UNAVAILABLE_MESSAGE
        ), ctx
    return package, ctx
