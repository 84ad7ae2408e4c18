"""A DV1 for a victim who already has an open case, in a real browser: the officer sees
her open case above the submit button of check your answers, chosen for her when the
suspect is not known; opening a new case instead needs a reason (the error summary links
to it); both cases then say so, and the DASO's case page names the other open case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases import case_services
from cases.models import Case
from dasapp.roles import Role
from people import services
from tests.browser.conftest import serious_violations, sign_in
from tests.browser.test_dv1_journey import save_and_continue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def victim_with_an_open_case(org, persona):
    daso = persona(Role.DASO, team="cru", username="daso-cru")
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Orla", family_name="Penhale", date_of_birth=dt.date(1994, 8, 9)
        )
    )
    partner = services.person_create(
        data=services.PersonInput(given_name="Dean", family_name="Carver")
    )
    address, _ = services.address_get_or_create(
        line1="12 Rookery Lane", postcode="CO3 4PX", town="Colchester"
    )
    services.person_address_link(person=victim, address=address)
    case = case_services.case_open(
        victim=victim, perpetrator=partner, level="high", user=daso, district=address.district
    )
    # Tonight's call: the suspect was not named.
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade="priority",
        address=address,
        district=address.district,
        created_at=timezone.now(),
    )
    IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    return {"case": case, "incident": incident, "daso": daso}


def test_officer_sees_her_open_case_and_opens_a_new_one_only_with_a_reason(
    page, live_server, persona, victim_with_an_open_case
):
    officer = persona(Role.OFFICER, team="response")
    first = victim_with_an_open_case["case"]
    incident = victim_with_an_open_case["incident"]

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/calls/{incident.pk}/")
    page.get_by_role("button", name="Complete a DV1 for Orla Penhale").click()
    page.get_by_role("link", name="DASH questions 1 to 9").click()
    for first_question, last_question in ((1, 9), (10, 18), (19, 27)):
        for number in range(first_question, last_question + 1):
            page.locator(f'input[name="q{number}"][value="no"]').check()
        save_and_continue(page)
    save_and_continue(page)  # witnesses, safeguarding and evidence
    page.locator("#officer_level").check()
    expect(page.get_by_test_id("save-status")).to_contain_text("saved")
    save_and_continue(page)  # to check your answers, where her open cases are asked about

    choice = page.get_by_test_id("open-cases-choice")
    expect(choice).to_contain_text("Orla Penhale already has an open case")
    expect(choice).to_contain_text("Chosen for you: the suspect is not known")
    join = choice.get_by_label(f"Add this DV1 to case {first.reference}")
    expect(join).to_be_checked()
    violations = serious_violations(page)
    assert not violations, "axe on check your answers with her open case:\n" + "\n".join(violations)

    # By keyboard: from her case to "Open a new case", then submitted without a reason.
    join.focus()
    page.keyboard.press("ArrowDown")
    new = choice.get_by_role("radio", name="Open a new case")
    expect(new).to_be_checked()
    expect(page.locator("#open_case_reason")).to_be_visible()
    page.get_by_role("button", name="Submit DV1").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("Give the reason for opening a new case")
    assert Case.objects.filter(victim=first.victim).count() == 1
    violations = serious_violations(page)
    assert not violations, "axe on the DV1 error summary:\n" + "\n".join(violations)
    summary.get_by_role("link", name="Give the reason for opening a new case").click()
    expect(page.locator("#open_case_reason")).to_be_focused()
    page.keyboard.type("Different perpetrator: her brother")
    page.get_by_role("button", name="Submit DV1").click()

    expect(page.get_by_test_id("opened-alongside")).to_have_text(
        f"Opened alongside {first.reference}: Different perpetrator: her brother"
    )
    second = Case.objects.exclude(pk=first.pk).get(victim=first.victim)
    page.locator(".moj-identity-bar").get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, victim_with_an_open_case["daso"].username)
    page.goto(f"{live_server.url}/cases/{first.pk}/?via=case:{first.pk}")
    also = page.get_by_test_id("also-open")
    expect(also).to_contain_text("Orla Penhale also has open case")
    expect(also).to_contain_text("opened alongside this case: Different perpetrator: her brother")
    violations = serious_violations(page)
    assert not violations, "axe on the case page:\n" + "\n".join(violations)
    also.get_by_role("link", name=second.reference).click()
    expect(page.get_by_test_id("opened-alongside")).to_contain_text(
        f"Opened alongside {first.reference}"
    )
