"""A supervisor signs in: the two-factor page offers no way into the service until the
code is verified. Then she opens a victim's record, follows "Who viewed this record" to
the access log filtered to her, narrows it to one DASO, pages back by date and downloads
the entries as CSV (which the log then shows as a disclosure to her). axe on every page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dasapp.roles import Role
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_factor_page_has_no_navigation_then_the_log_is_filtered_paged_and_exported(
    page, live_server, persona, console_problems
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dasapp.models import AccessLog
    from demo.management.commands.seed_demo import current_code
    from people import services as case_services

    victim = case_services.person_create(
        data=case_services.PersonInput(given_name="Marnie", family_name="Quillfeather")
    )
    ada = persona(Role.DASO, first_name="Ada", last_name="Brightwater")
    ben = persona(Role.DASO, first_name="Ben", last_name="Okafor")
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    for n in range(56):
        AccessLog.objects.create(
            user=ada if n % 8 else ben,
            action="consult",
            object_type="people.person",
            object_id=str(victim.pk),
            person_id=victim.pk,
            purpose=f"Visit planning {n:02d}",
            at=start + dt.timedelta(minutes=n),
        )
    supervisor = persona(Role.SUPERVISOR, team="cru")
    device = TOTPDevice.objects.create(user=supervisor, name="Phone", confirmed=True)

    # Before the security code: no navigation, no footer links, only Sign out.
    sign_in(page, live_server, supervisor.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.get_by_role("navigation")).to_have_count(0)
    assert page.locator("header a, footer a").count() == 0
    expect(page.get_by_role("link", name="Access log")).to_have_count(0)
    expect(page.get_by_role("link", name="System status")).to_have_count(0)
    expect(page.locator(".moj-identity-bar").get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page, "two-factor page")
    # By keyboard: after the skip link, Sign out, then the code: nothing else to reach.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign out"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "token"
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("navigation", name="Primary navigation")).to_be_visible()

    # Her record, then who viewed it.
    page.goto(f"{live_server.url}/people/{victim.pk}/")
    page.get_by_label("Why are you viewing this record?").fill("Quality check of DASO work")
    page.get_by_role("button", name="View record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marnie Quillfeather")
    page.get_by_role("link", name="Who viewed this record").click()
    expect(page.get_by_test_id("record-filter")).to_contain_text("Person Marnie Quillfeather")
    assert "Marnie" not in page.url and "Quillfeather" not in page.url
    rows = page.get_by_test_id("access-log-row")
    expect(rows).to_have_count(50)
    # Her own view, just now, is the newest row, with its purpose in words.
    expect(rows.first).to_contain_text("Purpose given: Quality check of DASO work")
    assert_accessible(page, "access log filtered to a person")

    # Narrow to Ada, then page back by date.
    page.get_by_label("Who").select_option(label="Ada Brightwater")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(49)
    expect(rows.first).to_contain_text("Visit planning 55")
    expect(page.get_by_role("link", name="Older entries")).to_have_count(0)
    page.get_by_label("Who").select_option(label="Anyone")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Older entries").click()
    expect(rows).to_have_count(7)
    expect(rows.last).to_contain_text("Visit planning 00")
    assert_accessible(page, "an older page of the access log")
    page.get_by_role("link", name="Newer entries").click()
    expect(rows).to_have_count(50)

    # Download, then the download is on the log as a disclosure to her.
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert body.startswith("When (UK time),Who,Username")
    assert "Person Marnie Quillfeather" in body
    page.goto(f"{live_server.url}/access-log/?action=disclose")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Disclosed")
    expect(rows.first).to_contain_text("Access log exported as CSV")
    assert_accessible(page, "access log filtered to disclosures")
    assert console_problems == [], "\n".join(console_problems)
