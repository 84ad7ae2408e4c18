"""Every list, page or API, reads as many queries for 60 rows as for 10, that number is
the committed baseline, and an outsider is refused or sees none of the rows.

The lists are a table (`LISTS`): who may see each, how its rows are made
(`tests/list_rows.py`) and who must not. The API's list routes come from the URL
resolver, so a new one fails `test_every_list_route_is_in_the_table` until it is added
here (or named in `NOT_LISTS` with the reason); so does every new page.

The baseline (`tests/query_counts.json`) keeps one count per list and database vendor:
`{"sqlite": {"<url name>": n}, "postgresql": {...}}`. When a change to a list's queries
is intended, rewrite it and commit the difference:

    UPDATE_QUERY_COUNTS=1 .venv/bin/python -m pytest -n 2 tests/test_list_query_counts.py

and again with `DATABASE_URL` set to a PostgreSQL database.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calls.choices import IncidentStatus
from calls.models import Incident
from cases import case_services
from cases.choices import QueueKind
from conftest import verify_two_factor
from dasapp.roles import Role, has_role
from tests import list_rows as rows
from tests.list_rows import DAY, HOUR, T0

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("UPDATE_QUERY_COUNTS") == "1"
HOW_TO_UPDATE = (
    "If the change is intended, rewrite the baseline with UPDATE_QUERY_COUNTS=1 (on SQLite, "
    "and with DATABASE_URL set to PostgreSQL) and commit tests/query_counts.json."
)
FEW, MANY = 10, 60
PURPOSE = "Checking the list reads a fixed number of queries"

pytestmark = pytest.mark.usefixtures("org")


@dataclass(frozen=True)
class Who:
    role: str | None
    team: str | None = None


# What an outsider gets: refused (403 or 404), or, from a list of one's own things (the
# inbox, one's absences, an agency's victims), a list without any of the rows.
REFUSED = "refused"
SEES_NONE = "sees none"
PARTNER = Who(Role.PARTNER, "victim-support")


@dataclass(frozen=True)
class Outsider:
    who: Who
    gets: str = REFUSED


class Scene:
    """One test's world: the viewer, and what a list's rows hang on (its queue, case,
    victim …), made once by the list's `setup`."""

    def __init__(self, persona, viewer: Who):
        self.persona = persona
        self.viewer = persona(viewer.role, viewer.team, first_name="Vic", last_name="Viewer")


@dataclass(frozen=True)
class ListSpec:
    """One list: its URL name (the baseline's key), who may see it, its URL, how to make
    rows `start` to `stop` (returning each row's marker: text the page shows once per
    row, or the row's id in an API list) and who must not see it."""

    name: str
    viewer: Who
    url: Callable[[Scene], str]
    rows: Callable[[Scene, int, int], list]
    outsiders: tuple[Outsider, ...]
    setup: Callable[[Scene], None] = lambda scene: None
    # How many rows the list shows of `n` (a page, a limit).
    shows: Callable[[int], int] = field(default=lambda n: n)
    post: dict | None = None
    # The page asks why before it shows a record (once a session).
    purpose: bool = False

    def __str__(self) -> str:
        return self.name


def up_to(limit: int) -> Callable[[int], int]:
    return lambda n: min(n, limit)


def api(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


# Set-ups ------------------------------------------------------------------------------


def cru_queue(scene: Scene) -> None:
    scene.queue = case_services.queue_for(team=rows.team("cru"), kind=QueueKind.CRU_MEDIUM)
    scene.high_queue = case_services.queue_for(team=rows.team("cru"), kind=QueueKind.CRU_HIGH)
    colleague = scene.persona(Role.DASO, "cru", last_name="Colleague")
    away = scene.persona(Role.DASO, "cru", last_name="Away")
    rows.absences([away], 0, 1, by=scene.viewer)
    scene.owners = [None, colleague, away]


def a_case(scene: Scene) -> None:
    cru_queue(scene)
    scene.case = rows.one_case(scene.viewer, queue=scene.queue, prefix="Qcthecase")


def a_case_with_actors(scene: Scene) -> None:
    a_case(scene)
    scene.actors = [
        scene.viewer,
        scene.persona(Role.DASO, "cru", last_name="Actor"),
        scene.persona(Role.OFFICER, "response", last_name="Officer"),
    ]


def a_call(scene: Scene) -> None:
    scene.incident = rows.incidents(0, 1, status=IncidentStatus.GRADED)[0]
    scene.actors = [
        scene.viewer,
        scene.persona(Role.CALL_TAKER, "control-room", last_name="Taker"),
    ]


def a_kept_call(scene: Scene) -> None:
    scene.kept = rows.incidents(1000, 1001, status=IncidentStatus.GRADED)[0]
    scene.taker = scene.persona(Role.CALL_TAKER, "control-room", last_name="Taker")


def a_victim_with_contacts(scene: Scene) -> None:
    a_case(scene)
    scene.victim = scene.case.victim
    scene.by = [
        scene.viewer,
        scene.persona(Role.IDVA, "idva-service", last_name="Advocate"),
        scene.persona(Role.PARTNER, "housing", last_name="Housing"),
    ]


def agency_staff(scene: Scene) -> None:
    scene.recorder = scene.persona(Role.DASO, "cru", last_name="Recorder")
    scene.agency = rows.team("victim-support")


def supervised_staff(scene: Scene) -> None:
    scene.people = [
        scene.persona(Role.OFFICER, scene.viewer.profile.team.code, supervisor=scene.viewer),
        scene.persona(Role.DASO, "cru", supervisor=scene.viewer),
    ]


def access_log_refs(scene: Scene) -> None:
    a_case(scene)
    scene.incident = rows.incidents(0, 1, status=IncidentStatus.GRADED)[0]
    scene.users = [scene.viewer, scene.persona(Role.DASO, "cru", last_name="Reader")]


def plans_of_actions(scene: Scene) -> None:
    cru_queue(scene)
    scene.daso = scene.persona(Role.DASO, "cru", last_name="Planner")
    listed = rows.cases("Qcplan", 0, 3, queue=scene.queue, owners=[scene.daso])
    scene.plans = rows.plans(listed, by=scene.daso)


def attention_plans(scene: Scene) -> None:
    plans_of_actions(scene)
    scene.people = [
        scene.persona(Role.OFFICER, "response", supervisor=scene.viewer, last_name="Late"),
        scene.persona(Role.OFFICER, "response", supervisor=scene.viewer, last_name="Later"),
    ]


def one_plan(scene: Scene) -> None:
    a_case(scene)
    scene.plan = rows.plans([scene.case], by=scene.viewer)[0]
    scene.owners = [
        scene.viewer,
        scene.persona(Role.OFFICER, "response", last_name="Owner"),
        None,  # the whole response team
    ]


def involved_victim(scene: Scene) -> None:
    a_case(scene)
    scene.victim = scene.case.victim


def a_call_being_taken(scene: Scene) -> None:
    scene.incident = rows.incidents(
        1000, 1001, status=IncidentStatus.DRAFT, created_by=scene.viewer
    )[0]


# Rows ----------------------------------------------------------------------------------


def queue_rows(scene, start, stop):
    return [queue.name for queue in rows.queues(start, stop)]


def queue_case_rows(scene, start, stop):
    listed = rows.cases("Qcvictim", start, stop, queue=scene.queue, owners=scene.owners)
    rows.also_open(listed, queue=scene.high_queue)
    return [case.victim.family_name for case in listed]


def caseload_rows(scene, start, stop):
    listed = rows.cases("Qcvictim", start, stop, queue=scene.queue, owners=[scene.viewer])
    rows.also_open(listed, queue=scene.high_queue)
    return [case.victim.family_name for case in listed]


def case_api_rows(scene, start, stop):
    listed = rows.cases("Qcvictim", start, stop, queue=scene.queue, owners=scene.owners)
    return [case.pk for case in listed]


def draft_rows(scene, start, stop):
    made = rows.incidents(start, stop, status=IncidentStatus.DRAFT, created_by=scene.viewer)
    return [f">{call.reference}<" for call in made]


def board_rows(scene, start, stop):
    made = rows.incidents(start, stop, status=IncidentStatus.GRADED)
    attended = made[1::2]
    for call in attended:
        call.status = IncidentStatus.ATTENDED
        call.attended_at = T0 - HOUR
        call.attended_by = scene.viewer
    Incident.objects.bulk_update(attended, ["status", "attended_at", "attended_by"])
    return [f">{call.reference}<" for call in made]


def research_rows(scene, start, stop):
    made = rows.incidents(start, stop, status=IncidentStatus.GRADED)
    return [f">{call.reference}<" for call in made]


def incident_api_rows(scene, start, stop):
    made = rows.incidents(start, stop, status=IncidentStatus.GRADED, created_by=scene.viewer)
    rows.incident_people(made, "Qccallvictim")
    return [call.pk for call in made]


def abandoned_rows(scene, start, stop):
    made = rows.abandoned(start, stop, by=scene.taker, kept=scene.kept)
    return [f">{call.reference}<" for call in made]


def call_event_rows(scene, start, stop):
    events = rows.incident_events(scene.incident, scene.actors, start, stop)
    return [event.reason for event in events]


def person_rows(scene, start, stop):
    return [person.family_name for person in rows.searchable_people("Qcperson", start, stop)]


def person_api_rows(scene, start, stop):
    return [person.pk for person in rows.searchable_people("Qcperson", start, stop)]


def address_api_rows(scene, start, stop):
    return [address.pk for address in rows.addresses(start, stop)]


def owner_rows(scene, start, stop):
    made = rows.staff("qcowner", start, stop, role=Role.OFFICER, team_code="response")
    rows.absences(made[::3], 0, len(made[::3]), by=scene.viewer)
    return [user.last_name for user in made]


def dv1_rows(scene, start, stop):
    made = rows.assessments(start, stop, officer=scene.viewer)
    return [f">{dv1.reference}<" for dv1 in made]


def access_log_rows(scene, start, stop):
    refs = {"case": scene.case, "incident": scene.incident}
    return [entry.purpose for entry in rows.access_log(scene.users, refs, start, stop)]


def notification_rows(scene, start, stop):
    return [note.title for note in rows.notifications(scene.viewer, start, stop)]


def notification_api_rows(scene, start, stop):
    return [note.pk for note in rows.notifications(scene.viewer, start, stop)]


def my_action_rows(scene, start, stop):
    made = rows.actions(
        start,
        stop,
        plans_=scene.plans,
        owners=[scene.viewer, None],
        owner_team=scene.viewer.profile.team,
        by=scene.daso,
        due_from=T0 - HOUR,
    )
    return [f'id="listed-action-{action.pk}"' for action in made]


def attention_rows(scene, start, stop):
    made = rows.actions(
        start, stop, plans_=scene.plans, owners=scene.people, by=scene.daso, due_from=T0 - DAY
    )
    return [f'id="listed-action-{action.pk}"' for action in made]


def plan_rows(scene, start, stop):
    made = rows.actions(
        start,
        stop,
        plans_=[scene.plan],
        owners=scene.owners,
        owner_team=rows.team("response"),
        by=scene.viewer,
        due_from=T0 - HOUR,
    )
    return [f'id="action-{action.pk}"' for action in made]


def safety_action_api_rows(scene, start, stop):
    made = rows.actions(
        start,
        stop,
        plans_=scene.plans,
        owners=[scene.daso, None],
        owner_team=rows.team("response"),
        by=scene.daso,
        due_from=T0 - HOUR,
    )
    return [action.pk for action in made]


def agency_victim_rows(scene, start, stop):
    victims = rows.people("Qcsupported", start, stop)
    rows.involvements(victims, [scene.agency], start, stop, by=scene.recorder)
    return [victim.family_name for victim in victims]


def involvement_api_rows(scene, start, stop):
    made = rows.involvements(
        [scene.victim],
        rows.agencies(start, stop),
        start,
        stop,
        by=scene.viewer,
        case=scene.case,
        some_ended=True,
    )
    return [involvement.pk for involvement in made]


def contact_rows(scene, start, stop):
    return [c.note for c in rows.contacts(scene.victim, scene.case, start, stop, by=scene.by)]


def contact_api_rows(scene, start, stop):
    return [c.pk for c in rows.contacts(scene.victim, scene.case, start, stop, by=scene.by)]


def case_event_rows(scene, start, stop):
    return [e.reason for e in rows.case_events(scene.case, scene.actors, start, stop)]


def case_event_api_rows(scene, start, stop):
    return [e.pk for e in rows.case_events(scene.case, scene.actors, start, stop)]


def absence_rows(scene, start, stop):
    made = rows.absences(scene.people, start, stop, by=scene.viewer)
    return [f'id="absence-{absence.pk}"' for absence in made]


def absence_api_rows(scene, start, stop):
    return [absence.pk for absence in rows.absences(scene.people, start, stop, by=scene.viewer)]


# The table ---------------------------------------------------------------------------------

DASO = Who(Role.DASO, "cru")
SUPERVISOR = Who(Role.SUPERVISOR, "cru")
CALL_TAKER = Who(Role.CALL_TAKER, "control-room")
OFFICER = Who(Role.OFFICER, "response")
REFUSE_PARTNER = (Outsider(PARTNER),)

PAGES = [
    ListSpec(
        "queues",
        SUPERVISOR,
        lambda s: reverse("queues"),
        queue_rows,
        REFUSE_PARTNER,
    ),
    ListSpec(
        # A supervisor's view has the most on each row (the boxes to reassign in bulk).
        "queue_detail",
        SUPERVISOR,
        lambda s: reverse("queue_detail", args=[s.queue.pk]),
        queue_case_rows,
        (Outsider(PARTNER), Outsider(OFFICER)),
        setup=cru_queue,
    ),
    ListSpec(
        "caseload",
        DASO,
        lambda s: reverse("caseload"),
        caseload_rows,
        REFUSE_PARTNER,
        setup=cru_queue,
    ),
    ListSpec("calls", CALL_TAKER, lambda s: reverse("calls"), draft_rows, REFUSE_PARTNER),
    ListSpec("dispatch", CALL_TAKER, lambda s: reverse("dispatch"), board_rows, REFUSE_PARTNER),
    ListSpec(
        "research_list",
        Who(Role.INTELLIGENCE, "control-intelligence"),
        lambda s: reverse("research_list"),
        research_rows,
        (Outsider(PARTNER), Outsider(CALL_TAKER)),
    ),
    ListSpec(
        "calls_abandoned",
        SUPERVISOR,
        lambda s: reverse("calls_abandoned"),
        abandoned_rows,
        (Outsider(PARTNER), Outsider(CALL_TAKER)),
        setup=a_kept_call,
        shows=up_to(50),
    ),
    ListSpec(
        "call_history",
        SUPERVISOR,
        lambda s: reverse("call_history", args=[s.incident.pk]),
        call_event_rows,
        (Outsider(PARTNER), Outsider(CALL_TAKER)),
        setup=a_call,
    ),
    ListSpec(
        "people_search",
        CALL_TAKER,
        lambda s: reverse("people_search"),
        person_rows,
        REFUSE_PARTNER,
        post={"postcode": rows.POSTCODE},
        shows=up_to(25),
    ),
    ListSpec(
        "call_people_search",
        CALL_TAKER,
        lambda s: reverse("call_people_search", args=[s.incident.pk]),
        person_rows,
        REFUSE_PARTNER,
        setup=a_call_being_taken,
        post={"person_name": "Rowan Qcperson"},
        shows=up_to(8),
    ),
    ListSpec(
        "dv1_list",
        OFFICER,
        lambda s: reverse("dv1_list"),
        dv1_rows,
        REFUSE_PARTNER,
        # Every draft, and the 20 latest submitted (every other row).
        shows=lambda n: (n + 1) // 2 + min(n // 2, 20),
    ),
    ListSpec(
        "case_history",
        SUPERVISOR,
        lambda s: reverse("case_history", args=[s.case.pk]),
        case_event_rows,
        REFUSE_PARTNER,
        setup=a_case_with_actors,
    ),
    ListSpec(
        "safety_plan",
        DASO,
        lambda s: reverse("safety_plan", args=[s.case.pk]),
        plan_rows,
        REFUSE_PARTNER,
        setup=one_plan,
        purpose=True,
    ),
    ListSpec(
        "safety_owner_search",
        DASO,
        lambda s: reverse("safety_owner_search", args=[s.case.pk]) + "?q=qcowner",
        owner_rows,
        (Outsider(PARTNER), Outsider(OFFICER)),
        setup=a_case,
        shows=up_to(10),
    ),
    ListSpec(
        "my_safety_actions",
        OFFICER,
        lambda s: reverse("my_safety_actions"),
        my_action_rows,
        REFUSE_PARTNER,
        setup=plans_of_actions,
        shows=up_to(50),
    ),
    ListSpec(
        "safety_actions_attention",
        Who(Role.SUPERVISOR, "response"),
        lambda s: reverse("safety_actions_attention"),
        attention_rows,
        (Outsider(PARTNER), Outsider(OFFICER)),
        setup=attention_plans,
        shows=up_to(50),
    ),
    ListSpec(
        "absences",
        SUPERVISOR,
        lambda s: reverse("absences"),
        absence_rows,
        (Outsider(PARTNER), Outsider(DASO)),
        setup=supervised_staff,
    ),
    ListSpec(
        "contact_timeline",
        DASO,
        lambda s: reverse("contact_timeline", args=[s.victim.pk]),
        contact_rows,
        (Outsider(PARTNER), Outsider(CALL_TAKER)),
        setup=a_victim_with_contacts,
        shows=up_to(50),
        purpose=True,
    ),
    ListSpec(
        "agency_victims",
        PARTNER,
        lambda s: reverse("agency_victims"),
        agency_victim_rows,
        (Outsider(Who(Role.PARTNER, "housing"), SEES_NONE), Outsider(DASO)),
        setup=agency_staff,
    ),
    ListSpec(
        "notifications",
        DASO,
        lambda s: reverse("notifications"),
        notification_rows,
        (Outsider(PARTNER, SEES_NONE),),
        shows=up_to(50),
    ),
    ListSpec(
        "access_log",
        SUPERVISOR,
        lambda s: reverse("access_log"),
        access_log_rows,
        (Outsider(PARTNER), Outsider(DASO)),
        setup=access_log_refs,
        shows=up_to(50),
    ),
    ListSpec(
        "access_log_export",
        SUPERVISOR,
        lambda s: reverse("access_log_export"),
        access_log_rows,
        (Outsider(PARTNER), Outsider(DASO)),
        setup=access_log_refs,
    ),
]

APIS = [
    ListSpec(
        "person-list",
        CALL_TAKER,
        lambda s: api("person-list"),
        person_api_rows,
        REFUSE_PARTNER,
        shows=up_to(50),
    ),
    ListSpec(
        "address-list",
        CALL_TAKER,
        lambda s: api("address-list") + f"?postcode={rows.POSTCODE}",
        address_api_rows,
        REFUSE_PARTNER,
        shows=up_to(50),
    ),
    ListSpec(
        "incident-list",
        CALL_TAKER,
        lambda s: api("incident-list"),
        incident_api_rows,
        REFUSE_PARTNER,
        shows=up_to(50),
    ),
    ListSpec(
        "case-list",
        DASO,
        lambda s: api("case-list"),
        case_api_rows,
        REFUSE_PARTNER,
        setup=cru_queue,
        shows=up_to(50),
    ),
    ListSpec(
        "case-history",
        SUPERVISOR,
        lambda s: api("case-history", pk=s.case.pk),
        case_event_api_rows,
        REFUSE_PARTNER,
        setup=a_case_with_actors,
    ),
    ListSpec(
        "notification-list",
        DASO,
        lambda s: api("notification-list"),
        notification_api_rows,
        (Outsider(PARTNER, SEES_NONE),),
        shows=up_to(50),
    ),
    ListSpec(
        "contact-list",
        DASO,
        lambda s: api("contact-list") + f"?victim={s.victim.pk}",
        contact_api_rows,
        (Outsider(PARTNER), Outsider(CALL_TAKER)),
        setup=a_victim_with_contacts,
        shows=up_to(50),
    ),
    ListSpec(
        "involvement-list",
        DASO,
        lambda s: api("involvement-list") + f"?victim={s.victim.pk}",
        involvement_api_rows,
        (Outsider(PARTNER), Outsider(CALL_TAKER)),
        setup=involved_victim,
    ),
    ListSpec(
        "safety-action-list",
        DASO,
        lambda s: api("safety-action-list"),
        safety_action_api_rows,
        REFUSE_PARTNER,
        setup=plans_of_actions,
        shows=up_to(50),
    ),
    ListSpec(
        "absence-list",
        SUPERVISOR,
        lambda s: api("absence-list"),
        absence_api_rows,
        (Outsider(PARTNER, SEES_NONE),),
        setup=supervised_staff,
        shows=up_to(50),
    ),
]

LISTS = PAGES + APIS

# Routes that are not lists, by why not. A new route must be added to `LISTS` or here.
NOT_LISTS = {
    "a form, an action or a redirect": {
        "login",
        "sign_out",
        "two_factor_setup",
        "two_factor_verify",
        "session_extend",
        "person_create",
        "call_start",
        "call_autosave",
        "call_save_draft",
        "call_log",
        "call_research",
        "call_regrade",
        "call_attended",
        "call_close",
        "call_abandon",
        "case_agree",
        "case_risk_change",
        "case_challenge",
        "case_task_complete",
        "case_claim",
        "case_release",
        "case_reassign",
        "case_close",
        "queue_bulk_reassign",
        "out_of_hours_acknowledge",
        "safety_plan_agree",
        "safety_action_add",
        "safety_action_complete",
        "safety_action_reassign",
        "safety_action_cancel",
        "absence_end",
        "absence_change",
        "absence_cancel",
        "contact_create",
        "involvement_create",
        "involvement_end",
        "notification_open",
        "notification_read",
        "notifications_read_all",
        "dv1_start",
        "dv1_autosave",
        "dv1_submit",
        "dv1_amend",
        "incident-abandon",
        "incident-attended",
        "incident-close",
        "incident-grade",
        "case-assignment-bulk-reassign",
        "case-assignment-claim",
        "case-assignment-close",
        "case-assignment-reassign",
        "case-assignment-release",
        "case-agree",
        "case-challenge",
        "case-risk-level",
        "assessment-list",  # POST only: submit a DV1
        "person-search",  # POST: the same search as person-list, which is tested
        "notification-read",
        "involvement-end",
        "safety-action-cancel",
        "safety-action-reassign",
        "absence-cancel",
        "absence-change",
        "absence-end",
        "safety-plan-agree",
    },
    "one record's page (its own lists are capped or tested with it)": {
        "person_detail",
        "call_edit",
        "case_detail",
        "dv1_edit",
        "dv1_section",
        "dv1_check",
        "dv1_confirmation",
        "person-detail",
        "address-detail",
        "incident-detail",
        "case-detail",
        "assessment-detail",
        "safety-action-detail",
        "absence-detail",
    },
    "a dashboard or a live panel, tested where it lives": {
        "home",  # dasapp/tests/test_home.py
        "call_intelligence",  # calls/tests/test_officer_calls.py
        "lookup",  # calls/tests/test_intelligence.py
    },
    "the platform's plumbing": {
        "session_status",
        "healthz",
        "health",
        "favicon",
        "api-root",
        "api_schema",
        "api_docs",
    },
}


# Reading and counting ----------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if has_role(user, Role.SUPERVISOR):
        verify_two_factor(client, user)
    return client


def fetch(client: Client, spec: ListSpec, scene: Scene):
    """The list's answer and its body (a streamed download read to the end)."""
    url = spec.url(scene)
    response = client.post(url, spec.post) if spec.post is not None else client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def shown(body: bytes, markers: list) -> int:
    """How many of the rows the answer shows: ids among an API list's results, else
    marker text in the page."""
    if markers and isinstance(markers[0], int):
        data = json.loads(body)
        items = data["results"] if isinstance(data, dict) else data
        ids = {item["id"] for item in items}
        return sum(marker in ids for marker in markers)
    text = body.decode()
    return sum(marker in text for marker in markers)


def state_purpose(client: Client, spec: ListSpec, scene: Scene) -> None:
    if spec.purpose:
        client.post(spec.url(scene), {"purpose": PURPOSE})


def _queries(captured: CaptureQueriesContext) -> str:
    return "\n".join(f"{n}. {q['sql'][:300]}" for n, q in enumerate(captured.captured_queries, 1))


def baseline() -> dict:
    return json.loads(BASELINE.read_text()) if BASELINE.exists() else {}


def record_baseline(name: str, count: int) -> None:
    """Write one list's count into the baseline (locked: workers write at once)."""
    BASELINE.touch(exist_ok=True)
    with BASELINE.open("r+") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        text = file.read()
        data = json.loads(text) if text.strip() else {}
        data.setdefault(connection.vendor, {})[name] = count
        file.seek(0)
        file.truncate()
        file.write(json.dumps(data, indent=2, sort_keys=True) + "\n")


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=True):
        yield


# Tests ----------------------------------------------------------------------------------------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) != "admin/":
                yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), pattern


def _api_lists() -> set[str]:
    """The API's routes that answer GET with many rows: a viewset's `list`, and a GET
    action on one record other than reading it (a case's history)."""
    found = set()
    for route, pattern in _routes(get_resolver().url_patterns):
        actions = getattr(pattern.callback, "actions", None) or {}
        if route.startswith("api/v1/") and actions.get("get") not in (None, "retrieve"):
            found.add(pattern.name)
    return found


def test_every_list_route_is_in_the_table():
    names = {pattern.name for _, pattern in _routes(get_resolver().url_patterns)}
    listed = {spec.name for spec in LISTS}
    not_lists = set().union(*NOT_LISTS.values())
    assert len(listed) == len(LISTS), "a list is in the table twice"
    assert _api_lists() <= {spec.name for spec in APIS}, (
        f"API list routes missing from APIS: {sorted(_api_lists() - listed)}"
    )
    assert not (listed & not_lists), f"both a list and not: {sorted(listed & not_lists)}"
    unknown = names - listed - not_lists
    assert not unknown, (
        f"New routes {sorted(unknown)}: add each to LISTS (a list: who may see it, its rows "
        "and who may not) or to NOT_LISTS with the reason"
    )
    assert not (listed | not_lists) - names, f"gone: {sorted((listed | not_lists) - names)}"


def test_the_baseline_names_only_lists_in_the_table():
    for vendor, counts in baseline().items():
        stale = set(counts) - {spec.name for spec in LISTS}
        assert not stale, f"{vendor} baseline names lists no longer here: {sorted(stale)}"


@pytest.mark.parametrize("spec", LISTS, ids=str)
def test_the_list_reads_the_same_queries_for_10_rows_as_for_60_and_the_baseline(spec, persona):
    scene = Scene(persona, spec.viewer)
    spec.setup(scene)
    markers = spec.rows(scene, 0, FEW)
    client = signed_in(scene.viewer)
    state_purpose(client, spec, scene)
    fetch(client, spec, scene)  # the session's first request saves it

    with CaptureQueriesContext(connection) as few:
        response, body = fetch(client, spec, scene)
    assert response.status_code == 200, body[:500]
    assert shown(body, markers) == spec.shows(FEW)

    markers += spec.rows(scene, FEW, MANY)
    with CaptureQueriesContext(connection) as many:
        response, body = fetch(client, spec, scene)
    assert response.status_code == 200, body[:500]
    assert shown(body, markers) == spec.shows(MANY)

    assert len(many) == len(few), (
        f"{spec.name} reads {len(few)} queries for {FEW} rows but {len(many)} for {MANY}: a "
        f"query per row. For {MANY} rows:\n{_queries(many)}"
    )
    if UPDATE:
        record_baseline(spec.name, len(few))
        return
    expected = baseline().get(connection.vendor, {}).get(spec.name)
    assert expected is not None, f"No {connection.vendor} baseline for {spec.name}. {HOW_TO_UPDATE}"
    assert len(few) == expected, (
        f"{spec.name} now reads {len(few)} queries on {connection.vendor}; the baseline says "
        f"{expected}. {HOW_TO_UPDATE}\n{_queries(few)}"
    )


@pytest.mark.parametrize("spec", LISTS, ids=str)
def test_an_outsider_is_refused_or_sees_none_of_the_rows(spec, persona):
    scene = Scene(persona, spec.viewer)
    spec.setup(scene)
    markers = spec.rows(scene, 0, MANY)
    for outsider in spec.outsiders:
        client = signed_in(persona(outsider.who.role, outsider.who.team))
        state_purpose(client, spec, scene)
        response, body = fetch(client, spec, scene)
        if outsider.gets == REFUSED:
            assert response.status_code in (403, 404), (outsider, response.status_code)
        else:
            assert response.status_code == 200, (outsider, response.status_code)
            assert shown(body, markers) == 0, outsider
