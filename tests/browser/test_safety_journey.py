"""The DASO's journey through queues and safety plans in a real browser (the issue's
"done when"): a DASO claims a high-risk case from the hub's queue, opens its safety plan,
gives "patrols past the address" to an inspector on annual leave, due within the
sweep's look-ahead, and records that the plan was agreed with the victim. One sweep
moves the action to the inspector on duty, who finds it from the notification with the
reason in its follow-ups (in words that do not say what kind of absence it is); the
DASO, whose case it is, and the inspector it was taken from are told too. Before contacting the victim the DASO is warned that victim
support spoke to her yesterday, under her safe-contact instructions."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases import case_services, safety_services
from cases.choices import FollowUpReason
from cases.models import CaseworkSettings, SafetyAction
from cases.tests.test_safety_services import make_staff
from dasapp.models import Notification
from dasapp.roles import Role
from org.models import District
from partners.choices import ContactChannel, ContactOutcome
from partners.models import Contact
from partners.services import contacts as contact_services
from people import services
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 December 2026, 10:00: day 1 of hub rota A, so the Colchester hub is on days
# (08:00 to 15:00) and a high-risk case from Colchester goes to its queue.
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)
DUE = NOW + dt.timedelta(minutes=30)  # within the sweep's look-ahead (60 minutes)
LEAVE_ENDS = dt.datetime(2026, 12, 10, 8, 0, tzinfo=LONDON)
MOVED = "Moved from Mark Fenwick (away until 10 Dec) to Joanna Price, on duty"
SAFE_CONTACT = "If a man answers, say it is the GP surgery"
WARNING = (
    "Victim support contacted her yesterday (spoke with the victim). Check with them "
    "before you call: uncoordinated contact makes victims withdraw."
)


def make_world(persona):
    """The response team's inspectors (Mark Fenwick on annual leave, Joanna Price on
    duty) and their chief inspector; the Colchester hub's DASO; victim support's case
    worker, who spoke to the victim yesterday; and a high-risk case waiting in the hub's
    queue. Called with the clock at NOW, so "yesterday" and "on leave now" hold."""
    staff = make_staff(persona)
    staff.hub_daso = persona(
        Role.DASO, "hub-colchester", "daso.reeve", first_name="Sam", last_name="Reeve"
    )
    staff.victim_support = persona(
        Role.PARTNER, "victim-support", "vs.adebayo", first_name="Kemi", last_name="Adebayo"
    )
    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_a,
        kind="annual_leave",
        starts_at=NOW - dt.timedelta(days=2),
        ends_at=LEAVE_ENDS,
    )
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Leah",
            family_name="Fictional-Hartwell",
            gender="female",
            safe_contact_instructions=SAFE_CONTACT,
            safe_times="Weekdays 09:30 to 14:30",
            no_voicemail=True,
        )
    )
    safe, _ = services.phone_get_or_create(number="07700 900123")
    services.person_phone_link(person=victim, phone=safe, is_safe=True)
    suspect = services.person_create(
        data=services.PersonInput(given_name="Darren", family_name="Madeup", gender="male")
    )
    case, _ = case_services.case_open_or_join(
        victim=victim,
        perpetrator=suspect,
        level="high",
        user=staff.pc,
        district=District.objects.get(code="colchester"),
    )
    case = case_services.case_route(case=case, user=staff.pc)
    assert case.queue.team.code == "hub-colchester" and case.assigned_to is None
    contact_services.contact_record(
        victim=victim,
        user=staff.victim_support,
        channel=ContactChannel.PHONE,
        outcome=ContactOutcome.SPOKE,
        at=NOW - dt.timedelta(hours=20),  # yesterday, 14:00
        note="Talked through the refuge referral",
    )
    staff.case = case
    staff.victim = victim
    return staff


def sign_out(page) -> None:
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()


def test_daso_plans_patrols_for_an_inspector_on_leave_and_one_sweep_moves_them_with_a_reason(
    page, live_server, console_problems, persona
):
    with time_machine.travel(NOW, tick=True):
        world = make_world(persona)
        case, daso = world.case, world.hub_daso
        force_settings, _ = CaseworkSettings.objects.get_or_create(force=world.response.force)
        lookahead = dt.timedelta(minutes=force_settings.sweep_lookahead_minutes)
        assert NOW + lookahead > DUE, "the action must fall due within the sweep's look-ahead"

        # 1. The DASO finds the case in the hub's queue and claims it from its row.
        sign_in(page, live_server, daso.username)
        page.get_by_role("link", name=re.compile("^Queues")).click()
        page.get_by_role("link", name=re.compile("Colchester hub")).first.click()
        row = page.get_by_test_id("queue-row").filter(has_text=case.reference)
        expect(row).to_contain_text("Leah Fictional-Hartwell")
        expect(row).to_contain_text("High")
        expect(row).to_contain_text("Not assigned")
        row.get_by_role("button", name=f"Claim case {case.reference}").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"You claimed case {case.reference}: it is on your caseload"
        )
        expect(row).to_contain_text("Sam Reeve")
        expect(row.get_by_role("button", name=f"Release case {case.reference}")).to_be_visible()
        case.refresh_from_db()
        assert case.assigned_to == daso
        assert_accessible(page, "queue page")

        # 2. The safety plan, from the case page: no actions, not yet agreed.
        row.get_by_role("link", name=case.reference).click()
        expect(page.get_by_test_id("case-summary")).to_contain_text("Sam Reeve")
        page.get_by_role("link", name=re.compile("^Open the safety plan")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Safety plan for Leah Fictional-Hartwell"
        )
        expect(page.get_by_test_id("plan-agreed")).to_have_text("Not yet agreed")
        expect(page.get_by_test_id("no-actions")).to_be_visible()

        # 3. Patrols past the address, for the inspector on leave, due in 30 minutes.
        add = page.get_by_test_id("add-form")
        add.get_by_label("Action", exact=True).select_option(label="Patrols past the address")
        # The picker finds him by name and says he is away (never why).
        add.get_by_role("combobox", name="Who owns it?").fill("Fenwick")
        option = add.get_by_role("option", name=re.compile("^Inspector Mark Fenwick"))
        expect(option).to_contain_text("away until 10 Dec")
        option.click()
        expect(add.get_by_test_id("owner-chosen")).to_contain_text("Inspector Mark Fenwick")
        add.get_by_label("When is it due?").fill(f"{DUE:%Y-%m-%dT%H:%M}")
        add.get_by_role("button", name="Add the action").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Action added for Mark Fenwick, who is away when it is due: the follow-up sweep "
            "will move it to someone on duty before then. Its owner has been told."
        )
        action = SafetyAction.objects.get(plan__case=case)
        card = page.locator(f"#action-{action.pk}")
        expect(card.get_by_role("heading", name="Patrols past the address")).to_be_visible()
        expect(card.get_by_test_id("action-owner")).to_have_text("Mark Fenwick")
        expect(card.get_by_test_id("owner-not-at-work")).to_have_text(
            "Mark Fenwick is away then: the follow-up sweep will move it to someone on duty "
            "before it is due."
        )
        expect(card).to_contain_text("1 December 2026 10:30")
        expect(card.get_by_test_id("follow-ups")).to_have_count(0)
        assert action.owner == world.insp_a

        # 4. The plan was agreed with the victim today.
        agree = page.get_by_test_id("agree-form")
        agree.get_by_label("Day").fill(str(NOW.day))
        agree.get_by_label("Month").fill(str(NOW.month))
        agree.get_by_label("Year").fill(str(NOW.year))
        agree.get_by_role("button", name="Record the date agreed").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "The date the plan was agreed with the victim is recorded"
        )
        expect(page.get_by_test_id("plan-agreed")).to_have_text(
            "1 December 2026, recorded by Sam Reeve"
        )
        assert_accessible(page, "safety plan page")

        # 5. One sweep, as Celery beat would run it (the worker path is tested elsewhere).
        report = safety_services.sweep_run()
        assert report.moved == 1

        # 6. Reloaded: the action is the inspector on duty's, and the follow-up says why.
        page.reload()
        card = page.locator(f"#action-{action.pk}")
        expect(card.get_by_test_id("action-owner")).to_have_text("Joanna Price")
        follow_ups = card.get_by_test_id("follow-ups")
        expect(follow_ups).to_contain_text("owner away when it falls due")
        expect(follow_ups).to_contain_text(MOVED)
        expect(follow_ups).not_to_contain_text("annual leave")
        action.refresh_from_db()
        assert action.owner == world.insp_b
        assert action.follow_ups.get().reason == FollowUpReason.OWNER_ABSENT
        what = f"Patrols past the address, case {case.reference}"
        for user, title in (
            (daso, f"Safety-plan action on your case moved: {what}"),
            (world.insp_a, f"Your safety-plan action was moved: {what}"),
        ):
            told = Notification.objects.get(user=user, dedupe_key__startswith="follow-up:")
            assert told.title == title and told.body.startswith(MOVED)
        sign_out(page)

        # 7. Joanna Price has one unread notification; its link opens the action.
        sign_in(page, live_server, world.insp_b.username)
        header = page.get_by_role("navigation", name="Primary navigation")
        expect(header.get_by_test_id("unread-count")).to_have_text(re.compile(r"^1\b"))
        header.get_by_role("link", name=re.compile("^Notifications")).click()
        unread = page.get_by_test_id("notification-unread")
        expect(unread).to_have_count(1)
        title = f"Safety-plan action moved to you: Patrols past the address, case {case.reference}"
        unread.get_by_role("link", name=title).click()
        expect(page).to_have_url(
            re.compile(rf"/cases/{case.pk}/safety-plan/.*#action-{action.pk}$")
        )
        card = page.locator(f"#action-{action.pk}")
        expect(card.get_by_role("heading", name="Patrols past the address")).to_be_visible()
        expect(card.get_by_test_id("action-owner")).to_have_text("Joanna Price")
        expect(card.get_by_test_id("follow-ups")).to_contain_text(MOVED)
        expect(card.get_by_role("button", name="Mark as done")).to_be_visible()
        assert Notification.objects.get(user=world.insp_b).read_at is not None
        sign_out(page)

        # 8. Before contacting the victim the DASO is warned that victim support spoke
        # to her yesterday, and reads how to contact her safely above the form.
        sign_in(page, live_server, daso.username)
        page.goto(f"{live_server.url}/cases/{case.pk}/?via=case:{case.pk}")
        block = page.get_by_test_id("contact-block")
        expect(block.get_by_test_id("other-agency-warning")).to_contain_text(WARNING)
        block.get_by_role("link", name="Record a contact").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
        safe = page.get_by_test_id("safe-contact-panel")
        # From the case, the safe-contact warning stands once, in the case's identity bar.
        warning = page.get_by_test_id("safe-contact")
        expect(warning).to_have_count(1)
        expect(warning).to_contain_text(SAFE_CONTACT)
        expect(safe.get_by_test_id("safe-numbers")).to_contain_text("07700 900123")
        expect(page.get_by_test_id("other-agency-warning")).to_contain_text(WARNING)
        expect(page.get_by_test_id("last-contact")).to_contain_text(
            "Last contacted by Victim support (Kemi Adebayo) on 30 November 2026 at 14:00"
        )
        form = page.get_by_test_id("contact-form")
        form_top = form.bounding_box()["y"]
        assert safe.bounding_box()["y"] < form_top, "safe-contact instructions above the form"
        warning_box = page.get_by_test_id("other-agency-warning").bounding_box()
        assert warning_box["y"] < form_top, "the other-agency warning above the form"
        assert not Contact.objects.filter(by=daso).exists()  # warned before recording
        assert_accessible(page, "contact page")

        form.get_by_label("Phone call").check()
        form.get_by_label("Spoke with the victim").check()
        form.get_by_label("Note (optional)").fill("Checked with victim support first")
        form.get_by_role("button", name="Record the contact").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "The contact has been added to the victim's timeline"
        )
        assert Contact.objects.filter(by=daso, victim=world.victim).count() == 1

    assert not console_problems, "\n".join(console_problems)
