"""The intelligence desk's research list in a real browser: from the home page to the
list, which is accessible (axe), refreshes itself with htmx every 30 seconds, and
links to the incident."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dasapp.roles import Role
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _call(grade: str, minutes_left: int, **intel):
    from calls.models import Incident

    now = timezone.now()
    return Incident.objects.create(
        status="graded",
        grade=grade,
        created_at=now - dt.timedelta(minutes=5),
        logged_at=now - dt.timedelta(minutes=5),
        attend_by=now + dt.timedelta(minutes=minutes_left),
        location_note="Lay-by on the Witham road",
        intelligence={"unavailable": False, "flags": [], **intel},
    )


def test_researcher_opens_the_list_from_home_it_refreshes_and_links_to_the_call(
    page, live_server, persona, console_problems
):
    researcher = persona(Role.INTELLIGENCE, team="control-intelligence")
    first = _call("emergency", 12)
    page.clock.install()
    sign_in(page, live_server, researcher.username)

    section = page.locator("section", has_text="Live incidents needing research")
    expect(section).to_contain_text("1 live incident needs research")
    expect(section).to_contain_text(first.reference)
    section.get_by_role("link", name="See every incident needing research").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Live incidents needing research")
    table = page.get_by_test_id("research-list")
    expect(table).to_contain_text("Emergency call, not yet researched")
    expect(table).to_contain_text("Lay-by on the Witham road")
    violations = serious_violations(page)
    assert not violations, "axe on the research list:\n" + "\n".join(violations)

    second = _call("priority", 40, unavailable=True)
    expect(table).not_to_contain_text(second.reference)
    page.clock.run_for(31_000)  # htmx's "every 30s"
    expect(page.get_by_test_id("research-list")).to_contain_text(second.reference)
    expect(page.get_by_test_id("research-list")).to_contain_text(
        "Look-up was unavailable when the call was logged"
    )

    page.get_by_role("link", name=first.reference).click()
    expect(page).to_have_url(re.compile(rf"/calls/{first.pk}/\?via=incident:{first.pk}$"))
    expect(page.get_by_label("Add research")).to_be_visible()
    assert not console_problems, console_problems
