"""Reads for people and places: search across formats, fuzzy names, duplicates, and
query counts that do not grow with the number of people."""

import datetime as dt

import pytest
from django.db import connection

from cases.tests.factories import AddressFactory, PersonFactory, drama_number
from people import matching, selectors, services
from people.models import GivenName

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="trigram similarity (pg_trgm) exists only on PostgreSQL; SQLite uses Soundex",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="documents the SQLite fallback's limit"
)


@pytest.fixture
def hartwell():
    home = AddressFactory(line1="12 High Street", postcode="CO1 1AA")
    return PersonFactory(
        given_name="Dawn",
        family_name="Hartwell",
        date_of_birth=dt.date(1988, 7, 14),
        phone="07700 900123",
        address=home,
    )


@pytest.fixture
def smith():
    return PersonFactory(given_name="Jane", family_name="Smith", date_of_birth=dt.date(1979, 2, 1))


def test_smyth_finds_smith_through_the_phonetic_key(smith, hartwell):
    assert selectors.person_search(name="Smyth") == [smith]
    assert selectors.person_search(name="Jane Smyth") == [smith]


def test_search_by_name_finds_an_alias():
    person = PersonFactory(given_name="Dawn", family_name="Hartwell", aliases=[("Dee", "Moss")])
    assert selectors.person_search(name="Dee Moss") == [person]


@pytest.mark.parametrize("typed", ["+44 7700 900123", "(07700) 900-123", "0044 7700 900123"])
def test_search_by_phone_finds_the_number_typed_another_way(hartwell, smith, typed):
    assert selectors.person_search(phone=typed) == [hartwell]


def test_search_by_postcode_ignores_case_and_spacing(hartwell, smith):
    assert selectors.person_search(postcode="co1 1aa") == [hartwell]
    assert selectors.person_search(postcode="CO11AA") == [hartwell]


def test_search_by_date_of_birth_alone(hartwell, smith):
    assert selectors.person_search(date_of_birth=dt.date(1979, 2, 1)) == [smith]


def test_date_of_birth_ranks_the_right_namesake_first(hartwell):
    namesake = PersonFactory(
        given_name="Dawn", family_name="Hartwell", date_of_birth=dt.date(2001, 1, 1)
    )
    found = selectors.person_search(name="Dawn Hartwell", date_of_birth=dt.date(2001, 1, 1))
    assert found == [namesake, hartwell]


def test_a_name_that_sounds_different_is_not_found(hartwell, smith):
    assert selectors.person_search(name="Okonkwo") == []


def test_unknown_number_or_postcode_finds_nobody(hartwell):
    assert selectors.person_search(phone="07700 900999") == []
    assert selectors.person_search(postcode="CO2 7AA") == []
    assert selectors.person_search(phone="not a number") == []


def test_a_person_with_two_links_at_one_postcode_is_counted_once(hartwell):
    services.person_address_link(
        person=hartwell, address=hartwell.address_links.get().address, kind="safe"
    )
    other = PersonFactory(phone="07700 900124", address=AddressFactory(postcode="CO1 1AA"))
    ids = selectors.person_search_ids(postcode="CO1 1AA", phone="07700 900124")
    assert ids == [other.pk, hartwell.pk]


@postgres_only
@pytest.mark.postgres
@pytest.mark.parametrize("typed", ["Dawn Hatwell", "Hatwell", "Dawn Hartwelll"])
def test_typo_that_changes_the_sound_is_found_by_trigram_on_postgresql(hartwell, smith, typed):
    # Hatwell is H340 in Soundex, Hartwell H634: only trigram similarity can find it.
    assert selectors.person_search(name=typed) == [hartwell]


@sqlite_only
def test_sqlite_fallback_misses_a_typo_that_changes_the_sound(hartwell):
    # The honest limit of the Soundex fallback: same sound found, different sound not.
    assert selectors.person_search(name="Dawn Hartwel") == [hartwell]
    assert selectors.person_search(name="Dawn Hatwell") == []


def test_duplicates_propose_the_same_name_with_the_same_or_unknown_birth_date():
    same = PersonFactory(
        given_name="Dawn", family_name="Hartwell", date_of_birth=dt.date(1988, 7, 14)
    )
    unknown = PersonFactory(given_name="Dawn", family_name="Hartwell", date_of_birth=None)
    PersonFactory(given_name="Dawn", family_name="Hartwell", date_of_birth=dt.date(1950, 1, 1))
    PersonFactory(given_name="Gary", family_name="Moss", date_of_birth=dt.date(1988, 7, 14))
    found = selectors.person_duplicates(
        given_name="Dawn", family_name="Hartwel", date_of_birth=dt.date(1988, 7, 14)
    )
    assert {p.pk for p in found} == {same.pk, unknown.pk}


def test_relationships_read_from_each_side(hartwell):
    child = PersonFactory(given_name="Mia", family_name="Hartwell")
    services.relationship_link(person=hartwell, other=child, kind="parent_of")
    [from_parent] = selectors.person_relationships(person=hartwell)
    [from_child] = selectors.person_relationships(person=child)
    assert (from_parent.kind, from_parent.label, from_parent.other) == (
        "parent_of",
        "Parent of",
        child,
    )
    assert (from_child.kind, from_child.label, from_child.other) == (
        "child_of",
        "Child of",
        hartwell,
    )


def test_address_find_matches_a_first_line_typed_another_way():
    address = AddressFactory(line1="Flat 1, 12 High Street", postcode="CO1 1AA")
    AddressFactory(line1="14 High Street", postcode="CO1 1AA")
    assert list(selectors.address_find(line1="flat 1 12 high st", postcode="co1 1aa")) == [address]
    assert selectors.address_find(postcode="co11aa").count() == 2
    assert not selectors.address_find(postcode="not one").exists()


def _people_named_smith(count: int):
    home = AddressFactory(line1="1 Fictional Road", postcode="CO1 1AA")
    for n in range(count):
        PersonFactory(
            given_name="Jane",
            family_name="Smith",
            date_of_birth=dt.date(1990, 3, 27),
            phone=drama_number(n),
            address=home,
            aliases=[("Janey", f"Smyth{n}")],
        )


@pytest.mark.parametrize("count", [5, 50])
def test_person_search_query_count_does_not_grow_with_the_people_found(
    count, django_assert_max_num_queries
):
    _people_named_smith(count)
    # 11 on SQLite; PostgreSQL adds one trigram query.
    with django_assert_max_num_queries(12):
        found = selectors.person_search(
            name="Jane Smith", postcode="CO1 1AA", date_of_birth=dt.date(1990, 3, 27), limit=50
        )
        for person in found:
            [link.phone.e164 for link in person.phone_links.all()]
            [link.address.postcode for link in person.address_links.all()]
            [name.key.text for name in person.names.all()]
    assert len(found) == count


@pytest.fixture
def first_names():
    return {
        "priya": PersonFactory(given_name="Priya", family_name="Sharma"),
        "leah": PersonFactory(given_name="Leah", family_name="Moss"),
        "darren": PersonFactory(given_name="Darren", family_name="Pike", aliases=[("Daz", "Pike")]),
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [("Priya", "priya"), ("leah", "leah"), ("DARREN", "darren"), ("Daz", "darren")],
)
def test_a_first_name_or_nickname_alone_finds_the_person(first_names, smith, typed, who):
    assert selectors.person_search(name=typed) == [first_names[who]]
    assert selectors.person_search(name=typed, limit=8) == [first_names[who]]


def test_one_word_ranks_a_last_name_then_an_exact_first_name_then_a_near_one():
    # Lea sounds like Leah (Soundex L000): a near last name, found on both databases.
    near = PersonFactory(given_name="Sam", family_name="Lea")
    exact = PersonFactory(given_name="Leah", family_name="Moss")
    surname = PersonFactory(given_name="Jo", family_name="Leah")
    PersonFactory(given_name="Priya", family_name="Sharma")
    assert selectors.person_search(name="Leah") == [surname, exact, near]


def test_a_common_first_name_alone_is_still_limited():
    for n in range(12):
        PersonFactory(given_name="Priya", family_name=f"Sharma{chr(97 + n)}")
    PersonFactory(given_name="Pri", family_name="Moss")
    found = selectors.person_search(name="Priya", limit=8)
    assert len(found) == 8
    assert {p.given_name for p in found} == {"Priya"}


@pytest.mark.parametrize("count", [5, 50])
def test_first_name_search_query_count_does_not_grow_with_the_people_found(
    count, django_assert_max_num_queries
):
    _people_named_smith(count)
    # Name keys: family key, given names like it, first names (exact and near) and the
    # exact name (SQLite) or trigram (PostgreSQL); the people's names; the people and
    # their names, addresses, numbers.
    with django_assert_max_num_queries(9):
        found = selectors.person_search(name="Jane", limit=50)
        for person in found:
            [link.phone.e164 for link in person.phone_links.all()]
            [link.address.postcode for link in person.address_links.all()]
            [name.key.text for name in person.names.all()]
    assert len(found) == count


# A misspelt first name alone


@pytest.fixture
def misspelt():
    # Long last names: a full-name trigram alone would not find these first names.
    return {
        "leah": PersonFactory(given_name="Leah", family_name="Blackwood-Hughes"),
        "sharon": PersonFactory(given_name="Sharon", family_name="Whitlingham"),
        "darren": PersonFactory(given_name="Darren", family_name="Fitzwilliam"),
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [("Leha", "leah"), ("sharron", "sharon"), ("Sharon", "sharon"), ("DARRNE", "darren")],
)
def test_a_misspelt_first_name_alone_finds_the_person(misspelt, smith, typed, who):
    assert selectors.person_search(name=typed) == [misspelt[who]]
    assert selectors.person_search(name=typed, limit=8) == [misspelt[who]]


@pytest.mark.parametrize("typed", ["Lisa", "Karen", "Okonkwo", "Sh"])
def test_a_first_name_unlike_anyone_s_finds_nobody(misspelt, typed):
    assert selectors.person_search(name=typed) == []


def test_a_misspelt_first_name_ranks_after_exact_and_near_last_names_and_an_exact_first_name():
    near_first = PersonFactory(given_name="Sharon", family_name="Whitlingham")
    exact_first = PersonFactory(given_name="Sharron", family_name="Pike")
    near_last = PersonFactory(given_name="Sam", family_name="Sharon")
    exact_last = PersonFactory(given_name="Jo", family_name="Sharron")
    PersonFactory(given_name="Karen", family_name="Moss")
    found = selectors.person_search(name="Sharron")
    assert found == [exact_last, exact_first, near_last, near_first]


def test_an_exact_first_name_is_not_crowded_out_by_a_commoner_near_one():
    for n in range(60):
        PersonFactory(given_name="Sharon", family_name=f"Whitlingham{chr(97 + n % 26)}{n}")
    exact = PersonFactory(given_name="Sharron", family_name="Pike")
    found = selectors.person_search(name="Sharron", limit=8)
    assert found[0] == exact
    assert len(found) == 8


@pytest.mark.parametrize("count", [5, 50])
def test_misspelt_first_name_search_query_count_does_not_grow(count, django_assert_max_num_queries):
    _people_named_smith(count)
    # Given names that sound like "Jnae" too (J500): one query reads all their name keys.
    for given in ["Jan", "Janie", "Jean", "Joan", "Jayne", "June", "Jana"]:
        PersonFactory(given_name=given, family_name="Okafor")
    with django_assert_max_num_queries(9):
        found = selectors.person_search(name="Jnae", limit=50)
        for person in found:
            [link.phone.e164 for link in person.phone_links.all()]
            [link.address.postcode for link in person.address_links.all()]
            [name.key.text for name in person.names.all()]
    # Jane, June and Jana are as near to "Jnae"; the 50 Janes fill the limit first.
    assert {p.given_name for p in found[:count]} == {"Jane"}
    assert {p.given_name for p in found[count:]} == ({"June", "Jana"} if count == 5 else set())


def test_recording_a_name_adds_its_first_name_to_the_given_names_once():
    PersonFactory(given_name="Leah", family_name="Moss")
    PersonFactory(given_name="Léah", family_name="Pike", aliases=[("Leah Jo", "Moss-Pike")])
    services.name_key_for(given_name="", family_name="Okafor")
    assert list(GivenName.objects.values_list("text", "sound_key")) == [("leah", "L000")]


def test_a_misspelt_first_name_is_found_when_many_first_names_sound_alike():
    """More first names share the sound of "Leha" (L000) than are read: the ones closest
    to it are read first, not whichever were recorded first."""
    import itertools

    from people.models import GivenName

    fillers = [
        "l" + "".join(tail)
        for size in (1, 2, 4, 5)
        for tail in itertools.product("aeiouy", repeat=size)
    ][:80]
    assert len({matching.soundex(name) for name in fillers}) == 1
    GivenName.objects.bulk_create(
        [GivenName(text=name, sound_key=matching.soundex(name)) for name in fillers]
    )
    leah = PersonFactory(given_name="Leah", family_name="Moss")
    assert selectors.person_search(name="Leha") == [leah]
