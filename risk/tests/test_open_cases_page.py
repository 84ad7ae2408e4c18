"""The DV1 page for a victim who already has an open case: her cases are shown above
the submit button, the one to join is chosen when the perpetrator is the same or not
known, and a new case needs a reason."""

from __future__ import annotations

import re

import pytest

from cases.models import Case
from people import services
from risk import services as risk_services
from risk.choices import AssessmentStatus
from risk.tests.test_views import (  # noqa: F401
    FIFTEEN_YES,
    answers_post,
    earlier_dv1,
    incident_for,
    scene,
)


@pytest.fixture
def s(scene):  # noqa: F811
    return scene


def blank_suspect_draft(s):
    """A DV1 whose incident has no suspect: the suspect is left blank."""
    incident = incident_for(s, suspects=[])
    return risk_services.assessment_start(
        incident=incident, victim=s["victim"], perpetrator=None, user=s["officer"].user
    )


def submit_post(a, **extra) -> dict:
    data = answers_post(version=a.version)
    data.update(section=["answers", "level"], officer_level="standard", **extra)
    return data


def choice_html(html: str) -> str:
    start = html.index('data-testid="open-cases-choice"')
    return html[start : html.index("</fieldset>", start)]


def test_her_open_case_is_shown_and_chosen_when_the_suspect_is_left_blank(s):
    first = earlier_dv1(s)
    a = blank_suspect_draft(s)
    html = s["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    choice = choice_html(html)
    assert "Nia Rowe already has an open case" in choice
    assert f"Add this DV1 to case {first.case.reference}" in choice
    assert "Perpetrator: Kyle Dunn" in choice
    assert re.search(rf'name="open_case" type="radio" value="{first.case_id}" checked', choice)
    assert "Chosen for you: the suspect is not known" in choice
    # Just above the submit button.
    assert html.index("open-cases-choice") < html.index(">Submit DV1<")

    response = s["officer"].post(
        f"/dv1/{a.pk}/submit/",
        submit_post(a, open_case_offered="1", open_case=str(first.case_id)),
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED and a.case_id == first.case_id
    assert Case.objects.filter(victim=s["victim"]).count() == 1


def test_a_new_case_without_a_reason_comes_back_with_the_error_and_the_choice_kept(s):
    first = earlier_dv1(s)
    a = blank_suspect_draft(s)
    response = s["officer"].post(
        f"/dv1/{a.pk}/submit/", submit_post(a, open_case_offered="1", open_case="new")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#open_case_reason">Give the reason for opening a new case' in html
    assert re.search(r'id="open_case-new" name="open_case" type="radio" value="new" checked', html)
    assert Case.objects.filter(victim=s["victim"]).count() == 1

    a.refresh_from_db()
    response = s["officer"].post(
        f"/dv1/{a.pk}/submit/",
        submit_post(
            a,
            open_case_offered="1",
            open_case="new",
            open_case_reason="Different perpetrator: her brother",
        ),
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.case_id != first.case_id
    assert a.case.opened_alongside_id == first.case_id
    confirmation = s["officer"].get(response["Location"]).content.decode()
    assert (
        f"Opened alongside {first.case.reference}: Different perpetrator: her brother"
        in confirmation
    )


def test_with_a_different_suspect_nothing_is_chosen_and_a_choice_is_required(s):
    earlier_dv1(s)
    brother = services.person_create(
        data=services.PersonInput(given_name="Rory", family_name="Rowe")
    )
    incident = incident_for(s, suspects=[brother])
    a = risk_services.assessment_start(
        incident=incident, victim=s["victim"], perpetrator=brother, user=s["officer"].user
    )
    html = s["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    assert " checked" not in choice_html(html)
    response = s["officer"].post(f"/dv1/{a.pk}/submit/", submit_post(a, open_case_offered="1"))
    assert response.status_code == 400
    assert '<a href="#open_case">Choose whether to add this DV1' in response.content.decode()
    assert Case.objects.filter(victim=s["victim"]).count() == 1


def test_a_victim_without_an_open_case_is_offered_no_choice(s):
    a = blank_suspect_draft(s)
    html = s["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    assert "open-cases-choice" not in html
