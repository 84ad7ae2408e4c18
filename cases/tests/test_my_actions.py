""" "My safety-plan actions" (everyone who may own one) and "Actions needing attention"
(supervisors), with their home-page counts and navigation entries: an inspector who
owns patrols past the address, his colleagues and team, their chief inspector and her
superintendent, a DASO, an IDVA and a partner agency."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from cases import safety_selectors, safety_services
from cases.choices import ActionStatus, FollowUpReason
from cases.models import FollowUp, SafetyAction, SafetyActionType
from cases.tests.test_safety_services import DAY, HOUR, T0, add, leave, make_case, make_staff
from conftest import verify_two_factor
from dasapp.models import AccessLog
from dasapp.navigation import NAV_ITEMS
from dasapp.roles import Role

pytestmark = pytest.mark.usefixtures("org")

MINE = "/safety-actions/mine/"
ATTENTION = "/safety-actions/attention/"
MIN = dt.timedelta(minutes=1)
# The most queries either page may make, whatever the number of actions: session, user,
# roles, team, the counts (my list only), the paginator's count, the rows, their
# follow-ups, the access-log row and the navigation's unread count.
MAX_QUERIES = 10


@pytest.fixture
def staff(persona):
    return make_staff(persona)


@pytest.fixture
def plan(staff):
    with time_machine.travel(T0 - HOUR, tick=False):
        return safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name=Role.SUPERVISOR).exists():
        verify_two_factor(client, user)
    return client


def plan_url(action: SafetyAction) -> str:
    case_id = action.plan.case_id
    return f"/cases/{case_id}/safety-plan/?via=safety_action:{action.pk}#action-{action.pk}"


def listed(response) -> list[int]:
    return [row.action.pk for row in response.context["rows"]]


def many_actions(plans, owner, n: int, *, due_from: dt.datetime) -> list[SafetyAction]:
    """`n` open actions for `owner` over `plans`, a minute apart from `due_from`, every
    third in free text and every other one with a follow-up (every fourth escalated).
    Straight into the tables: only the lists' reads are under test here."""
    patrols = SafetyActionType.objects.get(code="patrols")
    actions = SafetyAction.objects.bulk_create(
        SafetyAction(
            plan=plans[i % len(plans)],
            action_type=None if i % 3 == 0 else patrols,
            description="Ring her sister" if i % 3 == 0 else "",
            owner=owner,
            due_at=due_from + i * MIN,
            created_at=T0 - DAY,
        )
        for i in range(n)
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            action=action,
            reason=FollowUpReason.OVERDUE,
            due_at=action.due_at,
            raised_at=T0 - HOUR,
            escalated=i % 4 == 0,
            owner_key=f"user:{owner.pk}",
            note="Overdue: kept",
        )
        for i, action in enumerate(actions)
        if i % 2 == 0
    )
    return actions


# My safety-plan actions ----------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_an_inspector_sees_his_and_his_teams_open_actions_soonest_due_first(staff, plan):
    later = add(plan, staff.daso, owner=staff.insp_a, due_in=3 * HOUR)
    sooner = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR, kind="address-marker")
    team = add(plan, staff.daso, owner_team=staff.response, due_in=2 * HOUR)
    add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)  # a colleague's
    done = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
    safety_services.action_complete(action=done, user=staff.insp_a, note="Patrolled twice")

    page = signed_in(staff.insp_a).get(MINE)

    assert page.status_code == 200
    assert listed(page) == [sooner.pk, team.pk, later.pk]
    body = page.content.decode()
    assert "Marker on the address" in body and "Patrols past the address" in body
    assert plan.case.reference in body
    assert "For Response policing: anyone in it may do it" in body
    assert 'data-testid="action-counts">3 open, 0 overdue<' in body


@time_machine.travel(T0, tick=False)
def test_each_row_has_the_due_time_in_london_and_links_to_the_action_on_its_plan(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)  # 10:00 UTC, 11:00 BST

    body = signed_in(staff.insp_a).get(MINE).content.decode()

    row = re.search(r'<tr[^>]*id="listed-action-\d+".*?</tr>', body, re.S).group(0)
    assert "14 July 2026 11:00" in row
    assert f'href="{plan_url(action)}"' in row.replace("&amp;", "&")


@time_machine.travel(T0, tick=False)
def test_following_the_link_opens_the_plan_from_the_action_without_asking_why(staff, plan):
    action = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
    client = signed_in(staff.insp_a)
    link = client.get(MINE).context["rows"][0].url

    opened = client.get(link)

    assert opened.status_code == 200
    assert f'id="action-{action.pk}"' in opened.content.decode()
    log = AccessLog.objects.get(user=staff.insp_a, action=AccessLog.Action.CONSULT)
    assert (log.object_type, log.work_item) == ("cases.case", f"safety_action:{action.pk}")


@time_machine.travel(T0, tick=False)
def test_the_list_never_shows_the_victim_or_an_actions_own_words(staff, plan):
    add(plan, staff.daso, owner=staff.insp_a, kind=None, description="Ring her sister Amy")
    add(plan, staff.daso, owner=staff.insp_a, description="Rear door, 14 Fictional Lane")

    body = signed_in(staff.insp_a).get(MINE).content.decode()

    assert "Free-text action: see the plan" in body
    assert "Patrols past the address" in body
    for private in ("Ring her sister", "Fictional Lane", "Leah", "Fictional-Hartwell"):
        assert private not in body


def test_an_overdue_action_is_tagged_and_counted(staff, plan):
    with time_machine.travel(T0, tick=False):
        overdue = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
        add(plan, staff.daso, owner=staff.insp_a, due_in=5 * HOUR)

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        page = signed_in(staff.insp_a).get(MINE)

    rows = page.context["rows"]
    assert [(row.action.pk, row.overdue) for row in rows][0] == (overdue.pk, True)
    assert not rows[1].overdue
    body = page.content.decode()
    assert body.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 1
    assert 'data-testid="action-counts">2 open, 1 overdue<' in body


def test_the_follow_up_the_sweep_raised_is_shown_with_its_note(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        leave(staff.insp_a, by=staff.chief)
        safety_services.sweep_run()

        page = signed_in(staff.insp_b).get(MINE)

    assert listed(page) == [action.pk]
    cell = page.context["rows"][0].follow_up
    assert cell.note.startswith("Moved from Mark Fenwick (away until 24 Jul) to Joanna Price")
    assert "Moved from Mark Fenwick (away until 24 Jul) to Joanna Price, on duty" in (
        page.content.decode()
    )


@time_machine.travel(T0, tick=False)
def test_each_view_writes_one_search_row_listing_the_actions_shown(staff, plan):
    first = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
    second = add(plan, staff.daso, owner=staff.insp_a, due_in=2 * HOUR)

    signed_in(staff.insp_a).get(MINE)

    log = AccessLog.objects.get(user=staff.insp_a)
    assert (log.action, log.object_type) == (AccessLog.Action.SEARCH, "cases.safetyaction")
    assert log.detail["results"] == [first.pk, second.pk]
    assert log.detail["list"] == "mine"


@time_machine.travel(T0, tick=False)
def test_the_list_is_paginated(staff, plan):
    actions = many_actions([plan], staff.insp_a, 60, due_from=T0 + HOUR)
    client = signed_in(staff.insp_a)

    first, second = client.get(MINE), client.get(f"{MINE}?page=2")

    assert listed(first) == [a.pk for a in actions[:50]]
    assert listed(second) == [a.pk for a in actions[50:]]
    assert 'rel="next"' in first.content.decode()
    assert AccessLog.objects.get(user=staff.insp_a, detail__page=2).detail["results"] == [
        a.pk for a in actions[50:]
    ]


@time_machine.travel(T0, tick=False)
def test_my_actions_page_makes_as_many_queries_for_500_actions_as_for_5(
    staff, plan, django_assert_max_num_queries
):
    other_plan = safety_services.plan_get_or_create(case=make_case(staff.daso), user=staff.daso)
    plans = [plan, other_plan]
    client = signed_in(staff.insp_a)
    client.get(MINE)  # the first request of a session saves the session
    many_actions(plans, staff.insp_a, 5, due_from=T0 - HOUR)
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        assert len(listed(client.get(MINE))) == 5
    many_actions(plans, staff.insp_a, 495, due_from=T0 + HOUR)
    with django_assert_max_num_queries(MAX_QUERIES) as many:
        assert len(listed(client.get(MINE))) == 50
    assert len(many) == len(few)


@pytest.mark.parametrize("role", [Role.IDVA, Role.INVESTIGATOR, Role.CALL_TAKER, Role.DASO])
def test_every_role_that_may_own_an_action_has_the_page(persona, role):
    assert signed_in(persona(role)).get(MINE).status_code == 200


def test_a_partner_agency_has_no_list_of_actions(persona):
    assert signed_in(persona(Role.PARTNER, "victim-support")).get(MINE).status_code == 403


# Actions needing attention -------------------------------------------------------------


def test_a_supervisor_sees_her_peoples_overdue_or_escalated_actions_and_nothing_else(
    staff, plan, persona
):
    idva = persona(Role.IDVA, "idva-service")
    with time_machine.travel(T0 - 3 * HOUR, tick=False):
        # Nobody in the response team at work: the sweep escalates it to her.
        escalated = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc):
            leave(person, by=staff.chief)
        safety_services.sweep_run()
        escalated.refresh_from_db()
        assert escalated.owner == staff.chief
        # Added after the sweep: overdue by the time she looks, and not followed up.
        overdue = add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
        team_overdue = add(plan, staff.daso, owner_team=staff.response, due_in=HOUR)
        others = add(plan, staff.daso, owner=idva, due_in=HOUR)  # not her people's
        done = add(plan, staff.daso, owner=staff.pc, due_in=HOUR)
        safety_services.action_complete(action=done, user=staff.pc, note="Done")
        add(plan, staff.daso, owner=staff.pc, due_in=DAY)  # not due, not escalated
    with time_machine.travel(T0, tick=False):
        page = signed_in(staff.chief).get(ATTENTION)

    assert page.status_code == 200
    assert set(listed(page)) == {overdue.pk, team_overdue.pk, escalated.pk}
    assert others.pk not in listed(page)
    assert listed(page)[0] == escalated.pk  # soonest due first
    body = page.content.decode()
    assert "Joanna Price" in body  # the owner
    assert "Response policing (the whole team)" in body
    assert 'govuk-tag--orange">Escalated<' in body
    assert "Escalated from Mark Fenwick (away until 24 Jul) to Helen Marsh, supervisor" in body
    assert "Fictional-Hartwell" not in body
    log = AccessLog.objects.get(user=staff.chief, action=AccessLog.Action.SEARCH)
    assert (log.object_type, log.detail["list"]) == ("cases.safetyaction", "attention")
    assert sorted(log.detail["results"]) == sorted(listed(page))


def test_her_own_supervisor_sees_what_was_escalated_to_her_and_another_supervisor_nothing(
    staff, plan, persona
):
    elsewhere = persona(Role.SUPERVISOR, "hub-laindon")
    with time_machine.travel(T0, tick=False):
        escalated = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc):
            leave(person, by=staff.chief)
        safety_services.sweep_run()

        superintendent = signed_in(staff.supt).get(ATTENTION)
        other = signed_in(elsewhere).get(ATTENTION)

    assert listed(superintendent) == [escalated.pk]
    assert listed(other) == []
    assert 'data-testid="no-actions"' in other.content.decode()


def test_actions_needing_attention_include_actions_escalated_to_her_and_later_moved(staff, plan):
    """Escalated to her, she gave it to a DASO outside her people: still hers to chase."""
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=30 * MIN)
        for person in (staff.insp_a, staff.insp_b, staff.pc):
            leave(person, by=staff.chief)
        safety_services.sweep_run()
        action.refresh_from_db()
        safety_services.action_reassign(
            action=action,
            user=staff.chief,
            to_user=staff.daso,
            reason="The DASO will ring the victim instead",
            version=action.version,
        )
        assert [a.pk for a in safety_selectors.actions_needing_attention(user=staff.chief)] == [
            action.pk
        ]


def test_only_supervisors_have_the_attention_page(staff):
    assert signed_in(staff.insp_a).get(ATTENTION).status_code == 403


@time_machine.travel(T0, tick=False)
def test_attention_page_makes_as_many_queries_for_500_actions_as_for_5(
    staff, plan, django_assert_max_num_queries
):
    client = signed_in(staff.chief)
    client.get(ATTENTION)  # the first request of a session saves the session
    many_actions([plan], staff.insp_a, 5, due_from=T0 - DAY)
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        assert len(listed(client.get(ATTENTION))) == 5
    many_actions([plan], staff.pc, 495, due_from=T0 - DAY + 10 * MIN)
    with django_assert_max_num_queries(MAX_QUERIES) as many:
        assert len(listed(client.get(ATTENTION))) == 50
    assert len(many) == len(few)


# Home page and navigation --------------------------------------------------------------


def sections(client) -> dict:
    return {s.title: s for s in client.get("/").context["sections"]}


def test_an_inspectors_home_counts_his_open_and_overdue_actions_and_links_to_the_list(staff, plan):
    with time_machine.travel(T0 - 2 * HOUR, tick=False):
        add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
        add(plan, staff.daso, owner_team=staff.response, due_in=5 * HOUR)
        add(plan, staff.daso, owner=staff.insp_b, due_in=HOUR)
    with time_machine.travel(T0, tick=False):
        home = sections(signed_in(staff.insp_a))

    assert home["My safety-plan actions"].items == [
        {"text": "2 open actions, 1 overdue", "url": MINE}
    ]


def test_a_supervisors_home_counts_her_peoples_actions_needing_attention(staff, plan):
    with time_machine.travel(T0 - 2 * HOUR, tick=False):
        add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
    with time_machine.travel(T0, tick=False):
        home = sections(signed_in(staff.chief))

    assert home["My safety-plan actions"].items == [
        {"text": "0 open actions, 0 overdue", "url": MINE},
        {"text": "1 overdue or escalated action needs your attention", "url": ATTENTION},
    ]


def test_a_dasos_home_keeps_its_own_section_and_a_partners_has_none(staff, plan, persona):
    with time_machine.travel(T0, tick=False):
        add(plan, staff.daso, owner=staff.daso, due_in=HOUR)
        daso_home = sections(signed_in(staff.daso))
        partner_home = sections(signed_in(persona(Role.PARTNER, "victim-support")))

    assert "My safety-plan actions" not in daso_home
    assert len(daso_home["Safety-plan actions due"].items) == 1
    assert "My safety-plan actions" not in partner_home


def test_navigation_leads_owners_to_their_actions_and_supervisors_to_attention(staff, persona):
    def nav(user) -> list[str]:
        return [item["url"] for item in signed_in(user).get("/").context["nav_items"]]

    assert MINE in nav(staff.insp_a) and ATTENTION not in nav(staff.insp_a)
    assert {MINE, ATTENTION} <= set(nav(staff.chief))
    partner = nav(persona(Role.PARTNER, "victim-support"))
    assert MINE not in partner and ATTENTION not in partner
    entry = next(item for item in NAV_ITEMS if item.url_name == "my_safety_actions")
    assert entry.roles == safety_selectors.ACTION_OWNER_ROLES


def test_an_action_done_leaves_the_list(staff, plan):
    with time_machine.travel(T0, tick=False):
        action = add(plan, staff.daso, owner=staff.insp_a, due_in=HOUR)
        safety_services.action_complete(action=action, user=staff.insp_a, note="Patrolled")
        page = signed_in(staff.insp_a).get(MINE)

    assert SafetyAction.objects.get(pk=action.pk).status == ActionStatus.DONE
    assert listed(page) == []
    assert 'data-testid="no-actions"' in page.content.decode()
