"""`VolumeGenerator`: fictional households and their incidents, generated in batches and
handed to a table writer (see the package docstring for their shape)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from calls.choices import Grade, IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson, QuestionSet
from demo.volume.bulk import BATCH_SETTINGS, begin_bulk_load, execute_each
from demo.volume.words import (
    FAMILY_NAMES,
    FEAR_REASON,
    FEMALE_GIVEN,
    LANGUAGES,
    MALE_GIVEN,
    NARRATIVES,
    NICKNAMES,
    OTHER_GRADE_REASON,
    POSTCODE_UNIT_LETTERS,
    SAFE_CONTACT,
    SAFE_TIMES,
    STREET_TYPES,
    STREET_WORDS,
    drama_numbers,
    national_format,
)
from demo.volume.writers import Ids, InsertWriter, PostgresCopyWriter, Table, Writer
from org.models import District
from people import matching
from people.choices import (
    AddressKind,
    FlagKind,
    FlagSeverity,
    Gender,
    LocationType,
    NameKind,
    PhoneKind,
    RelationshipKind,
)
from people.models import (
    Address,
    Flag,
    GivenName,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
    Relationship,
)

VOLUME_KEY_PREFIX = "volume:"
YEARS = 3
ONE_DAY = dt.timedelta(days=1)
THIRTY_DAYS = dt.timedelta(days=30)
HOUSES_PER_POSTCODE = 40
EMERGENCY, PRIORITY, SCHEDULED = Grade.EMERGENCY.value, Grade.PRIORITY.value, Grade.SCHEDULED.value
VICTIM, SUSPECT, CHILD = (
    IncidentRole.VICTIM.value,
    IncidentRole.SUSPECT.value,
    IncidentRole.CHILD.value,
)

INCIDENTS_PER_VICTIM = [(1, 55), (2, 20), (3, 10), (4, 5), (5, 3), (6, 2), (8, 2), (10, 1.5)]
INCIDENTS_PER_VICTIM += [(14, 1), (20, 0.5)]
GRADES = [
    (Grade.EMERGENCY.value, 12),
    (Grade.PRIORITY.value, 46),
    (Grade.SCHEDULED.value, 28),
    (Grade.TELEPHONE.value, 14),
]

# Shares (0 to 1) that shape the households.
P_SERIAL_START = 0.05  # a new suspect who goes on to abuse one to three more victims
P_SERIAL_REUSE = 0.10  # a household whose suspect is an existing serial perpetrator
P_PARTNER = 0.55  # current partner (else ex-partner)
P_COHABIT = 0.5  # a current partner who lives at the victim's address
P_CHILDREN = 0.45
P_CHILD_ON_INCIDENT = 0.35
P_PHONE_REPEAT_VICTIM = 0.20
P_PHONE_ONE_OFF_VICTIM = 0.06
P_PHONE_SUSPECT = 0.03
P_CALLER_PHONE = 0.85
P_AT_SUSPECT_ADDRESS = 0.08
P_ALIAS = 0.04
P_PREVIOUS_NAME = 0.05
P_GRADE_DEPARTS = 0.15
P_FLAG_HIGH_RISK = 0.05
P_FLAG_MARAC = 0.025
P_FLAG_BAIL = 0.03
P_FLAG_WEAPONS = 0.02
P_FLAG_SAFETY_PLAN = 0.03


def volume_incidents() -> models.QuerySet[Incident]:
    return Incident.objects.filter(idempotency_key__startswith=VOLUME_KEY_PREFIX)


def volume_incident_count() -> int:
    return volume_incidents().count()


def _weighted(rng: random.Random, choices: list[tuple]) -> Callable[[], object]:
    values = [c[0] for c in choices]
    cumulative = list(itertools.accumulate(c[1] for c in choices))
    total = cumulative[-1]

    def pick():
        return values[bisect.bisect(cumulative, rng.random() * total)]

    return pick


def _zipf(rng: random.Random, values: list[str], s: float = 0.9) -> Callable[[], str]:
    """Pick from `values` in a shuffled order with Zipf-like weights: a few names are
    common, most are rare, as in a real population."""
    order = values[:]
    rng.shuffle(order)
    return _weighted(rng, [(v, 1 / (i + 1) ** s) for i, v in enumerate(order)])


@dataclass(frozen=True)
class _Place:
    id: int
    district: int
    location_type: str


@dataclass
class _Household:
    victim: int
    suspect: int
    home: _Place
    suspect_home: _Place
    children: list[int] = field(default_factory=list)
    victim_phone: int | None = None


@dataclass
class VolumeResult:
    incidents: int
    seconds: float
    rows: dict[str, int]
    rebuild_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


class VolumeGenerator:
    """Writes `incidents` synthetic incidents and everything around them, generated in
    batches of `batch` incidents (see `run` for the transactions)."""

    def __init__(
        self,
        *,
        incidents: int,
        seed: int = 1,
        batch: int = 20_000,
        now: dt.datetime | None = None,
        progress: Callable[[str], None] | None = None,
        rebuild_indexes: bool = False,
    ):
        self.rebuild_indexes = rebuild_indexes
        self.target = incidents
        self.batch = max(1, batch)
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.progress = progress or (lambda _line: None)
        self.writer: Writer = (
            PostgresCopyWriter(connection, threaded=rebuild_indexes)
            if connection.vendor == "postgresql"
            else InsertWriter(connection)
        )
        rng = self.rng
        self.pick_female = _zipf(rng, FEMALE_GIVEN)
        self.pick_male = _zipf(rng, MALE_GIVEN)
        self.pick_family = _zipf(rng, FAMILY_NAMES, s=0.6)
        self.pick_incident_count = _weighted(rng, INCIDENTS_PER_VICTIM)
        self.pick_grade = _weighted(rng, GRADES)
        self.pick_language = _weighted(rng, LANGUAGES)
        self._tables()

    def _tables(self) -> None:
        now = self.now
        spec = [
            ("namekey", NameKey, "id text family_key"),
            ("givenname", GivenName, "id text sound_key"),
            (
                "person",
                Person,
                "id given_name family_name date_of_birth gender language interpreter_needed "
                "safe_contact_instructions safe_times no_voicemail created_at updated_at",
            ),
            ("personname", PersonName, "id person given_name family_name kind key"),
            ("address", Address, "id line1 town postcode district location_type match_key"),
            ("personaddress", PersonAddress, "id person address kind is_current since"),
            ("phone", PhoneNumber, "id e164 kind"),
            ("personphone", PersonPhone, "id person phone is_safe"),
            ("relationship", Relationship, "id person other kind since"),
            (
                "incident",
                Incident,
                "id status caller_phone caller_phone_raw address location_type narrative "
                "question_set answers suggested_grade suggestion_reasons grade grade_reason "
                "graded_at attend_by appointment_at district idempotency_key created_at "
                "updated_at",
            ),
            ("incidentperson", IncidentPerson, "id incident person role"),
            (
                "flag",
                Flag,
                "id kind severity person address phone summary source subject_key starts_at "
                "ends_at",
            ),
        ]
        # Written in this order, each batch in one transaction.
        self.tables = {name: Table(model, names.split(), now) for name, model, names in spec}

    # Setup ----------------------------------------------------------------------------

    def _load_state(self) -> None:
        rng = self.rng
        self.prefixes: list[tuple[str, int, str]] = [
            (prefix, district.pk, district.name)
            for district in District.objects.exclude(postcode_prefixes="").order_by("code")
            for prefix in district.prefixes()
        ]
        if not self.prefixes:
            raise RuntimeError("No districts with postcode prefixes: load the organisation first.")
        self.question_set_id = (
            QuestionSet.objects.filter(code="control-room-call", is_current=True)
            .values_list("pk", flat=True)
            .first()
        )
        self.name_keys: dict[str, int] = dict(NameKey.objects.values_list("text", "pk"))
        self.name_pairs: dict[tuple[str, str], int] = {}
        self.given_names: set[str] = set(GivenName.objects.values_list("text", flat=True))
        self.family_keys: dict[str, str] = {}
        self.street_keys: dict[str, str] = {}
        self.address_keys: set[str] = set(Address.objects.values_list("match_key", flat=True))
        self.address_index = Address.objects.count()
        self.address_capacity = len(self.prefixes) * 10 * 400 * HOUSES_PER_POSTCODE
        self.address_step = self._coprime_step(self.address_capacity)
        pool = drama_numbers()
        rng.shuffle(pool)
        self.phone_pool = pool
        self.phone_index = PersonPhone.objects.count()
        self.phone_ids: dict[str, int] = {}
        self.phone_typed: dict[int, str] = {}
        drama = set(pool)
        for e164, pk in PhoneNumber.objects.values_list("e164", "pk").iterator():
            if e164 in drama:
                self.phone_ids[e164] = pk
                self.phone_typed[pk] = national_format(e164)
        self.ids = {
            model: Ids(self.writer, model, block)
            for model, block in [
                (NameKey, 2_000),
                (GivenName, 1_000),
                (Person, 10_000),
                (PersonName, 10_000),
                (Address, 5_000),
                (PersonAddress, 10_000),
                (PhoneNumber, 1_000),
                (PersonPhone, 1_000),
                (Relationship, 10_000),
                (Incident, 10_000),
                (IncidentPerson, 20_000),
                (Flag, 1_000),
            ]
        }

    def _coprime_step(self, capacity: int) -> int:
        step = 1_000_003
        while math.gcd(step, capacity) != 1:
            step += 2
        return step

    # Rows -----------------------------------------------------------------------------

    def _name_key(self, given: str, family: str) -> int:
        pk = self.name_pairs.get((given, family))
        if pk is not None:
            return pk
        text = matching.normalise_name(given, family)
        pk = self.name_keys.get(text)
        if pk is None:
            fkey = self.family_keys.get(family)
            if fkey is None:
                fkey = self.family_keys[family] = matching.family_key(family)
            pk = self.name_keys[text] = self.ids[NameKey].take()
            self.rows["namekey"].append((pk, text, fkey))
            given_word = matching.given_word(text)[:100]
            if given_word and given_word not in self.given_names:
                self.given_names.add(given_word)
                self.rows["givenname"].append(
                    (self.ids[GivenName].take(), given_word, matching.soundex(given_word))
                )
        self.name_pairs[(given, family)] = pk
        return pk

    def _person(self, given, family, born, gender, since, *, victim=False) -> int:
        rng = self.rng
        pk = self.ids[Person].take()
        language = self.pick_language()
        instructions = times = ""
        no_voicemail = False
        if victim and rng.random() < 0.15:
            instructions = rng.choice(SAFE_CONTACT)
            times = rng.choice(SAFE_TIMES)
            no_voicemail = rng.random() < 0.7
        interpreter = language != "English" and rng.random() < 0.4
        self.rows["person"].append(
            (pk, given, family, born, gender, language, interpreter)
            + (instructions, times, no_voicemail, since, since)
        )
        self._person_name(pk, given, family, NameKind.PRIMARY.value)
        return pk

    def _person_name(self, person: int, given: str, family: str, kind: str) -> None:
        key = self._name_key(given, family)
        self.rows["personname"].append(
            (self.ids[PersonName].take(), person, given, family, kind, key)
        )

    def _born(self, low: int, high: int) -> dt.date:
        days = self.rng.randint(low * 365, high * 365 + 364)
        return self.now.date() - dt.timedelta(days=days)

    def _address(self) -> _Place:
        """A new address, unique by construction: the address index runs through a
        permutation of (postcode prefix, sector digit, unit letters, house)."""
        while True:
            index = self.address_index
            self.address_index += 1
            if index >= self.address_capacity:
                raise RuntimeError("Out of synthetic addresses for these postcode prefixes.")
            slot = (index * self.address_step) % self.address_capacity
            prefix_i, slot = slot % len(self.prefixes), slot // len(self.prefixes)
            unit, house = slot % 4000, slot // 4000
            prefix, district_id, town = self.prefixes[prefix_i]
            letters = POSTCODE_UNIT_LETTERS
            postcode = f"{prefix}{unit % 10}{letters[unit // 10 % 20]}{letters[unit // 200]}"
            street_i = (prefix_i * 7919 + unit * 104729) % (len(STREET_WORDS) * len(STREET_TYPES))
            word = STREET_WORDS[street_i % len(STREET_WORDS)]
            street = f"{word} {STREET_TYPES[street_i // len(STREET_WORDS)]}"
            if house < 30:
                line1 = f"{house + 1} {street}"
                place = street
            else:
                place = f"{word} House, {street}"
                line1 = f"Flat {house - 29}, {place}"
            normal = self.street_keys.get(place)
            if normal is None:
                normal = self.street_keys[place] = matching.normalise_address_line(place)
            # Same as matching.address_match_key(line1, postcode) (checked by the tests).
            number = f"{house + 1}" if house < 30 else f"flat {house - 29}"
            key = f"{postcode}|{number} {normal}"
            if key in self.address_keys:
                continue
            self.address_keys.add(key)
            pk = self.ids[Address].take()
            rural = (unit * 31 + prefix_i) % 4 == 0
            location = LocationType.RURAL.value if rural else LocationType.URBAN.value
            self.rows["address"].append((pk, line1, town, postcode, district_id, location, key))
            return _Place(pk, district_id, location)

    def _live_at(self, person: int, place: _Place, kind: str, current: bool, since) -> None:
        self.rows["personaddress"].append(
            (self.ids[PersonAddress].take(), person, place.id, kind, current, since)
        )

    def _phone_for(self, person: int, *, safe: bool) -> int:
        """The next number from the shuffled drama pool (reused once it runs out)."""
        e164 = self.phone_pool[self.phone_index % len(self.phone_pool)]
        self.phone_index += 1
        pk = self.phone_ids.get(e164)
        if pk is None:
            pk = self.phone_ids[e164] = self.ids[PhoneNumber].take()
            self.phone_typed[pk] = national_format(e164)
            kind = PhoneKind.MOBILE.value if e164.startswith("+447") else PhoneKind.LANDLINE.value
            self.rows["phone"].append((pk, e164, kind))
        self.rows["personphone"].append((self.ids[PersonPhone].take(), person, pk, safe))
        return pk

    def _relate(self, person: int, other: int, kind: str, since) -> None:
        self.rows["relationship"].append(
            (self.ids[Relationship].take(), person, other, kind, since)
        )

    def _flag(self, kind, severity, summary, source, starts, ends=None, **subject) -> None:
        ((name, subject_id),) = subject.items()
        on = {"person": None, "address": None, "phone": None, name: subject_id}
        self.rows["flag"].append(
            (self.ids[Flag].take(), kind, severity, on["person"], on["address"], on["phone"])
            + (summary, source, f"{name}:{subject_id}", starts, ends)
        )

    def _times(self, count: int) -> list[dt.datetime]:
        """`count` incident times within three years, clustered for a repeat victim."""
        rng = self.rng
        span = YEARS * 365 * 86400
        window = min(span, int(86400 * (30 + count * rng.uniform(30, 120))))
        end = span - rng.randint(0, span - window)
        seconds = sorted(end - rng.randint(0, window) for _ in range(count))
        return [self.now - dt.timedelta(seconds=span - s + 60) for s in seconds]

    def _given(self, female: bool) -> str:
        return self.pick_female() if female else self.pick_male()

    def _suspect(self, victim_family: str, partner: bool, home: _Place, female_victim: bool):
        """A new suspect: person, home, sometimes an alias, a number, a weapons flag."""
        rng = self.rng
        female = rng.random() < (0.05 if female_victim else 0.3)
        family = victim_family if partner and rng.random() < 0.3 else self.pick_family()
        since = self.now - dt.timedelta(days=rng.randint(0, YEARS * 365))
        gender = Gender.FEMALE.value if female else Gender.MALE.value
        suspect = self._person(self._given(female), family, self._born(18, 60), gender, since)
        if rng.random() < P_ALIAS:
            self._person_name(suspect, rng.choice(NICKNAMES), family, NameKind.ALIAS.value)
        place = home if partner and rng.random() < P_COHABIT else self._address()
        self._live_at(suspect, place, AddressKind.HOME.value, True, since.date())
        if rng.random() < P_PHONE_SUSPECT:
            self._phone_for(suspect, safe=False)
        if rng.random() < P_FLAG_WEAPONS:
            self._flag(
                FlagKind.WEAPONS.value,
                FlagSeverity.HIGH.value,
                "Known to carry a knife. Officers to attend in pairs.",
                f"volume:{suspect}",
                since,
                person=suspect,
            )
        return suspect, family, place

    def _household(self, count: int) -> tuple[_Household, list[dt.datetime]]:
        rng = self.rng
        times = self._times(count)
        first = times[0]
        female = rng.random() < 0.85
        v_given, v_family = self._given(female), self.pick_family()
        gender = Gender.FEMALE.value if female else Gender.MALE.value
        victim = self._person(v_given, v_family, self._born(18, 65), gender, first, victim=True)
        if rng.random() < P_PREVIOUS_NAME:
            self._person_name(victim, v_given, self.pick_family(), NameKind.PREVIOUS.value)
        home = self._address()
        self._live_at(victim, home, AddressKind.HOME.value, True, first.date())
        partner = rng.random() < P_PARTNER
        kind = RelationshipKind.PARTNER.value if partner else RelationshipKind.EX_PARTNER.value
        if self.open_serial and rng.random() < P_SERIAL_REUSE:
            entry = rng.choice(self.open_serial)
            suspect, s_family, s_home = entry[:3]
            entry[3] -= 1
            if entry[3] <= 0:
                self.open_serial.remove(entry)
        else:
            suspect, s_family, s_home = self._suspect(v_family, partner, home, female)
            if rng.random() < P_SERIAL_START:
                self.open_serial.append([suspect, s_family, s_home, rng.randint(1, 3)])
        self._relate(victim, suspect, kind, first.date())
        if not partner and s_home != home and rng.random() < 0.3:
            self._live_at(victim, s_home, AddressKind.PREVIOUS.value, False, None)
        household = _Household(victim, suspect, home, s_home)
        if rng.random() < P_CHILDREN:
            father = rng.random() < 0.6
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                c_female = rng.random() < 0.5
                family = s_family if father and rng.random() < 0.4 else v_family
                c_gender = Gender.FEMALE.value if c_female else Gender.MALE.value
                born = self._born(0, 15)
                child = self._person(self._given(c_female), family, born, c_gender, first)
                self._live_at(child, home, AddressKind.HOME.value, True, first.date())
                self._relate(victim, child, RelationshipKind.PARENT_OF.value, None)
                if father:
                    self._relate(suspect, child, RelationshipKind.PARENT_OF.value, None)
                household.children.append(child)
        p_phone = P_PHONE_REPEAT_VICTIM if count > 1 else P_PHONE_ONE_OFF_VICTIM
        if rng.random() < p_phone:
            household.victim_phone = self._phone_for(victim, safe=rng.random() < 0.5)
        self._victim_flags(household, times[-1])
        return household, times

    def _victim_flags(self, h: _Household, last: dt.datetime) -> None:
        rng = self.rng
        source = f"volume:{h.victim}"
        high = FlagSeverity.HIGH.value
        if rng.random() < P_FLAG_HIGH_RISK:
            text = "High-risk victim: DASH assessed high. Attend as an emergency."
            kind = FlagKind.HIGH_RISK_VICTIM.value
            self._flag(kind, high, text, source, last, person=h.victim)
            if rng.random() < 0.5:
                self._flag(kind, high, text, source, last, address=h.home.id)
            if h.victim_phone and rng.random() < 0.5:
                self._flag(kind, high, text, source, last, phone=h.victim_phone)
        if rng.random() < P_FLAG_MARAC:
            kind = FlagKind.MARAC_LISTED.value
            self._flag(kind, high, "Listed at MARAC.", source, last, person=h.victim)
        if rng.random() < P_FLAG_SAFETY_PLAN:
            self._flag(
                FlagKind.SAFETY_PLAN.value,
                FlagSeverity.MEDIUM.value,
                "Safety plan in place: patrols past the address.",
                source,
                last,
                address=h.home.id,
            )
        if rng.random() < P_FLAG_BAIL:
            # Some have ended already: the look-up must not show those.
            ends = last + dt.timedelta(days=rng.randint(14, 120))
            self._flag(
                FlagKind.BAIL_CONDITIONS.value,
                high,
                "Bail conditions: the suspect must not contact the victim or come to the address.",
                source,
                last,
                ends,
                address=h.home.id,
            )

    def _status(self, created: dt.datetime) -> str:
        age = self.now - created
        roll = self.rng.random()
        if age < ONE_DAY:
            return IncidentStatus.GRADED.value if roll < 0.6 else IncidentStatus.ATTENDED.value
        if age < THIRTY_DAYS:
            return IncidentStatus.ATTENDED.value if roll < 0.5 else IncidentStatus.CLOSED.value
        return IncidentStatus.CLOSED.value if roll < 0.9 else IncidentStatus.ATTENDED.value

    def _incidents(self, h: _Household, times: list[dt.datetime]) -> None:
        rng = self.rng
        rows = self.rows["incident"]
        links = self.rows["incidentperson"]
        take_incident = self.ids[Incident].take
        take_link = self.ids[IncidentPerson].take
        for created in times:
            pk = take_incident()
            grade = self.pick_grade()
            suggested, reason = grade, ""
            if rng.random() < P_GRADE_DEPARTS:
                suggested = self.pick_grade()
                reason = OTHER_GRADE_REASON if suggested != grade else ""
            at_suspect = h.suspect_home != h.home and rng.random() < P_AT_SUSPECT_ADDRESS
            place = h.suspect_home if at_suspect else h.home
            graded_at = created + dt.timedelta(minutes=rng.randint(2, 12))
            appointment = attend_by = None
            if grade == EMERGENCY:
                rural = place.location_type == LocationType.RURAL
                attend_by = graded_at + dt.timedelta(minutes=20 if rural else 15)
            elif grade == PRIORITY:
                attend_by = graded_at + dt.timedelta(minutes=60)
            elif grade == SCHEDULED:
                appointment = attend_by = graded_at + dt.timedelta(hours=rng.randint(6, 48))
            phone = h.victim_phone if h.victim_phone and rng.random() < P_CALLER_PHONE else None
            fear = rng.choice("0122334")
            answers = {
                "injuries": rng.choice(("none", "none", "minor", "serious", "not_known")),
                "weapons": "yes" if rng.random() < 0.08 else "no",
                "children_present": "yes" if h.children and rng.random() < 0.6 else "no",
                "fear_level": fear,
                "demeanour": rng.choice(("calm", "distressed", "distressed", "whispering")),
            }
            rows.append(
                (pk, self._status(created), phone, self.phone_typed[phone] if phone else "")
                + (place.id, place.location_type, rng.choice(NARRATIVES), self.question_set_id)
                + (answers, suggested, FEAR_REASON if fear >= "3" else [], grade, reason)
                + (graded_at, attend_by, appointment, place.district)
                + (f"{VOLUME_KEY_PREFIX}{pk}", created, graded_at)
            )
            links.append((take_link(), pk, h.victim, VICTIM))
            links.append((take_link(), pk, h.suspect, SUSPECT))
            for child in h.children:
                if rng.random() < P_CHILD_ON_INCIDENT:
                    links.append((take_link(), pk, child, CHILD))

    # Run --------------------------------------------------------------------------------

    def run(self) -> VolumeResult:
        """Write every batch. On PostgreSQL with `rebuild_indexes`, the whole load is one
        transaction on a connection of its own: the loaded tables' secondary indexes,
        unique constraints and foreign keys are dropped first and rebuilt (and checked)
        at the end, which is many times faster than maintaining them row by row; if
        anything fails, nothing is left behind. Otherwise each batch commits on its own."""
        self.started = time.monotonic()
        self._load_state()
        self.open_serial: list[list] = []
        self.done = 0
        rebuild_seconds = 0.0
        writer = self.writer
        if isinstance(writer, PostgresCopyWriter) and self.rebuild_indexes:
            try:
                restore = writer.call(begin_bulk_load, [t.db_table for t in self.tables.values()])
                while self.done < self.target:
                    self._batch()
                rebuilding = time.monotonic()
                self.progress(f"Rebuilding {len(restore)} indexes and constraints…")
                writer.call(execute_each, restore)
                writer.commit()
                rebuild_seconds = time.monotonic() - rebuilding
                self.progress(f"  rebuilt and committed in {rebuild_seconds:.1f} s")
            finally:
                writer.close()
        else:
            while self.done < self.target:
                with transaction.atomic():
                    if connection.vendor == "postgresql":
                        writer.call(execute_each, BATCH_SETTINGS)
                    self._batch()
        seconds = time.monotonic() - self.started
        return VolumeResult(self.done, seconds, dict(writer.rows_written), rebuild_seconds)

    def _batch(self) -> None:
        size = min(self.batch, self.target - self.done)
        self.rows = {name: [] for name in self.tables}
        made = 0
        while made < size:
            count = min(self.pick_incident_count(), size - made)
            self._incidents(*self._household(count))
            made += count
        for name, table in self.tables.items():
            self.writer.write(table, self.rows[name])
        self.done += made
        elapsed = time.monotonic() - self.started
        rows = sum(self.writer.rows_written.values())
        self.progress(
            f"{self.done:>10,} / {self.target:,} incidents  {rows:>11,} rows  "
            f"{rows / elapsed:>9,.0f} rows/s  {elapsed:7.1f} s"
        )
