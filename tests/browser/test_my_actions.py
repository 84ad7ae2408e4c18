"""An inspector who owns "patrols past the address" finds it without the notification:
his home page counts his actions, "My actions" lists it with its case and due time (and
never the victim), and its link opens the action on the case's safety plan."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases import safety_services
from cases.models import SafetyActionType
from cases.tests.test_safety_services import make_case, make_staff
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 7, 14, 10, 0, tzinfo=LONDON)  # British Summer Time
DUE = dt.datetime(2026, 7, 14, 12, 30, tzinfo=LONDON)


def test_an_inspector_finds_his_action_with_its_due_time_and_opens_it_on_the_plan(
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
            description="",
            owner=staff.insp_a,
            due_at=DUE,
        )

        sign_in(page, live_server, staff.insp_a.username)
        page.get_by_role("link", name="1 open action, 0 overdue").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("My safety-plan actions")
        row = page.get_by_test_id("action-row")
        expect(row).to_have_count(1)
        expect(row.get_by_test_id("action-case")).to_have_text(case.reference)
        expect(row.get_by_test_id("action-due")).to_have_text("14 July 2026 12:30")
        expect(row.get_by_test_id("action-status")).to_have_text("Open")
        expect(page.locator("main")).not_to_contain_text("Fictional-Hartwell")
        header = page.get_by_role("navigation", name="Primary navigation")
        expect(header.get_by_role("link", name="My actions")).to_have_attribute(
            "href", "/safety-actions/mine/"
        )
        assert_accessible(page, "my safety-plan actions page")

        row.get_by_role("link", name=f"Patrols past the address on case {case.reference}").click()
        expect(page).to_have_url(
            re.compile(
                rf"/cases/{case.pk}/safety-plan/\?via=safety_action:{action.pk}#action-{action.pk}$"
            )
        )
        card = page.locator(f"#action-{action.pk}")
        expect(card.get_by_role("heading", name="Patrols past the address")).to_be_visible()
        expect(card).to_contain_text("14 July 2026 12:30")
        expect(card.get_by_role("button", name="Mark as done")).to_be_visible()
    assert not console_problems, console_problems
