"""The DV1's suspect, on "What happened": the incident's suspect, someone else found by
name or date of birth (the search logged) or added as a new person, or not known. The
choice is saved with history and decides which of her open cases the DV1 joins."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cases.models import Case
from dasapp.api import ConflictError
from dasapp.models import AccessLog
from dasapp.roles import Role
from people import services
from people.models import Person
from risk import services as risk_services
from risk.choices import AssessmentStatus
from risk.tests.test_views import (  # noqa: F401
    answers_post,
    earlier_dv1,
    incident_for,
    scene,
)


@pytest.fixture
def s(scene):  # noqa: F811
    return scene


@pytest.fixture
def brother():
    return services.person_create(
        data=services.PersonInput(
            given_name="Owen", family_name="Rowe", date_of_birth=dt.date(1990, 3, 27)
        )
    )


def draft(s, *, suspects=None):
    return risk_services.assessment_start(
        incident=incident_for(s, suspects=suspects),
        victim=s["victim"],
        perpetrator=s["suspect"] if suspects is None else None,
        user=s["officer"].user,
    )


def incident_post(a, **extra) -> dict:
    data = {"version": str(a.version), "section": ["narrative", "suspect"], "narrative": "Hit"}
    data.update(extra)
    return data


def find(s, a, **extra):
    return s["officer"].post(
        f"/dv1/{a.pk}/incident/",
        incident_post(a, suspect="other", **{"suspect-name": "Owen Rowe", "suspect_find": "1"})
        | extra,
    )


def submit_post(a, **extra) -> dict:
    data = answers_post(version=a.version)
    data.update(section=["answers", "level"], officer_level="standard", **extra)
    return data


def test_the_officer_finds_her_brother_and_a_new_case_opens_with_him_and_a_reason(s, brother):
    first = earlier_dv1(s)  # her open case, with her partner Kyle Dunn
    a = draft(s)
    found = find(s, a)
    assert found.status_code == 200
    html = found.content.decode()
    results = html[html.index('data-testid="suspect-results"') :]
    assert f'name="suspect-choice" type="radio" value="{brother.pk}"' in results
    assert "Owen Rowe, born 27 March 1990" in results
    # The search is logged as the people search logs one, with who was shown.
    log = AccessLog.objects.filter(action=AccessLog.Action.SEARCH).latest("at")
    assert log.user == s["officer"].user and log.object_type == "people.person"
    assert brother.pk in log.detail["results"]
    assert a.reference in log.purpose

    a.refresh_from_db()
    chosen = s["officer"].post(
        f"/dv1/{a.pk}/incident/",
        incident_post(a, suspect="other", **{"suspect-choice": str(brother.pk)}),
    )
    assert chosen.status_code == 302
    a.refresh_from_db()
    assert a.perpetrator == brother
    record = a.history.first()
    assert record.history_user == s["officer"].user
    assert record.history_change_reason == "Suspect chosen on the DV1"

    check = s["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    # Not her partner's case: a new case is the answer, not refused.
    assert not re.search(rf'name="open_case" type="radio" value="{first.case_id}" checked', check)
    assert "Chosen for you" not in check
    no_reason = s["officer"].post(
        f"/dv1/{a.pk}/submit/", submit_post(a, open_case_offered="1", open_case="new")
    )
    assert no_reason.status_code == 400
    assert "Give the reason for opening a new case" in no_reason.content.decode()
    assert "already has an open case with this perpetrator" not in no_reason.content.decode()
    a.refresh_from_db()
    submitted = s["officer"].post(
        f"/dv1/{a.pk}/submit/",
        submit_post(
            a, open_case_offered="1", open_case="new", open_case_reason="Her brother, not Kyle"
        ),
    )
    assert submitted.status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED
    assert a.case_id != first.case_id
    assert Case.objects.get(pk=a.case_id).perpetrator == brother


def test_not_known_joins_her_open_case_as_before(s):
    first = earlier_dv1(s)
    a = draft(s)
    response = s["officer"].post(f"/dv1/{a.pk}/incident/", incident_post(a, suspect="not_known"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.perpetrator is None
    check = s["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    assert re.search(rf'name="open_case" type="radio" value="{first.case_id}" checked', check)
    assert "Chosen for you: the suspect is not known" in check
    s["officer"].post(
        f"/dv1/{a.pk}/submit/",
        submit_post(a, open_case_offered="1", open_case=str(first.case_id)),
    )
    a.refresh_from_db()
    assert a.case_id == first.case_id


def test_adding_a_new_person_as_the_suspect_records_them_and_sets_the_suspect(s):
    a = draft(s, suspects=[])
    response = s["officer"].post(
        f"/dv1/{a.pk}/incident/",
        incident_post(
            a,
            suspect="other",
            suspect_add="1",
            **{
                "suspect-new-given_name": "Dale",
                "suspect-new-family_name": "Pike",
                "suspect-new-date_of_birth": "4/5/1988",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/incident/#suspect")
    person = Person.objects.get(given_name="Dale", family_name="Pike")
    assert person.date_of_birth == dt.date(1988, 5, 4)
    a.refresh_from_db()
    assert a.perpetrator == person
    assert a.narrative == "Hit"
    record = a.history.first()
    assert (record.history_user, record.history_change_reason) == (
        s["officer"].user,
        "Suspect chosen on the DV1",
    )
    page = s["officer"].get(f"/dv1/{a.pk}/incident/").content.decode()
    assert re.search(rf'name="suspect" type="radio" value="{person.pk}" checked', page)


def test_a_new_suspect_needs_a_family_name(s):
    a = draft(s, suspects=[])
    response = s["officer"].post(
        f"/dv1/{a.pk}/incident/",
        incident_post(a, suspect="other", suspect_add="1", **{"suspect-new-given_name": "Dale"}),
    )
    assert response.status_code == 400
    assert 'href="#suspect-new-family_name"' in response.content.decode()
    assert not Person.objects.filter(given_name="Dale").exists()
    a.refresh_from_db()
    assert a.perpetrator is None


def test_check_your_answers_shows_the_suspect_with_a_change_link(s):
    a = draft(s)
    html = s["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    row = html[html.index('data-testid="check-suspect"') :]
    row = row[: row.index("</div>")]
    assert "Kyle Dunn" in row
    assert f'href="/dv1/{a.pk}/incident/?return=check#suspect"' in row
    assert 'Change<span class="govuk-visually-hidden"> the suspect</span>' in row
    # The page the link opens has the field it points at.
    page = s["officer"].get(f"/dv1/{a.pk}/incident/?return=check").content.decode()
    assert 'id="suspect" name="suspect" type="radio"' in page


def test_a_person_not_found_by_this_officer_cannot_be_chosen(s, brother):
    a = draft(s)
    response = s["officer"].post(
        f"/dv1/{a.pk}/incident/",
        incident_post(a, suspect="other", **{"suspect-choice": str(brother.pk)}),
    )
    assert response.status_code == 400
    assert "Choose the suspect from the people found" in response.content.decode()
    a.refresh_from_db()
    assert a.perpetrator == s["suspect"]


def test_a_stale_version_is_refused(s, brother, client_for):
    a = draft(s)
    find(s, a)
    a.refresh_from_db()
    stale = a.version
    colleague = client_for(Role.OFFICER, team="response").user
    risk_services.assessment_save(
        assessment=a,
        user=colleague,
        changes=risk_services.DraftChanges(narrative="Saved elsewhere"),
    )
    response = s["officer"].post(
        f"/dv1/{a.pk}/incident/",
        {
            "version": str(stale),
            "section": ["suspect"],
            "suspect": "other",
            "suspect-choice": str(brother.pk),
        },
    )
    assert response.status_code == 409
    a.refresh_from_db()
    assert a.perpetrator == s["suspect"]
    with pytest.raises(ConflictError):
        risk_services.assessment_save(
            assessment=a,
            user=s["officer"].user,
            changes=risk_services.DraftChanges(perpetrator=brother),
            version=stale,
        )


def test_only_those_who_may_record_people_add_one_as_the_suspect(s, client_for):
    a = draft(s)
    supervisor = client_for(Role.SUPERVISOR)
    page = supervisor.get(f"/dv1/{a.pk}/incident/").content.decode()
    assert "Find the suspect" in page  # supervisors read people
    assert "Add as the suspect" not in page  # but do not record them
    response = supervisor.post(
        f"/dv1/{a.pk}/incident/",
        incident_post(
            a,
            suspect="other",
            suspect_add="1",
            **{"suspect-new-given_name": "Dale", "suspect-new-family_name": "Pike"},
        ),
    )
    assert response.status_code == 403
    assert not Person.objects.filter(given_name="Dale").exists()
    a.refresh_from_db()
    assert a.perpetrator == s["suspect"]
