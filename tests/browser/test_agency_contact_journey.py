"""An IDVA works from the one contact timeline in a real browser. The DASO's referral to
an IDVA on the victim's safety plan was done, so the IDVA service works with her; the
DASO spoke with her yesterday. The IDVA signs in, finds her under My agency's victims,
opens her timeline, reads the warning about the police's contact yesterday above the
contact button, and records her own contact, which the timeline then shows against the
IDVA service. Every page passes axe."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases import safety_services
from cases.models import SafetyActionType
from cases.tests.test_safety_services import make_case, make_staff
from dasapp.models import AccessLog
from dasapp.roles import Role
from partners.choices import ContactChannel, ContactOutcome
from partners.models import AgencyInvolvement, Contact
from partners.services import contacts as contact_services
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
NOTE = "Safety planning on the safe number; she is still at her sister's"


def test_idva_finds_her_victim_reads_the_police_contact_warning_and_records_a_contact(
    page, live_server, console_problems, persona
):
    with time_machine.travel(NOW, tick=True):
        staff = make_staff(persona)
        idva = persona(
            Role.IDVA, "idva-service", "idva.penrose", first_name="Alys", last_name="Penrose"
        )
        case = make_case(staff.daso)
        victim = case.victim
        referral = safety_services.case_action_add(
            case=case,
            user=staff.daso,
            action_type=SafetyActionType.objects.get(code="idva-referral"),
            owner=staff.daso,
            due_at=NOW + dt.timedelta(days=1),
        )
        safety_services.action_complete(
            action=referral, user=staff.daso, note="Referred to the IDVA service by phone"
        )
        involvement = AgencyInvolvement.objects.get(victim=victim)
        contact_services.contact_record(
            victim=victim,
            user=staff.daso,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.SPOKE,
            at=NOW - dt.timedelta(days=1),
            note="Agreed the safety plan",
        )

        # 1. Her list: the victim by name, nothing of the case.
        sign_in(page, live_server, idva.username)
        page.get_by_role("link", name="My agency's victims").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My agency's victims")
        rows = page.get_by_test_id("agency-victim")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Leah Fictional-Hartwell")
        expect(page.locator("main")).not_to_contain_text(case.reference)
        assert_accessible(page, "My agency's victims")

        # 2. Her timeline: the police's contact yesterday warns before the button.
        rows.first.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Leah Fictional-Hartwell")
        warning = page.get_by_test_id("other-agency-warning")
        expect(warning).to_contain_text(
            "Central referral unit contacted her yesterday (spoke with the victim). Check "
            "with them before you call"
        )
        expect(page.get_by_test_id("agencies-working")).to_contain_text("IDVA service")
        expect(page.get_by_test_id("contact-agency")).to_have_text(["Central referral unit"])
        assert_accessible(page, "contact timeline for the IDVA")

        # 3. Record her contact: the form warns again, and the timeline shows it.
        page.get_by_test_id("contact-button").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
        expect(page.get_by_test_id("other-agency-warning")).to_be_visible()
        expect(page.get_by_label("Case")).to_have_count(0)  # she reads no case
        assert_accessible(page, "record a contact form for the IDVA")
        page.get_by_label("Phone call").check()
        page.get_by_label("Spoke with the victim").check()
        page.get_by_label("Note (optional)").fill(NOTE)
        page.get_by_role("button", name="Record the contact").click()

        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "The contact has been added to the victim's timeline"
        )
        expect(page.get_by_test_id("contact-agency")).to_have_text(
            ["IDVA service", "Central referral unit"]
        )
        expect(page.get_by_test_id("contact-timeline")).to_contain_text(NOTE)
        assert_accessible(page, "contact timeline after the IDVA's contact")

    contact = Contact.objects.get(by=idva)
    assert (contact.agency.code, contact.note, contact.case) == ("idva-service", NOTE, None)
    logged = AccessLog.objects.filter(user=idva, person_id=victim.pk)
    assert logged.filter(action=AccessLog.Action.COLLECT).count() == 1
    assert set(logged.values_list("work_item", flat=True)) == {f"involvement:{involvement.pk}"}
    assert not console_problems, "\n".join(console_problems)
