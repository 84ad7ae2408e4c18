"""The safety-plan owner picker: the look-up by name or team that says who is at work,
for those who may add actions to the case's plan only, in a fixed number of queries; and
without JavaScript, the search-then-choose step of the form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils.html import strip_tags

from cases import case_services, safety_services
from cases.models import SafetyAction
from cases.tests.test_safety_services import HOUR, T0, make_case, make_staff
from cases.tests.test_safety_views import add_post, signed_in, url

pytestmark = pytest.mark.usefixtures("org")


@pytest.fixture
def staff(persona):
    return make_staff(persona)


@pytest.fixture
def case(staff):
    """A high-risk case in the central referral unit's queue, which the DASO works."""
    with time_machine.travel(T0 - HOUR, tick=False):
        case = case_services.case_route(case=make_case(staff.daso), user=staff.daso)
    assert case.queue.team.code == "cru"
    return case


def search(client, case, q: str):
    return client.get(f"/cases/{case.pk}/safety-plan/owners/", {"q": q}, HTTP_HX_REQUEST="true")


def options(response) -> dict[str, str]:
    """value -> the words of each option."""
    found = re.findall(
        r'<li [^>]*role="option"[^>]*data-value="([a-z]+:\d+)"[^>]*>(.*?)</li>',
        response.content.decode(),
        flags=re.DOTALL,
    )
    return {value: " ".join(strip_tags(words).split()) for value, words in found}


@time_machine.travel(T0, tick=False)
def test_the_look_up_finds_people_by_name_and_says_who_is_away_and_never_why(staff, case):
    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_a,
        kind="sickness",
        starts_at=T0 - HOUR,
        ends_at=dt.datetime(2026, 7, 16, 23, 0, tzinfo=dt.UTC),  # midnight, 17 July
    )
    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_b,
        kind="annual_leave",
        starts_at=T0 + 3 * 24 * HOUR,
        ends_at=T0 + 5 * 24 * HOUR,
    )
    client = signed_in(staff.daso)

    fenwick = options(search(client, case, "fenw"))
    assert fenwick == {
        f"person:{staff.insp_a.pk}": "Inspector Mark Fenwick, Response policing away until 17 Jul"
    }
    price = options(search(client, case, "Joanna Pri"))
    assert price == {
        f"person:{staff.insp_b.pk}": "Inspector Joanna Price, Response policing "
        "at work now, away 17 Jul to 19 Jul"
    }
    body = search(client, case, "Response").content.decode()
    assert "sick" not in body.lower() and "annual leave" not in body.lower()


@time_machine.travel(T0, tick=False)
def test_the_look_up_finds_a_team_and_its_people_at_work_first(staff, case):
    safety_services.absence_record(
        user=staff.chief,
        person=staff.insp_a,
        kind="annual_leave",
        starts_at=T0 - HOUR,
        ends_at=T0 + 48 * HOUR,
    )
    found = options(search(signed_in(staff.daso), case, "response pol"))
    values = list(found)
    assert f"person:{staff.pc.pk}" in values and f"person:{staff.insp_a.pk}" in values
    # Those at work before those away, the team itself last.
    assert values.index(f"person:{staff.pc.pk}") < values.index(f"person:{staff.insp_a.pk}")
    assert values[-1] == f"team:{staff.response.pk}"
    assert found[f"team:{staff.response.pk}"] == (
        "Response policing (the whole team) 3 of 4 at work now"
    )
    assert found[f"person:{staff.pc.pk}"] == "PC Tom Adeyemi, Response policing at work now"


@time_machine.travel(T0, tick=False)
def test_the_look_up_offers_no_partner_agency_nor_an_empty_team_nor_a_switched_off_account(
    staff, case, persona
):
    persona("partner", "victim-support", first_name="Kemi", last_name="Adebayo")
    staff.pc.is_active = False
    staff.pc.save()
    client = signed_in(staff.daso)
    assert options(search(client, case, "Adebayo")) == {}
    assert options(search(client, case, "Victim support")) == {}
    assert options(search(client, case, "Neighbourhood crime")) == {}  # nobody in it
    assert options(search(client, case, "Adeyemi")) == {}


@time_machine.travel(T0, tick=False)
def test_one_letter_finds_nobody(staff, case):
    assert options(search(signed_in(staff.daso), case, "e")) == {}


@pytest.mark.parametrize("who", ["partner", "officer", "hub_daso"])
@time_machine.travel(T0, tick=False)
def test_only_those_who_may_add_actions_to_the_plan_may_look_up_owners(staff, case, persona, who):
    user = {
        "partner": lambda: persona("partner", "victim-support"),
        "officer": lambda: staff.pc,
        "hub_daso": lambda: persona("daso", "hub-colchester"),
    }[who]()
    response = search(signed_in(user), case, "Fenwick")
    assert response.status_code in (403, 404)
    assert "Fenwick" not in response.content.decode()


@time_machine.travel(T0, tick=False)
def test_the_look_up_reads_in_a_fixed_number_of_queries(
    staff, case, persona, django_assert_max_num_queries
):
    client = signed_in(staff.daso)
    search(client, case, "Response")  # warm up: the session
    with django_assert_max_num_queries(14) as few:
        search(client, case, "Response")
    for n in range(8):
        persona("officer", "response", first_name=f"Extra{n}", last_name="Officer")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(options(search(client, case, "Response"))) == 11  # ten people, a team


# Without JavaScript: search, then choose ---------------------------------------------


@time_machine.travel(T0, tick=False)
def test_without_javascript_the_name_typed_comes_back_with_the_people_found_to_choose(staff, case):
    client = signed_in(staff.daso)
    response = client.post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(owner_search="Fenwick", description="Call her"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose who owns it from the people and teams found" in body
    assert f'value="person:{staff.insp_a.pk}"' in body
    assert "Inspector Mark Fenwick, Response policing: at work now" in body
    assert "Call her" in body  # what was typed is kept
    assert not SafetyAction.objects.exists()

    chosen = client.post(
        f"/cases/{case.pk}/safety-plan/actions/?via=case:{case.pk}",
        add_post(
            owner_search="Fenwick", owner_choice=f"person:{staff.insp_a.pk}", description="Call her"
        ),
    )
    assert chosen.status_code == 302
    assert SafetyAction.objects.get().owner == staff.insp_a


@time_machine.travel(T0, tick=False)
def test_without_javascript_a_team_may_be_chosen(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(owner_choice=f"team:{staff.response.pk}", description="Patrol"),
    )
    assert response.status_code == 302
    action = SafetyAction.objects.get()
    assert (action.owner, action.owner_team) == (None, staff.response)


@time_machine.travel(T0, tick=False)
def test_a_name_that_matches_nobody_says_so_on_the_search_box(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/", add_post(owner_search="Zebedee")
    )
    assert response.status_code == 400
    assert (
        '<a href="#id_add-owner_search">Nobody who may own an action matches \u201cZebedee\u201d: '
        "check the spelling, or search for their team</a>"
    ) in response.content.decode()


@time_machine.travel(T0, tick=False)
def test_no_owner_at_all_is_refused_on_the_search_box(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/", add_post(description="Call her")
    )
    assert response.status_code == 400
    assert '<a href="#id_add-owner_search">Choose a person or a team to own the action</a>' in (
        response.content.decode()
    )


def test_the_plan_page_offers_a_search_box_not_a_list_of_everyone(staff, case):
    body = signed_in(staff.daso).get(url(case)).content.decode()
    assert 'name="add-owner_search"' in body
    assert f'hx-get="/cases/{case.pk}/safety-plan/owners/"' in body
    assert 'role="listbox"' in body
    assert "Mark Fenwick" not in body  # nobody is listed before a name is typed
    assert "owner_picker.js" in body


@time_machine.travel(T0, tick=False)
def test_moving_an_action_finds_the_new_owner_the_same_way(staff, case):
    from cases.tests.test_safety_services import add

    plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
    action = add(plan, staff.daso, owner=staff.insp_a)
    client = signed_in(staff.daso)
    body = client.get(url(case)).content.decode()
    assert f'name="reassign{action.pk}-owner_search"' in body
    assert f'id="reassign{action.pk}-owner-options" role="listbox"' in body
    assert "<option" not in body[body.index('data-testid="reassign-form"') :].split("</form>")[0]

    path = f"/cases/{case.pk}/safety-plan/actions/{action.pk}/reassign/?via=case:{case.pk}"
    found = client.post(
        path,
        {
            f"reassign{action.pk}-owner_search": "Price",
            f"reassign{action.pk}-reason": "He is on leave",
            f"reassign{action.pk}-version": action.version,
        },
    )
    assert found.status_code == 400
    assert f'value="person:{staff.insp_b.pk}"' in found.content.decode()
    moved = client.post(
        path,
        {
            f"reassign{action.pk}-owner_search": "Price",
            f"reassign{action.pk}-owner_choice": f"person:{staff.insp_b.pk}",
            f"reassign{action.pk}-reason": "He is on leave",
            f"reassign{action.pk}-version": action.version,
        },
    )
    assert moved.status_code == 302
    action.refresh_from_db()
    assert action.owner == staff.insp_b


@time_machine.travel(T0, tick=False)
def test_the_name_as_the_picker_shows_it_finds_the_person_again(staff, case):
    found = options(search(signed_in(staff.daso), case, "Inspector Joanna Price"))
    assert list(found) == [f"person:{staff.insp_b.pk}"]


@time_machine.travel(T0, tick=False)
def test_an_owner_chosen_in_the_picker_is_kept_when_the_form_comes_back_with_an_error(staff, case):
    response = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/",
        add_post(
            owner=staff.insp_b.pk, owner_search="Inspector Joanna Price", due_at="", description="x"
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'name="add-owner" id="id_add-owner" value="{staff.insp_b.pk}"' in body
    assert "Chosen: Inspector Joanna Price" in body
    assert 'name="add-owner_choice"' not in body  # no second question
    assert '<a href="#id_add-due_at">Enter the date and time the action is due</a>' in body
