"""The people and addresses API: matching, duplicates, optimistic locking, the access log,
permissions, the error shape and query counts."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from calls.models import Incident
from cases.models import Case
from cases.tests.factories import AddressFactory, PersonFactory, drama_number
from dasapp.models import AccessLog
from people.models import Address, Person

PHONE_ERROR = "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
POSTCODE_ERROR = "Enter a real postcode, like CO1 1AA"
JSON = "application/json"


@pytest.fixture
def hartwell(org):
    home = AddressFactory(line1="12 High Street", postcode="CO1 1AA")
    person = PersonFactory(
        given_name="Dawn",
        family_name="Hartwell",
        date_of_birth=dt.date(1988, 7, 14),
        phone="07700 900123",
        address=home,
        aliases=[("Dee", "Moss")],
        safe_contact_instructions="Text first; her partner reads her post",
        safe_times="Weekdays 10:00 to 12:00",
        no_voicemail=True,
    )
    return person


@pytest.fixture
def smith(org):
    return PersonFactory(given_name="Jane", family_name="Smith", date_of_birth=dt.date(1979, 2, 1))


def _ids(response):
    return [row["id"] for row in response.json()["results"]]


# Finding people


def test_list_without_terms_pages_every_person_the_caller_may_see(client_for, hartwell, smith):
    response = client_for("call_taker").get("/api/v1/people/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert _ids(response) == [hartwell.pk, smith.pk]  # by family name
    assert set(body) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize(
    "query",
    [
        {"name": "Smyth"},
        {"name": "jane smyth"},
        {"date_of_birth": "1979-02-01"},
    ],
)
def test_list_filters_find_smith(client_for, hartwell, smith, query):
    response = client_for("officer").get("/api/v1/people/", query)
    assert response.status_code == 200
    assert _ids(response) == [smith.pk]


def test_list_and_search_find_a_misspelt_first_name_typed_alone(client_for, hartwell, smith):
    c = client_for("call_taker")
    assert _ids(c.get("/api/v1/people/", {"name": "Jnae"})) == [smith.pk]
    searched = c.post("/api/v1/people/search/", {"name": "Dwan"}, content_type=JSON)
    assert _ids(searched) == [hartwell.pk]
    assert _ids(c.get("/api/v1/people/", {"name": "Lisa"})) == []


def test_list_filters_match_number_and_postcode_across_formats(client_for, hartwell, smith):
    c = client_for("call_taker")
    assert _ids(c.get("/api/v1/people/", {"phone": "(07700) 900-123"})) == [hartwell.pk]
    assert _ids(c.get("/api/v1/people/", {"postcode": "co1 1aa"})) == [hartwell.pk]


def test_list_filter_errors_use_the_one_shape_and_the_page_messages(client_for, org):
    response = client_for("call_taker").get(
        "/api/v1/people/", {"phone": "12345", "postcode": "nowhere", "date_of_birth": "1990-13-01"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["message"] == "There is a problem with the data sent."
    assert body["errors"]["phone"] == [PHONE_ERROR]
    assert body["errors"]["postcode"] == [POSTCODE_ERROR]
    assert body["errors"]["date_of_birth"] == ["Date of birth must be a real date, like 1990-03-27"]


def test_post_search_takes_terms_in_the_body(client_for, hartwell, smith):
    response = client_for("investigator").post(
        "/api/v1/people/search/",
        {"name": "Dawn Hartwel", "phone": "+44 7700 900123"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert _ids(response) == [hartwell.pk]


def test_post_search_needs_a_term_and_valid_formats(client_for, org):
    c = client_for("call_taker")
    empty = c.post("/api/v1/people/search/", {}, content_type=JSON)
    assert empty.status_code == 400
    assert empty.json()["errors"] == {
        "non_field_errors": ["Enter a name, date of birth, phone number or postcode"]
    }
    bad = c.post("/api/v1/people/search/", {"phone": "12345", "postcode": "CO1"}, content_type=JSON)
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"phone": [PHONE_ERROR], "postcode": [POSTCODE_ERROR]}


def test_every_search_is_logged_with_field_names_and_result_ids_only(client_for, hartwell):
    c = client_for("call_taker")
    call = Incident.objects.create(status="graded", created_at=timezone.now())
    c.get(
        "/api/v1/people/", {"phone": "07700 900123"}, headers={"X-Work-Item": f"incident:{call.pk}"}
    )
    c.post("/api/v1/people/search/", {"postcode": "CO1 1AA"}, content_type=JSON)
    logs = list(AccessLog.objects.filter(action=AccessLog.Action.SEARCH).order_by("id"))
    assert [(log.channel, log.object_type, log.user) for log in logs] == [
        ("api", "people.person", c.user),
        ("api", "people.person", c.user),
    ]
    assert logs[0].detail == {"fields": ["phone"], "results": [hartwell.pk], "count": 1}
    assert logs[0].work_item == f"incident:{call.pk}"
    assert logs[1].detail == {"fields": ["postcode"], "results": [hartwell.pk], "count": 1}
    assert "CO1" not in str([log.detail for log in logs])


@pytest.mark.parametrize("count", [5, 50])
def test_people_list_query_count_does_not_grow_with_rows(
    count, client_for, org, django_assert_max_num_queries
):
    c = client_for("call_taker")
    for n in range(count):
        home = AddressFactory(line1=f"{n} Fictional Road", postcode="CO1 1AA")
        assert home.district is not None
        PersonFactory(phone=drama_number(n), address=home, aliases=[("Jo", f"Alias{n}")])
    # Session, user, two-factor devices, roles, count, people with names, addresses and
    # numbers, the access log row and the session's activity stamp.
    with django_assert_max_num_queries(15):
        response = c.get("/api/v1/people/")
    assert response.json()["count"] == count
    assert len(response.json()["results"]) == count
    with django_assert_max_num_queries(20):
        searched = c.post("/api/v1/people/search/", {"postcode": "CO1 1AA"}, content_type=JSON)
    assert searched.json()["count"] == count


# Reading a person


def test_retrieve_shows_names_contacts_safe_contact_and_ties(client_for, hartwell, smith):
    from people import services

    child = PersonFactory(given_name="Mia", family_name="Hartwell")
    services.relationship_link(person=hartwell, other=child, kind="parent_of")
    services.relationship_link(person=smith, other=hartwell, kind="ex_partner")
    response = client_for("daso").get(f"/api/v1/people/{hartwell.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert {(n["given_name"], n["family_name"], n["kind"]) for n in body["names"]} == {
        ("Dawn", "Hartwell", "primary"),
        ("Dee", "Moss", "alias"),
    }
    assert body["phones"] == [
        {
            "number": "+447700900123",
            "national": "07700 900123",
            "kind": "other",
            "is_safe": False,
            "is_current": True,
            "note": "",
        }
    ]
    [address] = body["addresses"]
    assert address["address"]["postcode"] == "CO1 1AA"
    assert address["kind"] == "home"
    assert body["safe_contact_instructions"] == "Text first; her partner reads her post"
    assert (body["safe_times"], body["no_voicemail"]) == ("Weekdays 10:00 to 12:00", True)
    assert sorted((r["kind"], r["person_id"]) for r in body["relationships"]) == sorted(
        [("parent_of", child.pk), ("ex_partner", smith.pk)]
    )


def test_every_retrieve_writes_an_api_access_log_row(client_for, hartwell):
    c = client_for("daso")
    case = Case.objects.create(victim=hartwell, risk_level="high", opened_at=timezone.now())
    c.get(
        f"/api/v1/people/{hartwell.pk}/",
        headers={"X-Access-Purpose": "Safety plan review", "X-Work-Item": f"case:{case.pk}"},
    )
    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.user, log.channel, log.object_type, log.object_id, log.person_id) == (
        c.user,
        "api",
        "people.person",
        str(hartwell.pk),
        hartwell.pk,
    )
    assert (log.purpose, log.work_item) == ("Safety plan review", f"case:{case.pk}")


def test_retrieve_of_an_unknown_person_is_404_in_the_one_shape(client_for, org):
    response = client_for("daso").get("/api/v1/people/999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors", "status"}
    assert not AccessLog.objects.exists()


# Recording a person


def _body(**extra):
    return {"given_name": "Dawn", "family_name": "Hartwell", "date_of_birth": "1988-07-14", **extra}


def test_create_records_a_person_with_numbers_addresses_aliases_and_ties(client_for, smith):
    c = client_for("call_taker")
    response = c.post(
        "/api/v1/people/",
        _body(
            phones=[{"number": "(07700) 900-123", "is_safe": True}],
            addresses=[{"line1": "12 High St.", "postcode": "co1 1aa"}],
            aliases=[{"given_name": "Dee", "family_name": "Moss"}],
            relationships=[{"person_id": smith.pk, "kind": "family"}],
            safe_contact_instructions="Text first",
        ),
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.created_by == c.user
    assert body["phones"][0]["number"] == "+447700900123"
    assert body["phones"][0]["is_safe"] is True
    assert body["addresses"][0]["address"]["line1"] == "12 High St."
    assert {n["family_name"] for n in body["names"]} == {"Hartwell", "Moss"}
    assert body["relationships"][0]["person_id"] == smith.pk
    assert body["safe_contact_instructions"] == "Text first"


def test_create_answers_409_with_candidates_and_saves_nothing(client_for, hartwell):
    response = client_for("call_taker").post(
        "/api/v1/people/",
        _body(family_name="Hartwel", phones=[{"number": "07700 900999"}]),
        content_type=JSON,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == 409
    assert body["candidates"] == [hartwell.pk]
    assert body["message"].startswith("This may be someone already recorded")
    assert "confirm_new" in body["errors"]
    assert Person.objects.count() == 1


def test_create_with_confirm_new_records_a_second_person(client_for, hartwell):
    response = client_for("call_taker").post(
        "/api/v1/people/", _body(confirm_new=True), content_type=JSON
    )
    assert response.status_code == 201
    assert Person.objects.count() == 2
    assert hartwell.names.count() == 2  # untouched: nothing merged


def test_create_gives_the_page_messages_for_bad_phone_postcode_and_names(client_for, org):
    response = client_for("call_taker").post(
        "/api/v1/people/",
        {
            "given_name": "",
            "phones": [{"number": "07700 900123"}, {"number": "12345"}],
            "addresses": [{"line1": "1 Road", "postcode": "CO1"}, {"postcode": "CO1 1AA"}],
        },
        content_type=JSON,
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == {
        "given_name": ["Enter the person's first name"],
        "family_name": ["Enter the person's last name"],
        "phones.1.number": [PHONE_ERROR],
        "addresses.0.postcode": [POSTCODE_ERROR],
        "addresses.1.line1": ["Enter the first line of the address"],
    }
    assert not Person.objects.exists()


def test_create_refuses_a_future_birth_date_before_checking_duplicates(client_for, hartwell):
    response = client_for("call_taker").post(
        "/api/v1/people/", _body(date_of_birth="2999-01-01"), content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"date_of_birth": ["Date of birth must be in the past"]}


def test_create_refuses_a_tie_to_an_unknown_person(client_for, org):
    response = client_for("call_taker").post(
        "/api/v1/people/",
        _body(relationships=[{"person_id": 424242, "kind": "partner"}]),
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "relationships.0.person_id": ["No person has the id 424242"]
    }


# Correcting a person


def test_patch_with_the_version_read_changes_it_and_bumps_the_version(client_for, hartwell):
    c = client_for("daso")
    response = c.patch(
        f"/api/v1/people/{hartwell.pk}/",
        {"version": 1, "safe_times": "Evenings only", "change_reason": "Victim asked"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["version"], response.json()["safe_times"]) == (2, "Evenings only")
    hartwell.refresh_from_db()
    assert (hartwell.version, hartwell.safe_times, hartwell.family_name) == (
        2,
        "Evenings only",
        "Hartwell",
    )
    record = hartwell.history.first()
    assert (record.history_change_reason, record.history_user) == ("Victim asked", c.user)


def test_patch_with_a_stale_version_is_409_and_changes_nothing(client_for, hartwell):
    first, second = client_for("daso"), client_for("officer")
    assert (
        first.patch(
            f"/api/v1/people/{hartwell.pk}/",
            {"version": 1, "language": "Polish"},
            content_type=JSON,
        ).status_code
        == 200
    )
    stale = second.patch(
        f"/api/v1/people/{hartwell.pk}/",
        {"version": 1, "language": "Urdu", "safe_times": "Never"},
        content_type=JSON,
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["status"] == 409 and "version" in body["errors"]
    hartwell.refresh_from_db()
    assert (hartwell.language, hartwell.safe_times, hartwell.version) == (
        "Polish",
        "Weekdays 10:00 to 12:00",
        2,
    )


def test_patch_without_a_version_is_refused(client_for, hartwell):
    response = client_for("daso").patch(
        f"/api/v1/people/{hartwell.pk}/", {"language": "Polish"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"version": ["Send the version of the person you read"]}
    hartwell.refresh_from_db()
    assert hartwell.language == "English"


def test_put_and_delete_are_not_offered(client_for, hartwell):
    c = client_for("daso")
    assert c.put(f"/api/v1/people/{hartwell.pk}/", _body(), content_type=JSON).status_code == 405
    assert c.delete(f"/api/v1/people/{hartwell.pk}/").status_code == 405
    assert Person.objects.filter(pk=hartwell.pk).exists()


# Addresses


def test_addresses_list_matches_postcode_and_first_line_typed_another_way(client_for, hartwell):
    other = AddressFactory(line1="14 High Street", postcode="CO1 1AA")
    AddressFactory(line1="12 High Street", postcode="CO2 7AA")
    c = client_for("call_taker")
    at_postcode = c.get("/api/v1/addresses/", {"postcode": "co11aa"})
    assert at_postcode.status_code == 200
    assert len(_ids(at_postcode)) == 2 and other.pk in _ids(at_postcode)
    exact = c.get("/api/v1/addresses/", {"postcode": "CO1 1AA", "line1": "12 high st."})
    home = hartwell.address_links.get().address
    assert _ids(exact) == [home.pk]
    assert exact.json()["results"][0]["postcode"] == "CO1 1AA"
    log = AccessLog.objects.filter(object_type="people.address").order_by("id").last()
    assert log.detail == {"fields": ["line1", "postcode"], "results": [home.pk]}


def test_addresses_list_needs_a_real_postcode(client_for, org):
    c = client_for("call_taker")
    missing = c.get("/api/v1/addresses/")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"postcode": ["Enter the postcode"]}
    bad = c.get("/api/v1/addresses/", {"postcode": "nowhere"})
    assert bad.json()["errors"] == {"postcode": [POSTCODE_ERROR]}


def test_address_retrieve_shows_who_is_linked_and_is_logged(client_for, hartwell):
    home = hartwell.address_links.get().address
    c = client_for("officer")
    response = c.get(f"/api/v1/addresses/{home.pk}/")
    assert response.status_code == 200
    assert response.json()["people"] == [
        {"person_id": hartwell.pk, "name": "Dawn Hartwell", "kind": "home", "is_current": True}
    ]
    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.object_type, log.object_id, log.channel) == ("people.address", str(home.pk), "api")


def test_address_create_is_201_then_200_for_the_same_place_typed_another_way(client_for, org):
    c = client_for("call_taker")
    first = c.post(
        "/api/v1/addresses/",
        {"line1": "Flat 1, 12 High St.", "postcode": "co1 1aa"},
        content_type=JSON,
    )
    again = c.post(
        "/api/v1/addresses/",
        {"line1": "flat 1 12 high street", "postcode": "CO11AA"},
        content_type=JSON,
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Address.objects.count() == 1


def test_address_create_errors_match_the_page(client_for, org):
    response = client_for("call_taker").post(
        "/api/v1/addresses/", {"line1": "", "postcode": "CO1"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "line1": ["Enter the first line of the address"],
        "postcode": [POSTCODE_ERROR],
    }


# Who may


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/people/"),
        ("get", "/api/v1/people/{pk}/"),
        ("post", "/api/v1/people/search/"),
        ("post", "/api/v1/people/"),
        ("patch", "/api/v1/people/{pk}/"),
        ("get", "/api/v1/addresses/?postcode=CO11AA"),
        ("get", "/api/v1/addresses/{address}/"),
        ("post", "/api/v1/addresses/"),
    ],
)
def test_partner_agency_user_gets_403_on_people_and_places(client_for, hartwell, method, path):
    c = client_for("partner")
    url = path.format(pk=hartwell.pk, address=hartwell.address_links.get().address_id)
    response = (
        getattr(c, method)(url, {"version": 1, **_body()}, content_type=JSON)
        if method != "get"
        else c.get(url)
    )
    assert response.status_code == 403
    assert set(response.json()) == {"message", "errors", "status"}
    assert not AccessLog.objects.exists()
    assert Person.objects.count() == 1


def test_reader_may_search_but_not_record_or_correct(client_for, hartwell):
    c = client_for("marac_coordinator")
    assert (
        c.post("/api/v1/people/search/", {"name": "Hartwell"}, content_type=JSON).status_code == 200
    )
    assert c.post("/api/v1/people/", _body(confirm_new=True), content_type=JSON).status_code == 403
    patch = c.patch(
        f"/api/v1/people/{hartwell.pk}/", {"version": 1, "language": "x"}, content_type=JSON
    )
    assert patch.status_code == 403
    assert (
        c.post(
            "/api/v1/addresses/", {"line1": "1 Road", "postcode": "CO1 1AA"}, content_type=JSON
        ).status_code
        == 403
    )
    assert Person.objects.count() == 1


def test_anonymous_request_is_refused_without_personal_data(client, hartwell):
    response = client.get(f"/api/v1/people/{hartwell.pk}/")
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication credentials were not provided."
    assert b"Hartwell" not in response.content
    assert (
        client.post("/api/v1/people/search/", {"name": "Hartwell"}, content_type=JSON).status_code
        == 401
    )
    assert not AccessLog.objects.exists()


def test_token_authenticated_integration_can_search(persona, hartwell):
    from django.test import Client

    user = persona("call_taker")
    token = Token.objects.get(user=user)
    response = Client().post(
        "/api/v1/people/search/",
        {"phone": "+447700900123"},
        content_type=JSON,
        headers={"Authorization": f"Token {token.key}"},
    )
    assert response.status_code == 200
    assert _ids(response) == [hartwell.pk]
    assert AccessLog.objects.get().user == user


def test_schema_documents_the_post_search_and_warns_about_get_terms(client_for, org):
    response = client_for("call_taker").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/people/search/"]
    assert "prefer `POST /api/v1/people/search/`" in paths["/api/v1/people/"]["get"]["description"]
    assert "409" in paths["/api/v1/people/"]["post"]["responses"]
    assert "409" in paths["/api/v1/people/{id}/"]["patch"]["responses"]
    assert {"200", "201"} <= set(paths["/api/v1/addresses/"]["post"]["responses"])
