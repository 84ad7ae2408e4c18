"""The DV1 in steps: the task list with each section's status, a page per section that
saves when it is left, the score panel's count of every open question, check your
answers with its Change links, and submission from there (a stale version refused)."""

# ruff: noqa: F811 (`scene` is the DV1 views' fixture, imported from their tests)

from __future__ import annotations

import re

import pytest

from cases.models import Case
from dasapp.models import AccessLog
from dasapp.roles import Role
from risk import sections
from risk import services as risk_services
from risk.choices import AssessmentStatus
from risk.models import Assessment
from risk.tests.test_views import (  # noqa: F401
    ALL_CODES,
    FIFTEEN_YES,
    answers_post,
    autosave,
    draft_for,
    scene,
)

STALKING = [f"S{i}" for i in range(1, 12)]


def status(html: str, slug: str) -> str:
    found = re.search(rf'data-testid="status-{slug}">\s*(?:<strong[^>]*>)?([^<]+?)\s*<', html)
    return found.group(1) if found else ""


def fill(a: Assessment, user, **changes) -> Assessment:
    a, errors = risk_services.assessment_save(
        assessment=a, user=user, changes=risk_services.DraftChanges(**changes)
    )
    assert errors == {}
    return a


def complete(s, a: Assessment | None = None) -> Assessment:
    """A draft with every section done, high risk from fifteen yes answers."""
    user = s["officer"].user
    a = a or draft_for(s)
    a = fill(
        a,
        user,
        answers={c: {"answer": "yes" if c in FIFTEEN_YES else "no"} for c in ALL_CODES},
        narrative="Door kicked in",
        officer_level="high",
    )
    for slug in ("incident", "household", "evidence"):
        a = fill(a, user, section_saved=slug)
    return a


# The panel counts every open question (issue item 2) -----------------------------------


def test_panel_counts_the_stalking_questions_question_8_opened_and_links_to_the_first(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    html = autosave(officer, a, answers_post(yes={"8"}, version=a.version)).content.decode()
    assert "Every question answered" not in html
    assert "11 questions not answered yet" in html
    assert re.search(
        rf'<a class="govuk-link" href="/dv1/{a.pk}/stalking/#stalking-S1" '
        r'data-testid="first-unanswered">Answer question S1 of the stalking',
        html,
    )

    a.refresh_from_db()
    html = autosave(
        officer,
        a,
        {
            "section": "supplements",
            "supplement": "stalking",
            "stalking-S1": "yes",
            "version": a.version,
        },
    ).content.decode()
    assert "10 questions not answered yet" in html
    assert f'href="/dv1/{a.pk}/stalking/#stalking-S2"' in html
    # The panel and submission agree on what is missing.
    a.refresh_from_db()
    missing = [k for k in risk_services.submission_errors(a) if k.startswith("stalking-")]
    assert len(missing) == 10


def test_panel_links_to_the_first_unanswered_checklist_question_on_its_page(scene):
    a = draft_for(scene)
    autosave(scene["officer"], a, answers_post(missing={"12", "20"}, version=a.version))
    html = scene["officer"].get(f"/dv1/{a.pk}/").content.decode()
    assert "2 questions not answered yet" in html
    assert f'href="/dv1/{a.pk}/dash-2/#q12"' in html


def test_unanswered_lists_open_supplement_questions_in_form_order():
    questions = [{"code": str(i), "number": i} for i in range(1, 28)]
    stalking = [{"code": c} for c in STALKING]
    all_sections = sections.sections_for(
        questions=questions, supplements=[("stalking", "Stalking questions", stalking)]
    )
    answers = {str(i): {"answer": "no"} for i in range(1, 28)}
    answers["8"] = {"answer": "yes"}
    missing = sections.unanswered(
        sections=all_sections, answers=answers, supplement_answers={"stalking": {}}
    )
    assert [m.field for m in missing] == [f"stalking-{c}" for c in STALKING]
    assert missing[0].section == "stalking"
    assert [s.slug for s in all_sections] == [
        "incident",
        "household",
        "dash-1",
        "dash-2",
        "dash-3",
        "stalking",
        "evidence",
        "level",
    ]
    assert all_sections[2].questions == tuple(f"q{i}" for i in range(1, 10))
    assert sections.section_of("q12", all_sections) == "dash-2"
    assert sections.section_of("level_reason", all_sections) == "level"
    assert sections.section_of("household-new-name", all_sections) == "household"


# The task list -------------------------------------------------------------------------


def test_task_list_shows_each_sections_status_and_submit_cannot_start_until_all_done(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    html = officer.get(f"/dv1/{a.pk}/").content.decode()
    assert 'class="govuk-task-list"' in html
    assert status(html, "incident") == "Not yet started"
    assert status(html, "dash-1") == "Not yet started"
    assert status(html, "check") == "Cannot start yet"
    assert f'href="/dv1/{a.pk}/check/" aria-describedby' not in html

    autosave(officer, a, answers_post(missing={"5"}, version=a.version))
    html = officer.get(f"/dv1/{a.pk}/").content.decode()
    assert status(html, "dash-1") == "In progress"
    assert status(html, "dash-2") == "Completed"
    assert "You have completed 2 of 7 sections." in html

    a.refresh_from_db()
    complete(scene, a)
    html = officer.get(f"/dv1/{a.pk}/").content.decode()
    assert all(
        status(html, slug) == "Completed"
        for slug in ("incident", "household", "dash-1", "dash-2", "dash-3", "evidence", "level")
    )
    assert status(html, "check") == "Not yet started"
    assert f'href="/dv1/{a.pk}/check/" aria-describedby="task-check-status"' in html


def test_a_level_needing_a_reason_is_in_progress_until_the_reason_is_given(scene):
    a = complete(scene)
    a = fill(a, scene["officer"].user, officer_level="medium")
    html = scene["officer"].get(f"/dv1/{a.pk}/").content.decode()
    assert status(html, "level") == "In progress"
    fill(a, scene["officer"].user, level_reason="Moved to her sister's")
    assert status(scene["officer"].get(f"/dv1/{a.pk}/").content.decode(), "level") == ("Completed")


def test_save_and_continue_on_a_lower_level_without_a_reason_saves_and_stays_with_the_error(
    scene,
):
    a = complete(scene)
    officer = scene["officer"]
    response = officer.post(
        f"/dv1/{a.pk}/level/",
        {"section": "level", "officer_level": "medium", "level_reason": "", "version": a.version},
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = "Explain why the risk is medium, below the suggested high"
    assert f'<a href="#level_reason">{message}' in html
    assert re.search(rf'id="level_reason-error">.*{message}', html)
    a.refresh_from_db()
    assert a.officer_level == "medium"  # still saved

    # Given the reason, the page moves on.
    left = officer.post(
        f"/dv1/{a.pk}/level/",
        {
            "section": "level",
            "officer_level": "medium",
            "level_reason": "Moved to her sister's",
            "version": a.version,
        },
    )
    assert left.status_code == 302 and left["Location"] == f"/dv1/{a.pk}/check/"


def test_check_your_answers_names_the_sections_not_complete_above_submit(scene):
    a = complete(scene)
    officer = scene["officer"]
    html = officer.get(f"/dv1/{a.pk}/check/").content.decode()
    assert 'data-testid="not-completed"' not in html

    a = fill(a, officer.user, officer_level="medium")
    html = officer.get(f"/dv1/{a.pk}/check/").content.decode()
    warning = re.search(r'data-testid="not-completed">(.*?)</ul>', html, re.S)
    assert warning, "no warning of the sections not complete"
    assert f'<a class="govuk-link" href="/dv1/{a.pk}/level/?return=check">Risk level</a>' in (
        warning.group(1)
    )
    assert "dash-1" not in warning.group(1)
    assert html.index('data-testid="not-completed"') < html.index("Submit DV1</button>")


# Each section saves as it is left ------------------------------------------------------


def test_save_and_continue_saves_each_section_and_goes_to_the_next(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    url = f"/dv1/{a.pk}"
    left = officer.post(
        f"{url}/incident/",
        {"section": "narrative", "narrative": "Door kicked in", "version": a.version},
    )
    assert left["Location"] == f"{url}/household/"
    a.refresh_from_db()
    assert a.narrative == "Door kicked in" and a.sections_saved == ["incident"]

    part = {f"q{c}": "yes" if c == "8" else "no" for c in ALL_CODES[:9]}
    left = officer.post(f"{url}/dash-1/", {"section": "questions", **part, "version": a.version})
    assert left["Location"] == f"{url}/dash-2/"
    a.refresh_from_db()
    assert a.answers["8"]["answer"] == "yes" and "10" not in a.answers

    rest = {f"q{c}": "no" for c in ALL_CODES[18:]}
    left = officer.post(
        f"{url}/dash-3/", {"section": ["questions", "honour"], **rest, "version": a.version}
    )
    # Question 8 opened the stalking questions: they come next.
    assert left["Location"] == f"{url}/stalking/"

    left = officer.post(
        f"{url}/level/",
        {"section": "level", "officer_level": "standard", "version": a.version + 1},
    )
    assert left["Location"] == f"{url}/check/"
    left = officer.post(
        f"{url}/evidence/",
        {"section": ["witnesses", "safeguarding"], "safeguarding": "arrest", "then": "tasks"},
    )
    assert left["Location"] == f"{url}/"
    a.refresh_from_db()
    assert a.officer_level == "standard" and a.safeguarding["arrest"] is True
    assert a.sections_saved == ["incident", "dash-1", "dash-3", "level", "evidence"]
    assert a.history.filter(history_change_reason="DV1 draft saved").count() == 5


def test_without_javascript_a_household_member_is_added_on_its_page(scene):
    a = draft_for(scene)
    response = scene["officer"].post(
        f"/dv1/{a.pk}/household/",
        {
            "section": "household",
            "add_household": "1",
            "household-new-name": "Leo Rowe",
            "household-new-relationship": "Son",
            "version": a.version,
        },
    )
    assert response["Location"] == f"/dv1/{a.pk}/household/#dv1-household"
    a.refresh_from_db()
    assert [m["name"] for m in a.household] == ["Leo Rowe"]
    assert a.sections_saved == []  # adding a row is not leaving the section

    refused = scene["officer"].post(
        f"/dv1/{a.pk}/household/",
        {"section": "household", "add_household": "1", "version": a.version},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    # The problem links to the field on this page, with what was typed kept.
    assert '<a href="#household-new-name">Enter the household member&#x27;s name</a>' in html


def test_a_household_member_typed_but_not_added_is_added_on_save_and_continue(scene):
    a = draft_for(scene)
    response = scene["officer"].post(
        f"/dv1/{a.pk}/household/",
        {
            "section": "household",
            "household-new-name": "Leo Rowe",
            "household-new-relationship": "Son",
            "version": a.version,
        },
    )
    # Back to the list to see the member added; the section is not yet done.
    assert response["Location"] == f"/dv1/{a.pk}/household/#dv1-household"
    a.refresh_from_db()
    assert [m["name"] for m in a.household] == ["Leo Rowe"] and a.sections_saved == []

    refused = scene["officer"].post(
        f"/dv1/{a.pk}/household/",
        {"section": "household", "household-new-name": "Mia Rowe", "version": a.version},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Enter how the household member is related to the victim" in html
    assert 'value="Mia Rowe"' in html


def test_a_section_that_does_not_exist_is_not_found_and_nothing_is_saved(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    assert officer.get(f"/dv1/{a.pk}/nonsense/").status_code == 404
    response = officer.post(f"/dv1/{a.pk}/nonsense/", {"section": "narrative", "narrative": "X"})
    assert response.status_code == 404
    a.refresh_from_db()
    assert a.narrative == "" and a.sections_saved == []


def test_a_question_that_opens_a_supplement_says_so(scene):
    a = draft_for(scene)
    html = scene["officer"].get(f"/dv1/{a.pk}/dash-1/").content.decode()
    assert "If yes, the stalking and harassment questions follow the checklist." in html
    assert 'aria-describedby="q8-hint"' in html


def test_a_stale_section_save_is_refused_and_changes_nothing(scene, client_for):
    a = draft_for(scene)
    read_version = a.version
    colleague = client_for(Role.OFFICER, team="response")
    autosave(colleague, a, {"section": "narrative", "narrative": "Theirs", "version": a.version})
    response = scene["officer"].post(
        f"/dv1/{a.pk}/incident/",
        {"section": "narrative", "narrative": "Mine", "version": read_version},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert '<a href="#save-status">Someone else saved this DV1' in html
    a.refresh_from_db()
    assert a.narrative == "Theirs" and a.sections_saved == []


def test_a_section_opened_from_check_your_answers_shows_its_problems_and_returns(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    autosave(officer, a, answers_post(missing={"7"}, version=a.version))
    html = officer.get(f"/dv1/{a.pk}/dash-1/?return=check").content.decode()
    assert 'data-testid="error-summary"' in html
    assert '<a href="#q7">Answer question 7: yes, no or not known</a>' in html
    assert 'id="q7-error"' in html
    assert "Save and return to check your answers" in html
    a.refresh_from_db()
    back = officer.post(
        f"/dv1/{a.pk}/dash-1/?return=check",
        {"section": "questions", "q7": "no", "version": a.version},
    )
    assert back["Location"] == f"/dv1/{a.pk}/check/"


def test_each_section_page_shows_the_score_panel_and_is_logged(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    for slug in ("incident", "household", "dash-1", "dash-2", "dash-3", "evidence", "level"):
        html = officer.get(f"/dv1/{a.pk}/{slug}/").content.decode()
        assert 'data-testid="score"' in html, slug
        assert f'data-draft-key="dv1:{a.pk}:{slug}"' in html
    assert 'data-testid="score"' in officer.get(f"/dv1/{a.pk}/check/").content.decode()
    assert AccessLog.objects.filter(object_id=str(a.pk), person_id=a.victim_id).count() == 8


# Check your answers and submission -----------------------------------------------------


def test_check_your_answers_shows_every_answer_with_a_change_link(scene):
    a = complete(scene)
    a = fill(
        a,
        scene["officer"].user,
        answers={"2": {"answer": "yes", "comment": "He will kill me"}},
    )
    html = scene["officer"].get(f"/dv1/{a.pk}/check/").content.decode()
    assert "Check your answers before submitting the DV1" in html
    assert "He will kill me" in html and "Door kicked in" in html
    assert f'href="/dv1/{a.pk}/dash-1/?return=check#q2">Change' in html
    assert f'href="/dv1/{a.pk}/dash-3/?return=check#q27">Change' in html
    assert f'href="/dv1/{a.pk}/incident/?return=check#narrative">Change' in html
    assert f'href="/dv1/{a.pk}/level/?return=check#officer_level">Change' in html
    assert html.count(">Change<span") >= 27 + 4
    assert re.search(r'data-testid="check-officer-level">High<', html)
    assert f'action="/dv1/{a.pk}/submit/"' in html
    assert f'name="version" value="{a.version}"' in html


def test_submitting_from_check_your_answers_opens_and_routes_the_case(scene):
    a = complete(scene)
    response = scene["officer"].post(f"/dv1/{a.pk}/submit/", {"version": a.version})
    assert response["Location"] == f"/dv1/{a.pk}/submitted/"
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED and a.routed_to
    assert a.case.risk_level == "high"
    # Nothing was posted but the version: no extra draft save before submission.
    assert not a.history.filter(history_change_reason="DV1 draft saved", version=a.version).exists()
    html = scene["officer"].get(response["Location"]).content.decode()
    assert f'data-draft-clear="dv1:{a.pk}:dash-1"' in html


def test_a_stale_version_is_refused_on_check_your_answers(scene, client_for):
    a = complete(scene)
    read_version = a.version
    colleague = client_for(Role.OFFICER, team="response")
    autosave(colleague, a, answers_post(version=a.version))  # every answer now no
    response = scene["officer"].post(f"/dv1/{a.pk}/submit/", {"version": read_version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this DV1" in html
    assert f'<a href="/dv1/{a.pk}/check/">' in html
    a.refresh_from_db()
    assert a.status == AssessmentStatus.DRAFT and Case.objects.count() == 0


def test_a_submitted_dv1s_section_pages_lead_to_the_read_only_dv1(scene):
    a = complete(scene)
    a = risk_services.assessment_submit(assessment=a, user=scene["officer"].user)
    officer = scene["officer"]
    assert officer.get(f"/dv1/{a.pk}/dash-1/")["Location"] == f"/dv1/{a.pk}/"
    assert officer.get(f"/dv1/{a.pk}/check/")["Location"] == f"/dv1/{a.pk}/"
    assert officer.post(f"/dv1/{a.pk}/incident/", {"section": "narrative"}).status_code == 302
    a.refresh_from_db()
    assert a.narrative == "Door kicked in"


@pytest.mark.parametrize("role", [Role.CALL_TAKER, Role.DASO])
def test_other_roles_are_refused_the_section_and_check_pages(scene, client_for, role):
    a = draft_for(scene)
    outsider = client_for(role)
    assert outsider.get(f"/dv1/{a.pk}/dash-1/").status_code == 403
    assert outsider.get(f"/dv1/{a.pk}/check/").status_code == 403
    post = outsider.post(f"/dv1/{a.pk}/incident/", {"section": "narrative", "narrative": "X"})
    assert post.status_code == 403
    a.refresh_from_db()
    assert a.narrative == ""
