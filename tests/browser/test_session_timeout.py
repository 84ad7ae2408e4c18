"""The idle-session warning (static/app/session.js) against the real middleware."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from dasapp.roles import Role
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long enough that a busy machine's slow page loads (seconds, in CI under load) do not eat
# the time between the warning, Stay signed in and the check after the first deadline.
IDLE = 10
WARNING = 5


def test_warning_appears_stay_signed_in_extends_and_running_out_signs_out(
    page, live_server, persona, settings, console_problems
):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    user = persona(Role.CALL_TAKER)
    sign_in(page, live_server, user.username)
    expect(page).to_have_url(f"{live_server.url}/")
    signed_in_at = time.monotonic()
    timeout = page.locator("#session-timeout")
    expect(timeout).to_have_attribute("data-idle-seconds", str(IDLE))
    expect(timeout).to_have_attribute("data-warning-seconds", str(WARNING))

    # The warning opens WARNING seconds before the end, as a focused modal alert dialog.
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=(IDLE - WARNING + 3) * 1000)
    expect(dialog).to_be_focused()
    expect(dialog.locator("[data-countdown]")).to_have_text(re.compile(r"^[1-5] seconds?$"))
    violations = serious_violations(page)
    assert not violations, "axe with the timeout warning open:\n" + "\n".join(violations)

    # Focus stays inside the dialog: Tab runs Stay signed in, Sign out, Stay signed in.
    stay = dialog.get_by_role("button", name="Stay signed in")
    page.keyboard.press("Tab")
    expect(stay).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Tab")
    expect(stay).to_be_focused()

    # Stay signed in: the server resets the idle clock, so the session outlives the first
    # deadline (asking for the time left does not count as activity).
    stay.click()
    expect(dialog).to_be_hidden()
    time.sleep(max(0.0, signed_in_at + IDLE + 0.5 - time.monotonic()))
    status = page.request.get(f"{live_server.url}/account/session/", max_redirects=0)
    assert status.status == 200, f"signed out despite Stay signed in: {status.status}"
    assert status.json()["seconds_left"] > 0

    # Doing nothing: the warning comes back and, at zero, the sign-in page says why.
    expect(dialog).to_be_visible(timeout=IDLE * 1000)
    expect(page).to_have_url(
        re.compile(r"/account/sign-in/\?timeout=1$"), timeout=(IDLE + 5) * 1000
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had not done anything for a while"
    )
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    assert console_problems == [], "\n".join(console_problems)
