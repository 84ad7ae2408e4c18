"""Writes for people, places and the organisation. Views, API and commands call these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import matching
from cases.choices import AddressKind, LocationType, NameKind, PhoneKind, RelationshipKind
from cases.models import (
    Address,
    District,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
    Relationship,
)


def name_key_for(*, given_name: str, family_name: str) -> NameKey:
    """The shared NameKey for a name, created once (safe under concurrency)."""
    text = matching.normalise_name(given_name, family_name)
    if not text:
        raise ValidationError({"family_name": "Enter a name"})
    try:
        with transaction.atomic():
            key, _ = NameKey.objects.get_or_create(
                text=text, defaults={"family_key": matching.family_key(family_name)}
            )
    except IntegrityError:
        key = NameKey.objects.get(text=text)
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


@transaction.atomic
def person_create(*, data: PersonInput, user=None) -> Person:
    """Record a new person. Callers propose possible duplicates first
    (`cases.selectors.person_duplicates`): a person is never merged silently."""
    person = Person(
        created_by=user if getattr(user, "is_authenticated", False) else None, **data.__dict__
    )
    person.given_name = person.given_name.strip()
    person.family_name = person.family_name.strip()
    person.full_clean()
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


def address_get_or_create(
    *,
    line1: str,
    postcode: str,
    line2: str = "",
    town: str = "",
    location_type: str = LocationType.URBAN,
) -> tuple[Address, bool]:
    """The address with this first line and postcode, however they were typed."""
    errors = {}
    if not (line1 or "").strip():
        errors["line1"] = ["Enter the first line of the address"]
    try:
        normal_postcode = matching.normalise_postcode(postcode)
    except ValidationError as exc:
        errors["postcode"] = exc.messages
    if errors:
        raise ValidationError(errors)
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
