"""The status-change engine: lock, rule, from-state, version, reason, save with history,
event, and notifications only once the change has committed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.choices import CaseStatus
from cases.event_verbs import EventVerb as CaseVerb
from cases.models import Case
from cases.tests.factories import PersonFactory
from dasapp.api import ConflictError, DomainError
from dasapp.choices import RiskLevel
from dasapp.models import Event
from dasapp.roles import Role, has_role
from dasapp.transitions import Machine, Refused, Transition

told: list = []

MACHINE = Machine.of(
    Case,
    [
        Transition(
            name="close",
            verb=CaseVerb.CASE_CLOSED,
            sources=frozenset({CaseStatus.OPEN}),
            target=CaseStatus.CLOSED,
            rule=lambda user, case: has_role(user, Role.DASO, Role.SUPERVISOR),
            refusal="You may not close this case.",
            wrong_state="This case is already {state}.",
            reason_required="Enter why the case is closed",
            history_reason="Closed",
            notify=told.append,
        ),
        Transition(name="note", verb=CaseVerb.CASE_CLAIMED),
    ],
    what="case",
    subject=lambda case: {"case": case},
)


@pytest.fixture
def case(db):
    told.clear()
    return Case.objects.create(
        victim=PersonFactory(given_name="Ada", family_name="Quill"),
        risk_level=RiskLevel.HIGH,
        opened_at=timezone.now(),
    )


@pytest.fixture
def daso(persona):
    return persona(Role.DASO, team="cru")


def _unchanged(case) -> bool:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status == CaseStatus.OPEN
        and fresh.version == case.version
        and not Event.objects.filter(case=case).exists()
    )


def test_a_change_moves_the_state_adds_a_version_and_records_history_and_event(
    case, daso, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = MACHINE.run("close", obj=case, user=daso, reason=" Moved away ", version=1)

    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.CLOSED, 2)
    last = case.history.first()
    assert (last.history_user, last.history_change_reason) == (daso, "Closed: Moved away")
    event = Event.objects.get(case=case)
    assert (event.verb, event.actor, event.reason) == (CaseVerb.CASE_CLOSED, daso, "Moved away")
    assert (event.old, event.new) == ({"status": "open"}, {"status": "closed"})
    assert told == [change] and change.obj.pk == case.pk


def test_whoever_the_transition_names_is_told_only_once_it_has_committed(
    case, daso, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        MACHINE.run("close", obj=case.pk, user=daso, reason="Moved away")
    assert told == []
    assert len(callbacks) == 1


def test_someone_the_rule_refuses_changes_nothing_and_gets_the_one_refusal(case, persona):
    officer = persona(Role.OFFICER)
    with pytest.raises(Refused) as refused:
        MACHINE.run("close", obj=case, user=officer, reason="Moved away")
    assert refused.value.status_code == 403
    assert refused.value.errors == {"__all__": ["You may not close this case."]}
    assert _unchanged(case)
    assert not MACHINE.allowed("close", officer, case)
    assert MACHINE.allowed("close", persona(Role.SUPERVISOR), case)


def test_a_change_from_a_state_it_does_not_start_from_is_refused_on_the_status(case, daso):
    MACHINE.run("close", obj=case, user=daso, reason="Moved away")
    with pytest.raises(DomainError) as refused:
        MACHINE.run("close", obj=case, user=daso, reason="Again")
    assert refused.value.errors == {"status": ["This case is already closed."]}
    assert Event.objects.filter(case=case).count() == 1
    assert not MACHINE.allowed("close", daso, Case.objects.get(pk=case.pk))


def test_a_change_based_on_a_stale_version_is_a_conflict_and_changes_nothing(case, daso):
    MACHINE.run("note", obj=case, user=daso)  # someone else's change: version 2
    with pytest.raises(ConflictError) as conflict:
        MACHINE.run("close", obj=case, user=daso, reason="Moved away", version=1)
    assert "version 1" in conflict.value.errors["version"][0]
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.OPEN, 2)


def test_a_needed_reason_left_blank_is_refused_on_the_reason(case, daso):
    with pytest.raises(DomainError) as refused:
        MACHINE.run("close", obj=case, user=daso, reason="   ")
    assert refused.value.errors == {"reason": ["Enter why the case is closed"]}
    assert _unchanged(case)


def test_the_services_own_changes_are_saved_and_recorded_with_the_state(case, daso):
    def apply(locked):
        old = {"risk_level": locked.risk_level}
        locked.risk_level = RiskLevel.MEDIUM
        return old, {"risk_level": locked.risk_level}

    MACHINE.run("close", obj=case, user=daso, reason="Moved away", apply=apply)

    case.refresh_from_db()
    assert (case.status, case.risk_level) == (CaseStatus.CLOSED, RiskLevel.MEDIUM)
    event = Event.objects.get(case=case)
    assert event.old == {"status": "open", "risk_level": "high"}
    assert event.new == {"status": "closed", "risk_level": "medium"}


def test_a_change_that_keeps_the_state_records_no_state_in_its_event(case, daso):
    MACHINE.run("note", obj=case, user=daso, old={"assigned_to": None}, new={"assigned_to": 7})
    event = Event.objects.get(case=case)
    assert (event.old, event.new) == ({"assigned_to": None}, {"assigned_to": 7})
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.OPEN, 2)
