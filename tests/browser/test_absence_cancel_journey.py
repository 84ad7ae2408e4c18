"""Cancelling an absence recorded by mistake in a real browser: Inspector Joanna
Price's annual leave was recorded against Inspector Mark Fenwick, and the sweep has
already moved his patrols to her. His chief inspector cancels it: without a reason first
(the error summary links to the field, the form stays open), then with one. The absence
no longer counts and is no longer listed; the patrols stay where they are, and their
history says the absence was cancelled. The page with and without an error passes axe."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases import safety_services
from cases.models import SafetyActionType
from cases.tests.test_safety_services import make_case, make_staff
from org import availability
from org.models import Absence
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def test_supervisor_cancels_leave_recorded_for_the_wrong_inspector(
    page, live_server, console_problems, persona
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    with time_machine.travel(NOW, tick=True):
        staff = make_staff(persona)
        plan = safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)
        action = safety_services.action_add(
            plan=plan,
            user=staff.daso,
            action_type=SafetyActionType.objects.get(code="patrols"),
            description="",
            owner=staff.insp_a,
            owner_team=None,
            due_at=NOW + dt.timedelta(days=2),
        )
        absence = safety_services.absence_record(
            user=staff.chief,
            person=staff.insp_a,
            kind="annual_leave",
            starts_at=NOW - dt.timedelta(days=1),
            ends_at=NOW + dt.timedelta(days=7),
        )
        assert safety_services.sweep_run().moved == 1  # to Joanna Price
        device = TOTPDevice.objects.create(user=staff.chief, name="Authenticator", confirmed=True)
        sign_in(page, live_server, staff.chief.username)
        page.get_by_label("Security code").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()

        page.goto(f"{live_server.url}/absences/")
        row = page.locator(f"#absence-{absence.pk}")
        expect(row).to_contain_text("Mark Fenwick")

        # 1. No reason: refused, with the error linked and the form left open.
        row.locator("summary", has_text="Recorded by mistake?").click()
        row.get_by_role("button", name="Cancel this absence").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Give a reason, for example recorded for the wrong person")
        row = page.locator(f"#absence-{absence.pk}")
        reason = row.get_by_label("Why was it recorded by mistake?")
        expect(reason).to_be_visible()
        summary.get_by_role("link", name="Give a reason").click()
        expect(reason).to_be_focused()
        assert_accessible(page, "absences page with an error on cancelling")

        # 2. With the reason: cancelled, no longer listed, and the patrols stay.
        reason.fill("Recorded for the wrong inspector")
        row.get_by_role("button", name="Cancel this absence").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Mark Fenwick's annual leave is cancelled: it no longer counts. The safety-plan "
            "action moved because of it stays with whoever has it now"
        )
        expect(page.get_by_test_id("no-absences")).to_have_text("Nobody is away.")
        assert_accessible(page, "absences page after cancelling")
        assert availability.user_at_work(staff.insp_a)

    absence = Absence.objects.get(pk=absence.pk)
    assert (absence.cancelled_by, absence.cancel_reason) == (
        staff.chief,
        "Recorded for the wrong inspector",
    )
    action.refresh_from_db()
    assert action.owner == staff.insp_b
    assert action.history.order_by(
        "-history_date", "-history_id"
    ).first().history_change_reason == (
        "Mark Fenwick's absence that moved it was cancelled; it stays with Joanna Price"
    )
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert not problems, "\n".join(problems)
