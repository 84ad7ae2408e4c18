"""API shapes for people and places. Input serializers check shape; the rules (names,
dates of birth, numbers, postcodes, duplicates) live in `people.matching` and
`people.services`, so the pages and the API give the same errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dasapp.serializers import ErrorSerializer, FlatErrorsSerializer, django_to_drf
from people import matching, services
from people import rules as people_rules
from people.choices import AddressKind, Gender, LocationType, NameKind, PhoneKind, RelationshipKind
from people.filters import DATE_OF_BIRTH_INVALID, SEARCH_TERM_REQUIRED
from people.models import Address, Person, PersonAddress, PersonName, PersonPhone

VERSION_REQUIRED = "Send the version of the person you read"


def _check_phone(value: str) -> str:
    try:
        return matching.normalise_phone(value)
    except DjangoValidationError as exc:
        raise django_to_drf(exc) from None


def _check_postcode(value: str) -> str:
    try:
        return matching.normalise_postcode(value)
    except DjangoValidationError as exc:
        raise django_to_drf(exc) from None


def _check_date_of_birth(value):
    try:
        services.date_of_birth_check(value)
    except DjangoValidationError as exc:
        raise django_to_drf(exc) from None
    return value


class DuplicateErrorSerializer(ErrorSerializer):
    """409 on create: people already recorded who may be this one. Nothing was saved."""

    candidates = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the possible matches. Read them, then send the request again "
        'with "confirm_new": true if none is the same person.',
    )


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonName
        fields = ["given_name", "family_name", "kind"]


class AddressSerializer(serializers.ModelSerializer):
    postcode = serializers.CharField(source="postcode_display", read_only=True)
    district = serializers.CharField(source="district.name", read_only=True, default=None)

    class Meta:
        model = Address
        fields = ["id", "line1", "line2", "town", "postcode", "district", "location_type"]


class PersonAddressSerializer(serializers.ModelSerializer):
    address = AddressSerializer(read_only=True)

    class Meta:
        model = PersonAddress
        fields = ["address", "kind", "is_current", "since"]


class PersonPhoneSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="phone.e164", help_text="E.164, like +447700900123.")
    national = serializers.CharField(source="phone.national", help_text="As a person reads it.")
    kind = serializers.CharField(source="phone.kind")

    class Meta:
        model = PersonPhone
        fields = ["number", "national", "kind", "is_safe", "is_current", "note"]


class RelationshipSerializer(serializers.Serializer):
    """A tie read from this person's side: `child_of` is `parent_of` seen from the child."""

    kind = serializers.CharField(
        help_text="partner, ex_partner, parent_of, child_of, household or family."
    )
    label = serializers.CharField()
    person_id = serializers.IntegerField(source="other.pk")
    name = serializers.CharField(source="other.full_name")


class PersonSummarySerializer(serializers.ModelSerializer):
    """A person in a list: enough to tell people apart."""

    names = PersonNameSerializer(many=True, read_only=True)
    addresses = PersonAddressSerializer(source="address_links", many=True, read_only=True)
    phones = PersonPhoneSerializer(source="phone_links", many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "names",
            "addresses",
            "phones",
            "version",
        ]


class PersonDetailSerializer(PersonSummarySerializer):
    """A person with how to contact them safely and their ties."""

    relationships = serializers.SerializerMethodField()

    class Meta(PersonSummarySerializer.Meta):
        fields = [
            *PersonSummarySerializer.Meta.fields,
            "language",
            "interpreter_needed",
            "email",
            "safe_contact_instructions",
            "safe_times",
            "no_voicemail",
            "relationships",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(RelationshipSerializer(many=True))
    def get_relationships(self, person):
        return RelationshipSerializer(self.context.get("relationships", []), many=True).data


class AddressPersonSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.full_name")

    class Meta:
        model = PersonAddress
        fields = ["person_id", "name", "kind", "is_current"]


class AddressDetailSerializer(AddressSerializer):
    """An address and the people linked to it whom the caller may see."""

    people = serializers.SerializerMethodField()

    class Meta(AddressSerializer.Meta):
        fields = [*AddressSerializer.Meta.fields, "people"]

    @extend_schema_field(AddressPersonSerializer(many=True))
    def get_people(self, address):
        return AddressPersonSerializer(self.context.get("links", []), many=True).data


class PhoneInputSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=30,
        validators=[_check_phone],
        help_text="Any format: 07700 900123, +44 7700 900123, (07700) 900-123.",
    )
    is_safe = serializers.BooleanField(default=False, help_text="A safe number to call.")
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=PhoneKind.choices, default=PhoneKind.OTHER)


class AddressInputSerializer(serializers.Serializer):
    line1 = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    line2 = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    town = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    postcode = serializers.CharField(
        max_length=10,
        allow_blank=True,
        required=False,
        default="",
        help_text="Any case or spacing.",
    )
    location_type = serializers.ChoiceField(
        choices=LocationType.choices, default=LocationType.URBAN
    )

    def validate(self, attrs):
        try:
            services.address_input_check(line1=attrs["line1"], postcode=attrs["postcode"])
        except DjangoValidationError as exc:
            raise django_to_drf(exc) from None
        return attrs


class PersonAddressInputSerializer(AddressInputSerializer):
    kind = serializers.ChoiceField(choices=AddressKind.choices, default=AddressKind.HOME)
    is_current = serializers.BooleanField(default=True)


class NameInputSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100, allow_blank=True, default="")
    family_name = serializers.CharField(
        max_length=100,
        error_messages={
            "required": services.FAMILY_NAME_REQUIRED,
            "blank": services.FAMILY_NAME_REQUIRED,
        },
    )
    kind = serializers.ChoiceField(
        choices=NameKind.choices, default=NameKind.ALIAS, help_text="Not `primary`."
    )

    def validate_kind(self, value):
        if value == NameKind.PRIMARY:
            raise serializers.ValidationError(
                "Give another name as an alias, previous name or nickname"
            )
        return value


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person id the caller may see."""

    default_error_messages = {
        "does_not_exist": "No person has the id {pk_value}",
        "incorrect_type": "Enter a person's id",
    }

    def get_queryset(self):
        request = self.context["request"]
        return people_rules.people_visible_to(request.user, Person.objects.all())


class RelationshipInputSerializer(serializers.Serializer):
    person_id = VisiblePersonField(help_text="The other person.")
    kind = serializers.ChoiceField(
        choices=RelationshipKind.choices,
        help_text="Read from the new person: `parent_of` means the new person is the parent.",
    )


class _PersonFieldsSerializer(FlatErrorsSerializer):
    given_name = serializers.CharField(
        max_length=100,
        error_messages={
            "required": services.GIVEN_NAME_REQUIRED,
            "blank": services.GIVEN_NAME_REQUIRED,
        },
    )
    family_name = serializers.CharField(
        max_length=100,
        error_messages={
            "required": services.FAMILY_NAME_REQUIRED,
            "blank": services.FAMILY_NAME_REQUIRED,
        },
    )
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[_check_date_of_birth],
        error_messages={"invalid": DATE_OF_BIRTH_INVALID},
    )
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.NOT_KNOWN)
    language = serializers.CharField(max_length=50, allow_blank=True, default="English")
    interpreter_needed = serializers.BooleanField(default=False)
    email = serializers.EmailField(allow_blank=True, default="")
    safe_contact_instructions = serializers.CharField(
        allow_blank=True, default="", help_text="Who may answer, what to say, what never to do."
    )
    safe_times = serializers.CharField(max_length=200, allow_blank=True, default="")
    no_voicemail = serializers.BooleanField(default=False)


class PersonCreateSerializer(_PersonFieldsSerializer):
    """A new person, with numbers, addresses, other names and ties."""

    phones = PhoneInputSerializer(many=True, required=False, default=list)
    addresses = PersonAddressInputSerializer(many=True, required=False, default=list)
    aliases = NameInputSerializer(many=True, required=False, default=list)
    relationships = RelationshipInputSerializer(many=True, required=False, default=list)
    confirm_new = serializers.BooleanField(
        default=False,
        help_text="Send true after checking the candidates of a 409: none is the same person.",
    )

    def registration(self) -> services.PersonRegistration:
        data = self.validated_data
        person_fields = {k: data[k] for k in services.PERSON_EDITABLE_FIELDS}
        return services.PersonRegistration(
            person=services.PersonInput(**person_fields),
            phones=[services.PhoneInput(**item) for item in data["phones"]],
            addresses=[services.AddressInput(**item) for item in data["addresses"]],
            names=[services.NameInput(**item) for item in data["aliases"]],
            relationships=[
                services.RelationshipInput(other=item["person_id"], kind=item["kind"])
                for item in data["relationships"]
            ],
        )


class PersonUpdateSerializer(_PersonFieldsSerializer):
    """A correction: only the fields sent change. `version` must be the one you read."""

    version = serializers.IntegerField(
        min_value=1,
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
        help_text="The version you read. If someone changed the person since, you get a 409 "
        "and nothing changes.",
    )
    change_reason = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Why, for the history."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
                field.default = serializers.empty

    def changes(self) -> dict:
        data = dict(self.validated_data)
        data.pop("version")
        data.pop("change_reason", None)
        return data


class PersonSearchSerializer(FlatErrorsSerializer):
    """Search terms, sent in the body so that they stay out of URLs and logs."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": DATE_OF_BIRTH_INVALID},
    )
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text="Any format."
    )
    postcode = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text="Any case or spacing.",
    )

    def validate_phone(self, value):
        return _check_phone(value) if value else ""

    def validate_postcode(self, value):
        return _check_postcode(value) if value else ""

    def validate(self, attrs):
        if not any(attrs.get(key) for key in ("name", "date_of_birth", "phone", "postcode")):
            raise serializers.ValidationError(SEARCH_TERM_REQUIRED)
        return attrs


class AddressCreateSerializer(FlatErrorsSerializer):
    """An address; the existing one is returned when it is already recorded."""

    line1 = serializers.CharField(max_length=200, allow_blank=True, default="")
    line2 = serializers.CharField(max_length=200, allow_blank=True, default="")
    town = serializers.CharField(max_length=100, allow_blank=True, default="")
    postcode = serializers.CharField(
        max_length=10, allow_blank=True, default="", help_text="Any case or spacing."
    )
    location_type = serializers.ChoiceField(
        choices=LocationType.choices, default=LocationType.URBAN
    )
