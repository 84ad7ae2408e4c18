"""A DASO's day in a real browser, from her home page: the high-risk case waiting in her
hub's queue is on the home page (not "no cases assigned"); she opens the queue, claims
the case and follows the banner's link to it; every page of the case carries its
identity bar (victim, reference, risk, owner, how to contact her safely) and its pages;
on the safety plan she gives an action to an inspector at work, found by name with the
keyboard alone. axe finds nothing serious on any page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_safety_journey import NOW, SAFE_CONTACT, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUE = NOW + dt.timedelta(days=2)


def expect_case_bar(page, case, current: str) -> None:
    bar = page.get_by_test_id("case-identity-bar")
    expect(bar).to_contain_text("Leah Fictional-Hartwell")
    expect(bar).to_contain_text(f"Case {case.reference}")
    expect(bar).to_contain_text("High")
    # Seen, not only in the page: each item of the bar has a size on the screen.
    for item in ("reference", "owner"):
        expect(bar.get_by_test_id(f"case-identity-{item}")).to_be_visible()
    expect(page.get_by_test_id("safe-contact").first).to_contain_text(SAFE_CONTACT)
    nav = page.get_by_role("navigation", name=f"Pages of case {case.reference}")
    expect(nav.locator('[aria-current="page"]')).to_have_text(current)


def test_daso_goes_from_home_to_the_waiting_case_and_adds_an_action_by_keyboard(
    page, live_server, console_problems, persona
):
    with time_machine.travel(NOW, tick=True):
        world = make_world(persona)
        case, daso = world.case, world.hub_daso

        # 1. Home: the case waits in her hub's queue; her caseload is empty.
        sign_in(page, live_server, daso.username)
        queues = page.get_by_role("region", name="My queues")
        expect(queues).to_contain_text("1 case waiting to be claimed (1 high risk)")
        expect(page.get_by_role("region", name="My caseload")).to_contain_text(
            "You have no cases assigned."
        )
        assert_accessible(page, "DASO home page")

        # 2. Her queue, from the home page; she claims the case from its row.
        queues.get_by_role("link", name=re.compile(case.queue.name)).click()
        row = page.get_by_test_id("queue-row").filter(has_text=case.reference)
        row.get_by_role("button", name=f"Claim case {case.reference}").click()
        banner = page.locator(".govuk-notification-banner--success")
        expect(banner).to_contain_text(f"You claimed case {case.reference}: it is on your caseload")
        assert_accessible(page, "queue page after claiming")

        # 3. The banner links to the case: its identity bar, the summary marked current.
        banner.get_by_role("link", name=case.reference).click()
        expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/"))
        expect_case_bar(page, case, "Summary")
        expect(page.get_by_test_id("case-identity-owner")).to_contain_text("Sam Reeve")
        assert_accessible(page, "case page")

        # 4. The safety plan, from the sub-navigation.
        nav = page.get_by_role("navigation", name=f"Pages of case {case.reference}")
        nav.get_by_role("link", name="Safety plan").click()
        expect_case_bar(page, case, "Safety plan")
        add = page.get_by_test_id("add-form")
        action = add.get_by_label("Action", exact=True)
        expect(action).to_have_value("")  # no default: "Choose an action"
        assert_accessible(page, "safety plan page")

        # 5. The action, its owner found with the keyboard alone, and when it is due.
        action.focus()
        action.select_option(label="Panic alarm")
        page.keyboard.press("Tab")
        expect(add.get_by_label("Details, or the action in your own words")).to_be_focused()
        page.keyboard.type("With the IDVA")
        page.keyboard.press("Tab")
        search = add.get_by_role("combobox", name="Who owns it?")
        expect(search).to_be_focused()
        page.keyboard.type("Price")
        option = add.get_by_role("option", name=re.compile("^Inspector Joanna Price"))
        expect(option).to_contain_text("at work now")
        expect(search).to_have_attribute("aria-expanded", "true")
        assert_accessible(page, "safety plan with the owner list open")
        page.keyboard.press("ArrowDown")
        expect(option).to_have_attribute("aria-selected", "true")
        expect(search).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
        page.keyboard.press("Enter")  # chooses, does not send the form
        expect(search).to_have_attribute("aria-expanded", "false")
        expect(search).to_have_value("Inspector Joanna Price")
        expect(add.get_by_test_id("owner-chosen")).to_contain_text("Inspector Joanna Price")
        expect(search).to_be_focused()
        page.keyboard.press("Tab")
        due = add.get_by_label("When is it due?")
        expect(due).to_be_focused()
        due.fill(f"{DUE:%d/%m/%Y %H:%M}")
        # Chromium's date-time input moves through its date and time parts with Tab.
        button = add.get_by_role("button", name="Add the action")
        for _ in range(8):
            page.keyboard.press("Tab")
            if button.evaluate("el => el === document.activeElement"):
                break
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Action added. Its owner has been told."
        )
        card = page.get_by_test_id("action").filter(has_text="With the IDVA")
        expect(card.get_by_test_id("action-owner")).to_have_text("Joanna Price")
        expect(card).to_contain_text("3 December 2026 10:00")
        expect_case_bar(page, case, "Safety plan")

        # 6. Moved to the PC with the same picker, in the action's own form.
        card.get_by_text("Move this action to someone else").click()
        move = card.get_by_test_id("reassign-form")
        search = move.get_by_role("combobox", name="Who should own it now?")
        search.focus()
        page.keyboard.type("Adeyemi")
        option = move.get_by_role("option", name=re.compile("^PC Tom Adeyemi"))
        expect(option).to_contain_text("at work now")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(search).to_have_value("PC Tom Adeyemi")
        move.get_by_label("Why are you moving it?").fill("Inspector Price asked for it to move")
        move.get_by_role("button", name="Move the action").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Panic alarm: With the IDVA: moved to Tom Adeyemi, who has been told"
        )
        expect(card.get_by_test_id("action-owner")).to_have_text("Tom Adeyemi")

        # 7. Her contacts and the case's history carry the same bar.
        nav = page.get_by_role("navigation", name=f"Pages of case {case.reference}")
        nav.get_by_role("link", name="Contacts").click()
        expect_case_bar(page, case, "Contacts")
        assert_accessible(page, "contact timeline from the case")
        nav = page.get_by_role("navigation", name=f"Pages of case {case.reference}")
        nav.get_by_role("link", name="History").click()
        expect_case_bar(page, case, "History")
        assert_accessible(page, "case history")

    assert not console_problems, "\n".join(console_problems)


def test_a_name_typed_before_the_page_has_loaded_is_still_searched_for(
    page, live_server, console_problems, persona
):
    """htmx takes what is already in the box as its starting value, so a name typed
    before it was listening raised no search and the list stayed empty."""
    with time_machine.travel(NOW, tick=True):
        world = make_world(persona)
        case, daso = world.case, world.hub_daso
        sign_in(page, live_server, daso.username)

        # Hold htmx back until the name is in the box.
        held = []
        page.route("**/vendor/htmx/htmx.min*.js", lambda route: held.append(route))
        page.goto(
            f"{live_server.url}/cases/{case.pk}/safety-plan/?via=case:{case.pk}",
            wait_until="commit",
        )
        search = page.get_by_test_id("add-form").get_by_label("Who owns it?")
        search.fill("Fenwick")
        for _ in range(200):  # the page asks for htmx once its form is parsed
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the page never asked for htmx"
        held[0].continue_()

        option = page.get_by_role("option", name=re.compile("^Inspector Mark Fenwick"))
        expect(option).to_contain_text("away until 10 Dec")
        assert console_problems == [], "\n".join(console_problems)
