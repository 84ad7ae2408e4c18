"""People search in the browser: a search with an invalid number shows its errors and
leaves no earlier result on screen (htmx), and a first name alone finds the person."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.tests.factories import PersonFactory
from dasapp.roles import Role
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_ERROR = "Enter a phone number in the correct format"


def test_an_invalid_number_replaces_the_earlier_result_with_its_error(page, live_server, persona):
    PersonFactory(given_name="Leah", family_name="Moss", phone="07700 900124")
    daso = persona(Role.DASO, team="cru")
    sign_in(page, live_server, daso.username)
    page.goto(f"{live_server.url}/people/")

    page.get_by_label("Phone number").fill("07700900124")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 person found")).to_be_visible()
    expect(page.get_by_role("link", name="Leah Moss")).to_be_visible()

    page.get_by_label("Phone number").fill("0770090012")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(PHONE_ERROR)
    expect(summary).to_be_focused()
    expect(page.locator("#id_phone-error")).to_contain_text(PHONE_ERROR)
    expect(page.get_by_role("link", name="Leah Moss")).to_have_count(0)
    expect(page.get_by_text("found", exact=False)).to_have_count(0)
    assert_accessible(page, "people search with an invalid number")

    page.get_by_label("Phone number").fill("")
    page.get_by_label("Name").fill("Leah")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Leah Moss")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#id_phone-error")).to_have_count(0)
    expect(page.get_by_role("button", name="Search")).to_be_focused()
    assert_accessible(page, "people search by first name")
