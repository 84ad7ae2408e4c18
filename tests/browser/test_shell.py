"""The page shell in a real browser: signing in as every role, accessibility (axe),
CSP-clean pages and GOV.UK Frontend's JavaScript starting.

Each live-server test empties the database afterwards (slow on PostgreSQL), so the
journeys are few and long; the role journey reports every failing role at once.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dasapp.roles import Role
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _two_factor_code(user, *, confirmed: bool) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    return current_code(TOTPDevice.objects.get(user=user, confirmed=confirmed))


def _assert_accessible(page, where: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe on {where}:\n" + "\n".join(violations)


def test_sign_in_page_is_accessible_and_summarises_errors_with_links_to_fields(page, live_server):
    page.goto(f"{live_server.url}/account/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    _assert_accessible(page, "the sign-in page")

    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend's error summary module
    expect(page.get_by_label("Username")).to_have_attribute(
        "aria-describedby", re.compile(r"-error\b")
    )
    summary.get_by_role("link", name="Enter your username").click()
    expect(page.get_by_label("Username")).to_be_focused()
    _assert_accessible(page, "the sign-in page with errors")


def test_every_role_signs_in_reaches_its_accessible_home_page_and_signs_out(
    page, live_server, persona
):
    failures = []
    for role in Role.values:
        if role == Role.SUPERVISOR:
            continue  # needs two-factor: its own test below
        label = Role(role).label
        user = persona(role)
        try:
            sign_in(page, live_server, user.username)
            expect(page).to_have_url(f"{live_server.url}/")
            expect(page.locator(".govuk-caption-l")).to_have_text(label)
            expect(page.locator(".moj-identity-bar [data-testid=role]")).to_have_text(label)
            expect(page.get_by_role("navigation", name="Primary navigation")).to_be_visible()
            _assert_accessible(page, f"the {role} home page")
            page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()
            expect(page).to_have_url(re.compile(r"/account/sign-in/"))
            expect(page.locator(".govuk-notification-banner")).to_contain_text(
                "You have signed out"
            )
        except AssertionError as error:
            failures.append(f"{role}: {error}")
            page.context.clear_cookies()
    assert not failures, "\n\n".join(failures)


def test_supervisor_sets_up_two_factor_then_signs_in_with_a_security_code(
    page, live_server, persona, console_problems
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = persona(Role.SUPERVISOR)

    # First sign-in: no authenticator yet, so set one up.
    sign_in(page, live_server, user.username)
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/"))
    expect(page.get_by_test_id("totp-secret")).to_be_visible()
    _assert_accessible(page, "the two-factor setup page")
    # Until the code is confirmed nothing leads into the service: only Sign out.
    expect(page.get_by_role("navigation")).to_have_count(0)
    assert page.locator("header a, footer a").count() == 0
    page.get_by_label("Security code").fill(_two_factor_code(user, confirmed=False))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}/")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Two-factor authentication is set up")
    expect(banner).to_be_focused()  # GOV.UK Frontend focuses a success banner
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))

    # A supervisor who has an authenticator: the password, then the code it shows. (Another
    # user, as the code just used above may not be used twice.)
    colleague = persona(Role.SUPERVISOR)
    TOTPDevice.objects.create(user=colleague, name="Authenticator app", confirmed=True)
    sign_in(page, live_server, colleague.username)
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    _assert_accessible(page, "the security code page")
    page.get_by_label("Security code").fill(_two_factor_code(colleague, confirmed=True))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".govuk-caption-l")).to_have_text("Supervisor")
    expect(page.locator(".moj-identity-bar [data-testid=role]")).to_have_text("Supervisor")
    expect(page.get_by_role("link", name="Access log")).to_be_visible()
    _assert_accessible(page, "the supervisor home page")
    assert console_problems == [], "\n".join(console_problems)


def test_pages_load_without_console_errors_or_csp_violations_and_frontend_starts(
    page, live_server, persona, console_problems
):
    user = persona(Role.DASO)
    page.goto(f"{live_server.url}/account/sign-in/")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    sign_in(page, live_server, user.username)
    expect(page).to_have_url(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    body = page.locator("body")
    expect(body).to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(body).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    # init.mjs ran: GOV.UK Frontend marks each component it starts.
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    expect(page.locator(".moj-identity-bar .govuk-button")).to_have_attribute(
        "data-govuk-button-init", ""
    )
    # htmx loaded and kept its indicator styles out (an inline <style> CSP would block).
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    # The skip link works: it moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(".govuk-skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert console_problems == [], "\n".join(console_problems)
