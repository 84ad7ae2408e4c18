"""A victim with more than one open case: the case page, queue rows and the caseload
say "also has open case …", with why a case was opened beside another, in a constant
number of queries."""

from __future__ import annotations

import re

import pytest

from cases import case_services
from cases.models import Case
from cases.tests.test_casework_views import (
    hub_queue,
    make_people,
    queries,
    queue_case,
    signed_in,
    submitted,
)
from people.models import Person


@pytest.fixture
def p(org, persona):
    return make_people(persona)


def beside(p, first: Case, *, reason="Different perpetrator: her brother") -> Case:
    brother = Person.objects.create(given_name="Rory", family_name="Rowe")
    return case_services.case_open(
        victim=first.victim,
        perpetrator=brother,
        level="medium",
        user=p["officer"],
        alongside=[first],
        reason=reason,
    )


def test_each_case_page_names_her_other_open_case_and_why_it_was_opened(p):
    first = submitted(p, yes=15).case
    second = beside(p, first)
    daso = signed_in(p["cru_daso"])

    page = daso.get(f"/cases/{first.pk}/?via=case:{first.pk}").content.decode()
    banner = page[page.index('data-testid="also-open"') :]
    banner = banner[: banner.index("</div>\n</div>")]
    assert "Nia Rowe also has open case" in banner
    assert f'href="/cases/{second.pk}/?via=case:{first.pk}">{second.reference}</a>' in banner
    assert "(medium risk, opened alongside this case: Different perpetrator: her brother)" in (
        banner
    )

    page = daso.get(f"/cases/{second.pk}/?via=case:{first.pk}").content.decode()
    assert f">{first.reference}</a> (high risk)" in page
    assert re.search(
        rf'Opened alongside <a [^>]*href="/cases/{first.pk}/[^"]*">{first.reference}</a>: '
        r"Different perpetrator: her brother",
        page,
    )


def test_a_case_page_without_another_open_case_says_nothing_of_it(p):
    first = submitted(p, yes=15).case
    page = signed_in(p["cru_daso"]).get(f"/cases/{first.pk}/?via=case:{first.pk}")
    assert 'data-testid="also-open"' not in page.content.decode()


def test_an_officer_sees_the_other_case_named_but_not_linked_when_they_may_not_open_it(p):
    first = submitted(p, yes=15).case  # the officer submitted its DV1
    second = beside(p, first)
    page = signed_in(p["officer"]).get(f"/cases/{first.pk}/?via=case:{first.pk}")
    html = page.content.decode()
    assert second.reference in html
    assert f'href="/cases/{second.pk}/' not in html


def test_the_queue_row_says_she_also_has_an_open_case(p):
    first = submitted(p, yes=15).case
    second = beside(p, first)
    html = signed_in(p["supervisor"]).get(f"/queues/{first.queue_id}/").content.decode()
    row = html[html.index(f">{first.reference}</a>") :]
    row = row[: row.index("</tr>")]
    assert "Also has open case" in row
    assert f'href="/cases/{second.pk}/?via=case:{first.pk}">{second.reference}</a> (medium)' in row


def test_the_caseload_row_says_she_also_has_an_open_case(p):
    first = submitted(p, yes=15).case
    second = beside(p, first)
    first.assigned_to = p["hub_daso"]
    first.save()
    html = signed_in(p["hub_daso"]).get("/caseload/").content.decode()
    assert f">{second.reference}</a> (medium)" in html


def _victims_with_two_open_cases(queue, numbers):
    for n in numbers:
        first = queue_case(queue, age_hours=n + 1, n=n)
        second = queue_case(queue, level="medium", age_hours=n + 1, n=n)
        second.victim = first.victim
        second.perpetrator = Person.objects.create(given_name="P", family_name=f"Other{n}")
        second.save()


def test_queue_rows_read_her_other_cases_in_the_same_queries_for_6_and_50_rows(
    p, django_assert_max_num_queries
):
    queue = hub_queue()
    daso = signed_in(p["hub_daso"])
    _victims_with_two_open_cases(queue, range(3))
    few = queries(daso, f"/queues/{queue.pk}/")
    _victims_with_two_open_cases(queue, range(3, 25))
    with django_assert_max_num_queries(few):
        html = daso.get(f"/queues/{queue.pk}/").content.decode()
    assert html.count('data-testid="also-open"') == 50  # every row names the other case


def test_caseload_rows_read_her_other_cases_in_the_same_queries_for_6_and_50_rows(
    p, django_assert_max_num_queries
):
    queue = hub_queue()
    daso = signed_in(p["hub_daso"])

    def add(numbers):
        _victims_with_two_open_cases(queue, numbers)
        Case.objects.filter(assigned_to__isnull=True).update(assigned_to=p["hub_daso"])

    add(range(3))
    few = queries(daso, "/caseload/")
    add(range(3, 25))
    with django_assert_max_num_queries(few):
        html = daso.get("/caseload/").content.decode()
    assert html.count('data-testid="also-open"') == 50
