"""Out of hours in a real browser, at 03:02 on a November night: the central unit and
every hub rest. A high-risk DV1 arrives while the control room's sergeant is at work:
the case page says he was told, and when. A second arrives while he is on leave and the
duty inspector is off shift: nobody can be told, so the supervisor's home and queue
pages carry an alert; she follows its link to the case, comes back and acknowledges it
by keyboard, and it is gone. Every page passes axe."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import OutOfHoursAlert
from cases.tests.test_out_of_hours import (  # noqa: F401 (fixture)
    SMALL_HOURS,
    nobody_on_the_list_at_work,
    people,
)
from org.models import Absence
from people import services
from risk.tests.test_services import incident_for, submitted
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_sees_who_was_told_at_night_and_acknowledges_the_case_nobody_was_told_of(
    page,
    live_server,
    console_problems,
    people,  # noqa: F811
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    with time_machine.travel(SMALL_HOURS, tick=True):
        told_case = submitted(people, yes=15).case
        nobody_on_the_list_at_work(people)
        other = services.person_create(
            data=services.PersonInput(given_name="Ama", family_name="Bell")
        )
        second = {**people, "victim": other}
        lonely_case = submitted(second, yes=15, incident=incident_for(second)).case
        assert OutOfHoursAlert.objects.filter(nobody_at_work=True).count() == 1

        supervisor = people["supervisor"]
        device = TOTPDevice.objects.create(user=supervisor, name="Authenticator", confirmed=True)
        sign_in(page, live_server, supervisor.username)
        page.get_by_label("Security code").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()

        # The home page carries the alert for the case nobody was told of, not the other.
        banner = page.get_by_test_id("out-of-hours-alerts")
        expect(banner).to_contain_text(f"High-risk case {lonely_case.reference}")
        expect(banner).to_contain_text("arrived at 03:0")
        expect(banner).not_to_contain_text(told_case.reference)
        assert_accessible(page, "supervisor's home with an out-of-hours alert")

        page.goto(f"{live_server.url}/queues/{lonely_case.queue_id}/")
        expect(page.get_by_test_id("out-of-hours-alerts")).to_be_visible()
        assert_accessible(page, "queue page with an out-of-hours alert")

        # The case told of says who was told, and when (London time).
        page.goto(f"{live_server.url}/cases/{told_case.pk}/?via=case:{told_case.pk}")
        expect(page.get_by_test_id("out-of-hours-told")).to_contain_text("Notified at 03:0")
        expect(page.get_by_test_id("out-of-hours-told")).to_contain_text(
            "Sergeant Dev Malik (control room supervisor, Force control room)"
        )
        assert_accessible(page, "case page saying who was told out of hours")

        # The alert's link opens the case nobody was told of.
        page.goto(f"{live_server.url}/")
        page.get_by_role("link", name=f"High-risk case {lonely_case.reference}").click()
        expect(page.get_by_test_id("out-of-hours-nobody")).to_contain_text(
            "Nobody on the out-of-hours list was at work to be told"
        )
        assert_accessible(page, "case page of a case nobody was told of")

        # Back home: acknowledge it by keyboard; the alert goes, the case says who.
        page.goto(f"{live_server.url}/")
        button = page.get_by_role(
            "button", name=f"Acknowledge the alert on case {lonely_case.reference}"
        )
        button.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Out-of-hours alert on case {lonely_case.reference} acknowledged"
        )
        expect(page.get_by_test_id("out-of-hours-alerts")).to_have_count(0)
        assert_accessible(page, "supervisor's home after acknowledging")
        page.goto(f"{live_server.url}/cases/{lonely_case.pk}/?via=case:{lonely_case.pk}")
        expect(page.get_by_test_id("out-of-hours-nobody")).to_contain_text("Acknowledged by")

    assert Absence.objects.filter(user=people["sergeant"]).exists()
    assert not console_problems, "\n".join(console_problems)
