"""Every page of a case carries the case's identity bar (victim, reference, risk, owner
and how to contact her safely) and the sub-navigation of its pages, the one shown marked
as current; claiming a case from the queue links to it."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from cases import assignment_services
from cases.tests.test_safety_services import HOUR, T0, make_case, make_staff
from conftest import verify_two_factor

pytestmark = pytest.mark.usefixtures("org")

SAFE = "Only call between 10:00 and 12:00; if a man answers, hang up"


@pytest.fixture
def staff(persona):
    return make_staff(persona)


@pytest.fixture
def case(staff):
    with time_machine.travel(T0 - HOUR, tick=False):
        case = make_case(staff.daso)
    victim = case.victim
    victim.safe_contact_instructions = SAFE
    victim.no_voicemail = True
    victim.save()
    return case


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name="supervisor").exists():
        verify_two_factor(client, user)
    return client


def bar(body: str) -> str:
    match = re.search(
        r'<div class="moj-identity-bar app-case-identity".*?</nav>', body, flags=re.DOTALL
    )
    assert match, "no case identity bar on the page"
    return match.group(0)


def current_page(body: str) -> list[str]:
    return re.findall(r'aria-current="page" data-testid="case-nav-([a-z_]+)"', bar(body))


def nav_keys(body: str) -> list[str]:
    return re.findall(r'data-testid="case-nav-([a-z_]+)"', bar(body))


def assert_identity(body: str, case, *, current: str, owner: str = "not assigned") -> None:
    shown = bar(body)
    assert case.victim.full_name in shown
    assert f"Case {case.reference}" in shown
    assert ">High</strong>" in shown
    assert f"Owner: {owner}" in shown
    assert 'data-testid="safe-contact"' in shown
    assert SAFE in shown and "Never leave a voicemail or message." in shown
    assert current_page(body) == [current]


CASE_PAGES = {
    "summary": "/cases/{case}/?via=case:{case}",
    "safety_plan": "/cases/{case}/safety-plan/?via=case:{case}",
    "contacts": "/people/{victim}/contacts/?via=case:{case}",
    "history": "/cases/{case}/history/?via=case:{case}",
}


@pytest.mark.parametrize("page", list(CASE_PAGES))
def test_every_page_of_a_case_shows_its_identity_bar_and_marks_itself_current(staff, case, page):
    client = signed_in(staff.chief)  # a supervisor reads every page of every case
    response = client.get(CASE_PAGES[page].format(case=case.pk, victim=case.victim_id))

    assert response.status_code == 200
    body = response.content.decode()
    assert_identity(body, case, current=page)
    assert nav_keys(body) == ["summary", "safety_plan", "contacts", "history"]
    via = f"?via=case:{case.pk}"
    shown = bar(body)
    assert f'href="/cases/{case.pk}/{via}"' in shown
    assert f'href="/cases/{case.pk}/safety-plan/{via}"' in shown
    assert f'href="/people/{case.victim_id}/contacts/{via}"' in shown
    assert f'href="/cases/{case.pk}/history/{via}"' in shown
    assert f'aria-label="Pages of case {case.reference}"' in shown


def test_the_contact_form_reached_from_the_case_carries_the_bar(staff, case):
    response = signed_in(staff.daso).get(
        f"/people/{case.victim_id}/contacts/new/?via=case:{case.pk}"
    )
    assert response.status_code == 200
    assert_identity(response.content.decode(), case, current="contacts")


@pytest.mark.parametrize("page", ["reassign", "close"])
def test_the_assignment_pages_of_a_case_carry_the_bar_with_no_page_current(staff, case, page):
    response = signed_in(staff.chief).get(f"/cases/{case.pk}/{page}/?via=case:{case.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    assert current_page(body) == []
    assert case.victim.full_name in bar(body) and SAFE in bar(body)


def test_the_release_page_names_the_owner_and_says_when_they_are_away(staff, case):
    assignment_services.case_claim(case=case, user=staff.daso, version=None)
    response = signed_in(staff.chief).get(f"/cases/{case.pk}/release/?via=case:{case.pk}")
    assert response.status_code == 200
    assert "Owner: Claire Whitmore" in bar(response.content.decode())


def test_the_contact_timeline_reached_from_a_person_has_no_case_bar(staff, case):
    response = signed_in(staff.daso).get(
        f"/people/{case.victim_id}/contacts/?via=person:{case.victim_id}"
    )
    assert response.status_code == 200
    assert "app-case-identity" not in response.content.decode()


def test_a_daso_with_no_part_in_the_case_is_not_offered_its_history(staff, case, persona):
    colleague = persona("daso", "hub-colchester", first_name="Sam", last_name="Reeve")
    response = signed_in(colleague).get(f"/cases/{case.pk}/?via=case:{case.pk}")
    assert response.status_code == 200
    assert nav_keys(response.content.decode()) == ["summary", "safety_plan", "contacts"]


def test_an_action_owner_sees_only_the_plan_in_the_sub_navigation(staff, case):
    from cases import safety_services
    from cases.tests.test_safety_services import add

    with time_machine.travel(T0, tick=False):
        plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
        add(plan, staff.daso, owner=staff.insp_a)
        response = signed_in(staff.insp_a).get(f"/cases/{case.pk}/safety-plan/?via=case:{case.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    assert nav_keys(body) == ["safety_plan"]
    assert current_page(body) == ["safety_plan"]


def test_the_identity_bar_adds_a_fixed_small_number_of_queries(
    staff, case, django_assert_max_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = staff.daso
    template = Template('{% load case_identity_tags %}{% case_identity_bar case "summary" %}')
    staff.daso.groups.count()  # roles are read once per request
    with django_assert_max_num_queries(5):
        html = template.render(Context({"request": request, "case": case}))
    assert SAFE in html


def test_claiming_a_case_from_the_queue_links_to_the_case(staff, case):
    from cases import case_services

    with time_machine.travel(T0, tick=False):
        case = case_services.case_route(case=case, user=staff.daso)
    assert case.queue_id is not None
    queue_page = f"/queues/{case.queue_id}/"
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/claim/",
        {"version": case.version, "next": queue_page},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == queue_page
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        f'You claimed case <a class="govuk-notification-banner__link" '
        f'href="/cases/{case.pk}/?via=case:{case.pk}" data-testid="claimed-case-link">'
        f"{case.reference}</a>: it is on your caseload"
    ) in body


# Her other open cases on every page of a case -------------------------------------------


@pytest.fixture
def second_case(staff, case):
    from cases import case_services
    from cases.tests.factories import PersonFactory

    brother = PersonFactory(given_name="Ross", family_name="Fictional-Hartwell")
    return case_services.case_open(
        victim=case.victim,
        perpetrator=brother,
        level="medium",
        user=staff.daso,
        alongside=[case],
        reason="Different perpetrator: her brother",
    )


@pytest.mark.parametrize("page", ["safety_plan", "contacts", "history"])
def test_every_page_of_a_case_says_she_also_has_another_open_case(staff, case, second_case, page):
    body = (
        signed_in(staff.chief)
        .get(CASE_PAGES[page].format(case=case.pk, victim=case.victim_id))
        .content.decode()
    )

    also = re.search(r'data-testid="case-identity-also-open">(.*?)</span>', bar(body), re.S)
    assert also, "the bar does not name her other open case"
    assert f'href="/cases/{second_case.pk}/?via=case:{case.pk}">{second_case.reference}</a>' in (
        also.group(1)
    )
    assert "(medium risk)" in also.group(1)


def test_the_summary_names_her_other_case_once_in_its_banner_not_in_the_bar(
    staff, case, second_case
):
    body = signed_in(staff.chief).get(CASE_PAGES["summary"].format(case=case.pk)).content.decode()

    assert 'data-testid="case-identity-also-open"' not in bar(body)
    assert body.count(f">{second_case.reference}</a>") == 1


def test_the_contact_timeline_from_a_case_warns_about_safe_contact_once(staff, case):
    body = (
        signed_in(staff.daso)
        .get(CASE_PAGES["contacts"].format(case=case.pk, victim=case.victim_id))
        .content.decode()
    )

    assert body.count('data-testid="safe-contact"') == 1
    assert 'data-testid="safe-contact-details"' in body  # the safe number and times stay


def test_the_bar_with_her_other_cases_still_adds_a_fixed_small_number_of_queries(
    staff, case, second_case, django_assert_max_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = staff.daso
    template = Template('{% load case_identity_tags %}{% case_identity_bar case "history" %}')
    staff.daso.groups.count()
    with django_assert_max_num_queries(6):
        html = template.render(Context({"request": request, "case": case}))
    assert second_case.reference in html
