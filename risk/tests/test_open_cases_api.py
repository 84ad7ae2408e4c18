"""`assessments/` for a victim with an open case: left out, `open_case` joins her case
when the perpetrator is the same or not known; a new case needs a reason."""

from __future__ import annotations

import pytest

from cases.models import Case
from cases.tests.test_casework_api import api
from cases.tests.test_casework_views import incident_for, make_people, submitted
from risk.tests.test_assessment_api import dv1_body


@pytest.fixture
def p(org, persona):
    return make_people(persona)


def test_a_dv1_with_no_perpetrator_and_no_choice_joins_her_open_case(p):
    earlier = submitted(p, yes=15)  # high, with the suspect
    response = api(p["officer"]).post(
        "/api/v1/assessments/", dv1_body(p, yes=11, perpetrator=None), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"]["id"] == earlier.case_id
    assert body["case"]["risk_level"] == "high"  # not lowered by the medium DV1
    assert Case.objects.filter(victim=p["victim"], status="open").count() == 1


def test_a_new_case_without_a_reason_is_a_field_error_and_nothing_is_opened(p):
    earlier = submitted(p, yes=15)
    body = dv1_body(p, perpetrator=None, open_case={"action": "new"})
    response = api(p["officer"]).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["open_case.reason"] == [
        "Give the reason for opening a new case, for example a different perpetrator"
    ]
    assert list(Case.objects.values_list("pk", flat=True)) == [earlier.case_id]

    body = dv1_body(
        p,
        incident=incident_for(p),
        perpetrator=None,
        open_case={"action": "new", "reason": "Different perpetrator: not yet identified"},
    )
    response = api(p["officer"]).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201, response.json()
    new_case = Case.objects.get(pk=response.json()["case"]["id"])
    assert new_case.opened_alongside_id == earlier.case_id


def test_joining_a_case_that_is_not_one_of_hers_is_a_field_error(p):
    submitted(p, yes=15)
    body = dv1_body(p, open_case={"action": "join", "case": 999999})
    response = api(p["officer"]).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400
    assert "open_case" in response.json()["errors"]


def test_the_schema_documents_the_optional_open_case_choice(client_for, org):
    schema = client_for("officer").get("/api/schema/", {"format": "json"}).json()
    create = schema["components"]["schemas"]["AssessmentCreateRequest"]
    assert "open_case" not in create.get("required", [])
    assert "open_case" in create["properties"]
    choice = schema["components"]["schemas"]["OpenCaseChoiceRequest"]
    assert set(choice["properties"]) == {"action", "case", "reason"}
