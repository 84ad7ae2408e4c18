"""Casework pages: the case page and its review actions, the readable history, the risk
queues, home-page work lists and the notification inbox. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases import case_services
from cases.choices import CaseStatus, QueueKind, TaskKind
from cases.event_verbs import EventVerb as CaseVerb
from cases.models import Case, Task
from conftest import verify_two_factor
from dasapp.events import event_record
from dasapp.models import AccessLog, Event, Notification
from dasapp.notify import notify
from dasapp.roles import Role
from org.models import Team
from people import services
from people.models import Person
from risk import services as risk_services

LONDON = ZoneInfo("Europe/London")
# Hub rota A (Colchester hub) works days on cycle day 1; the cycle started on
# 2026-01-05, so 2026-11-25 (324 days later, 324 % 3 == 0) is day 1 again.
HUB_A_DAYS = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
SUPPLEMENTS = {
    "stalking": {f"S{i}": {"answer": "no"} for i in range(1, 12)},
    "hba": {f"H{i}": {"answer": "not_known"} for i in range(1, 11)},
}
CONFLICT_TEXT = "Someone else changed this case while you were working on it"


def full_answers(yes: int, total: int = 27, skip: tuple[int, ...] = ()) -> dict:
    return {
        str(i): {"answer": "yes" if i <= yes else "no", "comment": ""}
        for i in range(1, total + 1)
        if i not in skip
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name=Role.SUPERVISOR).exists():
        verify_two_factor(client, user)
    client.user = user
    return client


@pytest.fixture
def people(org, persona):
    return make_people(persona)


def make_people(persona) -> dict:
    """The DASO on duty, a central-unit DASO, a researcher, the officer and their
    supervisor, a partner who must be refused; a victim with safe-contact instructions."""
    supervisor = persona(
        Role.SUPERVISOR, team="cru", username="sup", first_name="Sara", last_name="Mills"
    )
    officer = persona(
        Role.OFFICER,
        team="response",
        username="pc",
        supervisor=supervisor,
        first_name="Tom",
        last_name="Hart",
    )
    hub_daso = persona(
        Role.DASO, team="hub-colchester", username="daso-col", first_name="Dee", last_name="Ash"
    )
    researcher = persona(
        Role.RESEARCHER, team="cru", username="researcher", first_name="Nadia", last_name="Quinn"
    )
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Nia",
            family_name="Rowe",
            safe_contact_instructions="Call only on the safe number; say you are from the GP",
            no_voicemail=True,
        )
    )
    suspect = services.person_create(
        data=services.PersonInput(given_name="Kyle", family_name="Dunn")
    )
    address, _ = services.address_get_or_create(
        line1="3 Mill Row", postcode="CO1 2AB", town="Colchester"
    )
    services.person_address_link(person=victim, address=address)
    phone, _ = services.phone_get_or_create(number="07700 900911")
    services.person_phone_link(person=victim, phone=phone)
    return {
        "supervisor": supervisor,
        "officer": officer,
        "hub_daso": hub_daso,
        "cru_daso": persona(Role.DASO, team="cru", username="daso-cru"),
        "researcher": researcher,
        "partner": persona(Role.PARTNER, team="victim-support", username="partner"),
        "victim": victim,
        "suspect": suspect,
        "address": address,
    }


def incident_for(p, *, at=None, victim=None, suspect=None) -> Incident:
    incident = Incident.objects.create(
        status=IncidentStatus.GRADED,
        created_at=at or timezone.now(),
        grade="priority",
        address=p["address"],
        district=p["address"].district,
    )
    IncidentPerson.objects.create(
        incident=incident, person=victim or p["victim"], role=IncidentRole.VICTIM
    )
    IncidentPerson.objects.create(
        incident=incident, person=suspect or p["suspect"], role=IncidentRole.SUSPECT
    )
    return incident


def submitted(p, *, yes=15, level=None, reason="", victim=None, suspect=None):
    """A DV1 submitted by the officer through the services."""
    victim, suspect = victim or p["victim"], suspect or p["suspect"]
    a = risk_services.assessment_start(
        incident=incident_for(p, victim=victim, suspect=suspect),
        victim=victim,
        perpetrator=suspect,
        user=p["officer"],
    )
    a, errors = risk_services.assessment_save(
        assessment=a,
        user=p["officer"],
        changes=risk_services.DraftChanges(
            answers=full_answers(yes), supplements=SUPPLEMENTS, level_reason=reason
        ),
    )
    assert errors == {}
    a, _ = risk_services.assessment_save(
        assessment=a,
        user=p["officer"],
        changes=risk_services.DraftChanges(officer_level=level or a.suggested_level),
    )
    return risk_services.assessment_submit(assessment=a, user=p["officer"])


def raised_to_medium(p) -> Case:
    """A standard-scoring DV1 the officer raised to medium: a case in the central unit's
    DASO queue that a researcher may check and lower."""
    return submitted(
        p, yes=8, level="medium", reason="Officer's judgement: she is terrified of him"
    ).case


def other_pair(p, n: int) -> tuple[Person, Person]:
    victim = services.person_create(
        data=services.PersonInput(given_name="Erin", family_name=f"Fictional{n}")
    )
    suspect = services.person_create(
        data=services.PersonInput(given_name="Dan", family_name=f"Madeup{n}")
    )
    return victim, suspect


def queue_case(queue, *, level="high", age_hours=1, n=0) -> Case:
    """A case put straight into a queue (for ordering and volume)."""
    victim = Person.objects.create(given_name="Q", family_name=f"Victim{n}")
    routed = timezone.now() - dt.timedelta(hours=age_hours)
    return Case.objects.create(
        victim=victim,
        risk_level=level,
        queue=queue,
        opened_at=routed,
        routed_at=routed,
        review_due_at=routed + dt.timedelta(hours=queue.review_target_hours),
    )


def hub_queue():
    return case_services.queue_for(
        team=Team.objects.get(code="hub-colchester"), kind=QueueKind.HUB_HIGH
    )


def queries(client, url) -> int:
    """Queries for one GET, after a first one: activity is written to the session at
    most every 30 s, which would count three statements in one call and not the next."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The journey of the "Done when" ------------------------------------------------


@time_machine.travel(HUB_A_DAYS, tick=False)
def test_hub_daso_on_duty_finds_the_new_high_risk_case_top_of_their_queue_with_a_notification(
    people,
):
    # A repeat victim: two earlier call-outs this year and an earlier DV1.
    for days in (40, 200):
        incident_for(people, at=timezone.now() - dt.timedelta(days=days))
    older_medium = queue_case(hub_queue(), level="medium", age_hours=20, n=1)
    submitted(people, yes=4)

    case = submitted(people, yes=15).case
    assert case.queue == hub_queue()

    daso = signed_in(people["hub_daso"])
    listing = daso.get("/queues/")
    assert hub_queue().name in listing.content.decode()
    page = daso.get(f"/queues/{hub_queue().pk}/")
    rows = page.context["rows"]
    assert [row.case.pk for row in rows] == [case.pk, older_medium.pk]
    assert f'href="/cases/{case.pk}/?via=queue:{hub_queue().pk}"' in page.content.decode()

    inbox = daso.get("/notifications/")
    note = inbox.context["page"].object_list[0]
    assert note.title == f"High risk case {case.reference} in {hub_queue().name}"
    assert note.read_at is None
    assert "<strong>" in inbox.content.decode()
    opened = daso.get(f"/notifications/{note.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None

    case_page = daso.get(f"/cases/{case.pk}/?via=queue:{hub_queue().pk}")
    body = case_page.content.decode()
    assert case_page.status_code == 200
    assert "Call only on the safe number" in body
    assert "Visible high risk" in body and "Potential escalation" in body
    assert f"/dv1/{case.assessments.latest('submitted_at').pk}/" in body


def test_researcher_lowers_a_level_and_the_supervisor_reads_who_and_why_in_the_history(people):
    case = raised_to_medium(people)
    researcher = signed_in(people["researcher"])
    page = researcher.get(f"/cases/{case.pk}/?via=queue:{case.queue_id}")
    assert page.context["can_review"] is True

    done = researcher.post(
        f"/cases/{case.pk}/risk-level/?via=queue:{case.queue_id}",
        {
            "change-risk_level": "standard",
            "change-reason": "Victim has moved to a refuge",
            "change-version": case.version,
        },
    )

    assert done.status_code == 302
    assert done["Location"] == f"/cases/{case.pk}/?via=queue:{case.queue_id}"
    case.refresh_from_db()
    assert case.risk_level == "standard" and case.queue.kind == QueueKind.RESEARCHERS
    history = signed_in(people["supervisor"]).get(f"/cases/{case.pk}/history/")
    assert history.status_code == 200
    when = timezone.localtime(
        Event.objects.filter(case=case, verb=CaseVerb.RISK_LEVEL_CHANGED).latest("id").at
    )
    sentence = (
        f"Risk level changed from medium to standard by Nadia Quinn, "
        f"{when:%-d %B %Y %H:%M}: Victim has moved to a refuge"
    )
    assert sentence in history.content.decode()


# The case page -------------------------------------------------------------------------


def test_case_page_shows_risk_queue_owner_time_to_target_and_open_tasks(people):
    case = raised_to_medium(people)
    Case.objects.filter(pk=case.pk).update(assigned_to=people["cru_daso"])
    case_services.case_challenge(case=case, user=people["researcher"], reason="Q18 looks wrong")

    response = signed_in(people["cru_daso"]).get(f"/cases/{case.pk}/?via=queue:{case.queue_id}")

    body = response.content.decode()
    assert response.context["clock"].text.endswith("left")
    assert case.queue.name in body and "Medium" in body
    assert str(people["cru_daso"]) in body
    assert "Answer a challenge to your risk grading" in body and "Q18 looks wrong" in body
    # The DASO sees the task but it is the officer's to answer.
    assert f'action="/cases/{case.pk}/tasks/' not in body


def test_overdue_case_says_so_and_an_out_of_hours_case_says_when_the_hub_takes_over(people):
    case = submitted(people, yes=15).case
    takes_over = timezone.now() + dt.timedelta(hours=5)
    Case.objects.filter(pk=case.pk).update(
        review_due_at=timezone.now() - dt.timedelta(hours=3), hub_takes_over_at=takes_over
    )

    response = signed_in(people["hub_daso"]).get(f"/cases/{case.pk}/?via=case:{case.pk}")

    body = response.content.decode()
    assert re.search(r"Overdue by 3 h \d+ min", body)
    assert f"Hub takes over at {timezone.localtime(takes_over):%H:%M}" in body


def test_direct_visit_asks_for_a_purpose_and_logs_it_and_a_queue_link_does_not_ask(people):
    case = raised_to_medium(people)
    daso = signed_in(people["cru_daso"])

    asked = daso.get(f"/cases/{case.pk}/")
    assert "Before you view this record" in asked.content.decode()
    assert not AccessLog.objects.filter(object_type="cases.case").exists()
    daso.post(f"/cases/{case.pk}/", {"purpose": "Checking before the morning meeting"})
    daso.get(f"/cases/{case.pk}/")
    signed_in(people["cru_daso"]).get(f"/cases/{case.pk}/?via=queue:{case.queue_id}")

    rows = list(AccessLog.objects.filter(object_type="cases.case", object_id=str(case.pk)))
    assert {(r.user_id, r.person_id, r.action) for r in rows} == {
        (people["cru_daso"].pk, people["victim"].pk, AccessLog.Action.CONSULT)
    }
    assert sorted((r.purpose, r.work_item) for r in rows) == [
        ("", f"queue:{case.queue_id}"),
        ("Checking before the morning meeting", ""),
    ]


def test_agreeing_with_the_level_is_recorded_in_the_history(people):
    case = raised_to_medium(people)
    daso = signed_in(people["cru_daso"])

    daso.post(
        f"/cases/{case.pk}/agree/?via=queue:{case.queue_id}",
        {"agree-note": "Spoke to the officer", "agree-version": case.version},
    )

    event = Event.objects.get(case=case, verb=CaseVerb.RISK_LEVEL_AGREED)
    assert (event.actor, event.reason) == (people["cru_daso"], "Spoke to the officer")
    case.refresh_from_db()
    assert case.reviewed_at is not None


def test_changing_the_level_without_a_reason_is_refused_on_the_page(people):
    case = raised_to_medium(people)

    response = signed_in(people["researcher"]).post(
        f"/cases/{case.pk}/risk-level/?via=queue:{case.queue_id}",
        {"change-risk_level": "standard", "change-reason": "  ", "change-version": case.version},
    )

    assert response.status_code == 400
    assert "Explain why the risk level is changing" in response.content.decode()
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_a_stale_version_shows_the_conflict_and_keeps_the_typed_reason(people):
    case = raised_to_medium(people)
    read_version = case.version
    case_services.case_risk_change(
        case=case, user=people["cru_daso"], level="high", reason="New threat to kill"
    )

    response = signed_in(people["researcher"]).post(
        f"/cases/{case.pk}/risk-level/?via=queue:{case.queue_id}",
        {
            "change-risk_level": "standard",
            "change-reason": "Victim has moved to a refuge",
            "change-version": read_version,
        },
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert CONFLICT_TEXT in body
    assert "Victim has moved to a refuge</textarea>" in body
    case.refresh_from_db()
    assert case.risk_level == "high"
    # The form now carries the current version: saving again, having seen it, works.
    assert response.context["forms"]["change"]["version"].value() == str(case.version)


def test_researcher_may_not_review_a_case_outside_researchers_work(people):
    case = submitted(people, yes=15).case  # high risk, scored high: the hub's work

    response = signed_in(people["researcher"]).post(
        f"/cases/{case.pk}/risk-level/",
        {"change-risk_level": "medium", "change-reason": "x", "change-version": case.version},
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.risk_level == "high"


def test_officer_answers_the_challenge_to_their_grading_from_the_case_page(people):
    case = raised_to_medium(people)
    signed_in(people["researcher"]).post(
        f"/cases/{case.pk}/challenge/",
        {"challenge-reason": "Narrative mentions strangulation", "challenge-version": case.version},
    )
    task = Task.objects.get(case=case, kind=TaskKind.CHALLENGE)
    officer = signed_in(people["officer"])

    home = officer.get("/")
    assert f"/cases/{case.pk}/?via=task:{task.pk}" in home.content.decode()
    page = officer.get(f"/cases/{case.pk}/?via=task:{task.pk}")
    assert f'action="/cases/{case.pk}/tasks/{task.pk}/complete/' in page.content.decode()
    assert page.context["can_review"] is False
    officer.post(
        f"/cases/{case.pk}/tasks/{task.pk}/complete/?via=task:{task.pk}",
        {f"task{task.pk}-outcome": "Agreed; question 18 amended"},
    )

    task.refresh_from_db()
    assert (task.status, task.outcome) == ("done", "Agreed; question 18 amended")
    assert Event.objects.filter(case=case, verb=CaseVerb.CHALLENGE_ANSWERED).exists()


def test_supervisor_records_the_outcome_of_a_review_of_a_lowered_level(people):
    case = submitted(
        people, yes=15, level="medium", reason="Suspect remanded in custody for 6 months"
    ).case
    task = Task.objects.get(case=case, kind=TaskKind.SUPERVISOR_REVIEW)
    supervisor = signed_in(people["supervisor"])

    home = supervisor.get("/")
    assert f"/cases/{case.pk}/?via=task:{task.pk}" in home.content.decode()
    refused = supervisor.post(
        f"/cases/{case.pk}/tasks/{task.pk}/complete/", {f"task{task.pk}-outcome": ""}
    )
    assert refused.status_code == 400 and "Enter the outcome" in refused.content.decode()
    supervisor.post(
        f"/cases/{case.pk}/tasks/{task.pk}/complete/",
        {f"task{task.pk}-outcome": "Agreed while he is remanded"},
    )

    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "Agreed while he is remanded"


def test_officer_cannot_answer_someone_elses_task(people, persona):
    case = raised_to_medium(people)
    task = case_services.case_challenge(case=case, user=people["researcher"], reason="Why?")
    other = persona(Role.OFFICER, team="response", username="pc-other")

    response = signed_in(other).post(
        f"/cases/{case.pk}/tasks/{task.pk}/complete/", {f"task{task.pk}-outcome": "Not mine"}
    )

    assert response.status_code == 404  # not even their case
    task.refresh_from_db()
    assert task.status == "open"


def test_partner_is_refused_every_case_page(people):
    case = submitted(people, yes=15).case
    partner = signed_in(people["partner"])

    for url in (
        f"/cases/{case.pk}/?via=queue:{case.queue_id}",
        f"/cases/{case.pk}/history/",
        "/queues/",
        f"/queues/{case.queue_id}/",
    ):
        assert partner.get(url).status_code == 403, url
    assert partner.post(f"/cases/{case.pk}/risk-level/", {}).status_code == 403
    assert not AccessLog.objects.filter(user=people["partner"]).exists()


def test_an_officer_unconnected_to_the_case_gets_404(people, persona):
    case = submitted(people, yes=15).case
    other = signed_in(persona(Role.OFFICER, team="response", username="pc-other"))

    assert other.get(f"/cases/{case.pk}/?via=case:{case.pk}").status_code == 404
    assert signed_in(people["officer"]).get(f"/cases/{case.pk}/?via=case:1").status_code == 200


# The history ---------------------------------------------------------------------------


def test_history_reads_routing_markers_dv1_challenge_and_review_as_sentences(people):
    case = submitted(people, yes=15).case
    case_services.case_challenge(case=case, user=people["cru_daso"], reason="Check Q3")
    case_services.case_review_agree(case=case, user=people["hub_daso"], note="Seen her today")

    body = signed_in(people["supervisor"]).get(f"/cases/{case.pk}/history/").content.decode()

    assert f"Routed to {case.queue.name} by Tom Hart" in body
    assert "High-risk markers raised" in body
    assert "submitted by Tom Hart" in body and "15 yes answers, suggested high" in body
    assert "MARAC criteria met: visible high risk" in body
    assert "Officer&#x27;s risk grading challenged by" in body
    assert "Tom Hart was asked to answer" in body
    assert "Risk level high agreed by Dee Ash" in body and "Seen her today" in body


def test_history_is_for_supervisors_and_the_cases_workers_only(people, persona):
    case = raised_to_medium(people)  # in the central unit's DASO queue
    hub_daso = signed_in(people["hub_daso"])  # a DASO of another team, never on the case

    assert hub_daso.get(f"/cases/{case.pk}/history/").status_code == 403
    assert signed_in(people["cru_daso"]).get(f"/cases/{case.pk}/history/").status_code == 200
    assert signed_in(people["officer"]).get(f"/cases/{case.pk}/history/").status_code == 200


def test_history_page_query_count_does_not_grow_with_the_events(people):
    case = raised_to_medium(people)
    supervisor = signed_in(people["supervisor"])
    event_record(verb=CaseVerb.RISK_LEVEL_AGREED, actor=people["cru_daso"], case=case)
    event_record(verb=CaseVerb.CASE_ROUTED, actor=None, case=case, new={"queue": "A queue"})
    event_record(
        verb=CaseVerb.GRADING_CHALLENGED,
        actor=people["researcher"],
        case=case,
        new={"officer": people["officer"].pk},
    )
    few = queries(supervisor, f"/cases/{case.pk}/history/")
    for i in range(37):
        actor = people["researcher"] if i % 2 else people["officer"]
        event_record(
            verb=CaseVerb.GRADING_CHALLENGED,
            actor=actor,
            case=case,
            new={"officer": people["officer"].pk},
            reason=f"Reason {i}",
        )

    many = queries(supervisor, f"/cases/{case.pk}/history/")

    assert many == few
    assert many <= 12


# Queues --------------------------------------------------------------------------------


def test_queue_is_ordered_high_first_then_longest_waiting(people):
    queue = hub_queue()
    new_high = queue_case(queue, level="high", age_hours=1, n=1)
    old_medium = queue_case(queue, level="medium", age_hours=30, n=2)
    old_high = queue_case(queue, level="high", age_hours=5, n=3)
    closed = queue_case(queue, level="high", age_hours=9, n=4)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)

    page = signed_in(people["hub_daso"]).get(f"/queues/{queue.pk}/")

    assert [row.case.pk for row in page.context["rows"]] == [
        old_high.pk,
        new_high.pk,
        old_medium.pk,
    ]


def test_queue_filters_by_level_district_and_breach_and_highlights_breaches(people):
    queue = hub_queue()
    breached = queue_case(queue, level="high", age_hours=30, n=1)  # target 24 hours
    fresh = queue_case(queue, level="high", age_hours=1, n=2)
    medium = queue_case(queue, level="medium", age_hours=2, n=3)
    colchester = people["address"].district
    Case.objects.filter(pk=fresh.pk).update(district=colchester)
    daso = signed_in(people["hub_daso"])

    def shown(query):
        return [r.case.pk for r in daso.get(f"/queues/{queue.pk}/", query).context["rows"]]

    assert shown({"breached": "on"}) == [breached.pk]
    assert shown({"risk_level": "medium"}) == [medium.pk]
    assert shown({"district": colchester.pk}) == [fresh.pk]
    body = daso.get(f"/queues/{queue.pk}/").content.decode()
    assert re.search(r'govuk-tag--red">Overdue by 6 h', body)


def test_queue_page_query_count_is_the_same_for_5_and_50_cases(people):
    queue = hub_queue()
    daso = signed_in(people["hub_daso"])
    for n in range(5):
        queue_case(queue, age_hours=n + 1, n=n)
    few = queries(daso, f"/queues/{queue.pk}/")
    for n in range(5, 50):
        queue_case(queue, age_hours=n + 1, n=n)

    many = queries(daso, f"/queues/{queue.pk}/")

    assert many == few
    assert many <= 15


def test_queues_list_shows_the_teams_queues_and_supervisors_see_all(people):
    hub = hub_queue()
    cru_medium = raised_to_medium(people).queue

    daso_page = signed_in(people["hub_daso"]).get("/queues/")
    supervisor_page = signed_in(people["supervisor"]).get("/queues/")

    assert list(daso_page.context["queues"]) == [hub]
    assert {hub, cru_medium} <= set(supervisor_page.context["queues"])
    assert signed_in(people["hub_daso"]).get(f"/queues/{cru_medium.pk}/").status_code == 404


def test_queues_show_review_targets_in_days_when_whole_days_and_hours_otherwise(people):
    hub = hub_queue()
    researchers = case_services.queue_for(team=Team.objects.get(code="cru"), kind="researchers")
    medium = case_services.queue_for(team=Team.objects.get(code="cru"), kind="cru_medium")
    medium.review_target_hours = 36
    medium.save()
    supervisor = signed_in(people["supervisor"])

    listing = supervisor.get("/queues/").content.decode()
    # Each row: the queue's name (a link), its team, its review target.
    rows = re.findall(r">([^<>]+)</a></td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>", listing)
    targets = {html.unescape(name): target for name, target in rows}
    assert targets["Colchester hub: high-risk queue"] == "1 day"
    assert targets["Central referral unit: researchers' queue (standard risk)"] == "7 days"
    assert targets["Central referral unit: DASO queue (medium risk)"] == "36 hours"
    assert "168" not in listing
    page = supervisor.get(f"/queues/{researchers.pk}/").content.decode()
    assert "A new case should be reviewed within 7 days." in page
    page = supervisor.get(f"/queues/{hub.pk}/").content.decode()
    assert "A new case should be reviewed within 1 day." in page


# Home-page work lists ------------------------------------------------------------------


def test_daso_home_lists_their_caseload_and_no_safety_plan_actions(people):
    case = submitted(people, yes=15).case
    Case.objects.filter(pk=case.pk).update(assigned_to=people["hub_daso"])

    response = signed_in(people["hub_daso"]).get("/")

    sections = {s.title: s for s in response.context["sections"]}
    assert [i["url"] for i in sections["My caseload"].items] == [
        f"/cases/{case.pk}/?via=case:{case.pk}"
    ]
    assert sections["Safety-plan actions due"].items == []


def test_researcher_home_shows_their_queues_count(people):
    submitted(people, yes=3)
    other_victim, other_suspect = other_pair(people, 1)
    submitted(people, yes=2, victim=other_victim, suspect=other_suspect)

    response = signed_in(people["researcher"]).get("/")

    items = {s.title: s for s in response.context["sections"]}["Standard-risk DV1s to check"].items
    assert len(items) == 1 and ": 2 open cases" in items[0]["text"]


# Notifications -------------------------------------------------------------------------


def test_inbox_lists_own_notifications_newest_first_and_marks_them_read(people):
    daso = people["hub_daso"]
    with time_machine.travel(HUB_A_DAYS, tick=False):
        older = notify(users=[daso], title="Older", url="/queues/")[0]
    newer = notify(users=[daso], title="Newer", url="/queues/")[0]
    notify(users=[people["researcher"]], title="Someone else's", url="/")
    client = signed_in(daso)

    page = client.get("/notifications/")
    assert [n.pk for n in page.context["page"].object_list] == [newer.pk, older.pk]
    assert "Someone else" not in page.content.decode()
    assert page.context["unread_notifications"] == 2

    client.post(f"/notifications/{older.pk}/read/")
    older.refresh_from_db()
    assert older.read_at is not None
    assert client.get("/notifications/").context["unread_notifications"] == 1
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(user=daso, read_at__isnull=True).exists()


def test_opening_a_notification_goes_only_to_a_local_url(people):
    daso = people["hub_daso"]
    outside = notify(users=[daso], title="Odd", url="https://evil.example/x")[0]
    sneaky = notify(users=[daso], title="Odd 2", url="//evil.example/x")[0]
    theirs = notify(users=[people["researcher"]], title="Not yours", url="/")[0]
    client = signed_in(daso)

    assert client.get(f"/notifications/{outside.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{sneaky.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_queue_filters_read_as_the_design_system_asks_and_the_api_keeps_its_help(people):
    from rest_framework.authtoken.models import Token

    queue = hub_queue()

    body = signed_in(people["hub_daso"]).get(f"/queues/{queue.pk}/").content.decode()
    token, _ = Token.objects.get_or_create(user=people["hub_daso"])
    schema = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/schema/?format=json")

    assert '<label class="govuk-label" for="id_district">District</label>' in body
    assert (
        '<div id="id_breached-hint" class="govuk-hint govuk-checkboxes__hint">Cases not '
        "reviewed within the queue&#x27;s target time</div>"
    ) in body
    assert "A district&#x27;s id." not in body and "true: only cases" not in body
    parameters = {
        p["name"]: p.get("description", "")
        for p in schema.json()["paths"]["/api/v1/cases/"]["get"]["parameters"]
    }
    assert parameters["district"] == "A district's id."
    assert parameters["breached"] == "true: only cases past their queue's review target."
