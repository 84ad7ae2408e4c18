"""The DV1 and DASH journey in a real browser (the DV1 issue's "done when"): an officer
opens the DV1 for a repeat victim's incident, goes through its sections from the task
list, finds the household prefilled, answers 15 questions yes, sees "visible high risk"
and "potential escalation" with their evidence, keeps working through a lost connection,
checks the answers (changing one) and submits; the DASO of the hub on duty for the
victim's district finds the case at the top of the queue with a notification."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from dasapp.roles import Role
from people import services
from risk.models import Assessment
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Cycle day 1 of the default rota: the Colchester hub is on days (08:00 to 15:00).
HUB_DAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London"))
YES = {"1", "2", "3", "5", "6", "7", "9", "10", "11", "12", "13", "14", "15", "16", "17"}


def save_and_continue(page) -> None:
    """Leave a DV1 section with its main button, and wait for the next page to load
    (its autosave works from then on)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()


@pytest.fixture
def repeat_victim_incident(org):
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Orla", family_name="Penhale", date_of_birth=dt.date(1994, 8, 9)
        )
    )
    suspect = services.person_create(
        data=services.PersonInput(given_name="Dean", family_name="Carver")
    )
    child = services.person_create(
        data=services.PersonInput(
            given_name="Finn", family_name="Penhale", date_of_birth=dt.date(2019, 4, 2)
        )
    )
    services.relationship_link(person=victim, other=child, kind="parent_of")
    address, _ = services.address_get_or_create(
        line1="12 Rookery Lane", postcode="CO3 4PX", town="Colchester"
    )
    services.person_address_link(person=victim, address=address)

    def incident(days_ago: int) -> Incident:
        made = Incident.objects.create(
            status=IncidentStatus.GRADED,
            grade="priority",
            address=address,
            district=address.district,
            created_at=timezone.now() - dt.timedelta(days=days_ago),
        )
        IncidentPerson.objects.create(incident=made, person=victim, role=IncidentRole.VICTIM)
        IncidentPerson.objects.create(incident=made, person=suspect, role=IncidentRole.SUSPECT)
        return made

    incident(60)
    incident(150)
    return incident(0)


def test_officer_submits_high_risk_dv1_and_the_hub_daso_on_duty_finds_it_first(
    page, live_server, persona, repeat_victim_incident
):
    with time_machine.travel(HUB_DAY, tick=True):
        officer = persona(Role.OFFICER, team="response")
        daso = persona(Role.DASO, team="hub-colchester")
        persona(Role.DASO, team="hub-brentwood", username="resting-hub-daso")
        incident = repeat_victim_incident

        sign_in(page, live_server, officer.username)
        page.goto(f"{live_server.url}/calls/{incident.pk}/")
        page.get_by_role("button", name="Complete a DV1 for Orla Penhale").click()
        assessment = Assessment.objects.get(incident=incident)

        # The task list: the prefilled household is there to confirm.
        expect(page.get_by_test_id("status-household")).to_have_text("In progress")
        expect(page.get_by_test_id("status-check")).to_have_text("Cannot start yet")
        expect(page.get_by_test_id("score")).to_be_visible()
        violations = serious_violations(page)
        assert not violations, "axe on the DV1 task list:\n" + "\n".join(violations)
        # Wait for the page's scripts: the offline warning below is theirs.
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name="What happened").click()

        # The connection drops while she types: a warning, the answer kept, saved later.
        page.context.set_offline(True)
        page.locator("#narrative").fill("Kicked the door in; children upstairs")
        expect(page.get_by_test_id("draft-banner")).to_contain_text("you seem to be offline")
        page.context.set_offline(False)
        expect(page.get_by_test_id("draft-banner")).to_be_hidden()
        assessment.refresh_from_db()
        assert assessment.narrative == "Kicked the door in; children upstairs"
        save_and_continue(page)

        expect(page.get_by_test_id("household-member")).to_contain_text("Finn Penhale")
        page.get_by_label("Confirmed with the victim").check()
        expect(page.get_by_test_id("save-status")).to_contain_text("saved")
        violations = serious_violations(page)
        assert not violations, "axe on a DV1 section page:\n" + "\n".join(violations)
        save_and_continue(page)

        for first, last in ((1, 9), (10, 18), (19, 27)):
            expect(page.get_by_role("heading", level=1)).to_have_text(
                f"DASH questions {first} to {last}"
            )
            for number in range(first, last + 1):
                value = "yes" if str(number) in YES else "no"
                page.locator(f'input[name="q{number}"][value="{value}"]').check()
            save_and_continue(page)
        # The score panel is on every step.
        score = page.get_by_test_id("score")
        expect(page.get_by_test_id("yes-count")).to_have_text("15")
        expect(page.get_by_test_id("unanswered")).to_have_text("Every question answered")
        expect(score.get_by_test_id("criterion-visible_high_risk")).to_contain_text(
            "15 yes answers"
        )
        escalation = score.get_by_test_id("criterion-potential_escalation")
        expect(escalation).to_contain_text("3 police call-outs")

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Witnesses, safeguarding and evidence"
        )
        page.get_by_label("Body-worn video").check()
        save_and_continue(page)

        page.locator("#officer_level-high").check()
        expect(page.get_by_test_id("save-status")).to_contain_text("saved")
        save_and_continue(page)

        # Check your answers, each with a link back to change it.
        answers = page.get_by_test_id("check-answers")
        expect(answers).to_contain_text("Kicked the door in; children upstairs")
        expect(page.get_by_test_id("check-officer-level")).to_have_text("High")
        answers.get_by_role("link", name="Change the answer to question 16").click()
        expect(page.locator("#q16")).to_be_focused()
        with page.expect_navigation():
            page.get_by_role("button", name="Save and return to check your answers").click()
        violations = serious_violations(page)
        assert not violations, "axe on check your answers:\n" + "\n".join(violations)
        page.get_by_role("button", name="Submit DV1").click()
        confirmation = page.get_by_test_id("confirmation")
        expect(confirmation).to_contain_text("Colchester hub")
        expect(confirmation).to_contain_text("Visible high risk")
        case_ref = page.get_by_test_id("case-reference").inner_text()
        page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, daso.username)
        expect(page.get_by_test_id("unread-count")).to_have_text(re.compile(r"^1"))
        page.get_by_role("link", name=re.compile("^Queues")).click()
        page.get_by_role("link", name=re.compile("Colchester hub")).first.click()
        first_row = page.get_by_test_id("queue-row").first
        expect(first_row).to_contain_text(case_ref)
        expect(first_row).to_contain_text("High")
        violations = serious_violations(page)
        assert not violations, "axe on the queue page:\n" + "\n".join(violations)
        first_row.get_by_role("link", name=re.compile(case_ref)).click()
        expect(page.get_by_test_id("case-summary")).to_contain_text("Orla Penhale")
        violations = serious_violations(page)
        assert not violations, "axe on the case page:\n" + "\n".join(violations)


def test_researcher_lowers_a_level_with_a_reason_and_the_supervisor_reads_it(
    page, live_server, org, persona
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.tests.test_casework_views import make_people, raised_to_medium
    from demo.management.commands.seed_demo import current_code

    people = make_people(persona)
    case = raised_to_medium(people)
    reason = "Victim has moved to a refuge out of the area"

    sign_in(page, live_server, people["researcher"].username)
    page.goto(f"{live_server.url}/cases/{case.pk}/?via=queue:{case.queue_id}")
    change = page.get_by_test_id("change-form")
    change.get_by_label("Standard").check()
    change.get_by_label("Why is the risk level changing?").fill(reason)
    change.get_by_role("button", name="Change the risk level").click()
    expect(page.get_by_test_id("case-summary")).to_contain_text("Standard")
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

    supervisor = people["supervisor"]
    device = TOTPDevice.objects.create(user=supervisor, name="Authenticator app", confirmed=True)
    sign_in(page, live_server, supervisor.username)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/cases/{case.pk}/history/")
    changed = page.get_by_test_id("event-risk_level_changed").last
    expect(changed).to_contain_text("Risk level changed from medium to standard by Nadia Quinn")
    expect(changed).to_contain_text(reason)
    violations = serious_violations(page)
    assert not violations, "axe on the case history:\n" + "\n".join(violations)


# The reported DV1: 13 yes answers (the medium band), with threats to kill (17),
# strangulation (18) and a weapon (16); the victim's third call-out this year.
THIRTEEN_YES = {"1", "2", "3", "5", "6", "9", "13", "14", "15", "16", "17", "18", "24"}


def test_a_marac_criterion_makes_the_suggestion_high_and_red_flags_are_named(
    page, live_server, persona, repeat_victim_incident
):
    with time_machine.travel(HUB_DAY, tick=True):
        officer = persona(Role.OFFICER, team="response")
        daso = persona(Role.DASO, team="hub-colchester")
        incident = repeat_victim_incident

        sign_in(page, live_server, officer.username)
        page.goto(f"{live_server.url}/calls/{incident.pk}/")
        page.get_by_role("button", name="Complete a DV1 for Orla Penhale").click()
        page.get_by_role("link", name="DASH questions 1 to 9").click()
        for first, last in ((1, 9), (10, 18), (19, 27)):
            expect(page.get_by_role("heading", level=1)).to_have_text(
                f"DASH questions {first} to {last}"
            )
            for number in range(first, last + 1):
                value = "yes" if str(number) in THIRTEEN_YES else "no"
                page.locator(f'input[name="q{number}"][value="{value}"]').check()
            expect(page.get_by_test_id("save-status")).to_contain_text("saved")
            if last < 27:
                save_and_continue(page)

        # The panel on the step says why the suggestion is high and names the red flags.
        score = page.get_by_test_id("score")
        expect(score.get_by_test_id("yes-count")).to_have_text("13")
        expect(score.get_by_test_id("suggested-level")).to_have_text("High")
        expect(score.get_by_test_id("because-potential_escalation")).to_contain_text(
            "MARAC criterion met: potential escalation"
        )
        flags = score.get_by_test_id("red-flags")
        expect(flags).to_contain_text("Consider professional judgement")
        expect(flags.get_by_test_id("red-flag-strangulation")).to_contain_text(
            "Non-fatal strangulation or choking (question 18 answered yes)"
        )
        expect(flags.get_by_test_id("red-flag-threats_to_kill")).to_contain_text("Threats to kill")
        expect(flags.get_by_test_id("red-flag-weapon")).to_contain_text("Use or threat of a weapon")
        expect(flags.get_by_test_id("red-flag-separation_control_escalation")).to_be_visible()
        expect(flags.get_by_test_id("red-flag-stalking")).to_have_count(0)
        violations = serious_violations(page)
        assert not violations, "axe on the DV1 page with red flags:\n" + "\n".join(violations)
        save_and_continue(page)
        save_and_continue(page)  # witnesses, safeguarding and evidence

        # The level step: the hint says a lower level needs a reason. Medium, as the band
        # alone would have said, is saved but the page stays, asking for the reason.
        expect(page.get_by_test_id("level-hint")).to_contain_text(
            "A lower level needs a reason, and a supervisor reviews it."
        )
        page.locator("#officer_level-medium").check()
        expect(page.get_by_test_id("save-status")).to_contain_text("saved")
        save_and_continue(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Risk level")
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_contain_text("Explain why the risk is medium, below the suggested high")
        summary.get_by_role("link", name=re.compile("Explain why the risk is medium")).click()
        expect(page.locator("#level_reason")).to_be_focused()
        page.locator("#officer_level-high").check()
        expect(page.get_by_test_id("save-status")).to_contain_text("saved")
        save_and_continue(page)
        # Sections skipped are named above the button; submission still decides.
        expect(page.get_by_test_id("not-completed")).to_contain_text("What happened")
        page.get_by_role("button", name="Submit DV1").click()
        confirmation = page.get_by_test_id("confirmation")
        expect(confirmation.get_by_test_id("level")).to_have_text("High")
        expect(confirmation).to_contain_text("Colchester hub")
        case_ref = page.get_by_test_id("case-reference").inner_text()
        page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, daso.username)
        page.get_by_role("link", name=re.compile("^Queues")).click()
        page.get_by_role("link", name=re.compile("Colchester hub")).first.click()
        first_row = page.get_by_test_id("queue-row").first
        expect(first_row).to_contain_text(case_ref)
        first_row.get_by_role("link", name=re.compile(case_ref)).click()
        case_flags = page.get_by_test_id("red-flags")
        expect(case_flags).to_contain_text("Consider professional judgement")
        expect(case_flags).to_contain_text("Non-fatal strangulation or choking")
        expect(case_flags).to_contain_text("Threats to kill")
        violations = serious_violations(page)
        assert not violations, "axe on the case page with red flags:\n" + "\n".join(violations)


def test_without_javascript_the_officer_adds_a_household_member_and_moves_on(
    browser, live_server, persona, repeat_victim_incident
):
    """No script: the buttons post the section's form, and the page comes back."""
    officer = persona(Role.OFFICER, team="response")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, officer.username)
        page.goto(f"{live_server.url}/calls/{repeat_victim_incident.pk}/")
        page.get_by_role("button", name="Complete a DV1 for Orla Penhale").click()
        page.get_by_role("link", name="Household members and children").click()
        page.get_by_label("Full name").fill("Ivy Penhale")
        page.get_by_label("Relationship to the victim", exact=True).fill("Daughter")
        page.get_by_role("button", name="Add household member").click()
        expect(page.get_by_test_id("household-member")).to_have_count(2)
        expect(page.get_by_test_id("household-member").last).to_contain_text("Ivy Penhale")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("DASH questions 1 to 9")
        page.get_by_role("link", name="Back to the task list").click()
        expect(page.get_by_test_id("status-household")).to_have_text("Completed")
    finally:
        context.close()


def test_keyboard_adds_and_removes_household_members_in_place(
    page, live_server, persona, repeat_victim_incident
):
    """Enter in the add fields, or on the button, adds the person where she is: the page
    stays one page, focus goes to the new row with a message, and the device keeps no
    stale copy of the add fields (no "answers not saved" warning)."""
    officer = persona(Role.OFFICER, team="response")
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/calls/{repeat_victim_incident.pk}/")
    page.get_by_role("button", name="Complete a DV1 for Orla Penhale").click()
    # Wait for the page's scripts: Enter adding in place and the focus are theirs.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Household members and children").click()
    members = page.get_by_test_id("household-member")
    expect(members).to_have_count(1)

    # Enter in the relationship field.
    page.get_by_label("Full name").fill("Ivy Penhale")
    page.get_by_label("Relationship to the victim", exact=True).fill("Daughter")
    page.get_by_label("Relationship to the victim", exact=True).press("Enter")
    expect(members).to_have_count(2)
    expect(page.locator("#dv1-form")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    expect(members.last).to_be_focused()
    expect(page.get_by_test_id("rows-announce")).to_have_text("Ivy Penhale added to the household")
    expect(page.get_by_label("Full name")).to_have_value("")

    # Enter on the button, after typing (and so before the pause that autosaves).
    page.get_by_label("Full name").fill("Jack Penhale")
    page.get_by_label("Relationship to the victim", exact=True).fill("Son")
    page.get_by_role("button", name="Add household member").focus()
    page.keyboard.press("Enter")
    expect(members).to_have_count(3)
    expect(members.last).to_be_focused()
    # A later autosave still saves into the status area, not a whole page.
    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as saved:
        page.get_by_label("Confirmed with the victim: Finn Penhale").check()
    assert saved.value.status == 200
    # The form's own save does not carry the button pressed before it (no second add).
    assert "add_household" not in (saved.value.request.post_data or "")
    expect(page.get_by_test_id("save-status")).to_contain_text("saved")
    expect(page.locator("#dv1-form")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)

    # Remove: focus moves to the next row.
    page.get_by_role("button", name="Remove Ivy Penhale").press("Enter")
    expect(members).to_have_count(2)
    expect(members.last).to_be_focused()
    expect(page.get_by_test_id("rows-announce")).to_have_text(
        "Ivy Penhale removed from the household"
    )
    expect(page.locator("#dv1-form")).to_have_count(1)

    # Reloading finds nothing unsaved on the device.
    page.reload()
    expect(members).to_have_count(2)
    expect(page.get_by_test_id("draft-banner")).to_have_count(0)
    expect(page.get_by_label("Full name")).to_have_value("")
    violations = serious_violations(page)
    assert not violations, "axe on the household page:\n" + "\n".join(violations)
