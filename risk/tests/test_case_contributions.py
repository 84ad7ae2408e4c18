"""What `risk` contributes to casework's registries: the cases an officer reaches through
the DV1s they submitted (`cases.reach`) and a case's DV1s as the case page and case API
read them (`cases.assessment_providers`)."""

from __future__ import annotations

import pytest

from cases import assessment_providers, case_services, reach, rules
from cases import casework_selectors as selectors
from cases.models import Case
from cases.tests.test_casework_api import api
from cases.tests.test_casework_views import make_people, other_pair, submitted
from risk import case_assessments, case_reach
from risk.api.serializers import AssessmentRefSerializer
from risk.choices import AssessmentStatus


@pytest.fixture
def people(org, persona):
    return make_people(persona)


def test_risk_registers_the_cases_an_officer_submitted_a_dv1_for():
    assert case_reach.submitted_dv1_cases in reach.case_reaches()


def test_an_officer_sees_only_the_cases_they_submitted_a_dv1_for(people, persona):
    mine = submitted(people, yes=3).case
    victim, suspect = other_pair(people, 1)
    colleague = persona("officer", team="response", username="pc-2")
    theirs = submitted(people | {"officer": colleague}, yes=3, victim=victim, suspect=suspect)

    visible = rules.cases_visible_to(people["officer"], Case.objects.all())

    assert list(visible.values_list("pk", flat=True)) == [mine.pk]
    assert rules.can_read_case(colleague, theirs.case)
    assert not rules.can_read_case(colleague, mine)


def test_risk_provides_a_cases_dv1s_in_the_shape_the_case_api_lists_them():
    provider = assessment_providers.assessment_provider()

    assert isinstance(provider, case_assessments.CaseDV1s)
    assert provider.ref_serializer is AssessmentRefSerializer


def test_the_case_reads_its_dv1s_newest_first_graded_on_the_latest_submitted(people):
    first = submitted(people, yes=3)
    second = submitted(people, yes=12)
    assert second.case_id == first.case_id
    case = second.case

    dv1s = selectors.case_assessments(case=case)

    assert [a.pk for a in dv1s] == [second.pk, first.pk]
    assert selectors.latest_assessment(dv1s) == second
    assert assessment_providers.assessment_provider().latest_submitted(case) == second


def test_an_amended_dv1_stays_listed_but_the_case_is_graded_on_the_submitted_one(people):
    first = submitted(people, yes=3)
    first.status = AssessmentStatus.SUPERSEDED
    first.save(update_fields=["status"])
    second = submitted(people, yes=12)
    first.refresh_from_db()
    first.submitted_at = second.submitted_at.replace(year=second.submitted_at.year + 1)
    first.save(update_fields=["submitted_at"])

    dv1s = selectors.case_assessments(case=second.case)

    assert [a.pk for a in dv1s] == [first.pk, second.pk]  # newest first, amended or not
    assert selectors.latest_assessment(dv1s) == second


def test_a_challenge_goes_to_the_officer_of_the_latest_submitted_dv1(people, persona):
    first = submitted(people, yes=3)
    colleague = persona("officer", team="response", username="pc-3")
    second = submitted(people | {"officer": colleague}, yes=4)
    assert second.case_id == first.case_id

    task = case_services.case_challenge(
        case=second.case, user=people["researcher"], reason="Question 4 answered no"
    )

    assert (task.assigned_to, task.assessment) == (colleague, second)


def test_the_case_api_lists_a_cases_dv1s_in_their_own_shape(people, client_for):
    a = submitted(people, yes=3)
    schema = client_for("officer").get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]

    listed = components["Case"]["properties"]["assessments"]
    assert listed["items"] == {"$ref": "#/components/schemas/AssessmentRef"}
    assert listed["readOnly"] is True
    assert set(components["AssessmentRef"]["properties"]) == {
        "id",
        "reference",
        "status",
        "submitted_at",
        "submitted_by",
        "yes_count",
        "suggested_level",
        "officer_level",
    }

    body = case_api_body(people["researcher"], a.case_id)
    assert [(d["id"], d["reference"], d["status"]) for d in body["assessments"]] == [
        (a.pk, a.reference, "submitted")
    ]
    assert body["assessments"][0]["submitted_by"] == {
        "id": people["officer"].pk,
        "name": "Tom Hart",
    }


def case_api_body(user, pk: int) -> dict:
    response = api(user).get(f"/api/v1/cases/{pk}/")
    assert response.status_code == 200
    return response.json()
