"""The call-time look-up says when a victim also has another open case ("also has open
case …"), linked only for those who may open cases, in the same statements."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from calls import intelligence
from calls.tests.test_intelligence import (  # noqa: F401
    NOW,
    _section,
    household,
    open_case,
    person,
)
from dasapp.choices import RiskLevel
from dasapp.roles import Role


def _by_id(package) -> dict[int, dict]:
    return {c["id"]: c for c in package.open_cases}


@pytest.mark.django_db
def test_each_of_her_open_cases_names_the_other(household):  # noqa: F811
    victim, partner = household["victim"], household["partner"]
    with_partner = open_case(victim, partner, days_ago=20, level=RiskLevel.HIGH)
    not_known = open_case(victim, None, days_ago=2, level=RiskLevel.MEDIUM)

    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[victim.pk]), now=NOW)

    cases = _by_id(package)
    assert cases[with_partner.pk]["also_open"] == [
        {"id": not_known.pk, "reference": not_known.reference, "risk_label": "Medium"}
    ]
    assert cases[not_known.pk]["also_open"][0]["id"] == with_partner.pk
    assert cases[with_partner.pk]["also_open_more"] == 0


@pytest.mark.django_db
def test_her_case_not_in_the_look_up_is_still_counted(household):  # noqa: F811
    victim, partner = household["victim"], household["partner"]
    open_case(victim, partner, days_ago=20, level=RiskLevel.HIGH)
    rory = person("Rory", "Madeup")  # no ties to anyone on record
    open_case(victim, rory, days_ago=2, level=RiskLevel.MEDIUM)

    # Only he is on this call: his case with her is found, her other one is not.
    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[rory.pk]), now=NOW)

    (case,) = [c for c in package.open_cases if c["victim_id"] == victim.pk]
    assert case["also_open"] == [] and case["also_open_more"] == 1
    html = render_to_string("calls/_intelligence.html", {"package": package})
    assert "Nadia Testwood also has open case: 1 not shown here" in _section(
        html, "intel-open-cases"
    )


@pytest.mark.django_db
def test_the_panel_links_the_other_case_only_for_those_who_may_open_cases(
    household,  # noqa: F811
    persona,
):
    victim, partner = household["victim"], household["partner"]
    first = open_case(victim, partner, days_ago=20, level=RiskLevel.HIGH)
    second = open_case(victim, None, days_ago=2, level=RiskLevel.MEDIUM)
    package, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=[victim.pk]), now=NOW)

    def panel(role):
        request = SimpleNamespace(user=persona(role, username=f"u-{role}"))
        return render_to_string(
            "calls/_intelligence.html", {"package": package, "request": request}
        )

    daso = panel(Role.DASO)
    assert f'<a class="govuk-link" href="/cases/{second.pk}/">{second.reference}</a>' in daso
    assert "Nadia Testwood also has open case: " + second.reference in _section(
        daso, "intel-open-cases"
    )
    call_taker = panel(Role.CALL_TAKER)
    assert f'href="/cases/{second.pk}/"' not in call_taker
    assert f'href="/cases/{first.pk}/"' not in call_taker
    assert f"also has open case: {second.reference} (medium)" in _section(
        call_taker, "intel-open-cases"
    )


def _victims_with_two_cases(n: int):
    people = []
    for i in range(n):
        victim = person("Vic", f"Fictional{i}")
        open_case(victim, person("Sus", f"Madeup{i}"), days_ago=i + 1, level=RiskLevel.HIGH)
        open_case(victim, None, days_ago=i + 2, level=RiskLevel.MEDIUM)
        people.append(victim.pk)
    return people


@pytest.mark.django_db
def test_the_look_up_reads_her_other_cases_in_the_same_statements_for_1_and_5_victims(
    household,  # noqa: F811
    django_assert_max_num_queries,
):
    few = _victims_with_two_cases(1)
    with CaptureQueriesContext(connection) as captured:
        small, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=few), now=NOW)
    reads = [q["sql"] for q in captured if "SELECT" in q["sql"] or "EXECUTE" in q["sql"]]
    assert len(reads) == 5  # people, flags, incidents, suspects, open cases: none added
    many = few + _victims_with_two_cases(4)
    with django_assert_max_num_queries(len(captured)):
        large, _ = intelligence.lookup(intelligence.LookupQuery(person_ids=many), now=NOW)
    assert all(len(c["also_open"]) == 1 for c in small.open_cases)
    assert len(large.open_cases) == 10
    assert all(len(c["also_open"]) == 1 for c in large.open_cases)
