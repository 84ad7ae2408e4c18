"""Unsaved answers kept on the device (static/app/draft.js) are forgotten at sign-out
(static/app/forget_drafts.js), so a shared control-room computer keeps no victim's
details for the next person; while signed in they survive a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dasapp.roles import Role
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT_KEYS = "Object.keys(localStorage).filter((k) => k.startsWith('draft:')).sort()"


def _call_with_unsaved_draft(page, live_server, persona) -> str:
    """Sign in, start a call and type an answer whose autosave never arrives: draft.js
    keeps it on the device. Returns the key it is kept under."""
    sign_in(page, live_server, persona(Role.CALL_TAKER, team="control-room").username)
    page.get_by_role("link", name="Calls").first.click()
    page.get_by_role("button", name="Start a new call").click()
    expect(page).to_have_url(re.compile(r"/calls/\d+/$"))
    incident_id = page.url.rstrip("/").split("/")[-1]
    page.route("**/autosave/", lambda route: route.abort())
    page.get_by_label("Location details").fill("Outside the shop on the corner")
    expect(page.get_by_test_id("draft-banner")).to_contain_text("Not saved")
    key = f"draft:call:{incident_id}"
    assert page.evaluate(DRAFT_KEYS) == [key]
    assert "Outside the shop" in page.evaluate(f"localStorage.getItem('{key}')")
    return key


def test_sign_out_forgets_drafts_kept_on_the_device(page, live_server, persona):
    key = _call_with_unsaved_draft(page, live_server, persona)
    page.evaluate("localStorage.setItem('draft:dv1:99', '{}'); localStorage.setItem('other', '1')")

    # Still signed in: a reload (or a crashed tab reopened) keeps and restores the draft.
    page.reload()
    expect(page.get_by_label("Location details")).to_have_value("Outside the shop on the corner")
    assert page.evaluate(DRAFT_KEYS) == sorted([key, "draft:dv1:99"])

    page.get_by_role("button", name="Sign out").first.click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    assert page.evaluate(DRAFT_KEYS) == []
    assert page.evaluate("localStorage.getItem('other')") == "1"  # only drafts are removed


def test_a_draft_left_by_a_tab_that_did_not_sign_out_is_forgotten_on_the_sign_in_page(
    page, live_server, persona
):
    _call_with_unsaved_draft(page, live_server, persona)
    # Signed out some other way (another tab, an administrator): the next signed-out
    # page this browser shows removes the copy.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    assert page.evaluate(DRAFT_KEYS) == []


def test_session_timeout_forgets_drafts(page, live_server, persona, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 8
    settings.SESSION_WARNING_SECONDS = 4
    _call_with_unsaved_draft(page, live_server, persona)
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?timeout=1$"), timeout=20_000)
    assert page.evaluate(DRAFT_KEYS) == []
