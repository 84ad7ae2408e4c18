"""People and places: persons with their names, addresses, phone numbers and ties.

Identifiers are stored normalised so the same number, postcode or name is found
whatever format it was typed in (see `people.matching`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from people.choices import AddressKind, Gender, LocationType, NameKind, PhoneKind, RelationshipKind


class Person(models.Model):
    """A victim, suspect, child, witness or other member of a household."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_KNOWN)
    language = models.CharField(max_length=50, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    safe_contact_instructions = models.TextField(
        blank=True, help_text="How to contact this person safely: who may answer, what to say."
    )
    safe_times = models.CharField(max_length=200, blank=True, help_text="When it is safe to call.")
    no_voicemail = models.BooleanField(
        default=False, help_text="Never leave a voicemail or message."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock.")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class NameKey(models.Model):
    """One distinct normalised full name, shared by everyone who bears it.

    Fuzzy search runs over this small table (trigram index on PostgreSQL, a phonetic
    key everywhere) rather than over every person.
    """

    text = models.CharField(max_length=201, unique=True)
    family_key = models.CharField(
        max_length=8, db_index=True, help_text="Soundex of the family name."
    )

    def __str__(self) -> str:
        return self.text


class GivenName(models.Model):
    """One distinct first word of a given name ("leah" in "leah moss"), so that a
    misspelt first name typed alone is found the way a misspelt last name is: trigram
    similarity on PostgreSQL, a phonetic key everywhere, over this small table. The name
    keys that begin with it are then found through `NameKey.text`."""

    text = models.CharField(max_length=100, unique=True)
    sound_key = models.CharField(max_length=8, db_index=True, help_text="Soundex of the name.")

    def __str__(self) -> str:
        return self.text


class PersonName(models.Model):
    """A name a person is known by: their own, an alias, a previous name."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=NameKind.choices, default=NameKind.ALIAS)
    key = models.ForeignKey(NameKey, on_delete=models.PROTECT, related_name="person_names")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key", "kind"], name="person_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.get_kind_display()})"


class Address(models.Model):
    """A place. `match_key` is the normalised first line and postcode used for matching."""

    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, db_index=True, help_text="Upper case, no spaces.")
    district = models.ForeignKey(
        "org.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses"
    )
    location_type = models.CharField(
        max_length=8, choices=LocationType.choices, default=LocationType.URBAN
    )
    match_key = models.CharField(max_length=300, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["postcode", "line1"]
        constraints = [
            models.UniqueConstraint(fields=["match_key"], name="address_match_key_unique")
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line1, self.line2, self.town, self.postcode_display] if p)

    @property
    def postcode_display(self) -> str:
        pc = self.postcode
        return f"{pc[:-3]} {pc[-3:]}" if len(pc) > 3 else pc


class PhoneNumber(models.Model):
    """A telephone number in E.164 form (+447700900123)."""

    e164 = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=10, choices=PhoneKind.choices, default=PhoneKind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.national

    @property
    def national(self) -> str:
        import phonenumbers

        try:
            parsed = phonenumbers.parse(self.e164, None)
        except phonenumbers.NumberParseException:
            return self.e164
        fmt = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if parsed.country_code == 44
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(parsed, fmt)


class PersonAddress(models.Model):
    """A person's link to an address: home, previous, safe address."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="address_links")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="person_links")
    kind = models.CharField(max_length=10, choices=AddressKind.choices, default=AddressKind.HOME)
    is_current = models.BooleanField(default=True)
    since = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "address", "kind"], name="person_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.address_id}"


class PersonPhone(models.Model):
    """A person's link to a number, and whether it is safe to call."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phone_links")
    phone = models.ForeignKey(PhoneNumber, on_delete=models.PROTECT, related_name="person_links")
    is_safe = models.BooleanField(default=False, help_text="A safe number to contact them on.")
    is_current = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "phone"], name="person_phone_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.phone_id}"


class Relationship(models.Model):
    """A tie between two people. `parent_of` reads from `person` to `other`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=16, choices=RelationshipKind.choices)
    since = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other", "kind"], name="relationship_unique"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("other")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.other_id}"
