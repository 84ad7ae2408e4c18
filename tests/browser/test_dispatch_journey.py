"""The dispatcher's journey in a real browser: the board shows where each call is and
its officer-safety flags; "Officer arrived" moves a call to the attended list; "Close"
asks for the outcome and a note, refuses without them, and closes the call. The board
and the close page pass axe, and the console shows no CSP violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentStatus
from calls.models import Incident
from dasapp.roles import Role
from people import services
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SNAPSHOT = {
    "unavailable": False,
    "flags": [{"id": 1, "kind": "high_risk_victim", "label": "High-risk victim"}],
    "suspects": [{"id": 2, "name": "Carl Brock", "weapons": True}],
}


def test_dispatcher_records_arrival_and_closes_the_call(
    page, live_server, persona, org, console_problems
):
    address, _ = services.address_get_or_create(
        line1="2 Quarry Cottages, Mill Lane", town="Dunmow", postcode="CM6 3BT"
    )
    now = timezone.now()
    call = Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade="emergency",
        created_at=now - dt.timedelta(minutes=5),
        logged_at=now - dt.timedelta(minutes=5),
        attend_by=now + dt.timedelta(minutes=15),
        address=address,
        location_type="rural",
        intelligence=SNAPSHOT,
    )
    sign_in(page, live_server, persona(Role.CALL_TAKER, team="control-room").username)
    page.goto(f"{live_server.url}/dispatch/")

    row = page.get_by_test_id(f"waiting-{call.pk}")
    expect(row.get_by_test_id("location")).to_contain_text("2 Quarry Cottages, Mill Lane")
    expect(row.get_by_test_id("location")).to_contain_text("Rural")
    expect(row.get_by_test_id("safety")).to_contain_text("Weapons")
    expect(row.get_by_test_id("safety")).to_contain_text("High-risk victim")
    violations = serious_violations(page)
    assert not violations, "axe on the dispatch board:\n" + "\n".join(violations)

    # The refresh waits while focus is on the board (a keyboard user keeps their place),
    # and runs again once it is not.
    arrived = row.get_by_role("button", name=f"Officer arrived at {call.reference}")
    arrived.focus()
    refresh = """() => new Promise(done => {
        const board = document.querySelector('[data-dispatch-board]');
        board.querySelector('table').dataset.old = 'yes';
        htmx.ajax('GET', '/dispatch/', {source: board, target: board, swap: 'innerHTML'})
            .then(() => done(!!board.querySelector('table[data-old]')),
                  () => done(!!board.querySelector('table[data-old]')));
        setTimeout(() => done(!!board.querySelector('table[data-old]')), 3000);
    })"""
    assert page.evaluate(refresh) is True  # not refreshed: the old table is still there
    expect(arrived).to_be_focused()
    page.locator("h1").click()
    assert page.evaluate(refresh) is False  # refreshed

    row.get_by_role("button", name=f"Officer arrived at {call.reference}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Officer arrival at {call.reference} recorded"
    )
    expect(page.get_by_test_id(f"waiting-{call.pk}")).to_have_count(0)
    attended = page.get_by_test_id(f"attended-{call.pk}")
    expect(attended.get_by_test_id("arrived")).to_contain_text("In time")

    attended.get_by_role("button", name=f"Close {call.reference}").click()
    page.get_by_role("button", name="Close the call").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose how the call ended")
    expect(summary).to_contain_text("Enter a note about the outcome")
    violations = serious_violations(page)
    assert not violations, "axe on the close page:\n" + "\n".join(violations)

    page.get_by_label("Attended and safeguarding in place").check()
    page.get_by_label("Note").fill("Victim safe at her sister's; DV1 completed")
    page.get_by_role("button", name="Close the call").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Call {call.reference} closed: Attended and safeguarding in place"
    )
    expect(page.get_by_test_id(f"attended-{call.pk}")).to_have_count(0)
    call.refresh_from_db()
    assert call.status == IncidentStatus.CLOSED
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert problems == [], "\n".join(problems)
