"""The attending officer's journey in a real browser: the call to attend is on the
officer's home page; its incident page shows the intelligence captured when it was
logged and, beside it, the current intelligence with what is new since (a flag raised
and an incident logged after the call), which refreshes itself except while focus is in
it; the officer records the arrival and closes the call with its outcome from that page.
Then a supervisor regrades another call with a reason (refused without one) and reads
the reason in the call's history. Every page passes axe; the console shows no CSP
violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from calls.services import calls as call_services
from dasapp.roles import Role
from people import services
from people.flag_services import flag_raise
from tests.browser.conftest import assert_accessible, assert_rules_pass, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "injuries": "none",
    "suspect_location": "elsewhere",
    "weapons": "no",
    "children_present": "no",
    "drink_drugs": "no",
    "previous_incidents": "yes",
    "fear_level": "3",
    "afraid_of": ["further_injury"],
    "demeanour": "calm",
}
REASON = "Suspect arrested at the address by the first unit"
REFRESH = """() => new Promise(done => {
    const panel = document.querySelector('[data-pause-on-focus]');
    panel.firstElementChild.dataset.old = 'yes';
    const old = () => !!panel.querySelector('[data-old]');
    htmx.ajax('GET', panel.getAttribute('hx-get'), {source: panel, target: panel, swap: 'innerHTML'})
        .then(() => done(old()), () => done(old()));
    setTimeout(() => done(old()), 3000);
})"""


def log_call(call_taker, *, number: str, victim, place: str) -> Incident:
    incident, _ = call_services.incident_start(user=call_taker)
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(
            caller_phone=number,
            location_note=place,
            answers=dict(ANSWERS),
            people=[(victim.pk, IncidentRole.VICTIM)],
        ),
    )
    incident.refresh_from_db()
    return call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade="emergency"),
    )


def victim_on(number: str, given: str, family: str):
    person = services.person_create(
        data=services.PersonInput(
            given_name=given, family_name=family, date_of_birth=dt.date(1990, 4, 5)
        )
    )
    phone, _ = services.phone_get_or_create(number=number)
    services.person_phone_link(person=person, phone=phone)
    flag_raise(
        kind="high_risk_victim",
        summary="High-risk victim: case under review",
        source=f"case:{person.pk}",
        phone=phone,
    )
    return person, phone


def test_officer_attends_and_closes_a_call_and_a_supervisor_regrades_another(
    page, live_server, persona, org, console_problems
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    call_taker = persona(Role.CALL_TAKER, team="control-room")
    victim, phone = victim_on("+447700900861", "Orla", "Penrose")
    call = log_call(call_taker, number="+447700900861", victim=victim, place="Flat 3, Kiln Court")
    other_victim, _ = victim_on("+447700900862", "Bryony", "Ashdown")
    other = log_call(
        call_taker, number="+447700900862", victim=other_victim, place="Layby, Church Lane"
    )
    # Known only since the call was logged: a flag, and another call from the number.
    flag_raise(
        kind="bail_conditions",
        summary="Bailed not to contact her",
        source="case:bail",
        phone=phone,
    )
    since = Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade="priority",
        caller_phone=phone,
        created_at=timezone.now(),
    )
    IncidentPerson.objects.create(incident=since, person=victim, role=IncidentRole.VICTIM)

    officer = persona(Role.OFFICER, team="response")
    sign_in(page, live_server, officer.username)
    calls = page.locator("section", has=page.get_by_role("heading", name="Calls to attend"))
    expect(calls).to_contain_text(f"{call.reference}, emergency, Flat 3, Kiln Court")
    assert_accessible(page, "officer's home page")

    calls.get_by_role("link", name=call.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(call.reference)
    snapshot = page.get_by_test_id("intelligence")
    expect(snapshot.get_by_test_id("intel-flags")).to_contain_text("High-risk victim")
    expect(snapshot).not_to_contain_text("Bail conditions")
    live = page.get_by_test_id("live-intelligence")
    new = live.get_by_test_id("live-new")
    expect(new.get_by_test_id("live-new-flag")).to_contain_text("Bail conditions")
    expect(new.get_by_test_id("live-new-incident")).to_contain_text(since.reference)
    # The snapshot is listed once; the current intelligence says what changed since.
    expect(page.get_by_test_id("intel-flags")).to_have_count(1)
    expect(live.get_by_test_id("live-intelligence-package")).to_have_count(0)
    assert_accessible(page, "incident page")
    assert_rules_pass(page, "incident page", ["landmark-unique"])

    # The refresh waits while focus is in the panel, and runs once it is not.
    link = new.get_by_role("link", name=since.reference)
    link.focus()
    assert page.evaluate(REFRESH) is True  # not refreshed: the old content is still there
    expect(link).to_be_focused()
    page.locator("h1").click()
    assert page.evaluate(REFRESH) is False  # refreshed
    expect(new.get_by_test_id("live-new-flag")).to_contain_text("Bail conditions")
    # Nothing new since the page opened: a screen reader is told nothing. Something new
    # is said once, in a few words.
    announce = page.get_by_test_id("live-announce")
    expect(announce).to_have_text("")
    flag_raise(kind="officer_safety", summary="Dog at the address", source="case:dog", phone=phone)
    assert page.evaluate(REFRESH) is False
    expect(announce).to_have_text("New since the call was logged: 2 flags, 1 incident.")

    page.get_by_role("button", name="Record arrival").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Officer arrival at {call.reference} recorded"
    )
    expect(page.get_by_test_id("status")).to_have_text("Attended")
    expect(page.get_by_role("button", name="Record arrival")).to_have_count(0)

    page.get_by_role("button", name="Close call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the call")
    assert_accessible(page, "close page")
    page.get_by_label("Attended and safeguarding in place").check()
    page.get_by_label("Note").fill("Safe at her sister's; DV1 completed")
    page.get_by_role("button", name="Close the call").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Call {call.reference} closed: Attended and safeguarding in place"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(call.reference)
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    expect(page.get_by_test_id("outcome")).to_contain_text("Safe at her sister's")
    expect(page.get_by_test_id("live-intelligence")).to_have_count(0)
    assert_accessible(page, "closed incident page")
    call.refresh_from_db()
    assert (call.status, call.attended_by, call.closed_by) == (
        IncidentStatus.CLOSED,
        officer,
        officer,
    )
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

    supervisor = persona(Role.SUPERVISOR, team="cru")
    device = TOTPDevice.objects.create(user=supervisor, name="Authenticator app", confirmed=True)
    sign_in(page, live_server, supervisor.username)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/calls/{other.pk}/")
    page.get_by_role("link", name="Regrade the call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regrade the call")
    expect(page.locator("label[for=id_grade_0]")).to_contain_text("Suggested")
    expect(page.locator("label[for=id_grade_1]")).not_to_contain_text("Suggested")
    assert_accessible(page, "regrade page")

    page.get_by_role("radio", name="Priority").check()
    page.get_by_role("button", name="Regrade the call").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Explain why you chose priority")
    assert_accessible(page, "regrade page with an error")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Reason for the grade")).to_be_focused()
    page.get_by_label("Reason for the grade").fill(REASON)
    page.get_by_role("radio", name="Priority").check()
    page.get_by_role("button", name="Regrade the call").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Call {other.reference} regraded: Priority"
    )
    expect(page.get_by_test_id("grade")).to_contain_text("Priority (suggested emergency)")

    page.get_by_role("link", name="See the incident's history").click()
    timeline = page.get_by_test_id("incident-timeline")
    expect(timeline).to_contain_text("Emergency → Priority")
    expect(timeline).to_contain_text(f"Reason: {REASON}")
    assert_accessible(page, "incident history")
    problems = [p for p in console_problems if "status of 400 (Bad Request)" not in p]
    assert problems == [], "\n".join(problems)
