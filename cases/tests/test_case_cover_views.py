"""Cases whose owner is away, as pages and through the API: the queue and caseload say
so (never why) and filter on it and on the owner, at a fixed query count; a supervisor
reassigns a case to a DASO of another team covering it (the case moves to that team's
queue), a DASO may not. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases import assignment_services as services
from cases import case_services
from cases.choices import QueueKind
from cases.event_verbs import EventVerb
from cases.models import Case
from cases.tests.test_assignment_services import with_colleagues
from cases.tests.test_casework_api import api
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    LONDON,
    hub_queue,
    make_people,
    queries,
    queue_case,
    signed_in,
)
from dasapp.api import DomainError
from dasapp.models import AccessLog, Event, Notification
from dasapp.roles import Role
from org.choices import AbsenceKind
from org.models import Absence, Team


@pytest.fixture
def people(org, persona):
    p = with_colleagues(make_people(persona), persona)
    p["amy"] = persona(
        Role.DASO, team="hub-colchester", username="amy", first_name="Amy", last_name="Cole"
    )
    p["laindon"] = persona(
        Role.DASO, team="hub-laindon", username="grace", first_name="Grace", last_name="Obi"
    )
    return p


def laindon_queue():
    return case_services.queue_for(
        team=Team.objects.get(code="hub-laindon"), kind=QueueKind.HUB_HIGH
    )


def held(owner, *, n=0, level="high", queue=None) -> Case:
    case = queue_case(queue or hub_queue(), level=level, n=n)
    case.assigned_to = owner
    case.save()
    return case


def away(user, starts, ends, kind=AbsenceKind.SICKNESS) -> Absence:
    return Absence.objects.create(user=user, kind=kind, starts_at=starts, ends_at=ends)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def row_refs(response) -> list[str]:
    return [row.case.reference for row in response.context["rows"]]


# The queue page ---------------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_queue_says_whose_owner_is_away_without_saying_why(people):
    sick = held(people["hub_daso"], n=1)
    here = held(people["hub_colleague"], n=2)
    soon = held(people["amy"], n=3)  # review due 26 November 09:00
    away(people["hub_daso"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
    away(
        people["amy"],
        local(2026, 11, 26, 0, 0),
        local(2026, 11, 28, 0, 0),
        kind=AbsenceKind.ANNUAL_LEAVE,
    )

    page = signed_in(people["supervisor"]).get(f"/queues/{hub_queue().pk}/")

    body = page.content.decode()
    texts = {row.case.pk: row.case.owner_away_text for row in page.context["rows"]}
    assert texts == {
        sick.pk: "Owner away until 3 December",
        here.pk: "",
        soon.pk: "Owner away from 26 November until 27 November",
    }
    assert body.count('data-testid="owner-away"') == 2
    assert "Owner away until 3 December" in body
    assert "sick" not in body.lower() and "annual leave" not in body.lower()


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_the_case_page_says_its_owner_is_away_without_saying_why(people):
    sick = held(people["hub_daso"], n=1)
    here = held(people["hub_colleague"], n=2)
    away(people["hub_daso"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
    client = signed_in(people["supervisor"])

    page = client.get(f"/cases/{sick.pk}/?via=case:{sick.pk}").content.decode()
    other = client.get(f"/cases/{here.pk}/?via=case:{here.pk}").content.decode()

    tag = page.split('data-testid="owner-away">')[1].split("<")[0]
    assert tag == "Owner away until 3 December"
    assert "sick" not in page.lower()
    assert 'data-testid="owner-away"' not in other


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_queue_filters_on_owner_away_and_on_the_owner(people):
    sick = held(people["hub_daso"], n=1)
    here = held(people["hub_colleague"], n=2)
    switched_off = held(people["inactive_daso"], n=3)
    held(None, n=4)
    away(people["hub_daso"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
    supervisor = signed_in(people["supervisor"])
    url = f"/queues/{hub_queue().pk}/"

    owner_away = supervisor.get(url, {"owner_away": "on"})
    kims = supervisor.get(url, {"owner": people["hub_colleague"].pk})
    page = supervisor.get(url)

    assert sorted(row_refs(owner_away)) == sorted([sick.reference, switched_off.reference])
    assert {r.case.pk: r.case.owner_away_text for r in owner_away.context["rows"]}[
        switched_off.pk
    ] == "Owner's account is switched off"
    assert row_refs(kims) == [here.reference]
    choices = dict(page.context["filter_form"].fields["owner"].widget.choices)
    assert choices[str(people["hub_daso"].pk)] == "Dee Ash"
    assert choices[str(people["inactive_daso"].pk)] == "Jo (account switched off)"
    assert str(people["laindon"].pk) not in choices  # another team's DASO
    assert 'name="owner_away"' in page.content.decode()
    log = AccessLog.objects.filter(detail__queue=hub_queue().pk).order_by("pk")
    assert [entry.detail["filters"] for entry in log] == [["owner_away"], ["owner"], []]


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_queue_page_query_count_is_fixed_whatever_the_rows(people, django_assert_max_num_queries):
    owners = [people["hub_daso"], people["hub_colleague"], people["amy"], None]
    away(people["hub_daso"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
    away(people["amy"], local(2026, 11, 26, 0, 0), local(2026, 11, 28, 0, 0))
    supervisor = signed_in(people["supervisor"])
    url = f"/queues/{hub_queue().pk}/"
    for n in range(4):
        held(owners[n % 4], n=n)
    few = queries(supervisor, url)
    few_filtered = queries(supervisor, f"{url}?owner_away=on")
    for n in range(4, 60):
        held(owners[n % 4], n=n)

    with django_assert_max_num_queries(few):
        many = supervisor.get(url)
    with django_assert_max_num_queries(few_filtered):
        filtered = supervisor.get(f"{url}?owner_away=on")

    assert len(many.context["rows"]) == 60
    assert len(filtered.context["rows"]) == 30


# My caseload ------------------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_caseload_says_when_i_am_away_before_a_target_and_filters_on_it(people):
    due_in_leave = held(people["hub_daso"], n=1)  # due 26 November 09:00
    due_later = held(people["hub_daso"], n=2)
    due_later.review_due_at = local(2026, 12, 10, 9, 0)
    due_later.save()
    due_before = held(people["hub_daso"], n=3)
    due_before.review_due_at = local(2026, 11, 25, 18, 0)
    due_before.save()
    away(
        people["hub_daso"],
        local(2026, 11, 26, 0, 0),
        local(2026, 11, 30, 0, 0),
        kind=AbsenceKind.ANNUAL_LEAVE,
    )
    daso = signed_in(people["hub_daso"])

    page = daso.get("/caseload/")
    mine = daso.get("/caseload/", {"owner_away": "on"})

    texts = {row.case.pk: row.case.owner_away_text for row in page.context["rows"]}
    assert texts == {
        due_in_leave.pk: "You are away from 26 November until 29 November",
        due_later.pk: "You are away from 26 November until 29 November",
        due_before.pk: "",
    }
    assert sorted(row_refs(mine)) == sorted([due_in_leave.reference, due_later.reference])
    assert "falling due while you are away" in mine.content.decode()
    assert AccessLog.objects.filter(detail__caseload=True, detail__filters=["owner_away"]).exists()


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_caseload_query_count_is_fixed_with_the_away_column(people, django_assert_max_num_queries):
    away(people["hub_daso"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
    daso = signed_in(people["hub_daso"])
    for n in range(3):
        held(people["hub_daso"], n=n)
    few = queries(daso, "/caseload/?owner_away=on")
    for n in range(3, 40):
        held(people["hub_daso"], n=n)

    with django_assert_max_num_queries(few):
        many = daso.get("/caseload/?owner_away=on")

    assert len(many.context["rows"]) == 40


# Reassigning across teams -------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_the_picker_lists_other_teams_covering_and_who_is_away(people):
    case = held(people["hub_daso"])
    away(people["laindon"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))

    page = signed_in(people["supervisor"]).get(f"/cases/{case.pk}/reassign/?via=case:{case.pk}")

    form = page.context["form"]
    groups = dict(form.cover_groups)
    laindon = groups["Laindon hub: covering (the case moves to its queue)"]
    labels = dict(laindon)
    assert labels[str(people["laindon"].pk)] == "Grace Obi (away until 3 December)"
    assert str(people["hub_daso"].pk) not in labels  # the owner now
    body = page.content.decode()
    assert '<optgroup label="Laindon hub: covering (the case moves to its queue)">' in body
    assert "Grace Obi (away until 3 December)" in body


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_supervisor_reassigns_to_another_hub_and_the_case_moves_to_its_queue(people):
    case = held(people["hub_daso"])
    case.hub_takes_over_at = HUB_A_DAYS
    case.save()
    supervisor = signed_in(people["supervisor"])

    response = supervisor.post(
        f"/cases/{case.pk}/reassign/?via=queue:{hub_queue().pk}",
        {
            "to_user": people["other_hub_daso"].pk,
            "reason": "Colchester hub all on a course",
            "version": 1,
        },
        follow=True,
    )

    case.refresh_from_db()
    assert case.assigned_to == people["other_hub_daso"]
    assert case.queue == laindon_queue()
    assert case.hub_takes_over_at is None
    last = case.history.order_by("-history_date", "-history_id").first()
    assert last.history_user == people["supervisor"]
    assert last.history_change_reason.startswith("Reassigned to daso-lai, Laindon hub covering")
    event = Event.objects.get(case=case, verb=EventVerb.CASE_REASSIGNED)
    assert event.reason == "Colchester hub all on a course"
    assert event.old["queue"] == hub_queue().name and event.new["queue"] == laindon_queue().name
    note = Notification.objects.get(user=people["other_hub_daso"])
    assert f"now in {laindon_queue().name}" in note.body
    assert Notification.objects.filter(user=people["hub_daso"]).exists()  # previous owner
    # Back on the case, not asked why: the queue it came from no longer holds it.
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/?via=case:{case.pk}"
    assert "Why are you viewing this record?" not in response.content.decode()
    banners = [str(m) for m in response.context["messages"]]
    assert f"Case {case.reference} reassigned to daso-lai: it is now in {laindon_queue().name}" in (
        banners
    )
    alteration = AccessLog.objects.get(action=AccessLog.Action.ALTER, object_id=str(case.pk))
    assert alteration.detail["queue"] == laindon_queue().pk
    history = supervisor.get(f"/cases/{case.pk}/history/").context["entries"]
    (entry,) = [e for e in history if e.event.verb == EventVerb.CASE_REASSIGNED]
    assert entry.details == [
        f"Laindon hub covers: moved from {hub_queue().name} to {laindon_queue().name}"
    ]


def test_cross_team_needs_a_reason_and_a_team_with_a_queue_for_the_level(people):
    medium = queue_case(
        case_services.queue_for(team=Team.objects.get(code="cru"), kind=QueueKind.CRU_MEDIUM),
        level="medium",
        n=1,
    )
    high = held(people["hub_daso"], n=2)

    with pytest.raises(DomainError) as no_queue:
        services.case_reassign(
            case=medium,
            user=people["supervisor"],
            to_user=people["other_hub_daso"],
            reason="Cover",
            across_teams=True,
        )
    with pytest.raises(DomainError) as no_reason:
        services.case_reassign(
            case=high,
            user=people["supervisor"],
            to_user=people["other_hub_daso"],
            reason=" ",
            across_teams=True,
        )
    with pytest.raises(DomainError) as not_asked:
        services.case_reassign(
            case=high, user=people["supervisor"], to_user=people["other_hub_daso"], reason="Cover"
        )

    assert no_queue.value.errors["to_user"] == [
        "daso-lai's team has no queue of medium-risk cases that they work: choose someone else"
    ]
    assert no_reason.value.errors["reason"] == ["Explain why the case is moving"]
    assert not_asked.value.errors["to_user"][0].endswith(
        "or reassign across teams: the case then moves to their team's queue"
    )
    high.refresh_from_db()
    assert (high.assigned_to, high.queue) == (people["hub_daso"], hub_queue())


def test_a_daso_may_not_reassign_across_teams(people):
    case = held(people["hub_daso"])
    daso = signed_in(people["hub_colleague"])

    page = daso.post(
        f"/cases/{case.pk}/reassign/",
        {"to_user": people["other_hub_daso"].pk, "reason": "Cover", "version": 1},
    )
    through_api = api(people["hub_colleague"]).post(
        f"/api/v1/cases/{case.pk}/reassign/",
        {
            "to_user": people["other_hub_daso"].pk,
            "reason": "Cover",
            "version": 1,
            "across_teams": True,
        },
        format="json",
    )

    assert (page.status_code, through_api.status_code) == (403, 403)
    case.refresh_from_db()
    assert (case.assigned_to, case.queue) == (people["hub_daso"], hub_queue())


# The API ----------------------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_api_reassigns_across_teams_only_when_asked(people):
    case = held(people["hub_daso"])
    client = api(people["supervisor"])
    url = f"/api/v1/cases/{case.pk}/reassign/"
    body = {"to_user": people["other_hub_daso"].pk, "reason": "Hub on a course", "version": 1}

    refused = client.post(url, body, format="json")
    done = client.post(url, body | {"across_teams": True}, format="json")

    assert refused.status_code == 400
    assert "reassign across teams" in refused.json()["errors"]["to_user"][0]
    assert done.status_code == 200, done.content
    answer = done.json()
    assert answer["moved_to_queue"] == laindon_queue().pk
    assert answer["case"]["queue"]["id"] == laindon_queue().pk
    assert answer["case"]["assigned_to"]["id"] == people["other_hub_daso"].pk


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_api_reassign_within_the_team_says_the_case_did_not_move_queue(people):
    case = held(people["hub_daso"])

    done = api(people["supervisor"]).post(
        f"/api/v1/cases/{case.pk}/reassign/",
        {
            "to_user": people["hub_colleague"].pk,
            "reason": "Cover",
            "version": 1,
            "across_teams": True,
        },
        format="json",
    )

    assert done.status_code == 200
    assert done.json()["moved_to_queue"] is None
    case.refresh_from_db()
    assert case.queue == hub_queue()


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_api_case_list_filters_on_owner_away_and_owner(people):
    sick = held(people["hub_daso"], n=1)
    held(people["hub_colleague"], n=2)
    away(people["hub_daso"], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
    client = api(people["supervisor"])

    away_ids = [c["id"] for c in client.get("/api/v1/cases/?owner_away=true").json()["results"]]
    dee_ids = [
        c["id"]
        for c in client.get(f"/api/v1/cases/?owner={people['hub_daso'].pk}").json()["results"]
    ]

    assert away_ids == [sick.pk] and dee_ids == [sick.pk]


def test_the_schema_documents_across_teams_and_the_new_filters(people):
    schema = api(people["supervisor"]).get("/api/schema/?format=json").json()

    components = schema["components"]["schemas"]
    assert "across_teams" in components["ReassignInputRequest"]["properties"]
    assert "moved_to_queue" in components["ReassignResult"]["properties"]
    params = {p["name"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"owner", "owner_away"} <= params
