"""The call-taker's journey in a real browser (the call-handling issue's "done when"):
a call from a high-risk victim's number typed in another format shows the flag and the
last incidents before anything is saved; a calm caller who says she is very frightened
gets an urgent suggestion with reasons; the call-taker picks a lower grade with a
reason; a supervisor reads that reason in the incident's history. Along the way: what
was typed survives an autosave that never arrived (the copy on the device), new flags
are announced to screen readers, the suggestion is marked beside the grade buttons, a
scheduled grade needs an appointment, and the console shows no CSP violation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from dasapp.roles import Role
from people import services
from people.flag_services import flag_raise
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Caller confirms he is in custody until Monday; she asked for a visit tomorrow"


@pytest.fixture
def high_risk_victim(org):
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Tamsin", family_name="Wray", date_of_birth=dt.date(1992, 2, 3)
        )
    )
    suspect = services.person_create(
        data=services.PersonInput(given_name="Carl", family_name="Brock")
    )
    phone, _ = services.phone_get_or_create(number="+447700900871")
    services.person_phone_link(person=victim, phone=phone)
    flag_raise(
        kind="high_risk_victim",
        summary="High-risk victim: case under review",
        source="case:9",
        phone=phone,
    )
    for days in (30, 90):
        incident = Incident.objects.create(
            status=IncidentStatus.GRADED,
            grade="priority",
            caller_phone=phone,
            created_at=timezone.now() - dt.timedelta(days=days),
        )
        IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
        IncidentPerson.objects.create(incident=incident, person=suspect, role=IncidentRole.SUSPECT)
    return victim


def answer(page, code: str, label: str) -> None:
    page.locator(f"#group-{code}").get_by_label(label, exact=True).check()


def test_call_taker_sees_flag_grades_with_reason_and_supervisor_reads_it(
    page, live_server, persona, high_risk_victim, console_problems
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    call_taker = persona(Role.CALL_TAKER, team="control-room")
    sign_in(page, live_server, call_taker.username)
    page.get_by_role("link", name="Calls").first.click()
    page.get_by_role("button", name="Start a new call").click()
    expect(page).to_have_url(re.compile(r"/calls/\d+/$"))
    incident_id = int(page.url.rstrip("/").split("/")[-1])

    # The number as the caller gives it, not as it is stored (+447700900871).
    page.get_by_label("Caller's phone number").fill("(07700) 900-871")
    intel = page.get_by_test_id("intelligence")
    expect(intel.get_by_test_id("intel-flags")).to_contain_text("High-risk victim")
    # Said once, politely, to a screen reader; saving drafts is not announced.
    expect(page.get_by_test_id("intel-announce")).to_have_text(
        "New flag: High-risk victim. 1 flag in all. "
        "This number belongs to a known person: Tamsin Wray."
    )
    assert page.get_by_test_id("save-status").get_attribute("aria-live") is None
    expect(intel).to_contain_text("Incidents in the last 12 months: 2")
    expect(intel.get_by_test_id("intel-suspects")).to_contain_text("Carl Brock")
    assert Incident.objects.get(pk=incident_id).status == IncidentStatus.DRAFT  # nothing logged yet

    # The browser closes before the autosave reaches the server: what was typed is kept
    # on the device, put back when the call is opened again, and saved.
    page.route("**/autosave/", lambda route: route.abort())
    page.get_by_label("Location details").fill("Outside the shop on the corner")
    expect(page.get_by_test_id("draft-banner")).to_contain_text("Not saved")
    page.unroute("**/autosave/")
    page.reload()
    expect(page.get_by_label("Location details")).to_have_value("Outside the shop on the corner")
    expect(page.get_by_test_id("save-status")).to_contain_text("Draft saved")
    assert Incident.objects.get(pk=incident_id).location_note == "Outside the shop on the corner"
    console_problems.clear()  # the aborted autosave's network error

    answer(page, "injuries", "No")
    answer(page, "suspect_location", "Somewhere else in the area")
    for code in ("weapons", "children_present", "drink_drugs"):
        answer(page, code, "No")
    answer(page, "previous_incidents", "Yes")
    answer(page, "fear_level", "Very frightened")
    answer(page, "afraid_of", "Being hurt again")
    answer(page, "demeanour", "Calm")

    expect(page.get_by_test_id("suggested-grade")).to_have_text("Emergency")
    reasons = page.get_by_test_id("suggestion-reasons")
    expect(reasons).to_contain_text("very frightened")
    expect(reasons).to_contain_text("High-risk marker")
    # The suggestion is repeated beside the grade buttons.
    expect(page.get_by_test_id("grade-suggestion")).to_contain_text("Suggested: Emergency")
    expect(page.locator("label[for=grade-emergency]")).to_contain_text("Suggested")
    expect(page.locator("label[for=grade-priority]")).not_to_contain_text("Suggested")
    violations = serious_violations(page)
    assert not violations, "axe on the call page:\n" + "\n".join(violations)
    assert console_problems == [], "\n".join(console_problems)

    # A lower grade without a reason is refused, and nothing typed is lost.
    page.get_by_role("radio", name="Scheduled").check()
    page.get_by_role("button", name="Log call and grade").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Explain why you chose scheduled")
    expect(page.get_by_label("Location details")).to_have_value("Outside the shop on the corner")

    expect(summary).to_contain_text("Enter the date and time of the appointment")
    page.get_by_role("radio", name="Scheduled").check()
    page.get_by_label("Reason for choosing a different grade").fill(REASON)
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    # One field, as the caller says it, in UK time.
    page.get_by_label("Appointment").fill(f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year} 10am")
    page.get_by_role("button", name="Log call and grade").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("logged and graded")
    expect(page.get_by_test_id("grade")).to_contain_text("Scheduled (suggested emergency)")
    # Only the refused log (400) reached the console: no CSP violation, no script error.
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert problems == [], "\n".join(problems)
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

    supervisor = persona(Role.SUPERVISOR, team="cru")
    device = TOTPDevice.objects.create(user=supervisor, name="Authenticator app", confirmed=True)
    sign_in(page, live_server, supervisor.username)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/calls/{incident_id}/history/")
    timeline = page.get_by_test_id("incident-timeline")
    expect(timeline).to_contain_text("Response graded")
    expect(timeline.get_by_test_id("event-reason")).to_contain_text(REASON)
    expect(timeline).to_contain_text(call_taker.username)
    violations = serious_violations(page)
    assert not violations, "axe on the incident history:\n" + "\n".join(violations)
