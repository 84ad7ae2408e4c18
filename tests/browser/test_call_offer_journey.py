"""The call-taker's journey when the caller rings from a known person's number: typed in
another format, the number is recognised and its owner offered (not added); one
keyboard action adds her as the victim, with the details already known to confirm;
a warning then says the number is not her recorded safe number, and typing the safe
number says it is. Without JavaScript the same button posts the whole form and the
page comes back with her added. Axe on the page at each step with JavaScript; no CSP
violation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from calls.services import calls as call_services
from dasapp.roles import Role
from people import services
from people.choices import RelationshipKind
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD_AS_VICTIM = re.compile(r"^Add to call as victim\s*: Nadia Fenn$")


@pytest.fixture
def repeat_victim(org):
    """A victim of two earlier calls, on a number that is not safe to ring back, with a
    recorded safe number."""
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Nadia", family_name="Fenn", date_of_birth=dt.date(1989, 6, 14)
        )
    )
    usual, _ = services.phone_get_or_create(number="+447700900931")
    services.person_phone_link(person=victim, phone=usual)
    safe, _ = services.phone_get_or_create(number="+447700900932")
    services.person_phone_link(person=victim, phone=safe, is_safe=True)
    home, _ = services.address_get_or_create(
        line1="27 Sedge Row", town="Colchester", postcode="CO3 4LP"
    )
    services.person_address_link(person=victim, address=home)
    for days in (20, 75):
        incident = Incident.objects.create(
            status=IncidentStatus.GRADED,
            grade="priority",
            caller_phone=usual,
            created_at=timezone.now() - dt.timedelta(days=days),
        )
        IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    return victim


FOCUSED = """() => {
  const el = document.activeElement
  const box = el.getBoundingClientRect()
  return {
    id: el.id || '',
    what: el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.innerText || el.value || '').trim().slice(0, 40),
    top: box.top + window.scrollY,
    bottom: box.bottom + window.scrollY,
    left: box.left + window.scrollX,
    inMain: !!el.closest('main'),
  }
}"""


def tab_walk(page, *, start) -> list[dict]:
    """Each element Tab reaches from `start` until focus leaves the page's main content,
    with where it is on the page."""
    start.focus()
    stops = [page.evaluate(FOCUSED)]
    for _ in range(200):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if not stop["inMain"]:
            return stops
        stops.append(stop)
    raise AssertionError("Tab never left the main content")


def after(a: dict, b: dict) -> bool:
    """Whether `b` comes after `a` as the page is read: lower down, or on the same line
    to the right."""
    return b["top"] >= a["top"] - 2 or (b["top"] < a["bottom"] and b["left"] > a["left"])


def test_call_taker_adds_the_known_caller_and_is_warned_off_her_unsafe_number(
    page, live_server, persona, repeat_victim, console_problems
):
    sign_in(page, live_server, persona(Role.CALL_TAKER, team="control-room").username)
    page.get_by_role("link", name="Calls").first.click()
    page.get_by_role("button", name="Start a new call").click()
    expect(page).to_have_url(re.compile(r"/calls/\d+/$"))
    incident_id = int(page.url.rstrip("/").split("/")[-1])

    # As the caller gives it, not as stored (+447700900931).
    page.get_by_label("Caller's phone number").fill("07700 900-931")
    offer = page.get_by_test_id("number-offer")
    expect(offer).to_contain_text("Nadia Fenn, born 14 Jun 1989: victim in 2 incidents")
    # Its name says whom (the name is visually hidden inside the button).
    add = offer.get_by_role("button", name=ADD_AS_VICTIM)
    expect(add).to_be_visible()
    assert not IncidentPerson.objects.filter(incident_id=incident_id).exists()  # offered only
    assert_accessible(page, "call page with the offer")

    # By keyboard: the offer is the next tab stop after the number that found her.
    page.get_by_label("Caller's phone number").focus()
    page.keyboard.press("Tab")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    involved = page.get_by_test_id("involved")
    expect(involved).to_contain_text("Nadia Fenn")
    expect(involved).to_contain_text("victim")
    expect(page.get_by_test_id("intel-announce")).to_contain_text(
        "Added Nadia Fenn to the call as victim."
    )
    # Focus is on her row, not dropped to the page: the next Tab is her "Remove".
    row = page.locator(f"#involved-{repeat_victim.pk}-victim")
    expect(row).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove Nadia Fenn")).to_be_focused()
    # The repeat victim's details to confirm, as after adding her from a search.
    prefill = page.get_by_test_id("prefill")
    expect(prefill).to_contain_text("Safe number")
    expect(prefill).to_contain_text("07700 900932")
    expect(page.get_by_test_id("number-offers")).to_have_count(0)
    warning = page.get_by_test_id("safe-number-warning")
    expect(warning).to_contain_text(
        "Calling from a number that is not the recorded safe number for Nadia Fenn"
    )
    expect(warning).to_contain_text("ring back only on the safe number, 07700 900932")
    link = IncidentPerson.objects.get(incident_id=incident_id)
    assert (link.person_id, link.role) == (repeat_victim.pk, IncidentRole.VICTIM)
    assert_accessible(page, "call page with the safe-number warning")

    # Her known address, confirmed, fills the call's address fields; undo puts back
    # what was typed. Focus stays on the button that takes the pressed one's place.
    page.get_by_label("Address line 1").fill("Flat 9")
    use = page.get_by_role("button", name=re.compile(r"^Confirm and use for this call"))
    use.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Address line 1")).to_have_value("27 Sedge Row")
    expect(page.get_by_label("Town")).to_have_value("Colchester")
    expect(page.get_by_label("Postcode")).to_have_value("CO3 4LP")
    undo = page.get_by_role("button", name=re.compile(r"^Undo"))
    expect(undo).to_be_focused()
    expect(page.get_by_test_id("intel-announce")).to_contain_text(
        "The call's address is now the known address: 27 Sedge Row, Colchester, CO3 4LP."
    )
    assert Incident.objects.get(pk=incident_id).address_raw["line1"] == "27 Sedge Row"
    assert_accessible(page, "call page with the known address used")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Address line 1")).to_have_value("Flat 9")
    expect(page.get_by_label("Postcode")).to_have_value("")
    expect(use).to_be_focused()
    assert Incident.objects.get(pk=incident_id).address_raw["line1"] == "Flat 9"

    # The whole page's tab order is its visual order, and the date-times are one stop each.
    walk = tab_walk(page, start=page.get_by_label("Caller's phone number"))
    assert len(walk) > 40  # every field, question and button of the call, to "Abandon"
    assert walk[-1]["what"].startswith("A Abandon this call")
    out_of_order = [
        f"{a['what']} -> {b['what']}" for a, b in zip(walk, walk[1:]) if not after(a, b)
    ]
    assert not out_of_order, "Tab order differs from the page's order:\n" + "\n".join(out_of_order)
    ids = [stop["id"] for stop in walk]
    assert ids[ids.index("appointment_at") + 1] == "log-call"
    assert ids[ids.index("q-suspect_away_until") + 1].startswith("q-weapons")
    assert_accessible(page, "call page after the undo")

    # The caller rings again from her safe number.
    page.get_by_label("Caller's phone number").fill("+44 7700 900 932")
    expect(page.get_by_test_id("safe-number-ok")).to_contain_text(
        "The caller's number is the recorded safe number for Nadia Fenn."
    )
    expect(page.get_by_test_id("safe-number-warning")).to_have_count(0)
    assert_accessible(page, "call page from the safe number")
    assert console_problems == [], "\n".join(console_problems)

    # "Log call" too early: the summary follows the page, the unanswered questions one
    # entry that takes her to the first of them.
    page.get_by_label("Address line 1").fill("")
    page.get_by_role("button", name="Log call and grade").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    assert [text.strip() for text in summary.locator("li").all_inner_texts()] == [
        "Enter the address, or describe the location",
        "Answer the 9 questions not yet answered, or say why each was not asked",
        "Choose a response grade",
    ]
    assert_accessible(page, "call page with errors")
    summary.get_by_role("link", name=re.compile("^Answer the 9 questions")).click()
    expect(page.locator("#q-injuries-1")).to_be_focused()


@pytest.fixture
def known_suspect(org):
    """A man known only as the suspect of an earlier call, on his own number, and his
    partner, its victim."""
    suspect = services.person_create(
        data=services.PersonInput(
            given_name="Craig", family_name="Stone", date_of_birth=dt.date(1986, 9, 19)
        )
    )
    partner = services.person_create(
        data=services.PersonInput(given_name="Joanne", family_name="Stone")
    )
    services.relationship_link(person=partner, other=suspect, kind=RelationshipKind.PARTNER)
    his, _ = services.phone_get_or_create(number="+447700900602")
    services.person_phone_link(person=suspect, phone=his)
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade="priority",
        created_at=timezone.now() - dt.timedelta(days=30),
        answers={"weapons": "yes"},
    )
    IncidentPerson.objects.create(incident=incident, person=partner, role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=incident, person=suspect, role=IncidentRole.SUSPECT)
    return suspect


def test_a_known_suspects_number_offers_him_as_suspect_first_and_shows_his_history(
    page, live_server, persona, known_suspect, console_problems
):
    sign_in(page, live_server, persona(Role.CALL_TAKER, team="control-room").username)
    page.get_by_role("link", name="Calls").first.click()
    page.get_by_role("button", name="Start a new call").click()
    expect(page).to_have_url(re.compile(r"/calls/\d+/$"))

    page.get_by_label("Caller's phone number").fill("07700 900602")
    offer = page.get_by_test_id("number-offer")
    expect(offer).to_contain_text("Craig Stone, born 19 Sep 1986: suspect in 1 incident")
    suspects = page.get_by_test_id("intel-suspects")
    expect(suspects).to_contain_text("Craig Stone: 1 incident as suspect")
    expect(suspects).to_contain_text("weapons used")
    expect(suspects).not_to_contain_text("Joanne Stone")

    # By keyboard: the first tab stop after the number offers him as suspect; as victim
    # is still there, next.
    page.get_by_label("Caller's phone number").focus()
    page.keyboard.press("Tab")
    expect(offer.get_by_role("button", name=re.compile(r"^Add to call as suspect"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(offer.get_by_role("button", name=re.compile(r"^Add to call as victim"))).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    involved = page.get_by_test_id("involved")
    expect(involved).to_contain_text("Craig Stone")
    expect(page.get_by_test_id("intel-announce")).to_contain_text(
        "Added Craig Stone to the call as suspect."
    )
    assert console_problems == [], "\n".join(console_problems)


def test_without_javascript_the_offer_adds_her_and_shows_the_page_again(
    browser, live_server, persona, repeat_victim
):
    call_taker = persona(Role.CALL_TAKER, team="control-room")
    incident, _ = call_services.incident_start(user=call_taker)
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(caller_phone="07700900931"),
    )
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, call_taker.username)
        page.goto(f"{live_server.url}/calls/{incident.pk}/")
        page.get_by_label("Location details").fill("At her sister's flat")
        page.get_by_role("button", name=ADD_AS_VICTIM).click()

        expect(page).to_have_url(
            f"{live_server.url}/calls/{incident.pk}/#involved-{repeat_victim.pk}-victim"
        )
        expect(page.get_by_test_id("involved")).to_contain_text("Nadia Fenn")
        expect(page.get_by_test_id("prefill")).to_contain_text("Safe number")
        expect(page.get_by_test_id("safe-number-warning")).to_contain_text(
            "not the recorded safe number for Nadia Fenn"
        )
        # What was typed before the button was saved with it.
        expect(page.get_by_label("Location details")).to_have_value("At her sister's flat")
        # (No axe here: it runs as a script, which this page may not. The same markup is
        # checked with JavaScript on above.)
    finally:
        context.close()
