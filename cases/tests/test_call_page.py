"""The call page as a call-taker meets it: the error summary in the page's order with the
unanswered questions as one entry, the known address filled by confirming it (and
undone), the appointment typed into one field read as UK time, and the logged call's
page showing its intelligence once."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from cases import call_services
from dasapp.roles import Role

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
