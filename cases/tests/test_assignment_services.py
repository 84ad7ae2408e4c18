"""Who holds a case: claim, release, reassign (one case or a batch) and close, through the
services. Every change keeps who and why in the history, records an event and tells
the people it affects. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases import assignment_services as services
from cases import case_services
from cases.choices import ActionStatus, CaseStatus, QueueKind
from cases.event_verbs import EventVerb
from cases.models import Case, SafetyAction, SafetyPlan
from cases.tests.test_casework_views import (
    HUB_A_DAYS,
    hub_queue,
    make_people,
    queue_case,
    submitted,
)
from dasapp.api import ConflictError, DomainError
from dasapp.models import Event, Notification
from dasapp.roles import Role
from org.choices import AbsenceKind
from org.models import Absence, Team
from people.models import Flag


@pytest.fixture
def people(org, persona):
    return with_colleagues(make_people(persona), persona)


def with_colleagues(p: dict, persona) -> dict:
    """The hub DASO's colleague in the same hub, a DASO in another hub, and a switched-off
    account that used to work the hub."""
    p["hub_colleague"] = persona(
        Role.DASO, team="hub-colchester", username="daso-col-2", first_name="Kim", last_name="Lee"
    )
    p["other_hub_daso"] = persona(Role.DASO, team="hub-laindon", username="daso-lai")
    gone = persona(Role.DASO, team="hub-colchester", username="daso-gone", first_name="Jo")
    gone.is_active = False
    gone.save()
    p["inactive_daso"] = gone
    return p


def researchers_queue():
    return case_services.queue_for(team=Team.objects.get(code="cru"), kind=QueueKind.RESEARCHERS)


def held(case: Case, user) -> Case:
    return services.case_claim(case=case, user=user)


def history_reasons(case: Case) -> list[tuple[str, int | None]]:
    return [
        (h.history_change_reason or "", h.history_user_id)
        for h in case.history.order_by("history_date", "history_id")
    ]


def safety_action(case: Case, owner, *, n: int = 1, status: str = ActionStatus.OPEN):
    plan, _ = SafetyPlan.objects.get_or_create(case=case, defaults={"created_at": timezone.now()})
    return SafetyAction.objects.create(
        plan=plan,
        description=f"Patrols past the address, week {n}",
        owner=owner,
        due_at=timezone.now() + dt.timedelta(days=n),
        created_at=timezone.now(),
        status=status,
    )


def on_leave(user):
    return Absence.objects.create(
        user=user,
        kind=AbsenceKind.ANNUAL_LEAVE,
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=6),
    )


# Claim ----------------------------------------------------------------------------------


def test_claim_puts_the_case_on_the_claimers_caseload_with_history_and_an_event(people):
    case = queue_case(hub_queue())
    before = case.version

    claimed = services.case_claim(case=case, user=people["hub_daso"])

    case.refresh_from_db()
    assert case.assigned_to == people["hub_daso"]
    assert case.version == before + 1 == claimed.version
    assert history_reasons(case)[-1] == ("Claimed by Dee Ash", people["hub_daso"].pk)
    event = Event.objects.get(case=case, verb=EventVerb.CASE_CLAIMED)
    assert event.actor == people["hub_daso"]
    assert event.new == {"assigned_to": people["hub_daso"].pk, "name": "Dee Ash"}


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_a_second_claim_is_refused_with_who_claimed_it_and_when(people):
    case = queue_case(hub_queue())
    services.case_claim(case=case, user=people["hub_daso"])

    with pytest.raises(ConflictError) as refused:
        services.case_claim(case=case, user=people["hub_colleague"])

    assert refused.value.message == "Already claimed by Dee Ash at 25 November 2026 at 10:00"
    assert isinstance(refused.value, DomainError)
    case.refresh_from_db()
    assert case.assigned_to == people["hub_daso"]
    assert [r for r, _ in history_reasons(case) if r.startswith("Claimed")] == [
        "Claimed by Dee Ash"
    ]


def test_claiming_a_case_you_already_hold_changes_nothing(people):
    case = held(queue_case(hub_queue()), people["hub_daso"])
    rows = case.history.count()

    again = services.case_claim(case=case, user=people["hub_daso"])

    assert again.version == case.version
    assert case.history.count() == rows


def test_researchers_claim_only_from_researchers_queues(people):
    daso_case = queue_case(hub_queue(), n=1)
    standard = queue_case(researchers_queue(), level="standard", n=2)

    with pytest.raises(DomainError) as refused:
        services.case_claim(case=daso_case, user=people["researcher"])
    services.case_claim(case=standard, user=people["researcher"])

    assert "does not work" in refused.value.errors["assigned_to"][0]
    daso_case.refresh_from_db()
    standard.refresh_from_db()
    assert daso_case.assigned_to is None
    assert standard.assigned_to == people["researcher"]


def test_a_daso_in_another_hub_may_not_claim_this_hubs_case(people):
    case = queue_case(hub_queue())

    with pytest.raises(DomainError):
        services.case_claim(case=case, user=people["other_hub_daso"])

    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_closed_case_cannot_be_claimed(people):
    case = queue_case(hub_queue())
    services.case_close(case=case, user=people["supervisor"], reason="Victim moved away")

    with pytest.raises(DomainError, match="closed"):
        services.case_claim(case=case, user=people["hub_daso"])


# Release --------------------------------------------------------------------------------


def test_the_owner_releases_their_case_without_a_reason_and_nobody_is_notified(people):
    case = held(queue_case(hub_queue()), people["hub_daso"])
    notes = Notification.objects.count()

    services.case_release(case=case, user=people["hub_daso"])

    case.refresh_from_db()
    assert case.assigned_to is None
    assert history_reasons(case)[-1] == ("Released: by its owner", people["hub_daso"].pk)
    event = Event.objects.get(case=case, verb=EventVerb.CASE_RELEASED)
    assert event.old["assigned_to"] == people["hub_daso"].pk
    assert Notification.objects.count() == notes


def test_a_supervisor_releasing_someone_elses_case_gives_a_reason_and_the_owner_is_told(people):
    case = held(queue_case(hub_queue()), people["hub_daso"])

    with pytest.raises(DomainError) as refused:
        services.case_release(case=case, user=people["supervisor"], reason="  ")
    services.case_release(case=case, user=people["supervisor"], reason="Dee is off sick")

    assert refused.value.errors["reason"] == ["Explain why you are taking the case from Dee Ash"]
    case.refresh_from_db()
    assert case.assigned_to is None
    assert history_reasons(case)[-1] == ("Released: Dee is off sick", people["supervisor"].pk)
    note = Notification.objects.get(user=people["hub_daso"])
    assert note.title == f"Case {case.reference} was taken off your caseload by Sara Mills"
    assert note.body == "Dee is off sick"


# Reassign -------------------------------------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_reassign_keeps_who_and_why_and_notifies_the_new_and_the_previous_owner(people):
    case = held(queue_case(hub_queue()), people["hub_daso"])

    result = services.case_reassign(
        case=case,
        user=people["supervisor"],
        to_user=people["hub_colleague"],
        reason="Dee's caseload is full",
        version=case.version,
    )

    case.refresh_from_db()
    assert case.assigned_to == people["hub_colleague"]
    assert result.warnings == []  # Kim works days in the Colchester hub: at work now
    assert history_reasons(case)[-1] == (
        "Reassigned to Kim Lee: Dee's caseload is full",
        people["supervisor"].pk,
    )
    event = Event.objects.get(case=case, verb=EventVerb.CASE_REASSIGNED)
    assert (event.actor, event.reason) == (people["supervisor"], "Dee's caseload is full")
    assert event.old["assigned_to"] == people["hub_daso"].pk
    assert event.new["assigned_to"] == people["hub_colleague"].pk
    new_owner = Notification.objects.get(user=people["hub_colleague"])
    assert new_owner.title == f"Case {case.reference} reassigned to you by Sara Mills"
    assert new_owner.url == f"/cases/{case.pk}/?via=case:{case.pk}"
    previous = Notification.objects.get(user=people["hub_daso"])
    assert previous.title == f"Case {case.reference} was reassigned to Kim Lee"


def test_reassign_refuses_a_switched_off_account(people):
    case = queue_case(hub_queue())

    with pytest.raises(DomainError) as refused:
        services.case_reassign(
            case=case, user=people["supervisor"], to_user=people["inactive_daso"], reason="Cover"
        )

    assert refused.value.errors["to_user"] == ["Jo's account is switched off: choose someone else"]
    case.refresh_from_db()
    assert case.assigned_to is None
    assert not Notification.objects.filter(user=people["inactive_daso"]).exists()


@pytest.mark.parametrize("who", ["researcher", "other_hub_daso", "supervisor"])
def test_reassign_refuses_someone_without_a_role_that_works_the_queue(people, who):
    case = queue_case(hub_queue())

    with pytest.raises(DomainError) as refused:
        services.case_reassign(
            case=case, user=people["supervisor"], to_user=people[who], reason="Cover"
        )

    assert "does not work" in refused.value.errors["to_user"][0]
    case.refresh_from_db()
    assert case.assigned_to is None


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_reassign_to_someone_on_leave_is_done_with_a_warning(people):
    case = queue_case(hub_queue())
    on_leave(people["hub_colleague"])

    result = services.case_reassign(
        case=case, user=people["supervisor"], to_user=people["hub_colleague"], reason="Cover"
    )

    case.refresh_from_db()
    assert case.assigned_to == people["hub_colleague"]
    assert result.warnings == [
        "Kim Lee is not at work now (on leave, sick or off shift): the case will wait until "
        "they are back. Reassign to someone on duty if it cannot wait."
    ]


def test_reassign_with_a_stale_version_is_a_conflict_and_changes_nothing(people):
    case = queue_case(hub_queue())
    read = case.version
    services.case_claim(case=case, user=people["hub_daso"])
    rows = case.history.count()

    with pytest.raises(ConflictError):
        services.case_reassign(
            case=case,
            user=people["supervisor"],
            to_user=people["hub_colleague"],
            reason="Cover",
            version=read,
        )

    case.refresh_from_db()
    assert case.assigned_to == people["hub_daso"]
    assert case.history.count() == rows


def test_reassign_needs_a_reason(people):
    case = queue_case(hub_queue())

    with pytest.raises(DomainError) as refused:
        services.case_reassign(
            case=case, user=people["supervisor"], to_user=people["hub_daso"], reason=""
        )

    assert refused.value.errors == {"reason": ["Explain why the case is moving"]}


# Bulk reassign --------------------------------------------------------------------------


def test_bulk_reassign_moves_every_case_with_history_and_one_notification(people):
    queue = hub_queue()
    cases = [queue_case(queue, n=n) for n in range(3)]
    held(cases[0], people["hub_daso"])
    versions = {c.pk: Case.objects.get(pk=c.pk).version for c in cases}

    result = services.cases_bulk_reassign(
        case_ids=list(versions),
        user=people["supervisor"],
        to_user=people["hub_colleague"],
        reason="Rebalancing the hub's work",
        versions=versions,
    )

    assert {c.pk for c in result.cases} == set(versions)
    for case in cases:
        case.refresh_from_db()
        assert case.assigned_to == people["hub_colleague"]
        assert history_reasons(case)[-1] == (
            "Reassigned to Kim Lee: Rebalancing the hub's work",
            people["supervisor"].pk,
        )
    assert Event.objects.filter(verb=EventVerb.CASE_REASSIGNED).count() == 3
    to_new = Notification.objects.get(user=people["hub_colleague"])
    assert to_new.title == "3 cases reassigned to you by Sara Mills"
    assert to_new.url == "/caseload/"
    assert Notification.objects.get(user=people["hub_daso"]).title == (
        f"Case {cases[0].reference} was reassigned to Kim Lee"
    )


def test_bulk_reassign_moves_nothing_when_one_case_changed_since_it_was_read(people):
    queue = hub_queue()
    cases = [queue_case(queue, n=n) for n in range(3)]
    versions = {c.pk: c.version for c in cases}
    held(cases[1], people["hub_daso"])  # after the supervisor read the queue
    rows = {c.pk: c.history.count() for c in cases}

    with pytest.raises(ConflictError) as refused:
        services.cases_bulk_reassign(
            case_ids=list(versions),
            user=people["supervisor"],
            to_user=people["hub_colleague"],
            reason="Rebalancing",
            versions=versions,
        )

    assert refused.value.errors["cases"] == [
        f"{cases[1].reference} changed since you read it (you had version 1; it is now at "
        "version 2)"
    ]
    for case in cases:
        case.refresh_from_db()
        assert case.history.count() == rows[case.pk]
    assert [c.assigned_to_id for c in cases] == [None, people["hub_daso"].pk, None]
    assert not Notification.objects.filter(user=people["hub_colleague"]).exists()


def test_bulk_reassign_moves_nothing_when_the_new_owner_does_not_work_one_cases_queue(people):
    hub_case = queue_case(hub_queue(), n=1)
    standard = queue_case(researchers_queue(), level="standard", n=2)

    with pytest.raises(DomainError) as refused:
        services.cases_bulk_reassign(
            case_ids=[hub_case.pk, standard.pk],
            user=people["supervisor"],
            to_user=people["hub_daso"],
            reason="Cover",
        )

    assert not isinstance(refused.value, ConflictError)
    assert refused.value.errors["cases"][0].startswith(f"{standard.reference}: Dee Ash does not")
    hub_case.refresh_from_db()
    assert hub_case.assigned_to is None
    assert not Event.objects.filter(verb=EventVerb.CASE_REASSIGNED).exists()


def test_bulk_reassign_refuses_a_switched_off_account(people):
    cases = [queue_case(hub_queue(), n=n) for n in range(2)]

    with pytest.raises(DomainError) as refused:
        services.cases_bulk_reassign(
            case_ids=[c.pk for c in cases],
            user=people["supervisor"],
            to_user=people["inactive_daso"],
            reason="Cover",
        )

    assert refused.value.errors["to_user"]
    assert not Case.objects.filter(assigned_to__isnull=False).exists()


def test_bulk_reassign_leaves_cases_the_new_owner_already_holds(people):
    cases = [queue_case(hub_queue(), n=n) for n in range(2)]
    held(cases[0], people["hub_colleague"])
    rows = cases[0].history.count()

    result = services.cases_bulk_reassign(
        case_ids=[c.pk for c in cases],
        user=people["supervisor"],
        to_user=people["hub_colleague"],
        reason="Cover",
    )

    assert [c.pk for c in result.cases] == [cases[1].pk]
    assert [c.pk for c in result.unchanged] == [cases[0].pk]
    assert cases[0].history.count() == rows


# Close ----------------------------------------------------------------------------------


def test_close_is_refused_while_safety_plan_actions_are_open_and_lists_them(people):
    case = held(queue_case(hub_queue()), people["hub_daso"])
    for n in (1, 2, 3):
        safety_action(case, people["hub_daso"], n=n)
    safety_action(case, people["hub_daso"], n=4, status=ActionStatus.DONE)

    with pytest.raises(DomainError) as refused:
        services.case_close(case=case, user=people["hub_daso"], reason="Victim moved away")

    assert refused.value.message == (
        "3 safety-plan actions are still open: mark them done or cancel them first"
    )
    listed = refused.value.errors["safety_actions"]
    assert len(listed) == 3
    assert listed[0].startswith("Patrols past the address, week 1: Dee Ash, due ")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_close_is_allowed_once_every_action_is_done_or_cancelled(people):
    case = held(queue_case(hub_queue()), people["hub_daso"])
    done = safety_action(case, people["hub_daso"], n=1)
    cancelled = safety_action(case, people["hub_daso"], n=2)
    done.status = ActionStatus.DONE
    done.save()
    with pytest.raises(
        DomainError, match="^1 safety-plan action is still open: mark it done or cancel it first$"
    ):
        services.case_close(case=case, user=people["hub_daso"], reason="Victim moved away")
    cancelled.status = ActionStatus.CANCELLED
    cancelled.save()

    closed = services.case_close(
        case=case, user=people["hub_daso"], reason="Victim moved away", version=case.version
    )

    case.refresh_from_db()
    assert (case.status, case.closed_reason) == (CaseStatus.CLOSED, "Victim moved away")
    assert case.closed_at is not None and closed.version == case.version
    assert history_reasons(case)[-1] == ("Closed: Victim moved away", people["hub_daso"].pk)
    event = Event.objects.get(case=case, verb=EventVerb.CASE_CLOSED)
    assert (event.actor, event.reason) == (people["hub_daso"], "Victim moved away")


def test_closing_a_high_risk_case_lifts_its_markers(people):
    case = submitted(people, yes=15).case
    source = f"case:{case.pk}"
    assert Flag.objects.filter(source=source, lifted_at__isnull=True).count() >= 3

    services.case_close(case=case, user=people["supervisor"], reason="Perpetrator in prison")

    assert not Flag.objects.filter(source=source, lifted_at__isnull=True).exists()
    assert Event.objects.filter(case=case, verb=EventVerb.MARKERS_LIFTED).exists()


def test_close_needs_a_reason_and_the_current_version(people):
    case = queue_case(hub_queue())
    read = case.version
    held(case, people["hub_daso"])

    with pytest.raises(DomainError) as no_reason:
        services.case_close(case=case, user=people["hub_daso"], reason="")
    with pytest.raises(ConflictError):
        services.case_close(case=case, user=people["hub_daso"], reason="Done", version=read)

    assert no_reason.value.errors == {"reason": ["Enter why the case is closing"]}
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_closed_case_cannot_be_closed_or_reassigned_again(people):
    case = queue_case(hub_queue())
    services.case_close(case=case, user=people["supervisor"], reason="Victim moved away")

    with pytest.raises(DomainError, match="already closed"):
        services.case_close(case=case, user=people["supervisor"], reason="Again")
    with pytest.raises(DomainError, match="closed"):
        services.case_reassign(
            case=case, user=people["supervisor"], to_user=people["hub_daso"], reason="Cover"
        )


def test_the_case_history_says_who_a_case_was_moved_from_and_to():
    from dasapp.events import describe_event
    from dasapp.models import Event

    event = Event(
        verb="case_reassigned",
        at=timezone.now(),
        old={"name": "Dee Ash"},
        new={"name": "Kim Lee"},
        reason="Dee on leave",
    )
    sentence = describe_event(event, {}).sentence
    assert "reassigned from Dee Ash to Kim Lee" in sentence
    assert sentence.endswith(": Dee on leave")
