"""Who holds a case, as pages: claim and release from the case page and queue rows,
reassign (supervisors) one case or the ticked cases of a queue, close a case, and "My
caseload". Fixtures are fictional."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases import assignment_services as services
from cases.choices import ActionStatus, CaseStatus
from cases.models import Case
from cases.tests.test_assignment_services import (
    on_leave,
    researchers_queue,
    safety_action,
    with_colleagues,
)
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    hub_queue,
    make_people,
    queries,
    queue_case,
    signed_in,
)
from dasapp.models import AccessLog, Notification


@pytest.fixture
def people(org, persona):
    return with_colleagues(make_people(persona), persona)


def owner_of(case: Case):
    case.refresh_from_db()
    return case.assigned_to


def banner_texts(response) -> list[str]:
    """The banners' words (a banner may link to the case)."""
    from django.utils.html import strip_tags

    return [strip_tags(str(m)) for m in response.context["messages"]] if response.context else []


# Claim and release ----------------------------------------------------------------------


def test_daso_claims_from_a_queue_row_and_returns_to_the_queue(people):
    queue = hub_queue()
    case = queue_case(queue)
    daso = signed_in(people["hub_daso"])
    page = daso.get(f"/queues/{queue.pk}/")
    body = page.content.decode()
    assert f'formaction="/cases/{case.pk}/claim/?via=queue:{queue.pk}"' in body

    response = daso.post(
        f"/cases/{case.pk}/claim/?via=queue:{queue.pk}",
        {"version": case.version, "next": f"/queues/{queue.pk}/?risk_level=high"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/queues/{queue.pk}/?risk_level=high"
    assert owner_of(case) == people["hub_daso"]
    assert f"You claimed case {case.reference}: it is on your caseload" in banner_texts(response)
    # Their own row now offers release instead of claim.
    assert f'formaction="/cases/{case.pk}/release/?via=queue:{queue.pk}"' in (
        response.content.decode()
    )


def test_claim_from_the_case_page_and_release_it_again(people):
    case = queue_case(hub_queue())
    daso = signed_in(people["hub_daso"])
    page = daso.get(f"/cases/{case.pk}/?via=queue:{hub_queue().pk}").content.decode()
    assert 'data-testid="claim"' in page

    claimed = daso.post(
        f"/cases/{case.pk}/claim/?via=case:{case.pk}", {"version": case.version}, follow=True
    )
    assert claimed.redirect_chain[-1][0] == f"/cases/{case.pk}/?via=case:{case.pk}"
    assert 'data-testid="release"' in claimed.content.decode()
    assert owner_of(case) == people["hub_daso"]

    released = daso.post(f"/cases/{case.pk}/release/?via=case:{case.pk}", {"version": 2})

    assert released.status_code == 302
    assert owner_of(case) is None


def test_a_second_claim_shows_who_claimed_it_first(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])

    response = signed_in(people["hub_colleague"]).post(
        f"/cases/{case.pk}/claim/?via=case:{case.pk}", {"version": 1}, follow=True
    )

    texts = banner_texts(response)
    assert any(t.startswith("Already claimed by Dee Ash at ") for t in texts), texts
    assert owner_of(case) == people["hub_daso"]


def test_researcher_sees_no_claim_on_a_daso_queue_case_and_is_refused(people):
    case = queue_case(hub_queue())
    standard = queue_case(researchers_queue(), level="standard", n=2)
    researcher = signed_in(people["researcher"])

    page = researcher.get(f"/cases/{case.pk}/?via=case:{case.pk}").content.decode()
    refused = researcher.post(f"/cases/{case.pk}/claim/", {"version": 1})
    allowed = researcher.post(f"/cases/{standard.pk}/claim/", {"version": 1})

    assert 'data-testid="claim"' not in page
    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert owner_of(case) is None and owner_of(standard) == people["researcher"]


def test_a_supervisor_takes_a_case_off_someones_caseload_only_with_a_reason(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])
    supervisor = signed_in(people["supervisor"])
    url = f"/cases/{case.pk}/release/?via=case:{case.pk}"

    form = supervisor.get(url)
    missing = supervisor.post(url, {"reason": "", "version": 2})
    done = supervisor.post(url, {"reason": "Dee is off sick this week", "version": 2})

    assert form.status_code == 200
    assert missing.status_code == 400
    assert "Explain why you are taking the case from Dee Ash" in missing.content.decode()
    assert done.status_code == 302
    assert owner_of(case) is None
    assert Notification.objects.filter(user=people["hub_daso"], body__contains="off sick").exists()


# Reassign -------------------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_reassign_page_offers_active_staff_of_the_queue_and_marks_who_is_away(people):
    case = queue_case(hub_queue())
    on_leave(people["hub_colleague"])

    page = signed_in(people["supervisor"]).get(f"/cases/{case.pk}/reassign/?via=case:{case.pk}")

    form = page.context["form"]
    options = [label for value, label in form.own_options if value]
    # Not Jo (switched off); others only in the groups of other teams, covering.
    assert options == ["Dee Ash", "Kim Lee (away until 1 December at 10:00)"]
    assert all(
        group.endswith("covering (the case moves to its queue)") for group, _ in (form.cover_groups)
    )
    assert AccessLog.objects.filter(
        object_id=str(case.pk), purpose="Reassign the case", user=people["supervisor"]
    ).exists()


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_supervisor_reassigns_with_a_reason_and_is_warned_the_new_owner_is_away(people):
    case = queue_case(hub_queue())
    on_leave(people["hub_colleague"])
    supervisor = signed_in(people["supervisor"])

    response = supervisor.post(
        f"/cases/{case.pk}/reassign/?via=case:{case.pk}",
        {"to_user": people["hub_colleague"].pk, "reason": "Kim knows the family", "version": 1},
        follow=True,
    )

    texts = banner_texts(response)
    assert f"Case {case.reference} reassigned to Kim Lee" in texts
    assert any(t.startswith("Kim Lee is not at work now") for t in texts)
    assert owner_of(case) == people["hub_colleague"]


def test_reassign_refusals_show_on_the_form(people):
    case = queue_case(hub_queue())
    supervisor = signed_in(people["supervisor"])
    url = f"/cases/{case.pk}/reassign/?via=case:{case.pk}"

    inactive = supervisor.post(
        url, {"to_user": people["inactive_daso"].pk, "reason": "Cover", "version": 1}
    )
    no_reason = supervisor.post(url, {"to_user": people["hub_daso"].pk, "reason": "", "version": 1})
    services.case_claim(case=case, user=people["hub_daso"])
    stale = supervisor.post(
        url, {"to_user": people["hub_colleague"].pk, "reason": "Cover", "version": 1}
    )

    assert inactive.status_code == 400
    assert "account is switched off" in inactive.content.decode()
    assert no_reason.status_code == 400
    assert "Explain why the case is moving" in no_reason.content.decode()
    assert stale.status_code == 409
    assert 'name="version" value="2"' in stale.content.decode()  # send again having seen it
    assert owner_of(case) == people["hub_daso"]


def test_a_daso_may_not_reassign_cases(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_colleague"])
    daso = signed_in(people["hub_daso"])

    page = daso.get(f"/cases/{case.pk}/?via=case:{case.pk}").content.decode()
    get = daso.get(f"/cases/{case.pk}/reassign/")
    post = daso.post(
        f"/cases/{case.pk}/reassign/",
        {"to_user": people["hub_daso"].pk, "reason": "Mine now", "version": 2},
    )
    release = daso.post(f"/cases/{case.pk}/release/", {"version": 2})

    assert 'data-testid="reassign"' not in page
    assert (get.status_code, post.status_code, release.status_code) == (403, 403, 403)
    assert owner_of(case) == people["hub_colleague"]


def test_partner_and_unconnected_officer_are_refused_every_assignment_page(people, persona):
    case = queue_case(hub_queue())
    for client in (signed_in(people["partner"]), signed_in(people["officer"])):
        for method, url in [
            ("post", f"/cases/{case.pk}/claim/"),
            ("get", f"/cases/{case.pk}/release/"),
            ("get", f"/cases/{case.pk}/reassign/"),
            ("get", f"/cases/{case.pk}/close/"),
            ("post", f"/queues/{hub_queue().pk}/reassign/"),
            ("get", "/caseload/"),
        ]:
            assert getattr(client, method)(url).status_code in (403, 404), (client.user, url)
    assert owner_of(case) is None


# Bulk reassign from the queue page ------------------------------------------------------


def test_supervisor_ticks_cases_on_the_queue_and_gives_them_to_one_daso(people):
    queue = hub_queue()
    cases = [queue_case(queue, n=n, age_hours=n + 1) for n in range(3)]
    supervisor = signed_in(people["supervisor"])
    page = supervisor.get(f"/queues/{queue.pk}/")
    body = page.content.decode()
    assert f'name="bulk-cases" type="checkbox" value="{cases[0].pk}:1"' in body
    assert 'data-testid="bulk-reassign"' in body

    response = supervisor.post(
        f"/queues/{queue.pk}/reassign/",
        {
            "bulk-cases": [f"{cases[0].pk}:1", f"{cases[2].pk}:1"],
            "bulk-to_user": people["hub_daso"].pk,
            "bulk-reason": "Dee covers the north today",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/queues/{queue.pk}/"
    assert "2 cases reassigned to Dee Ash" in banner_texts(response)
    assert [owner_of(c) for c in cases] == [people["hub_daso"], None, people["hub_daso"]]


def test_bulk_reassign_moves_nothing_when_a_ticked_case_changed_and_says_which(people):
    queue = hub_queue()
    cases = [queue_case(queue, n=n) for n in range(2)]
    services.case_claim(case=cases[1], user=people["hub_colleague"])  # after the page loaded

    response = signed_in(people["supervisor"]).post(
        f"/queues/{queue.pk}/reassign/",
        {
            "bulk-cases": [f"{c.pk}:1" for c in cases],
            "bulk-to_user": people["hub_daso"].pk,
            "bulk-reason": "Cover",
        },
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Nothing was reassigned" in body
    assert "Changed since you read it" in body
    assert f"{cases[1].reference} changed since you read it (you had version 1" in body
    assert f'value="{cases[1].pk}:2" checked' in body  # offered again at the current version
    assert [owner_of(c) for c in cases] == [None, people["hub_colleague"]]


def test_bulk_reassign_to_someone_who_does_not_work_the_queue_is_refused(people):
    queue = hub_queue()
    cases = [queue_case(queue, n=n) for n in range(2)]

    response = signed_in(people["supervisor"]).post(
        f"/queues/{queue.pk}/reassign/",
        {
            "bulk-cases": [f"{c.pk}:1" for c in cases],
            "bulk-to_user": people["researcher"].pk,
            "bulk-reason": "Cover",
        },
    )

    assert response.status_code == 400
    assert "Nadia Quinn does not work" in response.content.decode()
    assert [owner_of(c) for c in cases] == [None, None]


def test_a_daso_sees_no_ticks_on_the_queue_and_may_not_bulk_reassign(people):
    queue = hub_queue()
    case = queue_case(queue)
    daso = signed_in(people["hub_daso"])

    body = daso.get(f"/queues/{queue.pk}/").content.decode()
    post = daso.post(
        f"/queues/{queue.pk}/reassign/",
        {"bulk-cases": [f"{case.pk}:1"], "bulk-to_user": people["hub_daso"].pk, "bulk-reason": "x"},
    )

    assert 'name="bulk-cases"' not in body
    assert post.status_code == 403
    assert owner_of(case) is None


# Close ----------------------------------------------------------------------------------


def test_close_page_lists_open_actions_and_offers_no_button_until_they_are_done(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])
    actions = [safety_action(case, people["hub_daso"], n=n) for n in (1, 2, 3)]
    daso = signed_in(people["hub_daso"])
    url = f"/cases/{case.pk}/close/?via=case:{case.pk}"

    page = daso.get(url)
    refused = daso.post(url, {"reason": "Victim moved away", "version": 2})
    for action in actions:
        action.status = ActionStatus.DONE
        action.save()
    ready = daso.get(url)
    closed = daso.post(url, {"reason": "Victim moved away", "version": 2})

    body = page.content.decode()
    assert "3 safety-plan actions are still open: mark them done or cancel them first" in body
    assert "another case" not in body
    assert body.count("Patrols past the address, week") == 3
    for n, action in enumerate(actions, start=1):  # each links to its card on the plan
        assert (
            f'<a class="govuk-link" href="/cases/{case.pk}/safety-plan/?via=case:{case.pk}'
            f'#action-{action.pk}">Patrols past the address, week {n}: Dee Ash, due '
        ) in body
    assert 'data-testid="close-form"' not in body
    assert refused.status_code == 400
    assert 'data-testid="close-form"' in ready.content.decode()
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_reason) == (CaseStatus.CLOSED, "Victim moved away")


def test_closing_needs_a_reason_on_the_page(people):
    case = queue_case(hub_queue())
    response = signed_in(people["supervisor"]).post(
        f"/cases/{case.pk}/close/?via=case:{case.pk}", {"reason": " ", "version": 1}
    )

    assert response.status_code == 400
    assert "Enter why the case is closing" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_only_the_owner_or_a_supervisor_may_close(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_colleague"])

    colleague_page = signed_in(people["hub_daso"]).get(f"/cases/{case.pk}/close/")

    assert colleague_page.status_code == 403


# My caseload ----------------------------------------------------------------------------


def test_caseload_lists_my_open_cases_high_risk_first_then_the_longest_waiting(people):
    queue = hub_queue()
    new_high = queue_case(queue, level="high", age_hours=1, n=1)
    old_medium = queue_case(queue, level="medium", age_hours=30, n=2)
    old_high = queue_case(queue, level="high", age_hours=5, n=3)
    someone_elses = queue_case(queue, level="high", age_hours=9, n=4)
    closed = queue_case(queue, level="high", age_hours=9, n=5)
    for case in (new_high, old_medium, old_high, closed):
        services.case_claim(case=case, user=people["hub_daso"])
    services.case_claim(case=someone_elses, user=people["hub_colleague"])
    services.case_close(case=closed, user=people["hub_daso"], reason="Done", version=None)

    page = signed_in(people["hub_daso"]).get("/caseload/")

    assert [row.case.pk for row in page.context["rows"]] == [
        old_high.pk,
        new_high.pk,
        old_medium.pk,
    ]
    # The medium case has waited 30 hours against the hub's 24-hour target.
    assert "Overdue by 6 h" in page.content.decode()
    log = AccessLog.objects.filter(user=people["hub_daso"], action="search").latest("at")
    assert log.detail == {"caseload": True, "results": [old_high.pk, new_high.pk, old_medium.pk]}


def test_caseload_page_query_count_is_the_same_for_5_and_50_cases(people):
    queue = hub_queue()
    daso = signed_in(people["hub_daso"])

    def add(numbers):
        for n in numbers:
            case = queue_case(queue, age_hours=n + 1, n=n)
            case.assigned_to = people["hub_daso"]
            case.save()

    add(range(5))
    few = queries(daso, "/caseload/")
    add(range(5, 50))
    many = queries(daso, "/caseload/")

    assert many == few
    assert many <= 15


def test_daso_home_and_navigation_lead_to_my_caseload(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])

    home = signed_in(people["hub_daso"]).get("/")
    supervisor_home = signed_in(people["supervisor"]).get("/")

    section = {s.title: s for s in home.context["sections"]}["My caseload"]
    assert [i["url"] for i in section.items] == [f"/cases/{case.pk}/?via=case:{case.pk}"]
    assert section.link_url == "/caseload/"
    assert "/caseload/" in [item["url"] for item in home.context["nav_items"]]
    assert "/caseload/" not in [item["url"] for item in supervisor_home.context["nav_items"]]


def test_caseload_time_to_target_counts_down(people):
    queue = hub_queue()
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2), tick=False):
        case = queue_case(queue, age_hours=0)
        services.case_claim(case=case, user=people["hub_daso"])

    page = signed_in(people["hub_daso"]).get("/caseload/")

    assert page.context["rows"][0].clock.text.startswith("21 h")


def test_supervisors_queue_page_with_ticks_and_owners_keeps_a_constant_query_count(people):
    queue = hub_queue()
    supervisor = signed_in(people["supervisor"])
    for n in range(5):
        queue_case(queue, age_hours=n + 1, n=n)
    few = queries(supervisor, f"/queues/{queue.pk}/")
    for n in range(5, 50):
        queue_case(queue, age_hours=n + 1, n=n)

    many = queries(supervisor, f"/queues/{queue.pk}/")

    assert many == few
    assert many <= 20, many


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_reassign_page_says_when_the_owner_is_the_only_one_who_works_the_queue(org, persona):
    from cases import case_services
    from cases.choices import QueueKind
    from org.models import Team

    alone = make_people(persona)  # Dee Ash is the Colchester hub's only DASO
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=alone["hub_daso"])
    nobody = queue_case(
        case_services.queue_for(team=Team.objects.get(code="hub-laindon"), kind=QueueKind.HUB_HIGH),
        n=1,
    )
    supervisor = signed_in(alone["supervisor"])

    only_one = supervisor.get(f"/cases/{case.pk}/reassign/?via=case:{case.pk}").content.decode()
    empty = supervisor.get(f"/cases/{nobody.pk}/reassign/?via=case:{nobody.pk}").content.decode()

    assert (
        "Dee Ash is the only one who works this queue: there is nobody else to give the case "
        "to. Ask your administrator to add staff to Colchester hub."
    ) in only_one
    assert "Nobody active works this queue" not in only_one
    assert (
        "Nobody active works this queue. Ask your administrator to add staff to Laindon hub."
        in (empty)
    )
