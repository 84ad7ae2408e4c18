"""Home pages that show the work: a DASO sees her team's queues with what waits in them
(never just "no cases assigned" while high-risk cases wait to be claimed), and an
administrator sees where to administer the service and check it is running."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from cases import assignment_services, case_services
from cases.models import Case
from cases.tests.factories import PersonFactory
from conftest import verify_two_factor

pytestmark = pytest.mark.usefixtures("org")

T0 = dt.datetime(2026, 7, 14, 14, 0, tzinfo=dt.UTC)  # 15:00 in London: the unit is on duty


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.is_superuser or user.groups.filter(name="supervisor").exists():
        verify_two_factor(client, user)
    return client


def high_risk_case(user, level="high") -> Case:
    case, _ = case_services.case_open_or_join(
        victim=PersonFactory(), perpetrator=None, level=level, user=user
    )
    return case_services.case_route(case=case, user=user)


def section(body: str, title: str) -> str:
    match = re.search(
        rf'<section class="app-card"[^>]*>\s*<h2[^>]*>{re.escape(title)}</h2>(.*?)</section>',
        body,
        flags=re.DOTALL,
    )
    assert match, f"no {title!r} section"
    return match.group(1)


def test_a_daso_with_no_cases_sees_the_high_risk_cases_waiting_in_her_queue(persona):
    daso = persona("daso", "cru", first_name="Claire", last_name="Whitmore")
    with time_machine.travel(T0 - dt.timedelta(hours=3, minutes=10), tick=False):
        first = high_risk_case(daso)
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        high_risk_case(daso)
    assert first.queue is not None and first.assigned_to is None

    with time_machine.travel(T0, tick=False):
        body = signed_in(daso).get("/").content.decode()

    queues = section(body, "My queues")
    assert (
        f"{first.queue.name}: 2 cases waiting to be claimed (2 high risk), the oldest for "
        "3 h 10 min"
    ) in queues
    assert f'href="/queues/{first.queue_id}/"' in queues
    assert "You have no cases assigned." in section(body, "My caseload")
    assert body.index(">My queues</h2>") < body.index(">My caseload</h2>")


def test_the_daso_home_says_how_many_cases_are_past_target_and_tags_the_queue(persona):
    daso = persona("daso", "cru")
    with time_machine.travel(T0 - dt.timedelta(days=3), tick=False):
        late = high_risk_case(daso)
    with time_machine.travel(T0, tick=False):
        assert late.review_due_at < T0
        claimed = high_risk_case(daso)
        assignment_services.case_claim(case=claimed, user=daso, version=None)
        queues = section(signed_in(daso).get("/").content.decode(), "My queues")
    assert "1 case waiting to be claimed (1 high risk)" in queues
    assert "; 1 past target (2 open cases)" in queues
    assert '<strong class="govuk-tag govuk-tag--red">Past target</strong>' in queues


def test_a_daso_sees_only_her_own_teams_queues(persona):
    other = persona("daso", "cru")
    with time_machine.travel(T0, tick=False):
        waiting = high_risk_case(other)
        team = "hub-laindon" if waiting.queue.team.code != "hub-laindon" else "hub-brentwood"
        daso = persona("daso", team)
        queues = section(signed_in(daso).get("/").content.decode(), "My queues")
    assert waiting.queue.name not in queues
    assert "no case waiting to be claimed" in queues


def test_the_daso_home_reads_its_queues_in_a_fixed_number_of_queries(
    persona, django_assert_max_num_queries
):
    daso = persona("daso", "cru")
    client = signed_in(daso)
    with time_machine.travel(T0, tick=False):
        high_risk_case(daso)
        client.get("/")  # warm up: the session and the settings rows
        with django_assert_max_num_queries(20) as few:
            client.get("/")
        for level in ("high", "medium", "standard") * 4:
            high_risk_case(daso, level=level)
        with django_assert_max_num_queries(len(few.captured_queries)):
            body = client.get("/").content.decode()
    assert "cases waiting to be claimed" in section(body, "My queues")


def test_the_administrators_home_links_to_the_admin_and_the_system_status(persona):
    admin = persona(None, username="admin.test")
    admin.is_staff = admin.is_superuser = True
    admin.save()

    response = signed_in(admin).get("/")

    assert response.status_code == 200
    administration = section(response.content.decode(), "Administration")
    assert 'href="/admin/"' in administration
    assert 'href="/health/"' in administration
    assert "Your account has no role yet" not in response.content.decode()


def test_someone_without_a_role_or_admin_rights_is_not_offered_the_admin(persona):
    body = signed_in(persona("daso", "cru")).get("/").content.decode()
    assert 'href="/admin/"' not in body
