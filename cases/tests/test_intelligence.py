"""The look-up reads with plain SQL: what it shows must be what the models say (live
flags by `Flag.objects.active`, references, addresses, times in UTC, the JSON answers),
on SQLite and on PostgreSQL, where the statements run prepared."""

import dataclasses
import datetime as dt
import json
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import intelligence, services
from cases.choices import FlagKind, Grade, IncidentRole, IncidentStatus, RelationshipKind
from cases.flag_services import flag_raise, flags_lift
from cases.models import Flag, Incident, IncidentPerson

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
        }
    ]


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
    the victim with a flag, her partner's incidents against her and another victim."""
    victim, partner = household["victim"], household["partner"]
    incident(days_ago=30, victim=victim, suspect=partner, answers={"weapons": "yes"})
    incident(days_ago=3, victim=household["other_victim"], suspect=partner)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        flag_raise(
            kind=FlagKind.HIGH_RISK_VICTIM, summary="High risk", source="case:9", person=victim
        )
    return intelligence.LookupQuery(
        phone=NUMBER, address_id=household["address"].pk, person_ids=[victim.pk]
    )


@pytest.mark.django_db
def test_a_whole_call_is_read_in_five_statements_the_settings_going_with_the_first(household):
    query = whole_call(household)

    with CaptureQueriesContext(connection) as captured:
        package, _ = intelligence.lookup(query, now=NOW)

    # The number and the address; the people and their ties; flags; incidents; suspects.
    reads = [q["sql"] for q in captured if "SELECT" in q["sql"] or "EXECUTE" in q["sql"]]
    assert len(reads) == 5
    assert package.flags and package.incidents and package.suspects and package.children
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
    assert plain.as_json() == prepared.as_json() == reconnected.as_json()


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db
def test_prepared_lookup_prepares_again_after_deallocate_all(household):
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
