"""Abandoning a call opened by mistake, in a real browser: the call page offers it
beside the warning that a silent call may be a victim who cannot speak; the
confirmation page gives a field error for a duplicate without the other call's
reference; the abandoned call leaves the calls in progress and a supervisor finds it,
with who and why, in the abandoned calls. Each page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from calls.choices import IncidentStatus
from calls.models import Incident
from dasapp.roles import Role
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_call_taker_abandons_a_test_call_and_a_supervisor_reviews_it(
    page, live_server, persona, console_problems
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    call_taker = persona(Role.CALL_TAKER, team="control-room")
    sign_in(page, live_server, call_taker.username)
    page.get_by_role("link", name="Calls").first.click()
    page.get_by_role("button", name="Start a new call").click()
    expect(page).to_have_url(re.compile(r"/calls/\d+/$"))
    incident_id = int(page.url.rstrip("/").split("/")[-1])

    offer = page.get_by_test_id("abandon-call")
    expect(offer).to_contain_text("A silent or dropped call can be a victim who cannot speak")
    offer.get_by_role("link", name="Abandon this call").click()
    expect(page.get_by_role("heading", name="Abandon this call")).to_be_visible()
    expect(page.get_by_test_id("silent-call-warning")).to_contain_text("log and grade the call")
    assert_accessible(page, "abandon page")

    page.get_by_label("Duplicate of another call").check()
    page.get_by_role("button", name="Abandon the call").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reference of the call this one duplicates")
    assert_accessible(page, "abandon page with an error")
    assert Incident.objects.get(pk=incident_id).status == IncidentStatus.DRAFT

    page.get_by_label("Test call").check()
    page.get_by_label("Note (optional)").fill("Training the new starter")
    page.get_by_role("button", name="Abandon the call").click()
    expect(page.get_by_test_id("abandon-reason")).to_contain_text("Test call")
    page.get_by_role("link", name="Calls").first.click()
    expect(page.get_by_text("You have no calls in progress.")).to_be_visible()
    # Only the refused abandon (400) reached the console: no CSP violation, no script error.
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert problems == [], "\n".join(problems)
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

    supervisor = persona(Role.SUPERVISOR, team="cru")
    device = TOTPDevice.objects.create(user=supervisor, name="Phone", confirmed=True)
    sign_in(page, live_server, supervisor.username)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/calls/")
    page.get_by_role("link", name="Abandoned calls").click()
    table = page.get_by_test_id("abandoned-calls")
    expect(table).to_contain_text("Test call")
    expect(table).to_contain_text("Training the new starter")
    assert_accessible(page, "abandoned calls")
