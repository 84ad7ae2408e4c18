"""Volume data (`manage.py generate_volume`): the right counts, only fictional numbers
and real-shaped postcodes, the patterns the look-up must handle (repeat victims, serial
perpetrators), and a look-up that finds a generated repeat victim's history."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from calls import intelligence
from calls.choices import IncidentRole
from calls.models import Incident, IncidentPerson
from demo import volume
from demo.tests.test_seed_demo import REAL_NAME_HASHES
from org.models import District
from people import matching
from people.choices import FlagKind
from people.models import Address, Flag, GivenName, NameKey, PersonName, PersonPhone, PhoneNumber

pytestmark = pytest.mark.django_db

INCIDENTS = 200


def _generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_volume", incidents=INCIDENTS, seed=3, batch=60, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated():
    return _generate()


def _victims_by_suspect() -> dict[int, set[int]]:
    roles: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for incident_id, person_id, role in IncidentPerson.objects.values_list(
        "incident_id", "person_id", "role"
    ):
        roles[incident_id][role].add(person_id)
    victims: dict[int, set[int]] = defaultdict(set)
    for by_role in roles.values():
        for suspect in by_role[IncidentRole.SUSPECT]:
            victims[suspect] |= by_role[IncidentRole.VICTIM]
    return victims


def _incidents_by_victim() -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for person_id in IncidentPerson.objects.filter(role=IncidentRole.VICTIM).values_list(
        "person_id", flat=True
    ):
        counts[person_id] += 1
    return counts


def test_it_writes_the_incidents_asked_for_each_with_one_victim_and_one_suspect(generated):
    assert volume.volume_incident_count() == INCIDENTS
    assert Incident.objects.count() == INCIDENTS
    per_incident: dict[int, list[str]] = defaultdict(list)
    for incident_id, role in IncidentPerson.objects.values_list("incident_id", "role"):
        per_incident[incident_id].append(role)
    assert len(per_incident) == INCIDENTS
    for roles in per_incident.values():
        assert roles.count(IncidentRole.VICTIM) == 1
        assert roles.count(IncidentRole.SUSPECT) == 1
    assert IncidentPerson.objects.filter(role=IncidentRole.CHILD).exists()
    assert f"{INCIDENTS:,} incidents" in generated


def test_incidents_are_graded_with_a_mix_of_grades_over_three_years(generated):
    grades = set(Incident.objects.values_list("grade", flat=True))
    assert grades == {"emergency", "priority", "scheduled", "telephone"}
    assert not Incident.objects.filter(status="draft").exists()
    oldest = Incident.objects.order_by("created_at").first().created_at
    newest = Incident.objects.order_by("-created_at").first().created_at
    assert newest <= timezone.now()
    assert oldest >= timezone.now() - dt.timedelta(days=3 * 365 + 1)
    assert newest - oldest > dt.timedelta(days=365)
    assert all(
        isinstance(a, dict) and "fear_level" in a
        for a in Incident.objects.values_list("answers", flat=True)
    )


def test_every_phone_number_is_in_an_ofcom_drama_range(generated):
    numbers = list(PhoneNumber.objects.values_list("e164", flat=True))
    assert numbers
    for e164 in numbers:
        assert matching.normalise_phone(e164) == e164
        assert e164[3:].startswith(matching._DRAMA_PREFIXES), e164
    typed = Incident.objects.exclude(caller_phone=None).values_list(
        "caller_phone__e164", "caller_phone_raw"
    )
    assert typed
    for e164, raw in typed:
        assert matching.normalise_phone(raw) == e164


def test_every_postcode_normalises_and_lies_in_its_districts_prefixes(generated):
    prefixes = {d.pk: d.prefixes() for d in District.objects.all()}
    addresses = list(Address.objects.all())
    assert addresses
    for address in addresses:
        assert matching.normalise_postcode(address.postcode) == address.postcode
        assert matching.postcode_district(address.postcode) in prefixes[address.district_id]
        assert address.match_key == matching.address_match_key(address.line1, address.postcode)


def test_serial_perpetrators_have_two_or_more_distinct_victims(generated):
    victims = _victims_by_suspect()
    assert any(len(people) >= 2 for people in victims.values())


def test_repeat_victims_have_several_incidents(generated):
    counts = _incidents_by_victim()
    assert max(counts.values()) >= 3
    assert sum(1 for n in counts.values() if n >= 2) >= 5


def test_name_keys_are_unique_and_are_the_normalised_names_people_bear(generated):
    texts = list(NameKey.objects.values_list("text", flat=True))
    assert len(texts) == len(set(texts))
    names = PersonName.objects.select_related("key")
    assert names.count() > INCIDENTS
    for name in names:
        assert name.key.text == matching.normalise_name(name.given_name, name.family_name)
        assert name.key.family_key == matching.family_key(name.family_name)
    assert names.filter(kind="primary").count() == names.values("person").distinct().count()


def test_the_distinct_given_names_are_the_first_names_of_the_name_keys(generated):
    expected = {matching.given_word(t) for t in NameKey.objects.values_list("text", flat=True)}
    expected.discard("")
    given = dict(GivenName.objects.values_list("text", "sound_key"))
    assert len(given) > 10
    assert set(given) == expected
    assert all(key == matching.soundex(text) for text, key in given.items())


def test_the_look_up_finds_the_history_of_a_repeat_victims_number(generated):
    repeat_victims = [p for p, n in _incidents_by_victim().items() if n >= 2]
    since = timezone.now() - dt.timedelta(days=365)
    link = (
        PersonPhone.objects.filter(
            person_id__in=repeat_victims, phone__incidents__created_at__gte=since
        )
        .select_related("phone")
        .first()
    )
    assert link is not None, "the seed gives a repeat victim who called in the last year"
    package, _ = intelligence.lookup(intelligence.LookupQuery(phone=link.phone.national))
    assert not package.unavailable
    assert package.incident_count >= 1
    assert link.person_id in {p["id"] for p in package.people if p["direct"]}
    assert package.suspects


def test_flags_mark_high_risk_victims_and_each_names_its_one_subject(generated):
    flags = list(Flag.objects.all())
    assert any(f.kind == FlagKind.HIGH_RISK_VICTIM for f in flags)
    for flag in flags:
        subjects = [s for s in ("person", "address", "phone") if getattr(flag, f"{s}_id")]
        assert len(subjects) == 1
        assert flag.subject_key == f"{subjects[0]}:{getattr(flag, f'{subjects[0]}_id')}"
        assert flag.source.startswith("volume:")


def test_no_history_rows_are_written_for_volume_data(generated):
    assert not Incident.history.exists()
    assert not Address.history.exists()


def test_it_refuses_to_run_again_unless_asked_to_append(generated):
    with pytest.raises(CommandError, match="already exists"):
        _generate()
    _generate(append=True)
    assert volume.volume_incident_count() == 2 * INCIDENTS
    texts = list(NameKey.objects.values_list("text", flat=True))
    assert len(texts) == len(set(texts))
    expected = {matching.given_word(t) for t in texts} - {""}
    assert set(GivenName.objects.values_list("text", flat=True)) == expected


def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _generate()
    assert not Incident.objects.exists()


def test_the_name_lists_never_use_the_names_of_the_real_victims_or_killers():
    names = volume.FEMALE_GIVEN + volume.MALE_GIVEN + volume.FAMILY_NAMES + volume.NICKNAMES
    tokens = {t for name in names for t in re.split(r"[^\w']+", name.lower()) if t}
    assert len(tokens) > 1000
    hashes = {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    assert hashes & REAL_NAME_HASHES == set()


def test_the_drama_pool_is_eighteen_ranges_of_a_thousand_valid_numbers():
    pool = volume.drama_numbers()
    assert len(pool) == len(set(pool)) == 18_000
    assert all(matching.normalise_phone(n) == n for n in pool[::997])
