"""Writes for people and places: validation, duplicates proposed not merged, matching
on create, and optimistic locking."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.tests.factories import AddressFactory, PersonFactory
from dasapp.api import ConflictError
from people import services
from people.choices import NameKind, RelationshipKind
from people.models import Address, NameKey, Person, PersonName, PhoneNumber, Relationship

pytestmark = pytest.mark.django_db


def _registration(**person):
    fields = {"given_name": "Dawn", "family_name": "Hartwell", **person}
    return services.PersonRegistration(person=services.PersonInput(**fields))


def test_person_create_indexes_the_primary_name_for_search():
    person = services.person_create(
        data=services.PersonInput(given_name=" Dawn ", family_name="Hartwell ")
    )
    assert (person.given_name, person.family_name) == ("Dawn", "Hartwell")
    name = person.names.get()
    assert name.kind == NameKind.PRIMARY
    assert name.key.text == "dawn hartwell"
    assert name.key.family_key == "H634"


def test_people_with_one_name_share_one_name_key():
    PersonFactory(given_name="Dawn", family_name="Hartwell")
    PersonFactory(given_name="dawn", family_name="HARTWELL")
    assert NameKey.objects.filter(text="dawn hartwell").count() == 1
    assert PersonName.objects.filter(key__text="dawn hartwell").count() == 2


def test_person_create_gives_the_page_messages_for_missing_names_and_future_birth():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            data=services.PersonInput(given_name=" ", family_name="", date_of_birth=tomorrow)
        )
    assert caught.value.message_dict == {
        "given_name": ["Enter the person's first name"],
        "family_name": ["Enter the person's last name"],
        "date_of_birth": ["Date of birth must be in the past"],
    }
    assert not Person.objects.exists()


def test_person_create_records_who_and_why_in_history(persona):
    user = persona("call_taker")
    person = services.person_create(
        data=services.PersonInput(given_name="Dawn", family_name="Hartwell"), user=user
    )
    record = person.history.get()
    assert record.history_user == user
    assert record.history_change_reason == "Recorded"
    assert person.created_by == user


def test_register_proposes_a_likely_duplicate_and_saves_nothing():
    existing = PersonFactory(given_name="Dawn", family_name="Hartwell")
    with pytest.raises(services.PossibleDuplicateError) as caught:
        services.person_register(
            data=services.PersonRegistration(
                person=services.PersonInput(given_name="Dawn", family_name="Hartwel"),
                phones=[services.PhoneInput(number="07700 900123")],
            )
        )
    assert caught.value.candidates == [existing]
    assert caught.value.status_code == 409
    assert Person.objects.count() == 1
    assert not PhoneNumber.objects.exists()


def test_register_with_confirm_new_records_a_second_person_and_merges_nothing():
    existing = PersonFactory(given_name="Dawn", family_name="Hartwell")
    person = services.person_register(data=_registration(), confirm_new=True)
    assert person.pk != existing.pk
    assert Person.objects.count() == 2
    assert existing.names.count() == 1


def test_register_does_not_propose_someone_with_another_date_of_birth():
    PersonFactory(given_name="Dawn", family_name="Hartwell", date_of_birth=dt.date(1980, 1, 1))
    person = services.person_register(data=_registration(date_of_birth=dt.date(1991, 5, 6)))
    assert person.pk


def test_register_proposes_someone_recorded_without_a_date_of_birth():
    existing = PersonFactory(given_name="Dawn", family_name="Hartwell", date_of_birth=None)
    with pytest.raises(services.PossibleDuplicateError) as caught:
        services.person_register(data=_registration(date_of_birth=dt.date(1991, 5, 6)))
    assert caught.value.candidates == [existing]


def test_register_checks_the_person_before_looking_for_duplicates():
    PersonFactory(given_name="Dawn", family_name="Hartwell", date_of_birth=None)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.person_register(data=_registration(date_of_birth=tomorrow))
    assert caught.value.message_dict == {"date_of_birth": ["Date of birth must be in the past"]}


def test_register_links_numbers_addresses_aliases_and_ties():
    partner = PersonFactory(given_name="Gary", family_name="Moss")
    person = services.person_register(
        data=services.PersonRegistration(
            person=services.PersonInput(given_name="Dawn", family_name="Hartwell"),
            phones=[services.PhoneInput(number="(07700) 900-123", is_safe=True)],
            addresses=[services.AddressInput(line1="12 High St.", postcode="co1 1aa")],
            names=[services.NameInput(given_name="Dawn", family_name="Moss")],
            relationships=[services.RelationshipInput(other=partner, kind="partner")],
        )
    )
    link = person.phone_links.get()
    assert (link.phone.e164, link.is_safe) == ("+447700900123", True)
    assert person.address_links.get().address.match_key == "CO11AA|12 high street"
    assert {n.key.text for n in person.names.all()} == {"dawn hartwell", "dawn moss"}
    assert Relationship.objects.get().kind == RelationshipKind.PARTNER


def test_address_typed_another_way_is_the_same_address():
    first, created = services.address_get_or_create(line1="Flat 1, 12 High St.", postcode="co1 1aa")
    again, created_again = services.address_get_or_create(
        line1="flat 1 12 high street", postcode="CO1 1AA"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert first.postcode == "CO11AA"
    assert Address.objects.count() == 1


def test_address_errors_are_field_errors_in_the_design_system_voice():
    with pytest.raises(ValidationError) as caught:
        services.address_get_or_create(line1=" ", postcode="nowhere")
    assert caught.value.message_dict == {
        "line1": ["Enter the first line of the address"],
        "postcode": ["Enter a real postcode, like CO1 1AA"],
    }
    with pytest.raises(ValidationError) as caught:
        services.address_get_or_create(line1="12 High Street", postcode="")
    assert caught.value.message_dict == {"postcode": ["Enter the postcode"]}


def test_address_gets_the_district_that_serves_its_postcode(org):
    from org.models import District

    district = District.objects.exclude(postcode_prefixes="").first()
    prefix = district.prefixes()[0]
    address, _ = services.address_get_or_create(line1="1 Test Road", postcode=f"{prefix} 1AA")
    assert address.district == district


def test_phone_typed_another_way_is_the_same_number():
    first, created = services.phone_get_or_create(number="07700 900123")
    again, created_again = services.phone_get_or_create(number="+44 7700 900123")
    assert created and not created_again and again.pk == first.pk


def test_bad_phone_is_a_field_error():
    with pytest.raises(ValidationError) as caught:
        services.phone_get_or_create(number="12345")
    assert caught.value.message_dict == {
        "number": [
            "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
        ]
    }


def test_symmetric_tie_is_stored_once_whichever_way_round():
    a, b = PersonFactory(), PersonFactory()
    first = services.relationship_link(person=a, other=b, kind="partner")
    second = services.relationship_link(person=b, other=a, kind="partner")
    assert first.pk == second.pk
    with pytest.raises(ValidationError):
        services.relationship_link(person=a, other=a, kind="family")


def test_update_with_the_version_read_changes_the_person_and_bumps_the_version(persona):
    user = persona("daso")
    person = PersonFactory(given_name="Dawn", family_name="Hartwell")
    updated = services.person_update(
        person_id=person.pk,
        version=1,
        changes={"safe_times": "Weekdays 10:00 to 12:00", "no_voicemail": True},
        user=user,
        reason="Victim asked",
    )
    assert updated.version == 2
    person.refresh_from_db()
    assert (person.safe_times, person.no_voicemail, person.version) == (
        "Weekdays 10:00 to 12:00",
        True,
        2,
    )
    latest = person.history.first()
    assert latest.history_change_reason == "Victim asked"
    assert latest.history_user == user


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing():
    person = PersonFactory(given_name="Dawn", family_name="Hartwell")
    services.person_update(person_id=person.pk, version=1, changes={"safe_times": "Mornings"})
    with pytest.raises(ConflictError) as caught:
        services.person_update(
            person_id=person.pk, version=1, changes={"safe_times": "Evenings", "language": "Polish"}
        )
    assert caught.value.status_code == 409
    assert "version" in caught.value.errors
    person.refresh_from_db()
    assert (person.safe_times, person.language, person.version) == ("Mornings", "English", 2)
    assert person.history.count() == 2


def test_update_refuses_a_blank_name_with_the_page_message():
    person = PersonFactory()
    with pytest.raises(ValidationError) as caught:
        services.person_update(person_id=person.pk, version=1, changes={"family_name": " "})
    assert caught.value.message_dict == {"family_name": ["Enter the person's last name"]}
    person.refresh_from_db()
    assert person.version == 1


def test_a_changed_name_keeps_the_old_one_as_a_previous_name():
    person = PersonFactory(given_name="Dawn", family_name="Hartwell")
    services.person_update(person_id=person.pk, version=1, changes={"family_name": "Moss"})
    names = {(n.key.text, n.kind) for n in person.names.select_related("key")}
    assert names == {("dawn moss", NameKind.PRIMARY), ("dawn hartwell", NameKind.PREVIOUS)}


def test_address_factory_writes_through_the_service():
    address = AddressFactory(line1="3 Mill Rd", postcode="co2 7aa")
    assert address.match_key == "CO27AA|3 mill road"
