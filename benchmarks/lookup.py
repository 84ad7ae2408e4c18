"""Call handling (issue 3): the call-taker's background look-up, the fuzzy name search
and a trivial view, measured in the same run on the same data.

Each look-up is for a number, an address or a person known to have history (taken at
random from incidents in the last 12 months), typed the way a call-taker might type it.
Every measurement is taken twice: the selector on its own, and through the view the
call-taker uses (in-process with Django's test client, so the time is the server's:
middleware, session, the view, the template and the access-log write; no network).
All measurements are shuffled together, so that noise on the machine falls evenly on
all of them.

The issue's targets: a look-up p95 of at most 50 ms and at most three times the trivial
view, and a fuzzy name look-up p95 of at most 100 ms. The API's look-ups by number or
address are the former; its look-ups by name (which run the fuzzy name search, then look
up to ten candidates) are the latter. The API's figure over all shapes is printed too.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.utils import timezone

from benchmarks.timing import Row, Target, count_queries, measure_shuffled
from calls import intelligence
from calls.choices import IncidentRole
from calls.models import Incident, IncidentPerson
from calls.services import calls as call_services
from dasapp.roles import Role
from demo.volume import VOLUME_KEY_PREFIX
from org.services import user_provision
from people import matching, selectors
from people.models import NameKey, Person

LOOKUP_P95_MS = 50.0
LOOKUP_TRIVIAL_RATIO = 3.0
FUZZY_P95_MS = 100.0
WARM_UP = 20
QUERY_SAMPLES = 40
BENCH_USERNAME = "bench-calltaker"
JSON = "application/json"
SHAPES = ("number", "address", "person", "whole call")


@dataclass
class Call:
    """One sampled call: what the call-taker typed, and who is on it."""

    shape: str
    phone: str = ""
    line1: str = ""
    postcode: str = ""
    person_ids: tuple[tuple[int, str], ...] = ()
    name: str = ""

    def query(self) -> intelligence.LookupQuery:
        return intelligence.LookupQuery(
            phone=self.phone,
            address_line1=self.line1,
            postcode=self.postcode,
            person_ids=[pk for pk, _ in self.person_ids],
        )

    def api_body(self) -> dict:
        """The same call for `POST /api/v1/lookup/`, which takes a name, not ids."""
        return {
            "phone": self.phone,
            "address": self.line1,
            "postcode": self.postcode,
            "name": self.name,
        }


def _typed_phone(e164: str) -> str:
    national = "0" + e164[3:]
    return f"{national[:5]} {national[5:]}"


def _typed_postcode(postcode: str) -> str:
    return matching.display_postcode(postcode).lower()


def sample_calls(rng: random.Random, n: int) -> list[Call]:
    """`n` calls in four shapes (number, address, person, whole call), each built from
    a volume incident of the last 12 months, so the look-up has history to find."""
    since = timezone.now() - dt.timedelta(days=365)
    recent = Incident.objects.filter(
        idempotency_key__startswith=VOLUME_KEY_PREFIX, created_at__gte=since
    ).order_by("?")
    fields = ("pk", "caller_phone__e164", "address__line1", "address__postcode")
    with_phone = list(recent.filter(caller_phone__isnull=False).values_list(*fields)[: n // 2])
    any_incident = list(recent.values_list(*fields)[:n])
    if not any_incident:
        raise SystemExit("No volume incidents in the last 12 months: generate volume data first.")
    ids = {row[0] for row in with_phone + any_incident}
    people: dict[int, list[tuple[int, str]]] = {}
    victim_names: dict[int, str] = {}
    for incident_id, person_id, role, given, family in IncidentPerson.objects.filter(
        incident_id__in=ids, role__in=[IncidentRole.VICTIM, IncidentRole.SUSPECT]
    ).values_list("incident_id", "person_id", "role", "person__given_name", "person__family_name"):
        people.setdefault(incident_id, []).append((person_id, role))
        if role == IncidentRole.VICTIM:
            victim_names[incident_id] = f"{given} {family}"
    calls = []
    for i in range(n):
        shape = SHAPES[i % len(SHAPES)]
        source = with_phone if shape in {"number", "whole call"} and with_phone else any_incident
        pk, e164, line1, postcode = rng.choice(source)
        involved = tuple(sorted(people.get(pk, []), key=lambda p: p[1] != IncidentRole.VICTIM))
        if shape == "number":
            calls.append(Call(shape, phone=_typed_phone(e164)))
        elif shape == "address":
            calls.append(Call(shape, line1=line1.upper(), postcode=_typed_postcode(postcode)))
        elif shape == "person":
            calls.append(Call(shape, person_ids=involved[:1], name=victim_names.get(pk, "")))
        else:
            calls.append(
                Call(
                    shape,
                    phone=_typed_phone(e164) if e164 else "",
                    line1=line1,
                    postcode=_typed_postcode(postcode),
                    person_ids=involved,
                    name=victim_names.get(pk, ""),
                )
            )
    return calls


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard, never on the first letter."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "double", "replace"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    vowels = "aeiou"
    letter = word[i].lower()
    swap = vowels[(vowels.index(letter) + 1) % 5] if letter in vowels else rng.choice(vowels)
    return word[:i] + swap + word[i + 1 :]


@dataclass
class NameSearch:
    typed: str
    given: str
    family: str
    intended_key: str


def sample_names(rng: random.Random, n: int) -> list[NameSearch]:
    """`n` people's names with a typo in the family name (70%) or the given name."""
    bounds = Person.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        raise SystemExit("No people: generate volume data first.")
    picked = Person.objects.filter(
        pk__in=[rng.randint(low, high) for _ in range(n * 2)]
    ).values_list("given_name", "family_name")[:n]
    searches = []
    for given, family in picked:
        if rng.random() < 0.7:
            typed_given, typed_family = given, _typo(rng, family)
        else:
            typed_given, typed_family = _typo(rng, given), family
        searches.append(
            NameSearch(
                f"{typed_given} {typed_family}",
                typed_given,
                typed_family,
                matching.normalise_name(given, family),
            )
        )
    while searches and len(searches) < n:
        searches.append(rng.choice(searches))
    return searches


def prewarm() -> str:
    """Read the tables and indexes the look-up and the name search use into the
    operating system's cache (pg_prewarm, mode 'read'), as on a database server whose
    working set is in memory; otherwise the figures measure whatever an earlier run left
    cached. Returns a line for the report."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return "tables not prewarmed (not PostgreSQL)"
    labels = [
        "calls.Incident",
        "calls.IncidentPerson",
        "people.Person",
        "people.PersonName",
        "people.NameKey",
        "people.GivenName",
        "people.PersonPhone",
        "people.PersonAddress",
        "people.PhoneNumber",
        "people.Address",
        "people.Relationship",
        "people.Flag",
        "cases.Case",
        "risk.Assessment",
    ]
    tables = [apps.get_model(label)._meta.db_table for label in labels]
    blocks = 0
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for table in tables:
            cursor.execute(
                "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
                "WHERE c.oid = %s::regclass OR c.oid IN "
                "(SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
                [table, table],
            )
            blocks += cursor.fetchone()[0] or 0
    return f"prewarmed {len(tables)} tables and their indexes: {blocks * 8 // 1024:,} MB read"


def _signed_in_client() -> tuple[Client, object]:
    user, _ = user_provision(
        username=BENCH_USERNAME, roles=[Role.CALL_TAKER], team_code="control-room"
    )
    client = Client()
    client.force_login(user)
    return client, user


def run(ctx) -> tuple[list[Row], list[Target], list[str]]:
    """Measure, and return the rows, the issue's targets and notes for the report."""
    rng = random.Random(ctx.seed)
    n = ctx.requests
    calls = sample_calls(rng, n + WARM_UP)
    names = sample_names(rng, n + WARM_UP)
    client, user = _signed_in_client()
    draft, _ = call_services.incident_start(user=user)
    notes = [prewarm()]

    def put_on_draft(call: Call) -> Callable[[], None]:
        def setup() -> None:
            with transaction.atomic():
                call_services.incident_autosave(
                    incident=draft,
                    user=user,
                    data=call_services.DraftInput(
                        caller_phone=call.phone,
                        address_line1=call.line1,
                        postcode=call.postcode,
                        people=list(call.person_ids),
                    ),
                )

        return setup

    def lookup_call(call: Call):
        return lambda: intelligence.lookup(call.query())

    def api_call(call: Call):
        def post() -> None:
            # A look-up by name needs a purpose, as an integrator sends it.
            response = client.post(
                "/api/v1/lookup/",
                call.api_body(),
                content_type=JSON,
                headers={"X-Access-Purpose": "Benchmark"},
            )
            if response.status_code != 200:
                raise SystemExit(f"POST /api/v1/lookup/ answered {response.status_code}")

        return post

    def page_call():
        response = client.get(f"/calls/{draft.pk}/")
        if response.status_code != 200:
            raise SystemExit(f"The call page answered {response.status_code}")

    def name_call(search: NameSearch):
        return lambda: selectors.name_matches(given_name=search.given, family_name=search.family)

    def person_search_call(search: NameSearch):
        return lambda: selectors.person_search(name=search.typed, limit=8)

    def people_view_call(search: NameSearch):
        def call():
            response = client.post(
                f"/calls/{draft.pk}/people/search/", {"person_name": search.typed}
            )
            if response.status_code != 200:
                raise SystemExit(f"The people search answered {response.status_code}")

        return call

    def trivial_call():
        response = client.get("/healthz")
        if response.status_code != 200:
            raise SystemExit(f"/healthz answered {response.status_code}")

    # Row name -> list of (call, setup). Shapes are measured separately for the selector.
    plan: dict[str, list[tuple[Callable, Callable | None]]] = {
        "look-up, selector (all shapes)": [(lookup_call(c), None) for c in calls],
        "look-up, API view (POST /api/v1/lookup/)": [(api_call(c), None) for c in calls],
        "look-up, call page view (GET /calls/<id>/)": [(page_call, put_on_draft(c)) for c in calls],
        "fuzzy name, name_matches selector": [(name_call(s), None) for s in names],
        "fuzzy name, person_search selector": [(person_search_call(s), None) for s in names],
        "fuzzy name, people search view": [(people_view_call(s), None) for s in names],
        "trivial view (GET /healthz)": [(trivial_call, None)] * len(calls),
    }
    durations = measure_shuffled(rng, plan, warm_up=WARM_UP)
    shape_of = [c.shape for c in calls[WARM_UP:]]

    notes.append(f"{n} timed calls per row, after {WARM_UP} untimed ones")
    checked = calls[:200]
    found = sum(bool(intelligence.lookup(c.query())[0].incident_count) for c in checked)
    notes.append(f"look-ups that found history: {found} of {len(checked)} checked")
    hits = 0
    for search in names[:200]:
        matches = selectors.name_matches(given_name=search.given, family_name=search.family)
        hits += any(m.text == search.intended_key for m in matches)
    notes.append(
        f"fuzzy searches with the intended name among the matches: {hits} of {len(names[:200])}"
    )
    notes.append(f"distinct names (NameKey rows): {NameKey.objects.count():,}")

    queries = {
        "look-up, selector (all shapes)": count_queries(
            [(lookup_call(c), None) for c in calls[:QUERY_SAMPLES]]
        ),
        "look-up, API view (POST /api/v1/lookup/)": count_queries(
            [(api_call(c), None) for c in calls[:QUERY_SAMPLES]]
        ),
        "look-up, call page view (GET /calls/<id>/)": count_queries(
            [(page_call, put_on_draft(c)) for c in calls[:QUERY_SAMPLES]]
        ),
        "fuzzy name, name_matches selector": count_queries(
            [(name_call(s), None) for s in names[:QUERY_SAMPLES]]
        ),
        "fuzzy name, person_search selector": count_queries(
            [(person_search_call(s), None) for s in names[:QUERY_SAMPLES]]
        ),
        "fuzzy name, people search view": count_queries(
            [(people_view_call(s), None) for s in names[:QUERY_SAMPLES]]
        ),
        "trivial view (GET /healthz)": count_queries([(trivial_call, None)] * 5),
    }
    # The two look-up rows also per shape (the API finds a person by name, fuzzily).
    by_shape = {
        "look-up, selector (all shapes)": lookup_call,
        "look-up, API view (POST /api/v1/lookup/)": api_call,
    }
    # The API's look-ups in the two kinds the issue sets targets for: by what is typed
    # (number, address) and by name, which runs the fuzzy name search first.
    api_name = "look-up, API view (POST /api/v1/lookup/)"
    groups = {
        "  by number or address": ("number", "address"),
        "  by name, fuzzy (person, whole call)": ("person", "whole call"),
    }
    rows = []
    for name, times in durations.items():
        rows.append(Row(name, times, queries.get(name, [])))
        if name in by_shape:
            for shape in SHAPES:
                shape_times = [t for t, s in zip(times, shape_of, strict=True) if s == shape]
                shape_queries = count_queries(
                    [(by_shape[name](c), None) for c in calls if c.shape == shape][:10]
                )
                rows.append(Row(f"  {shape}", shape_times, shape_queries))
        if name == api_name:
            for label, shapes in groups.items():
                group_times = [t for t, s in zip(times, shape_of, strict=True) if s in shapes]
                rows.append(Row(label, group_times))
    by_name = {row.name: row for row in rows}
    selector = by_name["look-up, selector (all shapes)"]
    api = by_name[api_name]
    api_terms = by_name["  by number or address"]
    api_fuzzy = by_name["  by name, fuzzy (person, whole call)"]
    trivial = by_name["trivial view (GET /healthz)"]
    person_search = by_name["fuzzy name, person_search selector"]
    people_view = by_name["fuzzy name, people search view"]
    targets = [
        Target("look-up p95, selector", selector.p95, LOOKUP_P95_MS),
        Target("look-up p95, API view by number or address", api_terms.p95, LOOKUP_P95_MS),
        Target(
            "look-up p95 / trivial view p95 (API view by number or address)",
            api_terms.p95 / trivial.p95,
            LOOKUP_TRIVIAL_RATIO,
            unit="x",
            detail=f"{api_terms.p95:.1f} ms / {trivial.p95:.1f} ms",
        ),
        Target("fuzzy name look-up p95, API view by name", api_fuzzy.p95, FUZZY_P95_MS),
        Target("fuzzy name p95, person_search selector", person_search.p95, FUZZY_P95_MS),
        Target("fuzzy name p95, people search view", people_view.p95, FUZZY_P95_MS),
    ]
    notes.append(
        f"API view, all shapes: p95 {api.p95:.1f} ms, {api.p95 / trivial.p95:.1f}x the "
        "trivial view (for comparison: by name it runs the fuzzy search first, which the "
        "issue's fuzzy target covers)"
    )
    notes.append(
        f"selector p95 / trivial view p95: {selector.p95 / trivial.p95:.1f}x (for comparison)"
    )
    notes.append(
        "the call page row is the whole page (look-up, known details to confirm, template, "
        "access log): shown for reference, no target"
    )
    return rows, targets, notes
