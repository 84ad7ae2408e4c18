"""The call page as a call-taker meets it: the error summary in the page's order with the
unanswered questions as one entry, the known address filled by confirming it (and
undone), the appointment typed into one field read as UK time, and the logged call's
page showing its intelligence once."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.test import Client

from calls.choices import IncidentRole
from calls.services import calls as call_services
from dasapp.roles import Role
from people import services

pytestmark = pytest.mark.django_db

REQUIRED_QUESTIONS = [
    "injuries",
    "suspect_location",
    "weapons",
    "children_present",
    "drink_drugs",
    "previous_incidents",
    "fear_level",
    "afraid_of",
    "demeanour",
]


@pytest.fixture
def call_taker(persona):
    return persona(Role.CALL_TAKER, team="control-room")


def client_as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def new_draft(call_taker, **fields):
    incident, _ = call_services.incident_start(user=call_taker)
    if fields:
        call_services.incident_autosave(
            incident=incident, user=call_taker, data=call_services.DraftInput(**fields)
        )
    incident.refresh_from_db()
    return incident


def summary_of(html: str) -> list[tuple[str, str]]:
    summary = html.split('data-testid="error-summary"')[1].split("</ul>")[0]
    return [
        (anchor, unescape(text))
        for anchor, text in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)
    ]


def positions(html: str, anchors: list[str]) -> list[int]:
    body = html.split('id="call-form"')[1]
    return [body.index(f'id="{anchor}"') for anchor in anchors]


# Item: an early "Log call" listed 11 errors in another order than the page's.


def test_an_early_log_call_lists_three_errors_in_the_pages_order(call_taker):
    incident = new_draft(call_taker)
    response = client_as(call_taker).post(
        f"/calls/{incident.pk}/log/", {"version": str(incident.version), "caller_phone": "12"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    entries = summary_of(html)
    assert entries == [
        (
            "caller_phone",
            "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123",
        ),
    ]
    # Now with a valid number: the address, every unanswered question, the grade.
    response = client_as(call_taker).post(
        f"/calls/{incident.pk}/log/", {"version": str(incident.version + 1)}
    )
    html = response.content.decode()
    entries = summary_of(html)
    assert [text for _, text in entries] == [
        "Enter the address, or describe the location",
        "Answer the 9 questions not yet answered, or say why each was not asked",
        "Choose a response grade",
    ]
    anchors = [anchor for anchor, _ in entries]
    assert anchors == ["address_line1", "q-injuries-1", "grade-emergency"]
    assert positions(html, anchors) == sorted(positions(html, anchors))
    # Each question still says what is wanted beside it.
    for code in REQUIRED_QUESTIONS:
        assert f'id="q-{code}-error"' in html, code


def error_lists(html: str) -> list[str]:
    """Every list of errors on the page: the error summary's and any other red list."""
    return re.findall(
        r'<ul class="[^"]*(?:govuk-error-summary__list|govuk-error-message)[^"]*"', html
    )


def test_an_early_log_call_shows_one_list_of_errors_only(call_taker):
    incident = new_draft(call_taker, caller_phone="07700900111")
    response = client_as(call_taker).post(
        f"/calls/{incident.pk}/log/", {"version": str(incident.version)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert len(error_lists(html)) == 1, error_lists(html)
    assert html.count("govuk-error-summary__list") == 1
    assert 'data-testid="autosave-errors"' not in html
    # No message is lost: each is in the summary (the questions as one entry) and at its field.
    assert [text for _, text in summary_of(html)] == [
        "Enter the address, or describe the location",
        "Answer the 9 questions not yet answered, or say why each was not asked",
        "Choose a response grade",
    ]
    for anchor in ("address_line1", "grade"):
        assert f'id="{anchor}-error"' in html, anchor
    for code in REQUIRED_QUESTIONS:
        assert f'id="q-{code}-error"' in html, code


def test_the_page_without_javascript_shows_one_list_of_errors_only(call_taker):
    incident = new_draft(call_taker)
    response = client_as(call_taker).post(
        f"/calls/{incident.pk}/save/",
        {"version": str(incident.version), "caller_phone": "12", "people-present": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert len(error_lists(html)) == 1, error_lists(html)
    assert summary_of(html)[0][0] == "caller_phone"
    assert 'id="caller_phone-error"' in html


def test_errors_are_listed_in_page_order_whatever_order_they_were_found_in(call_taker):
    incident = new_draft(call_taker)
    post = {
        "version": str(incident.version),
        "caller_phone": "07700900111",
        "location_note": "Car park",
        "grade": "scheduled",
        "appointment_at": "not a date",
        "q-injuries": "none",
        "q-suspect_location": "elsewhere",
        "q-suspect_away_until": "31/02/2027",
        "q-weapons": "no",
        "q-children_present": "no",
        "q-drink_drugs": "no",
        "q-previous_incidents": "no",
        "q-demeanour": "calm",
        "q-afraid_of": "further_injury",
        "multi": "afraid_of",
    }
    html = client_as(call_taker).post(f"/calls/{incident.pk}/log/", post).content.decode()
    entries = summary_of(html)
    anchors = [anchor for anchor, _ in entries]
    assert anchors == ["q-suspect_away_until"], entries  # a wrong date: nothing else yet
    post["q-suspect_away_until"] = ""
    incident.refresh_from_db()
    post["version"] = str(incident.version)
    html = client_as(call_taker).post(f"/calls/{incident.pk}/log/", post).content.decode()
    entries = summary_of(html)
    # One unanswered question is named on its own, not as "the 1 questions".
    assert entries[0][0] == "q-fear_level-1"
    assert entries[0][1].startswith("Answer 'How frightened are you?'")
    assert [anchor for anchor, _ in entries][1:] == ["grade_reason", "appointment_at"]
    assert positions(html, [a for a, _ in entries]) == sorted(
        positions(html, [a for a, _ in entries])
    )


# Item: the known address was shown to confirm, but the fields stayed empty.


@pytest.fixture
def known_victim(org):
    """A repeat victim with a current home address on record."""
    person = services.person_create(
        data=services.PersonInput(
            given_name="Leah", family_name="Hartwell", date_of_birth=dt.date(1990, 4, 2)
        )
    )
    address, _ = services.address_get_or_create(
        line1="14 Larch Close", town="Colchester", postcode="CO4 9QT"
    )
    services.person_address_link(person=person, address=address)
    person.address = address
    return person


def autosave(c, incident, post: dict) -> str:
    response = c.post(f"/calls/{incident.pk}/autosave/", post)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def page_post(incident, victim, **extra) -> dict:
    """The call form as the page posts it, with the victim on the call and her known
    address shown to confirm."""
    key = f"address:{victim.address.pk}"
    return {
        "version": str(incident.version),
        "people-present": "1",
        "person": f"{victim.pk}:victim",
        "prefill-present": "1",
        f"prefill-label-{key}": "Home address",
        f"prefill-value-{key}": str(victim.address),
        **extra,
    }


def test_using_the_known_address_fills_the_fields_and_undo_puts_back_what_was_typed(
    call_taker, known_victim
):
    incident = new_draft(
        call_taker, address_line1="Flat 2", people=[(known_victim.pk, IncidentRole.VICTIM)]
    )
    c = client_as(call_taker)
    html = c.get(f"/calls/{incident.pk}/").content.decode()
    use = f'name="use_address" value="{known_victim.address.pk}"'
    assert use in html  # offered beside the known address

    live = autosave(
        c,
        incident,
        page_post(
            incident,
            known_victim,
            address_line1="Flat 2",
            use_address=str(known_victim.address.pk),
        ),
    )
    incident.refresh_from_db()
    assert incident.address_raw == {
        "line1": "14 Larch Close",
        "town": "Colchester",
        "postcode": "CO4 9QT",
    }
    assert incident.address == known_victim.address  # the known place, not a new one
    key = f"address:{known_victim.address.pk}"
    item = next(i for i in incident.prefill if i["key"] == key)
    assert item["status"] == "confirmed"
    # The page's fields are swapped with the values, the undo offered and focused.
    fields = live.split('<div id="address-fields" hx-swap-oob="true">')[1]
    assert 'id="address_line1" name="address_line1" autocomplete="off" value="14 Larch Close"' in (
        fields
    )
    assert 'value="CO4 9QT"' in fields
    assert re.search(rf'name="undo_address" value="{key}"[^>]*data-take-focus', live)
    assert "The call&#x27;s address is now the known address: 14 Larch Close" in live

    # An autosave after (the fill is kept; the undo stays possible).
    incident.refresh_from_db()
    autosave(
        c,
        incident,
        page_post(
            incident,
            known_victim,
            address_line1="14 Larch Close",
            address_town="Colchester",
            postcode="CO4 9QT",
            narrative="She is at home",
            **{f"prefill-status-{key}": "confirmed"},
        ),
    )
    incident.refresh_from_db()
    live = autosave(
        c,
        incident,
        page_post(
            incident,
            known_victim,
            address_line1="14 Larch Close",
            address_town="Colchester",
            postcode="CO4 9QT",
            undo_address=key,
            **{f"prefill-status-{key}": "confirmed"},
        ),
    )
    incident.refresh_from_db()
    assert incident.address_raw == {"line1": "Flat 2", "town": "", "postcode": ""}
    assert incident.address is None
    item = next(i for i in incident.prefill if i["key"] == key)
    assert item["status"] == "" and not item.get("filled")
    assert 'value="Flat 2"' in live.split('<div id="address-fields" hx-swap-oob="true">')[1]
    assert re.search(r'name="use_address"[^>]*data-take-focus', live)


def test_without_javascript_using_the_known_address_shows_the_page_with_it_filled(
    call_taker, known_victim
):
    incident = new_draft(call_taker, people=[(known_victim.pk, IncidentRole.VICTIM)])
    c = client_as(call_taker)
    response = c.post(
        f"/calls/{incident.pk}/save/",
        page_post(incident, known_victim, use_address=str(known_victim.address.pk)),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/calls/{incident.pk}/#address-fields"
    html = c.get(response["Location"]).content.decode()
    assert 'name="address_line1" autocomplete="off" value="14 Larch Close"' in html
    assert 'name="undo_address"' in html


def test_only_a_known_address_of_a_victim_on_the_call_can_be_used(call_taker, known_victim):
    """Someone else's address id (posted by hand) fills nothing."""
    other, _ = services.address_get_or_create(line1="1 Mill Lane", postcode="CO1 1AA")
    incident = new_draft(call_taker, address_line1="Flat 2")
    autosave(
        client_as(call_taker),
        incident,
        {
            "version": str(incident.version),
            "address_line1": "Flat 2",
            "use_address": str(known_victim.address.pk),
        },
    )
    incident.refresh_from_db()
    assert incident.address_raw["line1"] == "Flat 2"
    incident.refresh_from_db()
    autosave(
        client_as(call_taker),
        incident,
        {
            "version": str(incident.version),
            "address_line1": "Flat 2",
            "use_address": str(other.pk),
        },
    )
    incident.refresh_from_db()
    assert incident.address_raw["line1"] == "Flat 2"


# Item: the appointment took 7 tab stops and "until when?" 4: one typed field each.

ANSWERS_POSTED = {
    "q-injuries": "none",
    "q-suspect_location": "far_away",
    "q-weapons": "no",
    "q-children_present": "no",
    "q-drink_drugs": "no",
    "q-previous_incidents": "no",
    "q-fear_level": "1",
    "q-afraid_of": "further_injury",
    "multi": "afraid_of",
    "q-demeanour": "calm",
}


def log_scheduled(call_taker, appointment: str, **extra):
    incident = new_draft(call_taker)
    post = {
        "version": str(incident.version),
        "caller_phone": "07700900111",
        "location_note": "Her mother's flat",
        "grade": "scheduled",
        "grade_reason": "He is in custody; she asked for a visit",
        "appointment_at": appointment,
        **ANSWERS_POSTED,
        **extra,
    }
    response = client_as(call_taker).post(f"/calls/{incident.pk}/log/", post)
    incident.refresh_from_db()
    return incident, response


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("14/1/2027 14:30", dt.datetime(2027, 1, 14, 14, 30, tzinfo=dt.UTC)),  # GMT
        ("14/7/2027 2:30pm", dt.datetime(2027, 7, 14, 13, 30, tzinfo=dt.UTC)),  # BST
    ],
)
def test_the_appointment_is_one_field_read_as_uk_time_and_stored_in_utc(call_taker, typed, stored):
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC), tick=False):
        incident, response = log_scheduled(call_taker, typed)
    assert response.status_code == 302, summary_of(response.content.decode())
    assert incident.appointment_at == stored


def test_the_appointment_field_is_one_text_input_with_a_hint(call_taker):
    incident = new_draft(call_taker)
    html = client_as(call_taker).get(f"/calls/{incident.pk}/").content.decode()
    field = re.search(r'<input[^>]*id="appointment_at"[^>]*>', html)[0]
    assert 'type="text"' in field and "datetime-local" not in html
    assert 'aria-describedby="appointment_at-hint"' in field
    assert "For example, 14/12/2026 14:30" in html
    until = re.search(r'<input[^>]*id="q-suspect_away_until"[^>]*>', html)[0]
    assert 'type="text"' in until and 'type="date"' not in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("14/13/2027 10:00", "The appointment must be a real date"),
        ("next Tuesday", "Enter the appointment as a date and time, like 14/12/2026 14:30"),
        ("28/3/2027 01:15", "The clocks go forward at 1am on 28 March 2027"),
        ("6/12/2026 10:00", "The appointment must be in the future"),
    ],
)
def test_a_wrong_or_past_appointment_is_an_error_at_the_field_and_kept_as_typed(
    call_taker, typed, message
):
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC), tick=False):
        incident, response = log_scheduled(call_taker, typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert summary_of(html)[0][0] == "appointment_at"
    assert summary_of(html)[0][1].startswith(message)
    assert 'id="appointment_at-error"' in html
    assert f'value="{typed}"' in html
    assert incident.appointment_at is None and incident.status == "draft"


def test_until_when_is_typed_as_one_date_and_kept_as_a_date(call_taker):
    incident = new_draft(call_taker)
    c = client_as(call_taker)
    c.post(
        f"/calls/{incident.pk}/autosave/",
        {"version": str(incident.version), "q-suspect_away_until": "27/3/2027"},
    )
    incident.refresh_from_db()
    assert incident.answers["suspect_away_until"] == "2027-03-27"
    html = c.get(f"/calls/{incident.pk}/").content.decode()
    assert re.search(r'id="q-suspect_away_until"[^>]*value="27/3/2027"', html)

    live = c.post(
        f"/calls/{incident.pk}/autosave/",
        {"version": str(incident.version), "q-suspect_away_until": "31/2/2027"},
    )
    incident.refresh_from_db()
    assert incident.answers["suspect_away_until"] == "31/2/2027"  # kept as typed
    html = c.get(f"/calls/{incident.pk}/").content.decode()
    assert live.status_code == 200
    assert re.search(r'id="q-suspect_away_until"[^>]*value="31/2/2027"', html)


def test_the_service_fills_and_undoes_without_the_page_and_a_second_use_keeps_the_first(
    call_taker, known_victim
):
    incident = new_draft(
        call_taker, postcode="CO1 2ZZ", people=[(known_victim.pk, IncidentRole.VICTIM)]
    )
    key = f"address:{known_victim.address.pk}"
    for _ in range(2):  # pressed twice: undo still goes back to what was typed
        call_services.incident_autosave(
            incident=incident,
            user=call_taker,
            data=call_services.DraftInput(use_known_address=known_victim.address.pk),
        )
        incident.refresh_from_db()
        assert incident.address_raw["line1"] == "14 Larch Close"
    item = next(i for i in incident.prefill if i["key"] == key)
    assert (item["status"], item["filled"]) == ("confirmed", True)
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(undo_known_address=key),
    )
    incident.refresh_from_db()
    assert incident.address_raw == {"line1": "", "town": "", "postcode": "CO1 2ZZ"}


# Item: after "Add to call as victim" focus dropped to the page.


def test_the_person_just_added_is_the_row_that_takes_focus(call_taker, known_victim):
    """From the number's offer or a search alike: her row in "People involved" is marked
    to take focus, and only hers."""
    incident = new_draft(call_taker)
    live = autosave(
        client_as(call_taker),
        incident,
        {
            "version": str(incident.version),
            "people-present": "1",
            "add_person": f"{known_victim.pk}:victim",
        },
    )
    involved = live.split('<div id="involved" hx-swap-oob="true">')[1]
    row = re.search(r"<li [^>]*>", involved)[0]
    assert f'id="involved-{known_victim.pk}-victim"' in row
    assert 'tabindex="-1"' in row and "data-take-focus" in row
    assert live.count("data-take-focus") == 1
    assert "Added Leah Hartwell to the call as victim." in live


# Item: after a refused "Log call and grade", reopening the call lost the grade, its
# reason and the appointment.


def test_a_refused_log_keeps_the_grade_reason_and_appointment_as_typed_on_reopening(
    call_taker,
):
    incident = new_draft(call_taker)
    c = client_as(call_taker)
    response = c.post(
        f"/calls/{incident.pk}/log/",
        {
            "version": str(incident.version),
            "caller_phone": "07700900111",
            "location_note": "Car park",
            "grade": "scheduled",
            "grade_reason": "She asked for a visit tomorrow",
            "appointment_at": "next Tuesday",
        },
    )
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.status == "draft" and incident.grade == ""
    assert incident.grade_draft == {
        "grade": "scheduled",
        "reason": "She asked for a visit tomorrow",
        "appointment": "next Tuesday",
    }
    html = c.get(f"/calls/{incident.pk}/").content.decode()
    assert re.search(r'<input[^>]*id="grade-scheduled"[^>]*checked', html)
    assert ">She asked for a visit tomorrow</textarea>" in html
    assert re.search(r'id="appointment_at"[^>]*value="next Tuesday"', html)
    assert 'value="Car park"' in html


def test_the_autosave_keeps_the_grade_and_a_later_save_without_them_leaves_them(call_taker):
    incident = new_draft(call_taker)
    c = client_as(call_taker)
    c.post(
        f"/calls/{incident.pk}/autosave/",
        {"version": str(incident.version), "grade": "priority", "grade_reason": "Kids there"},
    )
    incident.refresh_from_db()
    assert incident.grade_draft == {"grade": "priority", "reason": "Kids there"}
    # A save of other fields only (the API, say) leaves them as they were.
    call_services.incident_autosave(
        incident=incident, user=call_taker, data=call_services.DraftInput(narrative="Shouting")
    )
    incident.refresh_from_db()
    assert incident.grade_draft == {"grade": "priority", "reason": "Kids there"}
    html = c.get(f"/calls/{incident.pk}/").content.decode()
    assert re.search(r'<input[^>]*id="grade-priority"[^>]*checked', html)
    assert ">Kids there</textarea>" in html
