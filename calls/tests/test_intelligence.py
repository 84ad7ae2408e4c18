"""The look-up reads with plain SQL: what it shows must be what the models say (live
flags by `Flag.objects.active`, references, addresses, times in UTC, the JSON answers),
on SQLite and on PostgreSQL, where the statements run prepared."""

import dataclasses
import datetime as dt
import json
import re
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls import intelligence
from calls.choices import Grade, IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases.choices import CaseStatus
from cases.lookup_sources import MAX_OPEN_CASES
from cases.models import Case, Queue
from dasapp.choices import RiskLevel
from dasapp.models import User
from people import services
from people.choices import FlagKind, RelationshipKind
from people.flag_services import flag_raise, flags_lift
from people.models import Flag
from risk.choices import AssessmentStatus
from risk.lookup_sources import DASH_STRANGULATION, DASH_WEAPONS
from risk.models import Assessment
from risk.question_sets import current_set

NOW = dt.datetime(2026, 6, 15, 11, 30, tzinfo=dt.UTC)
NUMBER = "07700 900642"


def person(given: str, family: str, born: dt.date | None = None):
    return services.person_create(
        data=services.PersonInput(given_name=given, family_name=family, date_of_birth=born)
    )


def incident(*, days_ago: int, victim=None, suspect=None, **fields) -> Incident:
    fields.setdefault("status", IncidentStatus.GRADED)
    made = Incident.objects.create(created_at=NOW - dt.timedelta(days=days_ago), **fields)
    if victim:
        IncidentPerson.objects.create(incident=made, person=victim, role=IncidentRole.VICTIM)
    if suspect:
        IncidentPerson.objects.create(incident=made, person=suspect, role=IncidentRole.SUSPECT)
    made.refresh_from_db()
    return made


def staff(username: str, first: str = "", last: str = ""):
    user, _ = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    return user


def dv1(
    at: Incident,
    victim,
    perpetrator,
    *,
    level: str,
    yes: set[str] = frozenset(),
    status: str = AssessmentStatus.SUBMITTED,
) -> Assessment:
    """A DV1 on an incident whose DASH answers are yes to the codes in `yes` (weapons,
    strangulation) and no to the others of those two."""
    answers = {
        code: {"answer": "yes" if code in yes else "no", "comment": ""}
        for code in (DASH_WEAPONS, DASH_STRANGULATION)
    }
    return Assessment.objects.create(
        incident=at,
        victim=victim,
        perpetrator=perpetrator,
        question_set=current_set("dash-police"),
        answers=answers,
        status=status,
        officer_level=level,
        created_by=staff("officer-on-scene"),
        created_at=at.created_at,
        submitted_at=at.created_at if status != AssessmentStatus.DRAFT else None,
    )


def open_case(victim, perpetrator, *, days_ago: int, level: str, **fields) -> Case:
    return Case.objects.create(
        victim=victim,
        perpetrator=perpetrator,
        risk_level=level,
        opened_at=NOW - dt.timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def household(org):
    """A victim on a number at an address, her partner, two children (one without a date
    of birth) and an adult son; the partner has another victim elsewhere."""
    with time_machine.travel(NOW, tick=False):
        victim = person("Nadia", "Testwood", dt.date(1991, 6, 16))
        partner = person("Colm", "Fakely", dt.date(1989, 2, 1))
        young = person("Ivy", "Testwood", dt.date(2016, 6, 15))
        unknown_age = person("Ned", "Testwood")
        adult = person("Owen", "Testwood", dt.date(2008, 6, 14))
        other_victim = person("Freya", "Notreal", dt.date(1995, 1, 1))
        services.relationship_link(person=victim, other=partner, kind=RelationshipKind.PARTNER)
        for child in (young, unknown_age, adult):
            services.relationship_link(person=victim, other=child, kind=RelationshipKind.PARENT_OF)
        phone, _ = services.phone_get_or_create(number=NUMBER)
        services.person_phone_link(person=victim, phone=phone)
        address, _ = services.address_get_or_create(
            line1="Flat 2, 9 Quarry Lane", postcode="CO4 3ZZ", town="Colchester"
        )
        services.person_address_link(person=victim, address=address)
    return {
        "victim": victim,
        "partner": partner,
        "children": (young, unknown_age, adult),
        "other_victim": other_victim,
        "phone": phone,
        "address": address,
    }


@pytest.mark.django_db
def test_flags_shown_are_the_live_ones_by_the_flag_rule_with_their_end_in_utc(household):
    victim, phone, address = household["victim"], household["phone"], household["address"]
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        until = flag_raise(
            kind=FlagKind.BAIL_CONDITIONS,
            summary="Bail: not to contact the victim",
            source="court:1",
            address=address,
            ends_at=NOW + dt.timedelta(days=20),
        )
        flag_raise(
            kind=FlagKind.BAIL_CONDITIONS,
            summary="Bail ended",
            source="court:2",
            address=address,
            ends_at=NOW - dt.timedelta(days=1),
        )
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        open_ended = flag_raise(
            kind=FlagKind.HIGH_RISK_VICTIM, summary="High risk", source="case:9", person=victim
        )
        flag_raise(kind=FlagKind.OTHER, summary="Lifted", source="manual:1", phone=phone)
        flags_lift(source="manual:1", reason="Raised in error")
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        flag_raise(kind=FlagKind.MARAC_LISTED, summary="Not yet", source="marac:1", phone=phone)

    package, _ = intelligence.lookup(
        intelligence.LookupQuery(phone=NUMBER, address_id=address.pk), now=NOW
    )

    live = Flag.objects.active(NOW).order_by("-starts_at")
    assert [f["id"] for f in package.flags] == [open_ended.pk, until.pk] == [f.pk for f in live]
    shown = {f["id"]: f for f in package.flags}
    assert shown[open_ended.pk]["on"] == "Nadia Testwood"
    assert shown[open_ended.pk]["label"] == "High-risk victim"
    assert shown[open_ended.pk]["until"] is None
    assert shown[until.pk]["on"] == "this address"
    until.refresh_from_db()
    assert shown[until.pk]["until"] == until.ends_at.isoformat()
    assert shown[until.pk]["until"].endswith("+00:00")


@pytest.mark.django_db
def test_incidents_show_reference_time_address_grade_and_answers_as_the_models_do(household):
    victim, partner, address = household["victim"], household["partner"], household["address"]
    graded = incident(
        days_ago=5,
        victim=victim,
        suspect=partner,
        address=address,
        grade=Grade.EMERGENCY,
        answers={"weapons": "yes", "injuries": "minor"},
    )
    ungraded = incident(days_ago=9, victim=victim, answers={"injuries": "none"})
    incident(days_ago=2, victim=victim, status=IncidentStatus.DRAFT)
    incident(days_ago=400, victim=victim)

    package, _ = intelligence.lookup(
        intelligence.LookupQuery(person_ids=[victim.pk, victim.pk, 10**12]), now=NOW
    )

    assert package.incident_count == 2
    assert package.incidents == [
        {
            "id": graded.pk,
            "reference": graded.reference,
            "at": graded.created_at.isoformat(),
            "grade": "emergency",
            "grade_label": "Emergency",
            "address": "Flat 2, 9 Quarry Lane, Colchester, CO4 3ZZ",
            "weapons": True,
            "injuries": True,
            "risk": None,
            "risk_label": "No DV1 submitted",
        },
        {
            "id": ungraded.pk,
            "reference": ungraded.reference,
            "at": ungraded.created_at.isoformat(),
            "grade": "",
            "grade_label": "Not graded",
            "address": "",
            "weapons": False,
            "injuries": False,
            "risk": None,
            "risk_label": "No DV1 submitted",
        },
    ]
    assert package.incidents[0]["at"] == "2026-06-10T11:30:00+00:00"


@pytest.mark.django_db
def test_household_children_and_the_partners_history_with_another_victim(household):
    victim, partner = household["victim"], household["partner"]
    young, unknown_age, _adult = household["children"]
    incident(days_ago=30, victim=victim, suspect=partner, answers={"weapons": "no"})
    elsewhere = incident(
        days_ago=3,
        victim=household["other_victim"],
        suspect=partner,
        answers={"strangulation": "yes", "weapons": "yes"},
    )

    with time_machine.travel(NOW, tick=False):
        package, ctx = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    assert package.phone == {"id": household["phone"].pk, "number": "07700 900642"}
    people = {p["name"]: p for p in package.people}
    assert people["Nadia Testwood"] == {
        "id": victim.pk,
        "name": "Nadia Testwood",
        "date_of_birth": "1991-06-16",
        "age": 34,
        "direct": True,
    }
    assert people["Colm Fakely"]["direct"] is False
    # Those found directly first, then the others by their ties, oldest tie first.
    assert [p["name"] for p in package.people] == [
        "Nadia Testwood",
        "Colm Fakely",
        "Ivy Testwood",
        "Ned Testwood",
        "Owen Testwood",
    ]
    assert people["Owen Testwood"]["age"] == 18
    assert sorted(package.children, key=lambda c: c["id"]) == [
        {"id": young.pk, "name": "Ivy Testwood", "age": 10},
        {"id": unknown_age.pk, "name": "Ned Testwood", "age": None},
    ]
    assert package.suspects == [
        {
            "id": partner.pk,
            "name": "Colm Fakely",
            "incidents": 2,
            "last": elsewhere.created_at.isoformat(),
            "other_victims": 1,
            "weapons": True,
            "strangulation": True,
            "weapons_incidents": 1,
            "strangulation_incidents": 1,
        }
    ]
    assert ctx.direct_ids == {victim.pk}
    # The snapshot is the whole package as JSON, and a copy: changing it changes nothing.
    snapshot = package.as_json()
    assert snapshot == dataclasses.asdict(package)
    assert json.loads(json.dumps(snapshot)) == snapshot
    snapshot["suspects"][0]["name"] = "changed"
    snapshot["people"].clear()
    assert package.suspects[0]["name"] == "Colm Fakely" and package.people


@pytest.mark.django_db
def test_a_suspect_on_many_of_her_incidents_does_not_hide_another(household):
    victim = household["victim"]
    regular, once = person("Rory", "Madeup"), person("Seth", "Imagined")
    for days in range(1, intelligence.MAX_PEOPLE + 6):
        incident(days_ago=days, victim=victim, suspect=regular)
    incident(days_ago=200, victim=victim, suspect=once)

    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[victim.pk]), now=NOW)

    suspects = {s["name"]: s["incidents"] for s in package.suspects}
    assert suspects["Rory Madeup"] == intelligence.MAX_PEOPLE + 5
    assert suspects["Seth Imagined"] == 1


@pytest.mark.django_db
def test_a_partner_with_no_incidents_is_still_named_among_the_suspects(household):
    package, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    assert package.suspects == [
        {
            "id": household["partner"].pk,
            "name": "Colm Fakely",
            "incidents": 0,
            "last": None,
            "other_victims": 0,
            "weapons": False,
            "strangulation": False,
            "weapons_incidents": 0,
            "strangulation_incidents": 0,
        }
    ]


@pytest.mark.django_db
def test_a_number_of_a_known_suspect_shows_his_history_not_his_partners(household):
    """His number found: he is the suspect the section describes (his incidents as
    suspect, the weapon and strangulation), not his partner with none."""
    victim, partner = household["victim"], household["partner"]
    with time_machine.travel(NOW, tick=False):
        his_phone, _ = services.phone_get_or_create(number="07700 900602")
        services.person_phone_link(person=partner, phone=his_phone)
    incident(days_ago=30, victim=victim, suspect=partner, answers={"weapons": "yes"})
    incident(days_ago=90, victim=household["other_victim"], suspect=partner)

    package, _ = intelligence.lookup(intelligence.LookupQuery(phone="07700900602"), now=NOW)

    assert [(s["name"], s["incidents"]) for s in package.suspects] == [("Colm Fakely", 2)]
    assert package.suspects[0]["weapons"] is True
    assert package.suspects[0]["other_victims"] == 2


@pytest.mark.django_db
def test_a_person_known_as_a_victim_and_a_suspect_is_looked_up_as_a_victim(household):
    victim, partner = household["victim"], household["partner"]
    incident(days_ago=30, victim=victim, suspect=partner)
    incident(days_ago=60, victim=partner, suspect=victim)

    package, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    assert [(s["name"], s["incidents"]) for s in package.suspects] == [("Colm Fakely", 1)]


@pytest.mark.django_db
def test_lookup_by_address_id_finds_the_address_and_whoever_lives_there(household):
    address = household["address"]

    package, _ = intelligence.lookup(intelligence.LookupQuery(address_id=address.pk), now=NOW)

    assert package.address == {
        "id": address.pk,
        "text": "Flat 2, 9 Quarry Lane, Colchester, CO4 3ZZ",
        "location_type": "urban",
    }
    assert [p["name"] for p in package.people if p["direct"]] == ["Nadia Testwood"]
    assert not package.unavailable


@pytest.mark.django_db
def test_unknown_number_address_and_people_find_nothing(org):
    package, _ = intelligence.lookup(
        intelligence.LookupQuery(
            phone="07700 900999", address_line1="1 Nowhere Road", postcode="CO1 9ZZ"
        ),
        now=timezone.now(),
    )
    assert (package.phone, package.address, package.found_anything) == (None, None, False)
    package, _ = intelligence.lookup(
        intelligence.LookupQuery(address_id=10**12, person_ids=[10**12]), now=timezone.now()
    )
    assert (package.address, package.found_anything, package.unavailable) == (None, False, False)


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="prepared statements are PostgreSQL's; SQLite runs the same SQL unprepared",
)


def whole_call(household) -> intelligence.LookupQuery:
    """A call on which every statement has something to read: the number, the address,
    the victim with a flag, her partner's incidents against her (one with a DV1 that
    says he strangled her) and another victim, their open case."""
    victim, partner = household["victim"], household["partner"]
    against_her = incident(days_ago=30, victim=victim, suspect=partner, answers={"weapons": "yes"})
    dv1(against_her, victim, partner, level=RiskLevel.HIGH, yes={DASH_STRANGULATION})
    incident(days_ago=3, victim=household["other_victim"], suspect=partner)
    open_case(victim, partner, days_ago=20, level=RiskLevel.HIGH)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        flag_raise(
            kind=FlagKind.HIGH_RISK_VICTIM, summary="High risk", source="case:9", person=victim
        )
    return intelligence.LookupQuery(
        phone=NUMBER, address_id=household["address"].pk, person_ids=[victim.pk]
    )


@pytest.mark.django_db
def test_a_whole_call_is_read_in_six_statements_the_settings_going_with_the_first(household):
    query = whole_call(household)

    with CaptureQueriesContext(connection) as captured:
        package, _ = intelligence.lookup(query, now=NOW)

    # The number and the address; the people and their ties; flags; incidents with their
    # DV1s' risk; suspects with their DV1s' answers; open cases.
    reads = [q["sql"] for q in captured if "SELECT" in q["sql"] or "EXECUTE" in q["sql"]]
    assert len(reads) == 6
    assert package.flags and package.incidents and package.suspects and package.children
    assert package.open_cases and package.incidents[0]["risk"] == RiskLevel.HIGH
    assert package.suspects[0]["strangulation_incidents"] == 1
    if connection.vendor == "postgresql":
        settings = f"SET LOCAL statement_timeout = {intelligence.STATEMENT_TIMEOUT_MS}; "
        assert reads[0].startswith(settings)
        assert not any("SET LOCAL" in sql for sql in reads[1:])


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall() if name.startswith("lookup_")}


def watching_recount():
    return mock.patch.object(
        intelligence.sql, "recount_prepared", wraps=intelligence.sql.recount_prepared
    )


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # to close the connection between look-ups
def test_prepared_lookup_reads_what_the_plain_one_does_and_prepares_again_on_a_new_connection(
    household, settings
):
    query = whole_call(household)
    connection.close()
    settings.LOOKUP_PREPARED_STATEMENTS = False
    plain, _ = intelligence.lookup(query, now=NOW)
    assert prepared_statements() == set()

    settings.LOOKUP_PREPARED_STATEMENTS = True
    with watching_recount() as recount:
        prepared, _ = intelligence.lookup(query, now=NOW)
        on_first_connection = prepared_statements()
        connection.close()
        reconnected, _ = intelligence.lookup(query, now=NOW)
        on_second_connection = prepared_statements()

    recount.assert_not_called()  # the new connection was known to have none
    assert on_first_connection and on_second_connection == on_first_connection
    assert plain.flags and plain.incidents and plain.suspects and plain.children
    assert plain.open_cases and plain.suspects[0]["strangulation"]
    assert plain.as_json() == prepared.as_json() == reconnected.as_json()


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db
def test_prepared_lookup_prepares_again_after_deallocate_all(household, settings):
    settings.LOOKUP_PREPARED_STATEMENTS = True
    query = whole_call(household)
    before, _ = intelligence.lookup(query, now=NOW)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    with watching_recount() as recount:
        after, _ = intelligence.lookup(query, now=NOW)

    recount.assert_called_once()
    assert prepared_statements()
    assert not after.unavailable
    assert after.as_json() == before.as_json()


def _known_caller() -> None:
    """A victim on a number with a flag, her partner and two incidents against her."""
    victim = person("Nadia", "Testwood", dt.date(1991, 6, 16))
    partner = person("Colm", "Fakely", dt.date(1989, 2, 1))
    phone, _ = services.phone_get_or_create(number=NUMBER)
    services.person_phone_link(person=victim, phone=phone)
    services.relationship_link(person=victim, other=partner, kind=RelationshipKind.PARTNER)
    flag_raise(kind=FlagKind.HIGH_RISK_VICTIM, summary="High risk", source="case:9", phone=phone)
    for days in (30, 90):
        incident(days_ago=days, victim=victim, suspect=partner, caller_phone=phone)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_prepared_and_plain_lookups_agree_while_tables_are_emptied_and_filled_again(settings):
    """Several connections look up the same number, each prepared and then plain in one
    snapshot (repeatable read), while another empties every table (`flush`, as the test
    suite does between tests) and fills them again with new ids, and connections are
    dropped and opened. Prepared statements outlive all of that on the server; what they
    read must be what the plain statements read, every time."""
    import random
    import threading
    import time

    from django.core.management import CommandError, call_command
    from django.db import connections, transaction

    settings.LOOKUP_PREPARED_STATEMENTS = True
    plain_here = threading.local()
    with mock.patch.object(
        intelligence.sql,
        "uses_prepared_statements",
        lambda: connection.vendor == "postgresql" and not getattr(plain_here, "on", False),
    ):
        _known_caller()
        until = time.monotonic() + 8
        compared, found, mismatches, failures = [0], [0], [], []

        def on_its_own_connection(work):
            def run() -> None:
                try:
                    work()
                except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                    failures.append(repr(exc))
                finally:
                    connections.close_all()

            return threading.Thread(target=run)

        def look_up_both_ways() -> None:
            query = intelligence.LookupQuery(phone="(07700) 900-642")
            while time.monotonic() < until:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    prepared, _ = intelligence.lookup(query)
                    plain_here.on = True
                    try:
                        plain, _ = intelligence.lookup(query)
                    finally:
                        plain_here.on = False
                if prepared.unavailable or plain.unavailable:
                    continue  # the flush's locks can deadlock a look-up: it says so
                one, other = prepared.as_json(), plain.as_json()
                one.pop("searched_at"), other.pop("searched_at")
                compared[0] += 1
                found[0] += bool(prepared.flags)
                if one != other:
                    mismatches.append((one, other))
                if random.random() < 0.2:
                    connection.close()  # the next look-up on a new connection

        def empty_and_fill() -> None:
            while time.monotonic() < until - 1:
                time.sleep(0.8)
                try:
                    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
                except CommandError:
                    continue  # a deadlock with a look-up: the look-up or this goes on
                _known_caller()

        threads = [on_its_own_connection(look_up_both_ways) for _ in range(2)]
        threads.append(on_its_own_connection(empty_and_fill))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert failures == [] and mismatches == []
    assert compared[0] > 50 and found[0] > 20, (compared, found)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_statement_timeout_holds_for_the_statement_it_is_sent_with(household):
    slow_phone = intelligence.sources._PHONE + " AND (SELECT 1 FROM pg_sleep(0.2)) = 1"
    query = intelligence.LookupQuery(phone=NUMBER)
    with mock.patch.object(intelligence.sources, "_PHONE", slow_phone):
        waited, _ = intelligence.lookup(query, now=NOW)
        with mock.patch.object(intelligence, "STATEMENT_TIMEOUT_MS", 50):
            cut_short, _ = intelligence.lookup(query, now=NOW)

    assert waited.phone and not waited.unavailable
    assert cut_short.unavailable and cut_short.phone is None


@pytest.mark.django_db
def test_a_look_up_inside_a_callers_transaction_leaves_its_session_settings_behind():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout and plan_cache_mode are PostgreSQL settings")
    from django.db import transaction

    def setting(name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    with transaction.atomic():
        before = (setting("statement_timeout"), setting("plan_cache_mode"))
        intelligence.lookup(intelligence.LookupQuery(phone="07700 900123"))
        assert (setting("statement_timeout"), setting("plan_cache_mode")) == before


# Open cases, the DV1s' risk on incidents, the suspects' DASH answers.


@pytest.mark.django_db
def test_open_cases_of_anyone_in_scope_with_current_risk_owner_and_queue(household):
    victim, partner = household["victim"], household["partner"]
    queue = Queue.objects.order_by("pk").first()
    daso = staff("daso.testwood", "Claire", "Whitmore")
    theirs = open_case(
        victim, partner, days_ago=10, level=RiskLevel.HIGH, queue=queue, assigned_to=daso
    )
    # Her partner's case with another victim: found through him, as the perpetrator.
    his_other = open_case(household["other_victim"], partner, days_ago=3, level=RiskLevel.MEDIUM)
    open_case(
        victim, None, days_ago=1, level=RiskLevel.STANDARD, status=CaseStatus.CLOSED
    )  # closed
    stranger = person("Rhys", "Nobodyknows")
    open_case(stranger, None, days_ago=1, level=RiskLevel.HIGH)  # nobody on this call
    staff("no.name.daso")

    package, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    assert package.open_cases == [
        {
            "id": his_other.pk,
            "reference": his_other.reference,
            "opened_at": his_other.opened_at.isoformat(),
            "risk": "medium",
            "risk_label": "Medium",
            "victim_id": household["other_victim"].pk,
            "victim": "Freya Notreal",
            "perpetrator_id": partner.pk,
            "perpetrator": "Colm Fakely",
            "owner_id": None,
            "owner": "Not assigned",
            "queue_id": None,
            "queue": "",
            "also_open": [],
            "also_open_more": 0,
        },
        {
            "id": theirs.pk,
            "reference": theirs.reference,
            "opened_at": "2026-06-05T11:30:00+00:00",
            "risk": "high",
            "risk_label": "High",
            "victim_id": victim.pk,
            "victim": "Nadia Testwood",
            "perpetrator_id": partner.pk,
            "perpetrator": "Colm Fakely",
            "owner_id": daso.pk,
            "owner": "Claire Whitmore",
            "queue_id": queue.pk,
            "queue": queue.name,
            "also_open": [],
            "also_open_more": 0,
        },
    ]
    # The access log keeps which records the look-up showed, the cases included.
    assert package.shown_ids()["cases"] == [his_other.pk, theirs.pk]
    assert package.shown_ids()["people"] == [p["id"] for p in package.people]
    assert package.as_json()["open_cases"] == package.open_cases


@pytest.mark.django_db
def test_an_owner_without_a_name_is_shown_by_username_and_at_most_ten_cases_newest_first(
    household,
):
    victim = household["victim"]
    nameless = staff("dc.4471")
    cases = [
        open_case(
            victim,
            person("Suspect", f"Number{n}"),
            days_ago=n + 1,
            level="high",
            assigned_to=nameless,
        )
        for n in range(MAX_OPEN_CASES + 2)
    ]

    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[victim.pk]), now=NOW)

    assert [c["id"] for c in package.open_cases] == [c.pk for c in cases[:10]]
    assert {c["owner"] for c in package.open_cases} == {"dc.4471"}


@pytest.mark.django_db
def test_each_incident_has_the_risk_of_the_dv1_submitted_for_it(household):
    victim, partner, other = household["victim"], household["partner"], household["other_victim"]
    two_victims = incident(days_ago=1, victim=victim, suspect=partner)
    IncidentPerson.objects.create(incident=two_victims, person=other, role=IncidentRole.VICTIM)
    dv1(two_victims, victim, partner, level=RiskLevel.STANDARD)
    dv1(two_victims, other, partner, level=RiskLevel.HIGH)  # the most serious is shown
    only_a_draft = incident(days_ago=2, victim=victim, suspect=partner)
    dv1(only_a_draft, victim, partner, level=RiskLevel.HIGH, status=AssessmentStatus.DRAFT)
    amended = incident(days_ago=3, victim=victim, suspect=partner)
    dv1(amended, victim, partner, level=RiskLevel.HIGH, status=AssessmentStatus.SUPERSEDED)
    dv1(amended, victim, partner, level=RiskLevel.MEDIUM)
    never = incident(days_ago=4, victim=victim)

    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[victim.pk]), now=NOW)

    risks = {i["id"]: (i["risk"], i["risk_label"]) for i in package.incidents}
    assert risks == {
        two_victims.pk: ("high", "High"),
        only_a_draft.pk: (None, "No DV1 submitted"),
        amended.pk: ("medium", "Medium"),
        never.pk: (None, "No DV1 submitted"),
    }


@pytest.mark.django_db
def test_the_suspects_history_counts_weapons_and_strangulation_from_submitted_dv1s(household):
    victim, partner, other = household["victim"], household["partner"], household["other_victim"]
    knife = incident(days_ago=40, victim=victim, suspect=partner)
    dv1(knife, victim, partner, level=RiskLevel.HIGH, yes={DASH_WEAPONS})
    choked = incident(days_ago=30, victim=other, suspect=partner)
    dv1(choked, other, None, level=RiskLevel.HIGH, yes={DASH_STRANGULATION})  # names nobody
    drafted = incident(days_ago=20, victim=victim, suspect=partner)
    dv1(
        drafted,
        victim,
        partner,
        level=RiskLevel.HIGH,
        yes={DASH_WEAPONS, DASH_STRANGULATION},
        status=AssessmentStatus.DRAFT,
    )
    brother = person("Dale", "Fakely")
    about_his_brother = incident(days_ago=10, victim=victim, suspect=partner)
    IncidentPerson.objects.create(
        incident=about_his_brother, person=brother, role=IncidentRole.SUSPECT
    )
    dv1(about_his_brother, victim, brother, level=RiskLevel.HIGH, yes={DASH_STRANGULATION})
    # Said on the call and on the DV1: one incident, counted once.
    both = incident(days_ago=5, victim=victim, suspect=partner, answers={"weapons": "yes"})
    dv1(both, victim, partner, level=RiskLevel.HIGH, yes={DASH_WEAPONS})

    package, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    colm = next(s for s in package.suspects if s["id"] == partner.pk)
    assert colm["incidents"] == 5
    assert (colm["weapons_incidents"], colm["strangulation_incidents"]) == (2, 1)
    assert colm["weapons"] and colm["strangulation"]
    dale = next(s for s in package.suspects if s["id"] == brother.pk)
    assert (dale["strangulation_incidents"], dale["weapons_incidents"]) == (1, 0)
    grading = package.for_grading()
    assert grading.suspect_strangulation_history and grading.suspect_weapons_history


@pytest.mark.django_db
def test_no_strangulation_is_counted_from_a_call_or_a_dv1_that_says_no(household):
    victim, partner = household["victim"], household["partner"]
    said_no = incident(days_ago=5, victim=victim, suspect=partner, answers={"strangulation": "no"})
    dv1(said_no, victim, partner, level=RiskLevel.STANDARD)

    package, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    assert package.suspects[0]["strangulation"] is False
    assert package.suspects[0]["weapons_incidents"] == 0


def test_the_dash_codes_read_are_the_weapons_and_strangulation_questions_of_every_checklist():
    import yaml

    from risk.question_sets import DATA_DIR

    checklists = [yaml.safe_load(path.read_text()) for path in DATA_DIR.glob("dash_*.yaml")]
    assert len(checklists) >= 2
    for checklist in checklists:
        text = {q["code"]: q["text"].lower() for q in checklist["questions"]}
        assert "weapon" in text[DASH_WEAPONS]
        assert all(word in text[DASH_STRANGULATION] for word in ("strangle", "choke", "suffocate"))


@pytest.mark.django_db
def test_the_api_documents_every_key_of_the_package(household):
    from calls.api.serializers import IntelligencePackageSerializer

    package, _ = intelligence.lookup(whole_call(household), now=NOW)
    snapshot = package.as_json()
    documented = IntelligencePackageSerializer().fields

    assert set(documented) == set(snapshot)
    for name in ("flags", "incidents", "people", "suspects", "children", "open_cases"):
        assert snapshot[name], name
        item_fields = set(documented[name].child.fields)
        assert all(set(item) == item_fields for item in snapshot[name]), name
    assert set(documented["phone"].fields) == set(snapshot["phone"])
    assert set(documented["address"].fields) == set(snapshot["address"])
    # And the package passes its own serializer as it is.
    assert IntelligencePackageSerializer(data=json.loads(json.dumps(snapshot))).is_valid()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(html: str, testid: str) -> str:
    """The element with this data-testid, to the next section heading, as text."""
    start = html.find(f'data-testid="{testid}"')
    if start < 0:
        return ""
    end = min(i for i in (html.find("<h3", start), html.find("</section>", start)) if i >= 0)
    return _text(html[html.index(">", start) + 1 : end])


@pytest.mark.django_db
def test_the_panel_shows_open_cases_the_dv1_risk_and_the_suspects_harm_under_headings(
    household,
):
    from django.template.loader import render_to_string

    package, _ = intelligence.lookup(whole_call(household), now=NOW)
    case = Case.objects.get(victim=household["victim"])

    html = render_to_string("calls/_intelligence.html", {"package": package})

    headings = [_text(h) for h in re.findall(r"<h[34][^>]*>(.*?)</h[34]>", html, re.S)]
    assert "Open cases: 1" in headings and f"{case.reference}: Nadia Testwood" in headings
    assert "Risk on recent incidents" in headings
    assert "Suspects: weapons and strangulation" in headings
    shown = _section(html, "intel-open-cases")
    for text in (
        "Current risk: High",
        "Perpetrator: Colm Fakely",
        "Owner: Not assigned",
        "Queue: Not yet routed",
        "Opened: 26 May 2026",
    ):
        assert text in shown, text
    reference = package.incidents[0]["reference"]
    assert _section(html, "intel-incident-risk").endswith(
        f"16 May 2026, Not graded {reference} High"
    )
    # A weapon said on the call, strangulation on the DV1: one incident each.
    assert (
        "Colm Fakely , 2 incidents as suspect Weapons: 1 incident Strangulation: 1 incident"
        in _section(html, "intel-suspect-harm")
    )

    # A snapshot taken before these were kept still renders, without them.
    old = package.as_json()
    old.pop("open_cases")
    for item in old["incidents"]:
        del item["risk"], item["risk_label"]
    for item in old["suspects"]:
        del item["weapons_incidents"], item["strangulation_incidents"]
    html = render_to_string("calls/_intelligence.html", {"package": old})
    assert 'data-testid="intel-open-cases"' not in html
    assert _section(html, "intel-incident-risk").endswith("Not known")
    assert (
        "Colm Fakely , 2 incidents as suspect Weapons: reported Strangulation: reported"
        in _section(html, "intel-suspect-harm")
    )
    # Unavailable: nothing but the warning.
    down = intelligence.Package(unavailable=True, message=intelligence.UNAVAILABLE_MESSAGE)
    assert "Open cases" not in render_to_string("calls/_intelligence.html", {"package": down})


@pytest.mark.django_db
def test_a_dv1_submitted_and_its_case_claimed_show_in_the_next_look_up(household, persona):
    from cases import assignment_services
    from risk import services as risk_services

    victim, partner = household["victim"], household["partner"]
    officer = persona("officer", "response", first_name="Tom", last_name="Adeyemi")
    call = incident(days_ago=0, victim=victim, suspect=partner, address=household["address"])
    with time_machine.travel(NOW, tick=False):
        draft = risk_services.assessment_start(
            incident=call, victim=victim, perpetrator=partner, user=officer
        )
        said_yes = {DASH_WEAPONS, DASH_STRANGULATION}
        answers = {
            q["code"]: {"answer": "yes" if q["code"] in said_yes else "no", "comment": ""}
            for q in draft.question_set.questions
        }
        draft, _ = risk_services.assessment_save(
            assessment=draft, user=officer, changes=risk_services.DraftChanges(answers=answers)
        )
        draft, _ = risk_services.assessment_save(
            assessment=draft,
            user=officer,
            changes=risk_services.DraftChanges(officer_level=draft.suggested_level),
        )
        submitted = risk_services.assessment_submit(assessment=draft, user=officer)
        case = Case.objects.get(victim=victim, perpetrator=partner)
        before, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)
        # Whoever works the queue it was routed to.
        claimer = persona(
            case.queue.worked_by_role,
            case.queue.team.code,
            first_name="Claire",
            last_name="Whitmore",
        )
        assignment_services.case_claim(case=case, user=claimer)
        after, _ = intelligence.lookup(intelligence.LookupQuery(phone=NUMBER), now=NOW)

    case.refresh_from_db()
    assert [(c["reference"], c["owner"]) for c in before.open_cases] == [
        (case.reference, "Not assigned")
    ]
    assert after.open_cases[0]["owner"] == "Claire Whitmore" == claimer.get_full_name()
    assert after.open_cases[0]["risk"] == case.risk_level == submitted.officer_level
    assert after.open_cases[0]["queue"] == case.queue.name
    assert after.incidents[0]["id"] == call.pk
    assert after.incidents[0]["risk"] == submitted.officer_level
    colm = after.suspects[0]
    assert (colm["weapons_incidents"], colm["strangulation_incidents"]) == (1, 1)
