"""Writes for people, places and the organisation. Views, API and commands call these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dasapp.api import ConflictError
from org.models import District
from people import matching, selectors
from people.choices import AddressKind, LocationType, NameKind, PhoneKind, RelationshipKind
from people.models import (
    Address,
    GivenName,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
    Relationship,
)

# Messages in the design system's voice, shared by the pages and the API.
GIVEN_NAME_REQUIRED = "Enter the person's first name"
FAMILY_NAME_REQUIRED = "Enter the person's last name"
DATE_OF_BIRTH_FUTURE = "Date of birth must be in the past"
LINE1_REQUIRED = "Enter the first line of the address"
POSTCODE_REQUIRED = "Enter the postcode"
DUPLICATE_MESSAGE = (
    "This may be someone already recorded. Open the matching person, or confirm this is a "
    "new person"
)
STALE_VERSION_MESSAGE = (
    "Someone else has changed this person since you read it. Read it again and make your "
    "change to the latest version"
)


class PossibleDuplicateError(ConflictError):
    """People already recorded may be the one being recorded: the caller decides."""

    def __init__(self, candidates: list[Person]):
        super().__init__(DUPLICATE_MESSAGE, {"confirm_new": [DUPLICATE_MESSAGE]})
        self.candidates = candidates


def name_key_for(*, given_name: str, family_name: str) -> NameKey:
    """The shared NameKey for a name, created once (safe under concurrency)."""
    text = matching.normalise_name(given_name, family_name)
    if not text:
        raise ValidationError({"family_name": "Enter a name"})
    try:
        with transaction.atomic():
            key, created = NameKey.objects.get_or_create(
                text=text, defaults={"family_key": matching.family_key(family_name)}
            )
    except IntegrityError:
        return NameKey.objects.get(text=text)
    if created and (given := matching.given_word(text)):
        # Its first name joins the distinct given names (a first name searched alone),
        # once: a name already there is left alone, whoever added it first.
        GivenName.objects.bulk_create(
            [GivenName(text=given[:100], sound_key=matching.soundex(given))], ignore_conflicts=True
        )
    return key


def person_name_add(
    *, person: Person, given_name: str, family_name: str, kind: str = NameKind.ALIAS
) -> PersonName:
    """Record a name a person is known by and index it for search."""
    key = name_key_for(given_name=given_name, family_name=family_name)
    name, _ = PersonName.objects.get_or_create(
        person=person,
        key=key,
        kind=kind,
        defaults={"given_name": given_name.strip(), "family_name": family_name.strip()},
    )
    return name


def date_of_birth_check(value: date | None) -> None:
    """A date of birth may be unknown, never in the future."""
    if value and value > timezone.localdate():
        raise ValidationError(DATE_OF_BIRTH_FUTURE, code="future")


@dataclass(frozen=True)
class PersonInput:
    given_name: str
    family_name: str
    date_of_birth: date | None = None
    gender: str = "not_known"
    language: str = "English"
    interpreter_needed: bool = False
    email: str = ""
    safe_contact_instructions: str = ""
    safe_times: str = ""
    no_voicemail: bool = False


def _person_errors(person: Person) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not person.given_name:
        errors["given_name"] = [GIVEN_NAME_REQUIRED]
    if not person.family_name:
        errors["family_name"] = [FAMILY_NAME_REQUIRED]
    try:
        date_of_birth_check(person.date_of_birth)
    except ValidationError as exc:
        errors["date_of_birth"] = exc.messages
    try:
        person.full_clean(exclude=[*errors, "created_by"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    return errors


def _acting_user(user):
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def person_create(*, data: PersonInput, user=None) -> Person:
    """Record a new person. Callers propose possible duplicates first
    (`people.selectors.person_duplicates`, or `person_register`): never merged silently."""
    person = Person(created_by=_acting_user(user), **data.__dict__)
    person.given_name = (person.given_name or "").strip()
    person.family_name = (person.family_name or "").strip()
    errors = _person_errors(person)
    if errors:
        raise ValidationError(errors)
    if _acting_user(user):
        person._history_user = user
    person._change_reason = "Recorded"
    person.save()
    person_name_add(
        person=person,
        given_name=person.given_name,
        family_name=person.family_name,
        kind=NameKind.PRIMARY,
    )
    return person


def district_for_postcode(postcode: str) -> District | None:
    """The district whose postcode prefixes include this postcode's outward code."""
    outward = matching.postcode_district(postcode)
    for district in District.objects.exclude(postcode_prefixes=""):
        if outward in district.prefixes():
            return district
    return None


def address_input_check(*, line1: str, postcode: str) -> str:
    """Check an address's first line and postcode; return the normalised postcode."""
    errors = {}
    if not (line1 or "").strip():
        errors["line1"] = [LINE1_REQUIRED]
    normal_postcode = ""
    if not (postcode or "").strip():
        errors["postcode"] = [POSTCODE_REQUIRED]
    else:
        try:
            normal_postcode = matching.normalise_postcode(postcode)
        except ValidationError as exc:
            errors["postcode"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return normal_postcode


def address_get_or_create(
    *,
    line1: str,
    postcode: str,
    line2: str = "",
    town: str = "",
    location_type: str = LocationType.URBAN,
) -> tuple[Address, bool]:
    """The address with this first line and postcode, however they were typed."""
    normal_postcode = address_input_check(line1=line1, postcode=postcode)
    key = matching.address_match_key(line1, normal_postcode)
    existing = Address.objects.filter(match_key=key).first()
    if existing:
        return existing, False
    address = Address(
        line1=line1.strip(),
        line2=line2.strip(),
        town=town.strip(),
        postcode=normal_postcode,
        location_type=location_type,
        match_key=key,
        district=district_for_postcode(normal_postcode),
    )
    address.full_clean(exclude=["match_key"])
    try:
        with transaction.atomic():
            address.save()
        return address, True
    except IntegrityError:
        return Address.objects.get(match_key=key), False


def phone_get_or_create(*, number: str, kind: str = PhoneKind.OTHER) -> tuple[PhoneNumber, bool]:
    """The number in E.164 form, however it was typed."""
    try:
        e164 = matching.normalise_phone(number)
    except ValidationError as exc:
        raise ValidationError({"number": exc.messages}) from None
    try:
        with transaction.atomic():
            return PhoneNumber.objects.get_or_create(e164=e164, defaults={"kind": kind})
    except IntegrityError:
        return PhoneNumber.objects.get(e164=e164), False


def person_address_link(
    *, person: Person, address: Address, kind: str = AddressKind.HOME, is_current: bool = True
) -> PersonAddress:
    link, created = PersonAddress.objects.get_or_create(
        person=person, address=address, kind=kind, defaults={"is_current": is_current}
    )
    if not created and link.is_current != is_current:
        link.is_current = is_current
        link.save()
    return link


def person_phone_link(
    *, person: Person, phone: PhoneNumber, is_safe: bool = False, note: str = ""
) -> PersonPhone:
    link, created = PersonPhone.objects.get_or_create(
        person=person, phone=phone, defaults={"is_safe": is_safe, "note": note}
    )
    if not created and (link.is_safe != is_safe or (note and link.note != note)):
        link.is_safe = is_safe
        link.note = note or link.note
        link.save()
    return link


def relationship_link(*, person: Person, other: Person, kind: str) -> Relationship:
    """Record a tie. Symmetric kinds are stored once, whichever way round they come."""
    if person.pk == other.pk:
        raise ValidationError({"other": "A person cannot be related to themselves"})
    if kind in RelationshipKind.symmetric():
        existing = Relationship.objects.filter(person=other, other=person, kind=kind).first()
        if existing:
            return existing
    relationship, _ = Relationship.objects.get_or_create(person=person, other=other, kind=kind)
    return relationship


@dataclass(frozen=True)
class PhoneInput:
    number: str
    is_safe: bool = False
    note: str = ""
    kind: str = PhoneKind.OTHER


@dataclass(frozen=True)
class AddressInput:
    line1: str
    postcode: str
    line2: str = ""
    town: str = ""
    location_type: str = LocationType.URBAN
    kind: str = AddressKind.HOME
    is_current: bool = True


@dataclass(frozen=True)
class NameInput:
    given_name: str
    family_name: str
    kind: str = NameKind.ALIAS


@dataclass(frozen=True)
class RelationshipInput:
    other: Person
    kind: str


@dataclass(frozen=True)
class PersonRegistration:
    """A new person with the numbers, addresses, other names and ties given with them."""

    person: PersonInput
    phones: list[PhoneInput] = field(default_factory=list)
    addresses: list[AddressInput] = field(default_factory=list)
    names: list[NameInput] = field(default_factory=list)
    relationships: list[RelationshipInput] = field(default_factory=list)


@transaction.atomic
def person_register(*, data: PersonRegistration, user=None, confirm_new: bool = False) -> Person:
    """Record a person with their contacts, after proposing possible duplicates.

    Raises `PossibleDuplicateError` (with the candidates) when people already recorded
    may be this one and the caller has not confirmed a new person. Nothing is merged.
    """
    # Check the person's own details first: a bad date of birth is a 400, not a 409.
    candidate = Person(**data.person.__dict__)
    candidate.given_name = (candidate.given_name or "").strip()
    candidate.family_name = (candidate.family_name or "").strip()
    errors = _person_errors(candidate)
    if errors:
        raise ValidationError(errors)
    if not confirm_new:
        candidates = selectors.person_duplicates(
            given_name=data.person.given_name,
            family_name=data.person.family_name,
            date_of_birth=data.person.date_of_birth,
        )
        if candidates:
            raise PossibleDuplicateError(candidates)
    person = person_create(data=data.person, user=user)
    for name in data.names:
        person_name_add(
            person=person, given_name=name.given_name, family_name=name.family_name, kind=name.kind
        )
    for item in data.phones:
        phone, _ = phone_get_or_create(number=item.number, kind=item.kind)
        person_phone_link(person=person, phone=phone, is_safe=item.is_safe, note=item.note)
    for item in data.addresses:
        address, _ = address_get_or_create(
            line1=item.line1,
            line2=item.line2,
            town=item.town,
            postcode=item.postcode,
            location_type=item.location_type or LocationType.URBAN,
        )
        person_address_link(
            person=person, address=address, kind=item.kind, is_current=item.is_current
        )
    for tie in data.relationships:
        relationship_link(person=person, other=tie.other, kind=tie.kind)
    return person


PERSON_EDITABLE_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "date_of_birth",
        "gender",
        "language",
        "interpreter_needed",
        "email",
        "safe_contact_instructions",
        "safe_times",
        "no_voicemail",
    }
)


@transaction.atomic
def person_update(
    *, person_id: int, version: int, changes: dict, user=None, reason: str = ""
) -> Person:
    """Correct a person's details, if nobody changed them since `version` was read.

    Raises `ConflictError` on a stale version and changes nothing. A changed name
    becomes the primary name; the old one is kept as a previous name for search.
    """
    unknown = set(changes) - PERSON_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({key: ["This cannot be changed here"] for key in sorted(unknown)})
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.version != version:
        raise ConflictError(STALE_VERSION_MESSAGE, {"version": [STALE_VERSION_MESSAGE]})
    old_name = (person.given_name, person.family_name)
    for key, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(person, key, value)
    errors = _person_errors(person)
    if errors:
        raise ValidationError(errors)
    person.version += 1
    if _acting_user(user):
        person._history_user = user
    person._change_reason = reason or "Details corrected"
    person.save()
    if (person.given_name, person.family_name) != old_name:
        _primary_name_replace(person=person, old_name=old_name)
    return person


def _primary_name_replace(*, person: Person, old_name: tuple[str, str]) -> None:
    new_key = name_key_for(given_name=person.given_name, family_name=person.family_name)
    for name in PersonName.objects.filter(person=person, kind=NameKind.PRIMARY):
        if name.key_id == new_key.pk:
            continue
        if PersonName.objects.filter(person=person, key=name.key, kind=NameKind.PREVIOUS).exists():
            name.delete()
        else:
            name.kind = NameKind.PREVIOUS
            name.save()
    person_name_add(
        person=person,
        given_name=person.given_name,
        family_name=person.family_name,
        kind=NameKind.PRIMARY,
    )
