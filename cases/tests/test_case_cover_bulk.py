"""Reassigning from a queue when its team cannot take the cases: the bulk picker offers
the same people as reassigning one case (the queue's DASOs, then DASOs of other hubs
covering, each marked away with until when), the cases move to the covering team's
queue as one case does, and a case moving to another team's queue is due for review by
the sooner of its due date and that queue's target. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases import assignment_services as services
from cases import case_services
from cases.choices import QueueKind
from cases.event_verbs import EventVerb
from cases.tests import test_case_cover_views
from cases.tests.test_case_cover_views import away, held, laindon_queue, local
from cases.tests.test_casework_api import api
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    hub_queue,
    queries,
    queue_case,
    signed_in,
)
from dasapp.api import DomainError
from dasapp.models import AccessLog, Event, Notification
from dasapp.roles import Role
from org.models import Team

# `test_case_cover_views`' people: three Colchester hub DASOs (the hub DASO, Kim Lee, Amy
# Cole), two of Laindon hub (daso-lai, Grace Obi), and their supervisor.
people = test_case_cover_views.people

COVERING = "Laindon hub: covering (the case moves to its queue)"


def _all_colchester_away(p) -> None:
    """Everyone who works the Colchester hub queue is off sick for a fortnight."""
    for key in ("hub_daso", "hub_colleague", "amy"):
        away(p[key], local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))


def _bulk(client, cases, to_user, reason="Colchester hub all off sick", queue=None):
    return client.post(
        f"/queues/{(queue or hub_queue()).pk}/reassign/",
        {
            "bulk-cases": [f"{c.pk}:{c.version}" for c in cases],
            "bulk-to_user": to_user.pk,
            "bulk-reason": reason,
        },
        follow=True,
    )


def _last_history(case):
    return case.history.order_by("-history_date", "-history_id").first()


# The picker on the queue page --------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_the_queue_bulk_picker_offers_other_hubs_covering_when_its_daso_are_away(people):
    held(people["hub_daso"])
    _all_colchester_away(people)
    away(people["laindon"], local(2026, 11, 20, 0, 0), local(2026, 12, 2, 12, 0))

    body = signed_in(people["supervisor"]).get(f"/queues/{hub_queue().pk}/").content.decode()

    controls = body[body.index('data-testid="bulk-reassign"') :]
    # The queue's own DASOs first, each marked away with until when ...
    assert "Kim Lee (away until 3 December)" in controls
    assert controls.index("Kim Lee (away until 3 December)") < controls.index(COVERING)
    # ... then the DASOs of other hubs who could cover, grouped by hub, away marked too.
    assert f'<optgroup label="{COVERING}">' in controls
    covering = controls[controls.index(COVERING) :]
    assert f'<option value="{people["laindon"].pk}">Grace Obi (away until 2 December at 12:00)' in (
        covering
    )
    assert f'<option value="{people["other_hub_daso"].pk}">daso-lai' in covering
    assert "then those of other hubs and units who could cover its cases" in controls


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_the_queue_page_costs_the_same_whatever_the_number_of_staff_covering(
    people, persona, django_assert_max_num_queries
):
    for n in range(3):
        held(people["hub_daso"], n=n)
    supervisor = signed_in(people["supervisor"])
    url = f"/queues/{hub_queue().pk}/"
    few = queries(supervisor, url)
    for n in range(6):
        team = "hub-laindon" if n % 2 else "hub-brentwood"
        extra = persona(Role.DASO, team=team, username=f"cover-{n}", first_name=f"Cover{n}")
        away(extra, local(2026, 11, 20, 0, 0), local(2026, 12, 4, 0, 0))
        colleague = persona(Role.DASO, team="hub-colchester", username=f"col-{n}")
        away(colleague, local(2026, 11, 24, 0, 0), local(2026, 11, 27, 0, 0))
    for n in range(3, 30):
        held(people["hub_colleague"], n=n)

    with django_assert_max_num_queries(few):
        page = supervisor.get(url)

    body = page.content.decode()
    assert "Cover5 " in body and "(away until 3 December)" in body
    assert "Brentwood hub: covering (the case moves to its queue)" in body


# Reassigning the ticked cases to another hub ----------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_supervisor_bulk_reassigns_to_another_hub_and_the_cases_move_to_its_queue(people):
    late = held(people["hub_daso"], n=1)
    late.review_due_at = HUB_A_DAYS + dt.timedelta(days=5)  # later than Laindon's target
    late.hub_takes_over_at = HUB_A_DAYS
    late.save()
    soon = held(people["hub_colleague"], n=2)
    soon.review_due_at = HUB_A_DAYS + dt.timedelta(hours=2)
    soon.save()
    _all_colchester_away(people)
    supervisor = signed_in(people["supervisor"])

    response = _bulk(supervisor, [late, soon], people["other_hub_daso"])

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/queues/{hub_queue().pk}/"
    banners = [str(m) for m in response.context["messages"]]
    assert f"2 cases reassigned to daso-lai: they are now in {laindon_queue().name}" in banners
    late.refresh_from_db()
    soon.refresh_from_db()
    for case in (late, soon):
        assert (case.assigned_to, case.queue) == (people["other_hub_daso"], laindon_queue())
        assert case.hub_takes_over_at is None
        last = _last_history(case)
        assert last.history_user == people["supervisor"]
        assert last.history_change_reason.startswith("Reassigned to daso-lai, Laindon hub covering")
        event = Event.objects.get(case=case, verb=EventVerb.CASE_REASSIGNED)
        assert event.actor == people["supervisor"]
        assert event.reason == "Colchester hub all off sick"
        assert (event.old["queue"], event.new["queue"]) == (hub_queue().name, laindon_queue().name)
        log = AccessLog.objects.get(action=AccessLog.Action.ALTER, object_id=str(case.pk))
        assert log.detail["queue"] == laindon_queue().pk
    # Review: the sooner of the due date and Laindon's target (24 hours) from now.
    assert late.review_due_at == HUB_A_DAYS + dt.timedelta(hours=24)
    assert "review due by 26 Nov 10:00" in _last_history(late).history_change_reason
    assert soon.review_due_at == HUB_A_DAYS + dt.timedelta(hours=2)
    assert "review due" not in _last_history(soon).history_change_reason
    (note,) = Notification.objects.filter(user=people["other_hub_daso"])
    assert note.title == "2 cases reassigned to you by Sara Mills"
    assert f"now in {laindon_queue().name}: your team covers them" in note.body
    assert Notification.objects.filter(user=people["hub_daso"], body__contains=late.reference)
    assert Notification.objects.filter(user=people["hub_colleague"], body__contains=soon.reference)


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_bulk_reassign_across_teams_is_all_or_nothing_and_says_which_case_cannot_move(people):
    high = held(people["hub_daso"], n=1)
    medium = held(people["hub_daso"], n=2, level="medium")  # no hub queue holds medium risk

    with pytest.raises(DomainError) as refused:
        services.cases_bulk_reassign(
            case_ids=[high.pk, medium.pk],
            user=people["supervisor"],
            to_user=people["other_hub_daso"],
            reason="Cover",
            across_teams=True,
        )
    with pytest.raises(DomainError) as not_asked:
        services.cases_bulk_reassign(
            case_ids=[high.pk],
            user=people["supervisor"],
            to_user=people["other_hub_daso"],
            reason="Cover",
        )

    assert refused.value.errors["cases"] == [
        f"{medium.reference}: daso-lai's team has no queue of medium-risk cases that they "
        "work: choose someone else"
    ]
    assert not_asked.value.errors["cases"][0].endswith(
        "or reassign across teams: the cases then move to their team's queue"
    )
    for case in (high, medium):
        case.refresh_from_db()
        assert (case.assigned_to, case.queue) == (people["hub_daso"], hub_queue())
    assert not Event.objects.filter(verb=EventVerb.CASE_REASSIGNED).exists()


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_a_daso_may_not_bulk_reassign_across_teams_on_the_page_or_the_api(people):
    case = held(people["hub_daso"])
    daso = people["hub_colleague"]

    page = signed_in(daso).post(
        f"/queues/{hub_queue().pk}/reassign/",
        {
            "bulk-cases": [f"{case.pk}:1"],
            "bulk-to_user": people["other_hub_daso"].pk,
            "bulk-reason": "Cover",
        },
    )
    through_api = api(daso).post(
        "/api/v1/cases/bulk-reassign/",
        {
            "cases": [{"id": case.pk, "version": 1}],
            "to_user": people["other_hub_daso"].pk,
            "reason": "Cover",
            "across_teams": True,
        },
        format="json",
    )

    assert (page.status_code, through_api.status_code) == (403, 403)
    case.refresh_from_db()
    assert (case.assigned_to, case.queue) == (people["hub_daso"], hub_queue())


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_api_bulk_reassigns_across_teams_only_when_asked(people):
    cases = [held(people["hub_daso"], n=n) for n in range(2)]
    body = {
        "cases": [{"id": c.pk, "version": 1} for c in cases],
        "to_user": people["other_hub_daso"].pk,
        "reason": "Colchester hub on a course",
    }
    client = api(people["supervisor"])

    refused = client.post("/api/v1/cases/bulk-reassign/", body, format="json")
    done = client.post("/api/v1/cases/bulk-reassign/", body | {"across_teams": True}, format="json")

    assert refused.status_code == 400
    assert "reassign across teams" in refused.json()["errors"]["cases"][0]
    assert done.status_code == 200, done.content
    answer = done.json()
    assert answer["moved_to_queues"] == [
        {"case": c.pk, "queue": laindon_queue().pk} for c in sorted(cases, key=lambda c: c.pk)
    ]
    assert {c["queue"]["id"] for c in answer["reassigned"]} == {laindon_queue().pk}
    components = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert "across_teams" in components["BulkReassignInputRequest"]["properties"]
    assert "moved_to_queues" in components["BulkReassignResult"]["properties"]


# The review due date when a case moves to another team's queue ---------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_moving_a_case_to_another_teams_queue_brings_its_review_forward_never_later(people):
    later = held(people["hub_daso"], n=1)
    later.review_due_at = HUB_A_DAYS + dt.timedelta(days=4)
    later.save()
    sooner = held(people["hub_daso"], n=2)
    sooner.review_due_at = HUB_A_DAYS - dt.timedelta(hours=3)  # already overdue
    sooner.save()
    same_team = held(people["hub_daso"], n=3)
    same_team.review_due_at = HUB_A_DAYS + dt.timedelta(days=4)
    same_team.save()
    laindon = laindon_queue()
    laindon.review_target_hours = 12
    laindon.save()

    for case in (later, sooner):
        services.case_reassign(
            case=case,
            user=people["supervisor"],
            to_user=people["other_hub_daso"],
            reason="Hub on a course",
            across_teams=True,
        )
    services.case_reassign(
        case=same_team, user=people["supervisor"], to_user=people["amy"], reason="Cover"
    )

    for case in (later, sooner, same_team):
        case.refresh_from_db()
    assert later.review_due_at == HUB_A_DAYS + dt.timedelta(hours=12)
    assert sooner.review_due_at == HUB_A_DAYS - dt.timedelta(hours=3)
    assert same_team.review_due_at == HUB_A_DAYS + dt.timedelta(days=4)  # same queue, target
    last = _last_history(later)
    assert last.history_user == people["supervisor"]
    assert last.history_change_reason == (
        "Reassigned to daso-lai, Laindon hub covering, review due by 25 Nov 22:00: Hub on a course"
    )
    event = Event.objects.get(case=later, verb=EventVerb.CASE_REASSIGNED)
    assert event.old["review_due_at"] == (HUB_A_DAYS + dt.timedelta(days=4)).isoformat()
    assert event.new["review_due_at"] == (HUB_A_DAYS + dt.timedelta(hours=12)).isoformat()
    supervisor = signed_in(people["supervisor"])
    history = supervisor.get(f"/cases/{later.pk}/history/")
    (entry,) = [e for e in history.context["entries"] if e.event.verb == EventVerb.CASE_REASSIGNED]
    assert entry.details[-1] == (
        f"Review now due by 25 Nov 2026 22:00, within {laindon.name}'s target of 12 hours "
        "(a move never makes a review later)"
    )
    (kept,) = [
        e
        for e in supervisor.get(f"/cases/{sooner.pk}/history/").context["entries"]
        if e.event.verb == EventVerb.CASE_REASSIGNED
    ]
    assert not any("Review now due" in line for line in kept.details)


def test_a_case_with_no_review_date_gets_the_new_queues_target(people):
    case = queue_case(hub_queue(), n=1)
    case.review_due_at = None
    case.save()
    before = services.cover_review_due(case, laindon_queue())

    services.case_reassign(
        case=case,
        user=people["supervisor"],
        to_user=people["other_hub_daso"],
        reason="Cover",
        across_teams=True,
    )

    case.refresh_from_db()
    assert before <= case.review_due_at <= before + dt.timedelta(minutes=1)
    assert case_services.queue_for(
        team=Team.objects.get(code="hub-laindon"), kind=QueueKind.HUB_HIGH
    ) == (case.queue)
