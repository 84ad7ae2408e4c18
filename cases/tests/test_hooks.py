"""The hooks casework runs for the apps above it (`cases.hooks`): a receiver runs inside
the service's transaction after its own writes, with what happened; one that refuses
undoes the whole change; and a page another app adds sits in the case's sub-navigation
after its own pages and before its history. Fixtures are fictional."""

from __future__ import annotations

import pytest
import time_machine

from cases import assignment_services, hooks, identity_selectors, safety_services
from cases.choices import ActionStatus, CaseStatus
from cases.event_verbs import EventVerb as CaseVerb
from cases.models import Case
from cases.tests.test_safety_services import T0, add, make_case
from cases.tests.test_safety_services import staff as staff  # noqa: F401  (the personas)
from dasapp.api import DomainError
from dasapp.models import Event


@pytest.fixture
def registry(monkeypatch):
    """The installed apps' contributions, with whatever a test adds undone after it."""
    hooks.pages()  # found first, so that what a test adds is not mixed into discovery
    for hook in hooks.HOOKS:
        monkeypatch.setitem(hooks._receivers, hook, dict(hooks._receivers[hook]))
    monkeypatch.setattr(hooks, "_pages", dict(hooks._pages))


@pytest.fixture
def case(staff):  # noqa: F811
    with time_machine.travel(T0, tick=False):
        return make_case(staff.daso)


def test_an_unknown_hook_is_refused():
    with pytest.raises(ValueError, match="No such case hook: 'case_reopened'"):
        hooks.register("case_reopened")


def test_closing_a_case_runs_its_receivers_after_the_close_is_written(registry, staff, case):  # noqa: F811
    seen = []

    @hooks.register(hooks.CASE_CLOSED)
    def watch(*, case, user):
        stored = Case.objects.get(pk=case.pk)
        closed = Event.objects.filter(case=case, verb=CaseVerb.CASE_CLOSED).exists()
        seen.append((case.pk, user, stored.status, closed))

    assignment_services.case_close(case=case, user=staff.daso, reason="She has moved away")

    assert seen == [(case.pk, staff.daso, CaseStatus.CLOSED, True)]


def test_a_receiver_that_refuses_undoes_the_close(registry, staff, case):  # noqa: F811
    @hooks.register(hooks.CASE_CLOSED)
    def refuse(*, case, user):
        raise DomainError("Not now.", {"case": ["Not now"]})

    with pytest.raises(DomainError, match="Not now"):
        assignment_services.case_close(case=case, user=staff.daso, reason="She has moved away")

    case.refresh_from_db()
    assert (case.status, case.closed_at) == (CaseStatus.OPEN, None)
    assert not Event.objects.filter(verb=CaseVerb.CASE_CLOSED).exists()


@time_machine.travel(T0, tick=False)
def test_completing_an_action_runs_its_receivers_with_the_done_action(registry, staff, case):  # noqa: F811
    plan = safety_services.plan_get_or_create(case=case, user=staff.daso)
    action = add(plan, staff.daso, owner=staff.insp_b)
    seen = []

    @hooks.register(hooks.ACTION_DONE)
    def watch(*, action, user):
        seen.append((action.pk, action.status, action.completion_note, user))

    safety_services.action_complete(action=action, user=staff.insp_b, note="Patrols booked")

    assert seen == [(action.pk, ActionStatus.DONE, "Patrols booked", staff.insp_b)]


def test_receivers_run_in_the_order_they_registered_and_once_however_often(registry, staff, case):  # noqa: F811
    ran = []

    def first(*, case, user):
        ran.append("first")

    def second(*, case, user):
        ran.append("second")

    for receiver in (first, second, first):
        hooks.register(hooks.CASE_CLOSED)(receiver)

    hooks.on_case_closed(case=case, user=staff.daso)

    assert ran[-2:] == ["first", "second"] and ran.count("first") == 1
    assert hooks.receivers(hooks.CASE_CLOSED)[-2:] == (first, second)


def _keys(identity) -> list[str]:
    return [page.key for page in identity.pages]


def test_a_page_another_app_adds_comes_before_the_history_and_only_when_allowed(
    registry,
    staff,  # noqa: F811
    case,
):
    asked = []

    def allowed(user, case):
        asked.append(user)
        return user == staff.chief

    hooks.register_page(
        "notes", label="Notes", url=lambda case: f"/notes/{case.pk}/", allowed=allowed
    )

    identity = identity_selectors.case_identity(user=staff.chief, pk=case.pk, current="summary")

    assert _keys(identity)[-2:] == ["notes", "history"]
    assert _keys(identity)[:2] == ["summary", "safety_plan"]
    notes = identity.pages[-2]
    assert (notes.label, notes.url, notes.current) == (
        "Notes",
        f"/notes/{case.pk}/?via=case:{case.pk}",
        False,
    )
    assert asked == [staff.chief]
    # Somebody it does not allow is not offered it, unless they are on it (its view has
    # checked them): it is not asked again there.
    assert "notes" not in _keys(
        identity_selectors.case_identity(user=staff.daso, pk=case.pk, current="summary")
    )
    asked.clear()
    identity = identity_selectors.case_identity(user=staff.daso, pk=case.pk, current="notes")
    assert [p.key for p in identity.pages if p.current] == ["notes"]
    assert asked == []
