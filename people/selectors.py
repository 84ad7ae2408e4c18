"""Reads for people and places: matching across formats."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Abs, Length
from rapidfuzz import fuzz

from people import matching
from people.models import (
    Address,
    GivenName,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
)

FUZZY_CANDIDATES = 50
FUZZY_MIN_SCORE = 70.0
# pg_trgm's `%` thresholds: a full name, and a single word (pg_trgm's default).
FULL_NAME_TRIGRAM_THRESHOLD = 0.4
WORD_TRIGRAM_THRESHOLD = 0.3
# One word matched as a first name ranks just below the same word as a last name.
GIVEN_NAME_ONLY_PENALTY = 1.0
# A misspelt first name alone: name keys are read for this many given names like it.
NEAR_GIVEN_NAMES = 5


def people_with_contacts() -> QuerySet[Person]:
    """People with their names, addresses and numbers, in a fixed number of queries."""
    return Person.objects.prefetch_related(
        Prefetch("names", queryset=PersonName.objects.select_related("key")),
        Prefetch(
            "address_links", queryset=PersonAddress.objects.select_related("address__district")
        ),
        Prefetch("phone_links", queryset=PersonPhone.objects.select_related("phone")),
    )


def phone_find(*, raw: str) -> PhoneNumber | None:
    e164 = matching.try_normalise_phone(raw)
    if not e164:
        return None
    return PhoneNumber.objects.filter(e164=e164).first()


def address_find(*, line1: str = "", postcode: str = "") -> QuerySet[Address]:
    """Addresses at this postcode, narrowed by first line when one is given."""
    normal = matching.try_normalise_postcode(postcode)
    if not normal:
        return Address.objects.none()
    if line1.strip():
        key = f"{normal}|{matching.normalise_address_line(line1)}"
        exact = Address.objects.filter(match_key=key)
        if exact.exists():
            return exact
        return Address.objects.filter(
            postcode=normal, match_key__contains=matching.normalise_address_line(line1)
        )
    return Address.objects.filter(postcode=normal)


@dataclass(frozen=True)
class NameMatch:
    key_id: int
    text: str
    score: float


def _name_key_candidates(text: str, family_key: str) -> list[tuple[int, str]]:
    """Candidate name keys: trigram similarity on PostgreSQL, plus the phonetic family
    key everywhere (the honest SQLite fallback: it finds Smyth for Smith, not typos
    that change the sound); and for one word, the names whose first name is that word
    or one like it (`_given_names_like`)."""
    candidates: dict[int, str] = {}
    if connection.vendor == "postgresql":
        # A full name shares trigrams with every namesake's first name: a higher `%`
        # threshold keeps the index scan small (p95 29 -> 16 ms at 350,000 names) and
        # still finds a one-letter typo (benchmarks/README.md). set_config(..., true) in
        # the same query string lasts until the transaction ends (in autocommit, this
        # query's own): no extra round trip, and every search sets its own threshold.
        threshold = FULL_NAME_TRIGRAM_THRESHOLD if " " in text else WORD_TRIGRAM_THRESHOLD
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true); "
                "SELECT id, text FROM people_namekey WHERE text %% %s "
                "ORDER BY similarity(text, %s) DESC, id LIMIT %s",
                [str(threshold), text, text, FUZZY_CANDIDATES],
            )
            candidates.update(cursor.fetchall())
    if family_key:
        for pk, key_text in NameKey.objects.filter(family_key=family_key).values_list("pk", "text")[
            : FUZZY_CANDIDATES * 4
        ]:
            candidates[pk] = key_text
    if text and " " not in text:
        # One word may be a first name ("Priya"), or a misspelt one ("Leha"): keys that
        # begin with it or with a given name like it, one query whatever their number:
        # each `LIKE 'priya %'` uses the pattern index Django gives the unique `text` on
        # PostgreSQL (and the trigram index), so it stays an index scan at 355,000 names,
        # and each has its own LIMIT (a common near name cannot crowd out the exact one).
        sql, params = [], []
        for n, given in enumerate([text, *_given_names_like(text)]):
            keys = NameKey.objects.filter(text__startswith=f"{given} ").values_list("pk", "text")
            keys = keys[: FUZZY_CANDIDATES * 4 if n == 0 else FUZZY_CANDIDATES]
            one_sql, one_params = keys.query.sql_with_params()
            # SQLite allows a LIMIT inside UNION ALL only in a subquery of its own.
            sql.append(f"SELECT * FROM ({one_sql}) AS given_{n}")  # noqa: S608 (values are params)
            params.extend(one_params)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sql), params)
            candidates.update(cursor.fetchall())
    if connection.vendor != "postgresql":
        # (On PostgreSQL the trigram query above always finds the exact name.)
        for pk, key_text in NameKey.objects.filter(text=text).values_list("pk", "text"):
            candidates[pk] = key_text
    return list(candidates.items())


def _given_names_like(word: str) -> list[str]:
    """Distinct given names near this one word, best first, at most `NEAR_GIVEN_NAMES`
    (the word itself excluded): in one query over the small distinct-given-name table,
    by the phonetic key everywhere ("Leha" is Leah's L000, too few shared trigrams) and
    by trigram similarity on PostgreSQL ("Sharron", "Shraon")."""
    sound_key = matching.soundex(word)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true); "
                "(SELECT text FROM people_givenname WHERE text %% %s "
                " ORDER BY similarity(text, %s) DESC, text LIMIT %s) "
                "UNION (SELECT text FROM people_givenname WHERE sound_key = %s "
                " ORDER BY similarity(text, %s) DESC, text LIMIT %s)",
                [str(WORD_TRIGRAM_THRESHOLD), word, word, FUZZY_CANDIDATES]
                + [sound_key, word, FUZZY_CANDIDATES],
            )
            names = [given for (given,) in cursor.fetchall()]
    elif sound_key:
        # Without trigrams, the names closest in length first when the key is common.
        names = list(
            GivenName.objects.filter(sound_key=sound_key)
            .order_by(Abs(Length("text") - len(word)), "text")
            .values_list("text", flat=True)[:FUZZY_CANDIDATES]
        )
    else:
        return []
    scored = sorted(
        (-(fuzz.ratio(word, given) - GIVEN_NAME_ONLY_PENALTY), given)
        for given in names
        if given != word
    )
    return [given for score, given in scored if -score >= FUZZY_MIN_SCORE][:NEAR_GIVEN_NAMES]


def _one_word_score(word: str, key_text: str) -> float:
    """How well one word names this person: as their last name, or as their first name
    (callers often give only that). A first name scores a point less, so that at the same
    spelling a last name comes first, and an exact first name still before a near one."""
    words = key_text.split()
    if not words:
        return 0
    family = fuzz.ratio(word, words[-1])
    given = fuzz.ratio(word, words[0]) - GIVEN_NAME_ONLY_PENALTY if len(words) > 1 else 0
    return max(family, given)


def name_matches(*, given_name: str = "", family_name: str) -> list[NameMatch]:
    """Distinct names like this one, best first, re-ranked by rapidfuzz. A name of one
    word (no given name) matches a last name or a first name."""
    text = matching.normalise_name(given_name, family_name)
    if not text:
        return []
    family_only = not matching.fold(given_name)
    scored = []
    for pk, key_text in _name_key_candidates(text, matching.family_key(family_name)):
        if family_only:
            score = _one_word_score(text, key_text)
        else:
            score = fuzz.token_sort_ratio(text, key_text)
        if score >= FUZZY_MIN_SCORE:
            scored.append(NameMatch(pk, key_text, score))
    scored.sort(key=lambda m: (-m.score, m.text))
    return scored[:FUZZY_CANDIDATES]


def person_search(
    *, name: str = "", date_of_birth=None, phone: str = "", postcode: str = "", limit: int = 25
) -> list[Person]:
    """People matching any of name, date of birth, number or postcode, best first."""
    ranked = person_search_ids(
        name=name, date_of_birth=date_of_birth, phone=phone, postcode=postcode, limit=limit
    )
    people = people_with_contacts().in_bulk(ranked)
    return [people[pk] for pk in ranked if pk in people]


def person_search_ids(
    *, name: str = "", date_of_birth=None, phone: str = "", postcode: str = "", limit: int = 25
) -> list[int]:
    """The ids `person_search` would return, best first, for callers that page or scope
    their own queryset (the API)."""
    ids: dict[int, float] = {}
    if name.strip():
        parts = name.split()
        given, family = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", parts[0])
        matches = name_matches(given_name=given, family_name=family)
        score_by_key = {m.key_id: m.score for m in matches}
        for person_id, key_id in PersonName.objects.filter(
            key_id__in=list(score_by_key)
        ).values_list("person_id", "key_id"):
            ids[person_id] = max(ids.get(person_id, 0), score_by_key[key_id])
    if phone.strip():
        found = phone_find(raw=phone)
        if found:
            for person_id in found.person_links.values_list("person_id", flat=True):
                ids[person_id] = ids.get(person_id, 0) + 100
    if postcode.strip():
        at_postcode = set(
            Address.objects.filter(
                postcode=matching.try_normalise_postcode(postcode) or "-",
                person_links__isnull=False,
            ).values_list("person_links__person_id", flat=True)
        )
        for person_id in at_postcode:
            ids[person_id] = ids.get(person_id, 0) + 50
    if date_of_birth:
        if ids:
            for person_id in Person.objects.filter(
                pk__in=list(ids), date_of_birth=date_of_birth
            ).values_list("pk", flat=True):
                ids[person_id] += 100
        elif not name.strip():
            for person_id in Person.objects.filter(date_of_birth=date_of_birth).values_list(
                "pk", flat=True
            )[:limit]:
                ids[person_id] = 100
    ranked = sorted(ids.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [pk for pk, _ in ranked]


def person_duplicates(*, given_name: str, family_name: str, date_of_birth=None) -> list[Person]:
    """People who may be the one about to be recorded: proposed, never merged."""
    matches = name_matches(given_name=given_name, family_name=family_name)
    strong = [m.key_id for m in matches if m.score >= 85]
    if not strong:
        return []
    people = people_with_contacts().filter(names__key_id__in=strong).distinct()
    if date_of_birth:
        # Someone recorded without a date of birth may still be the same person.
        # (`date_of_birth__in=[dob, None]` would drop them: SQL IN never matches NULL.)
        people = people.filter(Q(date_of_birth=date_of_birth) | Q(date_of_birth__isnull=True))
    return list(people[:10])


@dataclass(frozen=True)
class RelationshipView:
    label: str
    other: Person
    kind: str = ""


def person_relationships(*, person: Person) -> list[RelationshipView]:
    """A person's ties, read from their side (parent_of reversed reads as child of)."""
    from people.models import Relationship

    out: list[RelationshipView] = []
    for rel in Relationship.objects.filter(person=person, ended__isnull=True).select_related(
        "other"
    ):
        out.append(RelationshipView(rel.get_kind_display(), rel.other, rel.kind))
    for rel in Relationship.objects.filter(other=person, ended__isnull=True).select_related(
        "person"
    ):
        if rel.kind == "parent_of":
            out.append(RelationshipView("Child of", rel.person, "child_of"))
        else:
            out.append(RelationshipView(rel.get_kind_display(), rel.person, rel.kind))
    return out
