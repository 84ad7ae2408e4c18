"""The registries through which `cases` reads what a higher app knows of a case: the
cases a user reaches through another app's records (`cases.reach`) and a case's DV1s
(`cases.assessment_providers`). `risk` contributes to both; these tests check the
registries' own rules with contributions of their own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cases import assessment_providers, reach, rules
from cases.models import Case, Task
from dasapp.roles import Role
from people.models import Person


def _case(n: int) -> Case:
    victim = Person.objects.create(given_name="Reach", family_name=f"Victim{n}")
    return Case.objects.create(victim=victim, risk_level="standard", opened_at=timezone.now())


@pytest.fixture
def only_these_reaches(monkeypatch):
    """The reach registry with nothing but what the test registers."""
    monkeypatch.setattr(reach, "_reaches", [])
    monkeypatch.setattr(reach, "_discovered", True)
    return reach


def test_an_officer_sees_the_cases_a_registered_reach_gives_and_their_tasks_only(
    org, persona, only_these_reaches
):
    officer = persona(Role.OFFICER, team="response", username="pc-reach")
    linked, tasked, other = _case(1), _case(2), _case(3)
    Task.objects.create(
        kind="challenge", case=tasked, assigned_to=officer, note="Answer", created_at=timezone.now()
    )

    def visible():
        return set(rules.cases_visible_to(officer, Case.objects.all()).values_list("pk", flat=True))

    assert visible() == {tasked.pk}

    @only_these_reaches.register_case_reach
    def linked_cases(user):
        return Case.objects.filter(pk=linked.pk).values("pk")

    assert visible() == {linked.pk, tasked.pk}
    assert other.pk not in visible()


def test_a_reach_registered_twice_counts_once(only_these_reaches):
    def reach_nothing(user):
        return Case.objects.none().values("pk")

    only_these_reaches.register_case_reach(reach_nothing)
    only_these_reaches.register_case_reach(reach_nothing)

    assert only_these_reaches.case_reaches() == (reach_nothing,)


def test_a_partner_reaches_no_case_whatever_is_registered(org, persona, only_these_reaches):
    partner = persona(Role.PARTNER, team="victim-support", username="partner-reach")
    case = _case(4)
    only_these_reaches.register_case_reach(lambda user: Case.objects.all().values("pk"))

    assert not rules.cases_visible_to(partner, Case.objects.filter(pk=case.pk)).exists()


def test_without_a_dv1_provider_casework_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(assessment_providers, "_provider", None)
    monkeypatch.setattr(assessment_providers, "_discovered", True)

    with pytest.raises(ImproperlyConfigured, match="risk/case_assessments.py"):
        assessment_providers.assessment_provider()
