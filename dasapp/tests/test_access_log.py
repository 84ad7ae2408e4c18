"""The access log (DPA 2018 s.62): append-only, written by every view of a person, shown
to supervisors, and the only place personal data about a look-up is kept."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError, connection, transaction

from dasapp import services
from dasapp.models import AccessLog
from dasapp.roles import Role

NAME = ("Marnie", "Quillfeather")
PHONE = "07700 900431"
POSTCODE = "CM1 1QQ"


@pytest.fixture
def person(org):
    from people import services as case_services

    person = case_services.person_create(
        data=case_services.PersonInput(given_name=NAME[0], family_name=NAME[1])
    )
    phone, _ = case_services.phone_get_or_create(number=PHONE)
    case_services.person_phone_link(person=person, phone=phone)
    address, _ = case_services.address_get_or_create(line1="4 Quill Lane", postcode=POSTCODE)
    case_services.person_address_link(person=person, address=address)
    return person


@pytest.fixture
def case(person, persona):
    """A case with the person as its victim: a work item that vouches for her record."""
    from cases import case_services

    made, _ = case_services.case_open_or_join(
        victim=person, perpetrator=None, level="medium", user=persona(Role.DASO)
    )
    return made


@pytest.fixture
def entry(persona):
    return services.access_record(
        user=persona(Role.DASO),
        action=AccessLog.Action.CONSULT,
        object_type="people.person",
        object_id=1,
        person_id=1,
        purpose="Safety plan review",
    )


def person_logs(person):
    return AccessLog.objects.filter(object_type="people.person", object_id=str(person.pk))


# Append-only ---------------------------------------------------------------------------


def test_saving_an_existing_entry_is_refused(entry):
    entry.purpose = "Something else"
    with pytest.raises(PermissionError):
        entry.save()
    assert AccessLog.objects.get(pk=entry.pk).purpose == "Safety plan review"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_are_refused(entry):
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=entry.pk).update(purpose="Changed")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    with pytest.raises(PermissionError), transaction.atomic():
        entry.purpose = "Changed"
        AccessLog.objects.bulk_update([entry], ["purpose"])
    assert AccessLog.objects.get(pk=entry.pk).purpose == "Safety plan review"


@pytest.mark.postgres
def test_database_refuses_raw_update_and_delete_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("The append-only trigger exists on PostgreSQL only (migration 0002).")
    table = AccessLog._meta.db_table
    for sql in (
        f"UPDATE {table} SET purpose = 'changed' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AccessLog.objects.get(pk=entry.pk).purpose == "Safety plan review"


def test_new_entries_can_still_be_added(entry, persona):
    services.access_record(
        user=persona(Role.SUPERVISOR), action=AccessLog.Action.DISCLOSE, obj=entry.user
    )
    assert AccessLog.objects.count() == 2


# A person's page -----------------------------------------------------------------------


def test_viewing_a_person_without_a_work_item_asks_why_and_logs_nothing_yet(client_for, person):
    c = client_for(Role.DASO)
    response = c.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert b"Why are you viewing this record?" in response.content
    assert NAME[1].encode() not in response.content
    assert not person_logs(person).exists()


def test_an_empty_purpose_is_refused_and_nothing_is_logged(client_for, person):
    c = client_for(Role.DASO)
    response = c.post(f"/people/{person.pk}/", {"purpose": ""})
    assert response.status_code == 400
    assert b"Enter why you are viewing this record" in response.content
    assert not person_logs(person).exists()


def test_giving_a_purpose_shows_the_record_and_logs_it_with_the_purpose(client_for, person):
    c = client_for(Role.DASO)
    response = c.post(f"/people/{person.pk}/", {"purpose": "Checking before a home visit"})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    response = c.get(response["Location"])
    assert NAME[1].encode() in response.content
    log = person_logs(person).get()
    assert log.user == c.user
    assert log.action == AccessLog.Action.CONSULT
    assert log.channel == AccessLog.Channel.WEB
    assert log.person_id == person.pk
    assert log.purpose == "Checking before a home visit"
    assert log.work_item == ""


def test_every_later_view_in_the_session_is_logged_with_the_same_purpose(client_for, person):
    c = client_for(Role.DASO)
    c.post(f"/people/{person.pk}/", {"purpose": "Checking before a home visit"})
    c.get(f"/people/{person.pk}/")
    c.get(f"/people/{person.pk}/")
    assert person_logs(person).count() == 2
    assert set(person_logs(person).values_list("purpose", flat=True)) == {
        "Checking before a home visit"
    }


def test_coming_from_a_work_item_logs_straight_away_with_that_item(client_for, person, case):
    c = client_for(Role.DASO)
    response = c.get(f"/people/{person.pk}/?via=case:{case.pk}")
    assert response.status_code == 200
    assert NAME[1].encode() in response.content
    log = person_logs(person).get()
    assert log.work_item == f"case:{case.pk}"
    assert log.user == c.user


def test_a_work_item_about_someone_else_is_ignored_and_the_purpose_asked(
    client_for, person, persona
):
    """The review's case: someone opened an unrelated person `?via=case:1`, a case they
    have nothing to do with, and was logged as working it without being asked why."""
    from cases import case_services
    from people import services as people_services

    other = people_services.person_create(
        data=people_services.PersonInput(given_name="Other", family_name="Victim")
    )
    unrelated, _ = case_services.case_open_or_join(
        victim=other, perpetrator=None, level="medium", user=persona(Role.DASO)
    )
    for role in (Role.INVESTIGATOR, Role.DASO):
        c = client_for(role)
        response = c.get(f"/people/{person.pk}/?via=case:{unrelated.pk}")
        assert b"Why are you viewing this record?" in response.content, role
        assert NAME[1].encode() not in response.content
    assert not person_logs(person).exists()


def test_a_malformed_work_item_is_ignored_and_the_purpose_asked(client_for, person):
    c = client_for(Role.DASO)
    response = c.get(f"/people/{person.pk}/?via=Marnie Quillfeather")
    assert b"Why are you viewing this record?" in response.content
    assert not person_logs(person).exists()


def test_a_search_is_logged_with_the_fields_used_and_the_ids_found_not_the_terms(
    client_for, person
):
    c = client_for(Role.CALL_TAKER)
    response = c.post("/people/", {"name": " ".join(NAME), "postcode": POSTCODE})
    assert response.status_code == 200
    log = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert log.detail == {"fields": ["name", "postcode"], "results": [person.pk]}
    assert NAME[1] not in str(log.detail)


def test_api_read_of_a_person_is_logged_with_the_work_item_header(client_for, person, case):
    c = client_for(Role.DASO)
    response = c.get(
        f"/api/v1/people/{person.pk}/",
        headers={"X-Work-Item": f"case:{case.pk}", "X-Access-Purpose": "Safety plan review"},
    )
    assert response.status_code == 200
    log = person_logs(person).get()
    assert log.channel == AccessLog.Channel.API
    assert log.work_item == f"case:{case.pk}"
    assert log.purpose == "Safety plan review"


def test_api_work_item_header_naming_something_else_is_not_logged(client_for, person, case):
    c = client_for(Role.DASO)
    for header in (f"case:{case.pk + 100}", "banana:1", f"person:{person.pk}"):
        response = c.get(f"/api/v1/people/{person.pk}/", headers={"X-Work-Item": header})
        assert response.status_code == 200
    assert list(person_logs(person).values_list("work_item", flat=True)) == ["", "", ""]


# The access-log page -----------------------------------------------------------------


def test_supervisor_sees_who_viewed_what_and_why(client_for, person, case):
    viewer = client_for(Role.DASO)
    viewer.get(f"/people/{person.pk}/?via=case:{case.pk}")
    supervisor = client_for(Role.SUPERVISOR)
    response = supervisor.get("/access-log/")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(viewer.user) in page
    # In words, not as stored: the person's name and the case's reference.
    assert f"Person {NAME[0]} {NAME[1]}" in page
    assert f"Working case {case.reference}" in page
    assert f"people.person:{person.pk}" not in page
    assert f"case:{case.pk}<" not in page
    assert "Consulted" in page


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SUPERVISOR])
def test_access_log_page_is_refused_to_other_roles(client_for, role):
    assert client_for(role).get("/access-log/").status_code == 403


def test_access_log_page_sends_anonymous_users_to_sign_in(client, db):
    response = client.get("/access-log/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


# No personal data in application logs ----------------------------------------------


def test_search_and_person_page_write_no_personal_data_to_application_logs(
    client_for, person, case, caplog
):
    c = client_for(Role.CALL_TAKER)
    with caplog.at_level(logging.DEBUG):
        c.post("/people/", {"name": " ".join(NAME), "phone": PHONE, "postcode": POSTCODE})
        c.post("/people/", {"name": " ".join(NAME)}, headers={"HX-Request": "true"})
        c.get(f"/people/{person.pk}/")
        c.post(f"/people/{person.pk}/", {"purpose": f"Call about {NAME[0]} {NAME[1]}"})
        c.get(f"/people/{person.pk}/")
        c.get(f"/people/{person.pk}/?via=case:{case.pk}")
        c.get(f"/api/v1/people/{person.pk}/")
        c.get(f"/people/{person.pk + 1000}/?via=case:1")  # a 404 is logged by Django
        logging.getLogger("cases.views").info("sentinel")
    assert "sentinel" in caplog.text  # application loggers are being captured
    text = caplog.text.lower()
    for value in (*NAME, PHONE, PHONE.replace(" ", ""), "+447700900431", POSTCODE, "CM11QQ"):
        assert value.lower() not in text, value
