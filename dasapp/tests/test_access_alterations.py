"""Pages that change a case or its safety plan show the victim's record next: each write
that goes through is in the access log as an alteration (DPA 2018 s.62), with the work
item the page came from when it is about the case; a refused write is logged only as
the consultation of the form shown again. Fixtures are fictional."""

from __future__ import annotations

import pytest
import time_machine

from cases import assignment_services, safety_services
from cases.models import SafetyAction, SafetyActionType, SafetyPlan
from cases.tests.test_assignment_services import with_colleagues
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    hub_queue,
    make_people,
    queue_case,
    signed_in,
)
from cases.tests.test_safety_services import HOUR, T0, add, make_case, make_staff
from dasapp.models import AccessLog


def alterations() -> list[tuple]:
    return list(
        AccessLog.objects.filter(action=AccessLog.Action.ALTER)
        .order_by("pk")
        .values_list("user", "channel", "object_type", "object_id", "person_id", "detail")
    )


@pytest.fixture
def people(org, persona):
    return with_colleagues(make_people(persona), persona)


# Who holds a case (cases/views/assignment.py) -------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_claim_release_reassign_and_close_on_the_pages_are_logged_as_alterations(people):
    case = queue_case(hub_queue())
    daso, supervisor = signed_in(people["hub_daso"]), signed_in(people["supervisor"])
    base = f"/cases/{case.pk}"
    via = f"?via=queue:{hub_queue().pk}"

    answers = [
        daso.post(f"{base}/claim/{via}", {"version": 1}),
        daso.post(f"{base}/release/{via}", {"version": 2}),
        supervisor.post(
            f"{base}/reassign/{via}",
            {"to_user": people["hub_colleague"].pk, "reason": "Kim knows her", "version": 3},
        ),
        supervisor.post(f"{base}/close/{via}", {"reason": "Moved away", "version": 4}),
    ]

    assert [a.status_code for a in answers] == [302, 302, 302, 302]
    row = ("web", "cases.case", str(case.pk), case.victim_id)
    colleague = people["hub_colleague"].pk
    assert alterations() == [
        (people["hub_daso"].pk, *row, {"change": "claim"}),
        (people["hub_daso"].pk, *row, {"change": "release"}),
        (people["supervisor"].pk, *row, {"change": "reassign", "to_user": colleague}),
        (people["supervisor"].pk, *row, {"change": "close"}),
    ]
    logged = AccessLog.objects.filter(action=AccessLog.Action.ALTER)
    assert set(logged.values_list("work_item", flat=True)) == {f"queue:{hub_queue().pk}"}


def test_a_refused_close_is_no_alteration(people):
    case = queue_case(hub_queue())
    assignment_services.case_claim(case=case, user=people["hub_daso"])

    refused = signed_in(people["hub_daso"]).post(
        f"/cases/{case.pk}/close/?via=case:{case.pk}", {"reason": "", "version": 2}
    )

    assert refused.status_code == 400
    assert alterations() == []


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_bulk_reassign_from_the_queue_logs_one_alteration_per_case_moved(people):
    cases = [queue_case(hub_queue(), n=n) for n in range(3)]
    assignment_services.case_claim(case=cases[1], user=people["hub_daso"])
    queue = hub_queue()

    response = signed_in(people["supervisor"]).post(
        f"/queues/{queue.pk}/reassign/",
        {
            "bulk-cases": [f"{c.pk}:{2 if c == cases[1] else 1}" for c in cases],
            "bulk-to_user": people["hub_daso"].pk,
            "bulk-reason": "Dee covers the north today",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    detail = {"change": "reassign", "to_user": people["hub_daso"].pk}
    assert alterations() == [
        (people["supervisor"].pk, "web", "cases.case", str(c.pk), c.victim_id, detail)
        for c in (cases[0], cases[2])
    ]


# The safety plan (cases/views/safety.py) ------------------------------------------------


@pytest.fixture
def staff(org, persona):
    return make_staff(persona)


@pytest.fixture
def case(staff):
    with time_machine.travel(T0 - HOUR, tick=False):
        return make_case(staff.daso)


@time_machine.travel(T0, tick=False)
def test_plan_and_action_writes_on_the_plan_page_are_logged_as_alterations(staff, case):
    daso = signed_in(staff.daso)
    base = f"/cases/{case.pk}/safety-plan"
    via = f"?via=case:{case.pk}"

    added = daso.post(
        f"{base}/actions/{via}",
        {
            "add-action_type": SafetyActionType.objects.get(code="patrols").pk,
            "add-owner": staff.insp_a.pk,
            "add-due_at": "2026-07-14T18:00",
        },
    )
    action = SafetyAction.objects.get()
    agreed = daso.post(
        f"{base}/agree/{via}",
        {"agree-agreed_at_day": "14", "agree-agreed_at_month": "7", "agree-agreed_at_year": "2026"},
    )
    prefix = f"reassign{action.pk}"
    moved = daso.post(
        f"{base}/actions/{action.pk}/reassign/{via}",
        {
            f"{prefix}-owner": staff.insp_b.pk,
            f"{prefix}-reason": "On a course",
            f"{prefix}-version": "1",
        },
    )
    done = signed_in(staff.insp_b).post(
        f"{base}/actions/{action.pk}/complete/{via}",
        {f"complete{action.pk}-note": "Patrols done", f"complete{action.pk}-version": "2"},
    )
    other = add(SafetyPlan.objects.get(), staff.daso, owner=staff.insp_a)
    cancelled = daso.post(
        f"{base}/actions/{other.pk}/cancel/{via}",
        {f"cancel{other.pk}-reason": "Declined", f"cancel{other.pk}-version": "1"},
    )

    assert [r.status_code for r in (added, agreed, moved, done, cancelled)] == [302] * 5
    victim = case.victim_id
    assert alterations() == [
        (staff.daso.pk, "web", "cases.safetyaction", str(action.pk), victim, {"change": "add"}),
        (staff.daso.pk, "web", "cases.case", str(case.pk), victim, {"change": "agree_plan"}),
        (
            staff.daso.pk,
            "web",
            "cases.safetyaction",
            str(action.pk),
            victim,
            {"change": "reassign"},
        ),
        (
            staff.insp_b.pk,
            "web",
            "cases.safetyaction",
            str(action.pk),
            victim,
            {"change": "complete"},
        ),
        (staff.daso.pk, "web", "cases.safetyaction", str(other.pk), victim, {"change": "cancel"}),
    ]
    # The inspector reads the plan through his action, not the case: `case:` still counts.
    logged = AccessLog.objects.filter(action=AccessLog.Action.ALTER)
    assert set(logged.values_list("work_item", flat=True)) == {f"case:{case.pk}"}


@time_machine.travel(T0, tick=False)
def test_a_refused_action_write_on_the_page_is_no_alteration(staff, case):
    plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
    action = add(plan, staff.daso, owner=staff.insp_a)

    refused = signed_in(staff.daso).post(
        f"/cases/{case.pk}/safety-plan/actions/{action.pk}/cancel/?via=case:{case.pk}",
        {f"cancel{action.pk}-reason": "", f"cancel{action.pk}-version": "1"},
    )

    assert refused.status_code == 400
    assert alterations() == []
