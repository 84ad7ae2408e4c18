"""The officer's DV1 pages: starting from an incident, the prefilled household, autosave
with the live score, the error summary, submission and its confirmation, amendments,
refusals, the access log and bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases.models import Case
from dasapp.models import AccessLog
from dasapp.roles import Role
from people import services
from risk import services as risk_services
from risk.choices import AssessmentStatus
from risk.models import Assessment

ALL_CODES = [str(i) for i in range(1, 28)]
# Fifteen yes answers that open no supplement (4 opens honour-based abuse, 8 stalking).
FIFTEEN_YES = [c for c in ALL_CODES if c not in {"4", "8"}][:15]


@pytest.fixture
def scene(org, client_for):
    officer = client_for(Role.OFFICER, team="response")
    victim = services.person_create(data=services.PersonInput(given_name="Nia", family_name="Rowe"))
    suspect = services.person_create(
        data=services.PersonInput(given_name="Kyle", family_name="Dunn")
    )
    address, _ = services.address_get_or_create(
        line1="3 Mill Row", postcode="CO1 2AB", town="Colchester"
    )
    services.person_address_link(person=victim, address=address)
    return {"officer": officer, "victim": victim, "suspect": suspect, "address": address}


def incident_for(s, *, at=None, suspects=None) -> Incident:
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        created_at=at or timezone.now(),
        grade="priority",
        address=s["address"],
        district=s["address"].district,
    )
    IncidentPerson.objects.create(incident=incident, person=s["victim"], role=IncidentRole.VICTIM)
    for suspect in suspects or [s["suspect"]]:
        IncidentPerson.objects.create(incident=incident, person=suspect, role=IncidentRole.SUSPECT)
    return incident


def household(n: int) -> list[dict]:
    members = [
        {
            "person_id": None,
            "name": "Ava Rowe",
            "relationship": "Daughter",
            "date_of_birth": "2018-05-01",
            "confirmed": True,
        }
    ]
    for i in range(1, n):
        members.append(
            {
                "person_id": None,
                "name": f"Lodger {i}",
                "relationship": "Lodger",
                "date_of_birth": "",
                "confirmed": True,
            }
        )
    return members


def earlier_dv1(s, *, members: int = 1) -> Assessment:
    """A DV1 submitted at an earlier incident: the victim is a repeat victim."""
    user = s["officer"].user
    a = risk_services.assessment_start(
        incident=incident_for(s, at=timezone.now() - dt.timedelta(days=400)),
        victim=s["victim"],
        perpetrator=s["suspect"],
        user=user,
    )
    a, errors = risk_services.assessment_save(
        assessment=a,
        user=user,
        changes=risk_services.DraftChanges(
            answers={c: {"answer": "no"} for c in ALL_CODES},
            household=household(members),
            officer_level="standard",
        ),
    )
    assert errors == {}
    return risk_services.assessment_submit(assessment=a, user=user)


def draft_for(s, incident=None) -> Assessment:
    return risk_services.assessment_start(
        incident=incident or incident_for(s),
        victim=s["victim"],
        perpetrator=s["suspect"],
        user=s["officer"].user,
    )


def answers_post(yes=(), *, rest="no", missing=(), version=None, **extra) -> dict:
    data: dict = {"section": ["answers"]}
    for code in ALL_CODES:
        data[f"q{code}-comment"] = ""
        if code not in missing:
            data[f"q{code}"] = "yes" if code in yes else rest
    if version is not None:
        data["version"] = str(version)
    data.update(extra)
    return data


def autosave(client, a: Assessment, data: dict):
    return client.post(f"/dv1/{a.pk}/autosave/", data, HTTP_HX_REQUEST="true")


# Starting from the incident ----------------------------------------------------------


def test_officer_starts_a_dv1_from_the_incident_and_finds_the_household_prefilled(scene):
    earlier_dv1(scene)
    incident = incident_for(scene)
    officer = scene["officer"]

    page = officer.get(f"/calls/{incident.pk}/")
    assert "Complete a DV1 for Nia Rowe" in page.content.decode()

    started = officer.post("/dv1/start/", {"incident": incident.pk, "victim": scene["victim"].pk})
    a = Assessment.objects.get(incident=incident)
    assert started.status_code == 302
    assert started["Location"] == f"/dv1/{a.pk}/?via=incident:{incident.pk}"
    assert a.perpetrator == scene["suspect"]

    tasks = officer.get(started["Location"]).content.decode()
    # The prefilled household is there to confirm: the section is in progress.
    assert re.search(r'data-testid="status-household">\s*<strong[^>]*>In progress<', tasks)
    html = officer.get(f"/dv1/{a.pk}/household/").content.decode()
    assert "Ava Rowe" in html
    assert 'name="household-0-relationship" value="Daughter"' in html
    # Prefilled details are offered to confirm, never taken as confirmed.
    assert re.search(r'id="household-0-confirmed"[^>]*value="1">', html)
    assert "Confirmed with the victim" in html


def test_the_victims_child_is_shown_as_her_child_not_as_parent_of(scene):
    child = services.person_create(
        data=services.PersonInput(
            given_name="Ava", family_name="Rowe", date_of_birth=dt.date(2019, 5, 1)
        )
    )
    services.relationship_link(person=scene["victim"], other=child, kind="parent_of")
    a = draft_for(scene)
    officer = scene["officer"]

    html = officer.get(f"/dv1/{a.pk}/household/").content.decode()
    assert 'name="household-0-relationship" value="Child"' in html
    check = officer.get(f"/dv1/{a.pk}/check/").content.decode()
    assert re.search(r'summary-list__value">Child, born', check)
    for page in (html, check):
        assert "Parent of" not in page


def test_with_two_suspects_the_officer_chooses_the_abuser_when_starting(scene):
    other = services.person_create(data=services.PersonInput(given_name="Lee", family_name="Marsh"))
    incident = incident_for(scene, suspects=[scene["suspect"], other])
    officer = scene["officer"]
    assert (
        "Who is the abuser of Nia Rowe?" in officer.get(f"/calls/{incident.pk}/").content.decode()
    )
    officer.post(
        "/dv1/start/",
        {"incident": incident.pk, "victim": scene["victim"].pk, "perpetrator": other.pk},
    )
    assert Assessment.objects.get(incident=incident).perpetrator == other


def test_starting_for_someone_who_is_not_a_victim_on_the_incident_is_refused(scene):
    incident = incident_for(scene)
    response = scene["officer"].post(
        "/dv1/start/", {"incident": incident.pk, "victim": scene["suspect"].pk}
    )
    assert response.status_code == 404
    assert not Assessment.objects.exists()


# Autosave and the live score -----------------------------------------------------------


def test_autosave_stores_answers_and_returns_the_score_panel(scene):
    a = draft_for(scene)
    response = autosave(
        scene["officer"],
        a,
        answers_post(yes={"1", "2", "5"}, version=a.version, **{"q2-comment": "He will kill me"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="yes-count">3</span>' in html
    assert re.search(r'data-testid="suggested-level">Standard<', html)
    assert 'id="version" name="version" value="2" hx-swap-oob="true"' in html
    a.refresh_from_db()
    assert a.answers["2"] == {"answer": "yes", "comment": "He will kill me"}
    assert a.yes_count == 3 and a.version == 2


def test_question_eight_yes_opens_the_stalking_questions_as_a_section(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    html = autosave(officer, a, answers_post(yes={"8"}, version=a.version)).content.decode()
    # The panel (swapped in by the autosave) sends the officer to the new questions.
    assert f'href="/dv1/{a.pk}/stalking/#stalking-S1"' in html
    tasks = officer.get(f"/dv1/{a.pk}/").content.decode()
    assert 'data-testid="task-stalking"' in tasks and 'data-testid="task-hba"' not in tasks
    page = officer.get(f"/dv1/{a.pk}/stalking/").content.decode()
    assert 'data-testid="supplement-stalking"' in page
    assert 'name="stalking-S1"' in page
    assert "Shown because question 8 was answered yes." in page
    # Honour-based abuse is not open: its page leads back to the task list.
    assert officer.get(f"/dv1/{a.pk}/hba/")["Location"] == f"/dv1/{a.pk}/"


def test_honour_context_opens_the_honour_based_abuse_questions(scene):
    a = draft_for(scene)
    autosave(scene["officer"], a, answers_post(version=a.version, honour_context="1"))
    html = scene["officer"].get(f"/dv1/{a.pk}/hba/").content.decode()
    assert 'data-testid="supplement-hba"' in html
    assert "you said the context calls for these questions" in html


def test_fifteen_yes_shows_visible_high_risk_and_potential_escalation_with_evidence(scene):
    for days in (40, 200):
        incident_for(scene, at=timezone.now() - dt.timedelta(days=days))
    a = draft_for(scene)
    html = autosave(
        scene["officer"], a, answers_post(yes=set(FIFTEEN_YES), version=a.version)
    ).content.decode()
    assert 'data-testid="yes-count">15</span>' in html
    assert re.search(r'data-testid="suggested-level">High<', html)
    assert "Visible high risk" in html
    assert "15 yes answers on the checklist (the threshold is 14)" in html
    assert "Potential escalation" in html
    assert "3 police call-outs for this victim in the last 365 days" in html


def test_a_save_over_a_colleagues_change_gets_the_conflict_message_and_changes_nothing(
    scene, client_for
):
    a = draft_for(scene)
    read_version = a.version
    colleague = client_for(Role.OFFICER, team="response")
    autosave(colleague, a, answers_post(yes={"1"}, version=a.version))
    response = autosave(scene["officer"], a, answers_post(yes={"1", "2"}, version=read_version))
    assert response.status_code == 409
    assert "Someone else saved this DV1" in response.content.decode()
    a.refresh_from_db()
    assert a.yes_count == 1


def test_the_officers_own_saves_arriving_out_of_order_are_not_a_conflict(scene):
    a = draft_for(scene)
    read_version = a.version
    autosave(scene["officer"], a, answers_post(yes={"1"}, version=read_version))
    response = autosave(scene["officer"], a, answers_post(yes={"1", "2"}, version=read_version))
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.yes_count == 2


def test_household_members_and_witnesses_are_added_and_removed(scene):
    earlier_dv1(scene)
    a = draft_for(scene)
    officer = scene["officer"]
    rows = {
        "section": ["household", "witnesses"],
        "household-row": ["0"],
        "household-0-name": "Ava Rowe",
        "household-0-date_of_birth": "2018-05-01",
        "household-0-relationship": "Daughter",
        "household-0-confirmed": "1",
    }
    refused = autosave(officer, a, {**rows, "version": a.version, "add_household": "1"})
    assert "Enter the household member&#x27;s name" in refused.content.decode()

    added = autosave(
        officer,
        a,
        {
            **rows,
            "version": a.version + 1,
            "add_household": "1",
            "household-new-name": "Leo Rowe",
            "household-new-relationship": "Son",
            "household-new-date_of_birth": "2020-02-29",
        },
    )
    assert 'id="dv1-household" hx-swap-oob="true"' in added.content.decode()
    a.refresh_from_db()
    assert [m["name"] for m in a.household] == ["Ava Rowe", "Leo Rowe"]
    assert a.household[0]["confirmed"] is True

    autosave(officer, a, {**rows, "version": a.version, "remove_household": "0"})
    autosave(officer, a, {"section": "witnesses", "version": a.version + 1, "add_witness": "1"})
    a.refresh_from_db()
    assert a.household == []
    assert a.witnesses == [{"name": "", "contact": "", "saw": ""}]
    autosave(
        officer,
        a,
        {
            "section": "witnesses",
            "version": a.version,
            "witness-row": "0",
            "witness-0-name": "Mr Okafor",
            "witness-0-contact": "07700 900321",
            "witness-0-saw": "Heard shouting",
        },
    )
    a.refresh_from_db()
    assert a.witnesses[0]["saw"] == "Heard shouting"


def test_adding_or_removing_a_row_moves_focus_to_it_and_says_what_happened(scene):
    a = draft_for(scene)
    officer = scene["officer"]
    rows = {
        "section": "household",
        "household-row": ["0"],
        "household-0-name": "Ava Rowe",
        "household-0-relationship": "Daughter",
    }
    added = autosave(
        officer,
        a,
        {
            **rows,
            "version": a.version,
            "add_household": "1",
            "household-new-name": "Leo Rowe",
            "household-new-relationship": "Son",
        },
    ).content.decode()
    assert added.count("data-take-focus") == 1
    refused = autosave(
        officer,
        a,
        {**rows, "version": a.version, "add_household": "1", "household-new-name": "Leo Rowe"},
    ).content.decode()
    # Refused for want of the relationship: focus goes to that field, with its error.
    assert refused.count("data-take-focus") == 1
    assert 'name="household-new-relationship" data-draft-ignore data-take-focus' in refused
    assert re.search(
        r'data-testid="household-member" tabindex="-1" data-take-focus>\s*'
        r'<input type="hidden" name="household-row" value="1">',
        added,
    )
    assert '<div id="rows-announce" hx-swap-oob="innerHTML">Leo Rowe added to the household' in (
        added
    )
    # A submit button's formaction would become the path of the form's next autosave.
    assert "formaction" not in added
    # The add fields are empty again, and never kept as a copy on the device.
    assert 'id="household-new-name" name="household-new-name" data-draft-ignore value=""' in added

    a.refresh_from_db()
    removed = autosave(
        officer,
        a,
        {
            "section": "household",
            "household-row": ["0", "1"],
            "household-0-name": "Ava Rowe",
            "household-0-relationship": "Daughter",
            "household-1-name": "Leo Rowe",
            "household-1-relationship": "Son",
            "version": a.version,
            "remove_household": "0",
        },
    ).content.decode()
    # Focus goes to the row that took the removed one's place.
    assert re.search(
        r'data-take-focus>\s*<input type="hidden" name="household-row" value="0">'
        r'\s*<input type="hidden" name="household-0-person_id" value="">\s*'
        r'<input type="hidden" name="household-0-name" value="Leo Rowe">',
        removed,
    )
    assert "Ava Rowe removed from the household" in removed

    a.refresh_from_db()
    witness = autosave(
        officer, a, {"section": "witnesses", "version": a.version, "add_witness": "1"}
    ).content.decode()
    assert re.search(r'data-testid="witness" tabindex="-1" data-take-focus>', witness)
    assert "Witness 1 added" in witness
    a.refresh_from_db()
    gone = autosave(
        officer,
        a,
        {"section": "witnesses", "witness-row": "0", "version": a.version, "remove_witness": "0"},
    ).content.decode()
    assert re.search(r'app-empty app-focus-target" tabindex="-1" data-take-focus>No third', gone)
    assert "Witness 1 removed" in gone


def test_save_draft_without_javascript_saves_and_returns_to_the_form(scene):
    a = draft_for(scene)
    response = scene["officer"].post(
        f"/dv1/{a.pk}/autosave/",
        {"section": ["narrative"], "narrative": "Door kicked in", "version": a.version},
    )
    assert response.status_code == 302 and response["Location"] == f"/dv1/{a.pk}/"
    a.refresh_from_db()
    assert a.narrative == "Door kicked in"


# Submitting ----------------------------------------------------------------------------


def test_incomplete_submit_is_400_with_a_summary_linking_each_missing_answer(scene):
    a = draft_for(scene)
    data = answers_post(yes={"1"}, missing={"7"}, version=a.version)
    data["q9"] = "not_known"
    data["q2-comment"] = "I am scared all the time"
    data["section"] = ["answers", "level"]
    response = scene["officer"].post(f"/dv1/{a.pk}/submit/", data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('data-testid="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    # Each problem links to its field on its section's page, which returns here.
    assert (
        f'<a href="/dv1/{a.pk}/dash-1/?return=check#q7">Answer question 7: yes, no or not known</a>'
        in summary
    )
    assert "#q9" not in summary  # "not known" is an answer
    assert f'<a href="/dv1/{a.pk}/level/?return=check#officer_level">Choose the risk level' in (
        summary
    )
    # Everything entered is kept, and shown on check your answers.
    assert re.search(r'data-testid="answer-q9">\s*<dt[^>]*>[^<]*</dt>\s*<dd[^>]*>Not known', html)
    assert "I am scared all the time" in html
    assert Case.objects.count() == 0


def test_submit_creates_the_case_and_the_confirmation_shows_the_routed_queue(scene):
    for days in (40, 200):
        incident_for(scene, at=timezone.now() - dt.timedelta(days=days))
    a = draft_for(scene)
    data = answers_post(yes=set(FIFTEEN_YES), version=a.version)
    data.update(section=["answers", "level"], officer_level="high")
    response = scene["officer"].post(f"/dv1/{a.pk}/submit/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/dv1/{a.pk}/submitted/"
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED and a.routed_to
    html = scene["officer"].get(response["Location"]).content.decode()
    assert a.case.reference in html
    assert f'data-testid="routed-to">{a.routed_to}<' in html
    assert "Visible high risk" in html and "Potential escalation" in html
    assert f'href="/cases/{a.case_id}/"' in html


def test_level_below_the_suggestion_without_a_reason_is_refused_with_a_link(scene):
    a = draft_for(scene)
    data = answers_post(yes=set(FIFTEEN_YES), version=a.version)
    data.update(section=["answers", "level"], officer_level="medium")
    html = scene["officer"].post(f"/dv1/{a.pk}/submit/", data).content.decode()
    assert (
        f'<a href="/dv1/{a.pk}/level/?return=check#level_reason">Explain why the risk is medium, '
        "below the suggested high" in html
    )


def test_a_submitted_dv1_cannot_be_changed_and_an_amendment_is_a_linked_draft(scene):
    officer = scene["officer"]
    submitted = earlier_dv1(scene)
    assert autosave(officer, submitted, answers_post(yes={"1"})).status_code == 403
    assert officer.post(f"/dv1/{submitted.pk}/submit/", answers_post()).status_code == 403
    submitted.refresh_from_db()
    assert submitted.yes_count == 0

    html = officer.get(f"/dv1/{submitted.pk}/").content.decode()
    assert "Amend this DV1" in html and 'name="q1"' not in html

    response = officer.post(f"/dv1/{submitted.pk}/amend/")
    amendment = Assessment.objects.get(amends=submitted)
    assert response["Location"] == f"/dv1/{amendment.pk}/"
    assert amendment.status == AssessmentStatus.DRAFT
    assert amendment.answers == submitted.answers
    assert f"/dv1/{submitted.pk}/" in officer.get(response["Location"]).content.decode()


# Who may, and the record of who did --------------------------------------------------


@pytest.mark.parametrize("role", [Role.CALL_TAKER, Role.PARTNER])
def test_other_roles_are_refused_every_dv1_page(scene, client_for, role):
    a = draft_for(scene)
    outsider = client_for(role)
    assert outsider.get(f"/dv1/{a.pk}/").status_code == 403
    assert outsider.get("/dv1/").status_code == 403
    assert autosave(outsider, a, answers_post(yes={"1"})).status_code == 403
    assert outsider.post(f"/dv1/{a.pk}/submit/", answers_post()).status_code == 403
    incident = a.incident
    start = outsider.post("/dv1/start/", {"incident": incident.pk, "victim": a.victim_id})
    assert start.status_code == 403
    a.refresh_from_db()
    assert a.yes_count == 0


def test_call_taker_does_not_see_the_dv1_block_on_the_incident(scene, client_for):
    incident = incident_for(scene)
    html = client_for(Role.CALL_TAKER).get(f"/calls/{incident.pk}/").content.decode()
    assert "Complete a DV1" not in html


def test_viewing_the_dv1_is_logged_with_the_victim_and_the_incident(scene):
    a = draft_for(scene)
    scene["officer"].get(f"/dv1/{a.pk}/")
    row = AccessLog.objects.get(object_type="risk.assessment", object_id=str(a.pk))
    assert row.action == AccessLog.Action.CONSULT
    assert row.user == scene["officer"].user
    assert row.person_id == scene["victim"].pk
    assert row.work_item == f"incident:{a.incident_id}"


def test_viewing_from_a_work_item_logs_that_work_item(scene):
    from cases.models import Case, Task

    a = draft_for(scene)
    case = Case.objects.create(victim=scene["victim"], risk_level="high", opened_at=a.created_at)
    Task.objects.create(
        kind="challenge", case=case, assigned_to=scene["officer"].user, created_at=a.created_at
    )
    scene["officer"].get(f"/dv1/{a.pk}/?via=case:{case.pk}")
    assert AccessLog.objects.get(object_id=str(a.pk)).work_item == f"case:{case.pk}"


def test_a_work_item_about_someone_else_is_not_logged_for_the_dv1(scene):
    from cases.models import Case, Task
    from people import services

    a = draft_for(scene)
    other = services.person_create(data=services.PersonInput(given_name="Ona", family_name="X"))
    case = Case.objects.create(victim=other, risk_level="high", opened_at=a.created_at)
    Task.objects.create(
        kind="challenge", case=case, assigned_to=scene["officer"].user, created_at=a.created_at
    )
    scene["officer"].get(f"/dv1/{a.pk}/?via=case:{case.pk}")
    assert AccessLog.objects.get(object_id=str(a.pk)).work_item == f"incident:{a.incident_id}"


def test_dv1_list_shows_the_officers_drafts_and_submissions(scene):
    submitted = earlier_dv1(scene)
    draft = draft_for(scene)
    html = scene["officer"].get("/dv1/").content.decode()
    assert draft.reference in html and submitted.reference in html


@pytest.mark.parametrize("page", ["household/", "", "check/"])
def test_dv1_page_queries_are_bounded_whatever_the_household_size(
    scene, django_assert_max_num_queries, page
):
    earlier_dv1(scene, members=1)
    small = draft_for(scene)
    officer = scene["officer"]
    officer.get(f"/dv1/{small.pk}/{page}")  # warm caches (question sets, sessions)
    with django_assert_max_num_queries(12) as baseline:
        assert officer.get(f"/dv1/{small.pk}/{page}").status_code == 200
    small.household = household(12)
    small.save()
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        html = officer.get(f"/dv1/{small.pk}/{page}").content.decode()
    if page == "household/":
        assert html.count('data-testid="household-member"') == 12
    if page == "check/":
        assert html.count('<dt class="govuk-summary-list__key">Lodger ') == 11


# The officer's home page -------------------------------------------------------------


def dv1_section(html: str) -> str:
    return html.split(">DV1 forms to complete</h2>")[1].split("</section>")[0]


def test_officer_home_lists_their_dv1_drafts_without_names(scene, client_for):
    mine = draft_for(scene)
    submitted = earlier_dv1(scene)
    other_officer = client_for(Role.OFFICER, team="response").user
    theirs = risk_services.assessment_start(
        incident=incident_for(scene), victim=scene["victim"], perpetrator=None, user=other_officer
    )

    html = dv1_section(scene["officer"].get("/").content.decode())
    assert mine.reference in html
    assert f'href="/dv1/{mine.pk}/?via=incident:{mine.incident_id}"' in html
    assert f"for incident {mine.incident.reference}" in html
    assert submitted.reference not in html and theirs.reference not in html
    assert "Nia" not in html and "Rowe" not in html
    assert "You have no DV1" not in html
    assert 'href="/dv1/"' in html


def test_officer_home_says_so_when_they_have_no_dv1_draft(scene):
    earlier_dv1(scene)  # submitted: nothing left to complete
    html = dv1_section(scene["officer"].get("/").content.decode())
    assert "You have no DV1 drafts." in html


def test_officer_home_runs_the_same_queries_for_1_dv1_draft_as_for_6(scene):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = scene["officer"]
    draft_for(scene)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _ in range(5):
        draft_for(scene)
    with CaptureQueriesContext(connection) as six:
        html = client.get("/").content.decode()
    assert dv1_section(html).count("<li>") == 6
    assert len(six) == len(one)


# The suggestion follows the MARAC criteria; red flags for professional judgement ------

# The reported DV1: 13 yes with threats to kill, strangulation and a weapon.
THIRTEEN_YES = {"1", "2", "3", "5", "6", "9", "13", "14", "15", "16", "17", "18", "24"}


def test_the_panel_says_which_marac_criterion_made_the_suggestion_high_and_names_red_flags(
    scene,
):
    for days in (30, 90, 180, 300):
        incident_for(scene, at=timezone.now() - dt.timedelta(days=days))
    a = draft_for(scene)

    # Typed on the risk level's page (its reason box is posted with every save).
    html = autosave(
        scene["officer"], a, answers_post(yes=THIRTEEN_YES, version=a.version, level_reason="")
    ).content.decode()

    assert 'data-testid="yes-count">13</span>' in html
    assert re.search(r'data-testid="suggested-level">High<', html)
    assert re.search(
        r'data-testid="because-potential_escalation">.*MARAC criterion met: potential escalation',
        html,
    )
    assert "5 police call-outs for this victim" in html
    flags = html[html.index('data-testid="red-flags"') :]
    assert "Consider professional judgement" in flags
    for code, label, question in [
        ("strangulation", "Non-fatal strangulation or choking", "18"),
        ("threats_to_kill", "Threats to kill", "17"),
        ("weapon", "Use or threat of a weapon", "16"),
    ]:
        assert re.search(
            rf'data-testid="red-flag-{code}"><strong>{label}</strong> \(question {question} '
            "answered yes",
            flags,
        )
    assert 'data-testid="red-flag-stalking"' not in flags
    # The level field says a lower level than this high needs a reason.
    hint = re.search(
        r'<div class="govuk-hint" id="officer_level-hint"[^>]*>(.*?)</div>', html, re.S
    )
    assert 'hx-swap-oob="true"' in hint.group(0)
    assert "suggests <strong>high</strong> (MARAC criterion met: potential escalation)" in hint[1]
    assert "A lower level needs a reason, and a supervisor reviews it." in hint[1]
    # A save from a page without the level field sends no hint to swap.
    a.refresh_from_db()
    html = autosave(
        scene["officer"], a, answers_post(yes=THIRTEEN_YES, version=a.version)
    ).content.decode()
    assert 'id="officer_level-hint"' not in html


def test_a_medium_below_a_marac_driven_high_is_refused_without_a_reason(scene):
    for days in (30, 90, 180, 300):
        incident_for(scene, at=timezone.now() - dt.timedelta(days=days))
    a = draft_for(scene)
    data = answers_post(yes=THIRTEEN_YES, version=a.version)
    data.update(section=["answers", "level"], officer_level="medium")

    response = scene["officer"].post(f"/dv1/{a.pk}/submit/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'<a href="/dv1/\d+/level/[^"]*#level_reason">'
        "Explain why the risk is medium, below the suggested high",
        html,
    )
    assert not Case.objects.exists()


def test_the_case_page_names_the_red_flags_with_consider_professional_judgement(scene, client_for):
    for days in (30, 90, 180, 300):
        incident_for(scene, at=timezone.now() - dt.timedelta(days=days))
    a = draft_for(scene)
    data = answers_post(yes=THIRTEEN_YES, version=a.version)
    data.update(section=["answers", "level"], officer_level="high")
    assert scene["officer"].post(f"/dv1/{a.pk}/submit/", data).status_code == 302
    a.refresh_from_db()
    assert a.case.risk_level == "high" and a.case.queue.kind in {"hub_high", "cru_high"}

    daso = client_for(Role.DASO, team="cru")
    html = daso.get(f"/cases/{a.case_id}/?via=queue:{a.case.queue_id}").content.decode()

    flags = html[html.index('data-testid="red-flags"') :]
    assert '<h2 class="govuk-heading-m' in flags[:300]
    assert "Consider professional judgement" in flags
    assert "Non-fatal strangulation or choking" in flags
    assert "Threats to kill" in flags and "Use or threat of a weapon" in flags
    assert "Separation, controlling behaviour and escalating violence together" in flags
    assert AccessLog.objects.filter(person_id=scene["victim"].pk, user=daso.user).exists()


def test_the_reasons_for_the_suggested_level_are_one_list_labelled_suggested_because_once():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    reasons = [
        {"code": "yes_count", "text": "14 yes answers"},
        {"code": "potential_escalation", "text": "MARAC criterion met: potential escalation"},
    ]
    html = render_to_string(
        "risk/_level_reasons.html",
        {"assessment": SimpleNamespace(suggested_level_reasons=reasons)},
    )
    assert html.count("Suggested because") == 1
    label = re.search(r'<p class="govuk-visually-hidden" id="([^"]+)">Suggested because:</p>', html)
    assert label and '<ul class="govuk-list' in html
    assert f'aria-labelledby="{label[1]}"' in html
    assert html.count("<li ") == 2


def test_the_forms_own_autosave_never_adds_or_removes_a_row_a_second_time(scene):
    """htmx may send the add button pressed before a later save as typed: that save (its
    trigger is the form) adds nobody; the button's own request does."""
    a = draft_for(scene)
    rows = {
        "section": ["household", "witnesses"],
        "household-row": ["0"],
        "household-0-name": "Ava Rowe",
        "household-0-relationship": "Daughter",
        "household-new-name": "Leo Rowe",
        "household-new-relationship": "Son",
        "add_household": "1",
    }

    scene["officer"].post(
        f"/dv1/{a.pk}/autosave/",
        {**rows, "version": a.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="dv1-form",
    )
    a.refresh_from_db()
    assert [m["name"] for m in a.household] == ["Ava Rowe"]

    scene["officer"].post(
        f"/dv1/{a.pk}/autosave/",
        {**rows, "version": a.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="household-add",
    )
    a.refresh_from_db()
    assert [m["name"] for m in a.household] == ["Ava Rowe", "Leo Rowe"]
