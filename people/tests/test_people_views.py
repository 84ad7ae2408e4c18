"""The people pages: find, record (duplicates proposed first) and read a person."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from cases.tests.factories import AddressFactory, PersonFactory
from dasapp.models import AccessLog
from people.models import Person

PHONE_ERROR = "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
POSTCODE_ERROR = "Enter a real postcode, like CO1 1AA"


@pytest.fixture
def hartwell(org):
    return PersonFactory(
        given_name="Dawn",
        family_name="Hartwell",
        date_of_birth=dt.date(1988, 7, 14),
        phone="07700 900123",
        address=AddressFactory(line1="12 High Street", postcode="CO1 1AA"),
        safe_contact_instructions="Text first; her partner reads her post",
        no_voicemail=True,
    )


def _new_person(**extra):
    return {
        "given_name": "Dawn",
        "family_name": "Hartwell",
        "date_of_birth": "1988-07-14",
        "gender": "female",
        "language": "English",
        "location_type": "urban",
        **extra,
    }


def test_search_page_finds_a_number_typed_another_way_and_logs_field_names_only(
    client_for, hartwell
):
    c = client_for("call_taker")
    response = c.post("/people/", {"phone": "(07700) 900-123"})
    assert response.status_code == 200
    assert list(response.context["results"]) == [hartwell]
    assert b"Dawn Hartwell" in response.content
    log = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (log.user, log.channel, log.object_type) == (c.user, "web", "people.person")
    assert log.detail == {"fields": ["phone"], "results": [hartwell.pk]}
    assert "07700" not in str(log.detail)


def test_search_page_shows_the_phone_and_postcode_errors(client_for, org):
    c = client_for("call_taker")
    response = c.post("/people/", {"phone": "12345", "postcode": "nowhere"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["phone"] == [PHONE_ERROR]
    assert errors["postcode"] == [POSTCODE_ERROR]
    assert PHONE_ERROR.encode() in response.content
    assert not AccessLog.objects.exists()


def _search(c, data, *, htmx: bool):
    return c.post("/people/", data, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))


def _field_error(html: str, field: str, message: str) -> bool:
    return f'<p id="id_{field}-error" class="govuk-error-message">' in html and message in html


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"phone": "0770090012"}, "phone", PHONE_ERROR),
        ({"phone": "abc"}, "phone", PHONE_ERROR),
        ({"phone": "999"}, "phone", PHONE_ERROR),
        ({"postcode": "nowhere"}, "postcode", POSTCODE_ERROR),
        ({"date_of_birth": "1988-13-45"}, "date_of_birth", "Enter a valid date."),
    ],
)
def test_a_search_with_an_error_shows_it_at_the_field_and_no_earlier_results(
    client_for, hartwell, data, field, message, htmx
):
    c = client_for("daso")
    found = _search(c, {"phone": "07700900123"}, htmx=htmx)
    assert "Dawn Hartwell" in found.content.decode()
    response = _search(c, data, htmx=htmx)
    html = response.content.decode()
    # htmx swaps only 2xx answers; a page without JavaScript says 400.
    assert response.status_code == (200 if htmx else 400)
    assert 'class="govuk-error-summary"' in html
    assert f'<a href="#id_{field}">{message}</a>' in html
    assert _field_error(html, field, message)
    assert "Dawn Hartwell" not in html
    assert "found</h2>" not in html
    if htmx:
        # The swapped part holds the form with its errors, not just the results.
        assert html.lstrip().startswith('<div id="people-search">')
        assert "<html" not in html
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1


def test_an_htmx_search_answers_the_whole_search_area_with_the_results(client_for, hartwell):
    c = client_for("daso")
    response = _search(c, {"name": "Hartwell"}, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="people-search">')
    assert 'id="people-search-submit"' in html
    assert "1 person found" in html and "Dawn Hartwell" in html
    assert "govuk-error-summary" not in html


def test_record_page_proposes_a_likely_duplicate_and_creates_nobody(client_for, hartwell):
    c = client_for("call_taker")
    response = c.post("/people/new/", _new_person(family_name="Hartwel"))
    assert response.status_code == 400
    assert response.context["duplicates"] == [hartwell]
    assert b'data-testid="possible-duplicates"' in response.content
    assert f"/people/{hartwell.pk}/".encode() in response.content
    assert b"This may be someone already recorded" in response.content
    assert Person.objects.count() == 1


def test_record_page_creates_a_new_person_once_confirmed(client_for, hartwell):
    c = client_for("call_taker")
    response = c.post(
        "/people/new/",
        _new_person(family_name="Hartwel", confirm_new="on", phone="+44 7700 900124"),
    )
    assert response.status_code == 302
    person = Person.objects.exclude(pk=hartwell.pk).get()
    assert response["Location"] == f"/people/{person.pk}/?via=person:{person.pk}"
    assert person.phone_links.get().phone.e164 == "+447700900124"
    assert person.created_by == c.user
    shown = c.get(response["Location"])
    assert b"Before you view this record" not in shown.content
    assert AccessLog.objects.filter(action=AccessLog.Action.CONSULT).get().purpose == (
        "Recorded a new person"
    )


def test_record_page_links_an_existing_address_typed_another_way(client_for, hartwell):
    c = client_for("officer")
    response = c.post(
        "/people/new/",
        _new_person(
            given_name="Mia",
            date_of_birth="2015-01-02",
            address_line1="12 high st.",
            postcode="co1 1aa",
        ),
    )
    assert response.status_code == 302
    mia = Person.objects.get(given_name="Mia")
    assert mia.address_links.get().address == hartwell.address_links.get().address


def test_record_page_shows_field_errors_for_bad_phone_and_postcode(client_for, org):
    c = client_for("call_taker")
    response = c.post(
        "/people/new/", _new_person(phone="07700 90012", address_line1="1 Road", postcode="CO1")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["phone"] == [PHONE_ERROR]
    assert errors["postcode"] == [POSTCODE_ERROR]
    assert POSTCODE_ERROR.encode() in response.content
    assert not Person.objects.exists()


def test_record_page_asks_for_the_names(client_for, org):
    c = client_for("call_taker")
    response = c.post("/people/new/", _new_person(given_name="", family_name=""))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["given_name"] == ["Enter the person's first name"]
    assert errors["family_name"] == ["Enter the person's last name"]


def case_of(person) -> Case:
    """A case with `person` as victim: a work item that vouches for her record."""
    return Case.objects.create(victim=person, risk_level="high", opened_at=timezone.now())


def test_person_page_from_a_work_item_shows_safe_contact_and_logs_the_view(client_for, hartwell):
    c = client_for("daso")
    case = case_of(hartwell)
    response = c.get(f"/people/{hartwell.pk}/?via=case:{case.pk}")
    assert response.status_code == 200
    assert b"Text first; her partner reads her post" in response.content
    assert b"Never leave a voicemail or message" in response.content
    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.object_id, log.person_id, log.work_item, log.channel) == (
        str(hartwell.pk),
        hartwell.pk,
        f"case:{case.pk}",
        "web",
    )


def test_person_page_without_a_work_item_asks_why_before_showing_anything(client_for, hartwell):
    c = client_for("daso")
    response = c.get(f"/people/{hartwell.pk}/")
    assert response.status_code == 200
    assert b"Before you view this record" in response.content
    assert b"Hartwell" not in response.content
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "path", ["/people/", "/people/new/", "/people/{pk}/", "/people/{pk}/?via=case:1"]
)
def test_partner_agency_user_is_refused_every_people_page(client_for, hartwell, path):
    c = client_for("partner")
    assert c.get(path.format(pk=hartwell.pk)).status_code == 403
    assert c.post(path.format(pk=hartwell.pk), _new_person()).status_code == 403
    assert Person.objects.count() == 1
    assert not AccessLog.objects.exists()


def test_reader_who_may_not_record_is_refused_the_record_page(client_for, org):
    c = client_for("investigator")
    assert c.get("/people/").status_code == 200
    assert c.post("/people/new/", _new_person()).status_code == 403
    assert not Person.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, hartwell):
    response = client.get(f"/people/{hartwell.pk}/?via=case:1")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_person_page_lists_other_names_or_says_none_are_recorded(client_for, hartwell):
    c = client_for("daso")
    response = c.get(f"/people/{hartwell.pk}/?via=case:{case_of(hartwell).pk}")
    assert list(response.context["other_names"]) == []
    assert b"None recorded" in response.content
    other = PersonFactory(given_name="Gary", family_name="Moss", aliases=[("Gaz", "Mossy")])
    response = c.get(f"/people/{other.pk}/?via=case:{case_of(other).pk}")
    assert b"Gaz Mossy (alias)" in response.content
