"""Cancelling a safety-plan action in a real browser: the victim moved to a refuge, so
patrols past the old address no longer make sense. The DASO forgets the reason first
(the error summary links to the field, the form stays open), then gives it; the action
shows as cancelled with the reason and offers nothing more. Both pages pass axe."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases import safety_services
from cases.choices import ActionStatus
from cases.models import SafetyActionType
from cases.tests.test_safety_services import make_case, make_staff
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
REASON = "She has moved to a refuge: patrols past the old address no longer help"


def test_daso_cancels_patrols_with_a_reason_after_forgetting_it_once(
    page, live_server, console_problems, persona
):
    with time_machine.travel(NOW, tick=True):
        staff = make_staff(persona)
        case = make_case(staff.daso)
        plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
        action = safety_services.action_add(
            plan=plan,
            user=staff.daso,
            action_type=SafetyActionType.objects.get(code="patrols"),
            owner=staff.insp_a,
            due_at=NOW + dt.timedelta(days=1),
        )

        sign_in(page, live_server, staff.daso.username)
        page.goto(f"{live_server.url}/cases/{case.pk}/safety-plan/?via=case:{case.pk}")
        card = page.locator(f"#action-{action.pk}")
        expect(card.locator(".govuk-tag")).to_have_text("Open")

        # 1. No reason: refused, with the error linked and the form left open.
        card.get_by_text("Cancel this action").click()
        form = card.get_by_test_id("cancel-form")
        form.get_by_role("button", name="Cancel the action").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Give a reason for cancelling the action")
        card = page.locator(f"#action-{action.pk}")
        reason = card.get_by_label("Why are you cancelling it?")
        expect(reason).to_be_visible()
        summary.get_by_role("link", name="Give a reason for cancelling the action").click()
        expect(reason).to_be_focused()
        assert_accessible(page, "safety plan page with an error")

        # 2. With the reason: cancelled, shown grey with the reason, nothing more offered.
        reason.fill(REASON)
        card.get_by_role("button", name="Cancel the action").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Patrols past the address: cancelled. Its owner has been told."
        )
        card = page.locator(f"#action-{action.pk}")
        expect(card.get_by_test_id("action-cancelled")).to_have_text("Cancelled")
        expect(card.get_by_test_id("action-cancel-reason")).to_contain_text(REASON)
        for form in ("complete-form", "reassign-form", "cancel-form"):
            expect(card.get_by_test_id(form)).to_have_count(0)
        assert_accessible(page, "safety plan page with a cancelled action")

    action.refresh_from_db()
    assert (action.status, action.completion_note) == (ActionStatus.CANCELLED, REASON)
    # The refused form answers 400 (as it should), which Chromium logs; nothing else.
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert not problems, "\n".join(problems)
