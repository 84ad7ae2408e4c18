"""The DV1's suspect in a real browser, by keyboard: the call named her partner, the
victim says it was her brother. The officer chooses "Someone else", finds him by name,
chooses him and sees him on check your answers, whose Change link comes back to the
question. Every page passes axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from dasapp.models import AccessLog
from dasapp.roles import Role
from people import services
from risk import services as risk_services
from risk.models import Assessment
from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dv1_naming_her_partner(org, persona):
    officer = persona(Role.OFFICER, team="response")
    victim = services.person_create(
        data=services.PersonInput(given_name="Orla", family_name="Penhale")
    )
    partner = services.person_create(
        data=services.PersonInput(given_name="Dean", family_name="Carver")
    )
    brother = services.person_create(
        data=services.PersonInput(
            given_name="Rhys", family_name="Penhale", date_of_birth=dt.date(1991, 2, 14)
        )
    )
    address, _ = services.address_get_or_create(
        line1="12 Rookery Lane", postcode="CO3 4PX", town="Colchester"
    )
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        grade="priority",
        address=address,
        district=address.district,
        created_at=timezone.now(),
    )
    IncidentPerson.objects.create(incident=incident, person=victim, role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=incident, person=partner, role=IncidentRole.SUSPECT)
    dv1 = risk_services.assessment_start(
        incident=incident, victim=victim, perpetrator=partner, user=officer
    )
    return {"officer": officer, "dv1": dv1, "brother": brother}


def test_officer_chooses_someone_else_as_the_suspect_by_keyboard(
    page, live_server, dv1_naming_her_partner
):
    dv1 = dv1_naming_her_partner["dv1"]
    brother = dv1_naming_her_partner["brother"]
    sign_in(page, live_server, dv1_naming_her_partner["officer"].username)
    page.goto(f"{live_server.url}/dv1/{dv1.pk}/incident/")

    question = page.get_by_test_id("suspect")
    expect(question.get_by_role("radio", name="Dean Carver")).to_be_checked()
    violations = serious_violations(page)
    assert not violations, "axe on the suspect question:\n" + "\n".join(violations)

    question.get_by_role("radio", name="Dean Carver").focus()
    page.keyboard.press("ArrowDown")
    expect(question.get_by_role("radio", name="Someone else")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.type("Rhys Penhale")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Find the suspect")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    results = page.get_by_test_id("suspect-results")
    expect(results).to_contain_text("Choose the suspect from the people found")
    expect(page.get_by_test_id("suspect").get_by_role("radio", name="Someone else")).to_be_checked()
    violations = serious_violations(page)
    assert not violations, "axe on the people found:\n" + "\n".join(violations)
    # The page comes back at the people found: the next Tab reaches the first of them.
    page.keyboard.press("Tab")
    found = results.get_by_role("radio", name="Rhys Penhale, born 14 February 1991")
    expect(found).to_be_focused()
    page.keyboard.press("Space")
    expect(found).to_be_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # saves the section, as "Save and continue"

    assert Assessment.objects.get(pk=dv1.pk).perpetrator == brother
    assert AccessLog.objects.filter(
        action=AccessLog.Action.SEARCH, object_type="people.person"
    ).exists()

    page.goto(f"{live_server.url}/dv1/{dv1.pk}/check/")
    row = page.get_by_test_id("check-suspect")
    expect(row).to_contain_text("Rhys Penhale, born 14 February 1991")
    violations = serious_violations(page)
    assert not violations, "axe on check your answers:\n" + "\n".join(violations)
    row.get_by_role("link", name="Change the suspect").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    chosen = page.get_by_test_id("suspect").get_by_role(
        "radio", name="Rhys Penhale, born 14 February 1991"
    )
    expect(chosen).to_be_checked()
