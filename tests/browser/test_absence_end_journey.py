"""Ending an absence early in a real browser: Inspector Mark Fenwick is back from
sickness days early. His chief inspector forgets the reason first (the error summary
links to the field, the form stays open), then gives it; the absence is over and the
page says nobody is away. The page with and without an error, and the page that changes
an absence's dates, pass axe."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases import safety_services
from cases.tests.test_safety_services import make_staff
from org.models import Absence
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def test_supervisor_ends_a_sickness_absence_when_the_inspector_is_back_early(
    page, live_server, console_problems, persona
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    with time_machine.travel(NOW, tick=True):
        staff = make_staff(persona)
        absence = safety_services.absence_record(
            user=staff.chief,
            person=staff.insp_a,
            kind="sickness",
            starts_at=NOW - dt.timedelta(days=2),
            ends_at=NOW + dt.timedelta(days=7),
        )
        device = TOTPDevice.objects.create(user=staff.chief, name="Authenticator", confirmed=True)
        sign_in(page, live_server, staff.chief.username)
        page.get_by_label("Security code").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()

        page.goto(f"{live_server.url}/absences/")
        row = page.locator(f"#absence-{absence.pk}")
        expect(row).to_contain_text("Mark Fenwick")
        expect(row).to_contain_text("Sickness")
        assert_accessible(page, "absences page")

        # 1. No reason: refused, with the error linked and the form left open.
        row.get_by_text("Back early?").click()
        row.get_by_role("button", name="They are back: end this absence now").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Give a reason, for example back early from sickness")
        row = page.locator(f"#absence-{absence.pk}")
        reason = row.get_by_label("Why is it ending early?")
        expect(reason).to_be_visible()
        summary.get_by_role("link", name="Give a reason").click()
        expect(reason).to_be_focused()
        assert_accessible(page, "absences page with an error")

        # 2. With the reason: ended, and nobody is away.
        reason.fill("Back early, signed fit by the GP")
        row.get_by_role("button", name="They are back: end this absence now").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Mark Fenwick is back: their sickness has ended"
        )
        expect(page.get_by_test_id("no-absences")).to_have_text("Nobody is away.")

        # The page that corrects an absence's dates, for a later one.
        later = safety_services.absence_record(
            user=staff.chief,
            person=staff.insp_b,
            kind="annual_leave",
            starts_at=NOW + dt.timedelta(days=5),
            ends_at=NOW + dt.timedelta(days=12),
        )
        page.goto(f"{live_server.url}/absences/")
        page.locator(f"#absence-{later.pk}").get_by_role("link", name="Change the dates").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Change the dates of this absence"
        )
        assert_accessible(page, "page that changes an absence's dates")

    absence.refresh_from_db()
    assert absence.ends_at <= NOW + dt.timedelta(minutes=5)
    assert Absence.objects.get(pk=absence.pk).history.count() == 2
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert not problems, "\n".join(problems)
