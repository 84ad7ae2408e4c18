"""The intelligence desk's list of live incidents needing research: the selector, the
page (/research/), the home page section, and the notification when a call is logged
without its look-up."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from calls import intelligence
from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson, IncidentResearch
from calls.selectors import calls as call_selectors
from calls.services import calls as call_services
from dasapp.models import AccessLog, Notification
from dasapp.roles import Role
from org.models import Absence
from people import services

ANSWERS = {
    "injuries": "none",
    "suspect_location": "elsewhere",
    "weapons": "no",
    "children_present": "no",
    "drink_drugs": "no",
    "previous_incidents": "yes",
    "fear_level": "3",
    "afraid_of": ["further_injury"],
    "demeanour": "calm",
}
NO_FLAGS = {"unavailable": False, "flags": []}
UNAVAILABLE = {"unavailable": True, "message": intelligence.UNAVAILABLE_MESSAGE, "flags": []}


def snapshot(*kinds: str, on: str = "this number") -> dict:
    return {
        "unavailable": False,
        "flags": [{"id": n, "kind": kind, "label": kind, "on": on} for n, kind in enumerate(kinds)],
    }


def logged(
    *,
    grade: str = "scheduled",
    minutes_left: int | None = 60,
    hours_ago: float = 1,
    status: str = IncidentStatus.GRADED,
    intel: dict | None = None,
    regrade: dict | None = None,
    now: dt.datetime | None = None,
    **fields,
) -> Incident:
    """A logged call, as the call-taker's service leaves it."""
    now = now or timezone.now()
    at = now - dt.timedelta(hours=hours_ago)
    return Incident.objects.create(
        status=status,
        grade=grade,
        created_at=at,
        logged_at=at,
        graded_at=at,
        attend_by=now + dt.timedelta(minutes=minutes_left) if minutes_left is not None else None,
        intelligence=NO_FLAGS if intel is None else intel,
        regrade_intelligence=regrade or {},
        **fields,
    )


def listed(now=None) -> dict[int, list[str]]:
    rows = call_selectors.incidents_needing_research(now=now or timezone.now())
    return {row.incident.pk: row.reasons for row in rows}


@pytest.fixture
def intel_user(persona):
    return persona(Role.INTELLIGENCE, team="control-intelligence")


def client_as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# The selector -----------------------------------------------------------------------------


def test_a_call_logged_with_the_look_up_unavailable_is_listed_whatever_its_grade(org):
    call = logged(grade="telephone", intel=UNAVAILABLE)
    assert listed() == {call.pk: ["Look-up was unavailable when the call was logged"]}


def test_emergency_and_priority_calls_are_listed_and_scheduled_ones_without_flags_are_not(org):
    emergency = logged(grade="emergency", minutes_left=10)
    priority = logged(grade="priority", minutes_left=40)
    logged(grade="scheduled")
    logged(grade="telephone")
    assert listed() == {
        emergency.pk: ["Emergency call, not yet researched"],
        priority.pk: ["Priority call, not yet researched"],
    }


def test_officer_safety_flags_in_the_snapshot_list_the_call_with_the_flags_named(org):
    weapons = logged(intel=snapshot("weapons"))
    several = logged(intel=snapshot("court_order", "high_risk_victim", "weapons"))
    bail_at_regrade = logged(intel=NO_FLAGS, regrade=snapshot("bail_conditions"))
    logged(intel=snapshot("marac_listed", "repeat_victim", "safety_plan"))
    assert listed() == {
        weapons.pk: ["Weapons flag, not yet researched"],
        several.pk: ["Weapons, high-risk victim and court order flags, not yet researched"],
        bail_at_regrade.pk: ["Bail conditions flag, not yet researched"],
    }


def test_every_reason_a_call_is_listed_is_given(org):
    call = logged(grade="emergency", intel={**UNAVAILABLE, "flags": [{"kind": "weapons"}]})
    assert listed()[call.pk] == [
        "Look-up was unavailable when the call was logged",
        "Emergency call, not yet researched",
        "Weapons flag, not yet researched",
    ]


def test_drafts_closed_calls_and_calls_older_than_a_day_are_not_listed(org):
    attended = logged(grade="emergency", status=IncidentStatus.ATTENDED)
    logged(grade="emergency", status=IncidentStatus.CLOSED)
    logged(grade="emergency", hours_ago=25)
    logged(grade="", status=IncidentStatus.DRAFT, intel=UNAVAILABLE, minutes_left=None)
    assert list(listed()) == [attended.pk]


def test_a_researched_call_is_not_listed_whatever_its_reasons(org, intel_user):
    call = logged(grade="emergency", intel={**UNAVAILABLE, "flags": [{"kind": "weapons"}]})
    other = logged(grade="priority")
    IncidentResearch.objects.create(incident=call, author=intel_user, text="Checked PNC")
    assert list(listed()) == [other.pk]


def test_the_most_urgent_grade_comes_first_then_the_least_time_left(org):
    now = timezone.now()
    scheduled_overdue = logged(grade="scheduled", minutes_left=-30, intel=UNAVAILABLE, now=now)
    priority_later = logged(grade="priority", minutes_left=50, now=now)
    emergency = logged(grade="emergency", minutes_left=12, now=now)
    priority_sooner = logged(grade="priority", minutes_left=5, now=now)
    telephone = logged(grade="telephone", minutes_left=None, intel=UNAVAILABLE, now=now)
    rows = call_selectors.incidents_needing_research(now=now)
    assert [row.incident.pk for row in rows] == [
        emergency.pk,
        priority_sooner.pk,
        priority_later.pk,
        scheduled_overdue.pk,
        telephone.pk,
    ]
    assert rows[0].time_left_text == "12 min left"
    assert rows[3].breached and rows[3].time_left_text == "30 min overdue"
    assert rows[4].time_left_text == "No deadline"


@pytest.mark.parametrize("size", [5, 500])
def test_the_selector_reads_the_list_in_one_query_whatever_its_length(
    org, size, django_assert_max_num_queries
):
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            status=IncidentStatus.GRADED,
            grade=("emergency", "scheduled")[n % 2],
            created_at=now - dt.timedelta(minutes=n),
            attend_by=now + dt.timedelta(minutes=n),
            intelligence=snapshot("weapons") if n % 2 else UNAVAILABLE,
        )
        for n in range(size)
    )
    with django_assert_max_num_queries(1):
        rows = call_selectors.incidents_needing_research(now=now)
        assert [row.location for row in rows]  # the address is read with the list
    assert len(rows) == size


# The page ---------------------------------------------------------------------------------


@pytest.fixture
def named_call(org):
    """An emergency call at a known address with a named victim, suspect and flag."""
    victim = services.person_create(
        data=services.PersonInput(given_name="Marisol", family_name="Quenby")
    )
    suspect = services.person_create(
        data=services.PersonInput(given_name="Tobias", family_name="Wrenfield")
    )
    address, _ = services.address_get_or_create(
        line1="14 Kestrel Row", town="Witham", postcode="CM8 2QQ"
    )
    call = logged(
        grade="emergency",
        minutes_left=9,
        address=address,
        intel=snapshot("weapons", on="Tobias Wrenfield"),
    )
    IncidentPerson.objects.create(incident=call, person=victim, role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=call, person=suspect, role=IncidentRole.SUSPECT)
    return call


def test_the_page_shows_grade_time_left_location_and_reason_linking_to_the_call_not_names(
    named_call, intel_user
):
    html = client_as(intel_user).get("/research/").content.decode()
    assert f'href="/calls/{named_call.pk}/?via=incident:{named_call.pk}"' in html
    assert named_call.reference in html
    assert "Emergency" in html
    assert "min left" in html
    assert "14 Kestrel Row" in html and "Witham" in html
    assert "Emergency call, not yet researched" in html
    assert "Weapons flag, not yet researched" in html
    for name in ("Marisol", "Quenby", "Tobias", "Wrenfield"):
        assert name not in html


def test_the_link_from_the_list_opens_the_call_for_the_researcher(named_call, intel_user):
    response = client_as(intel_user).get(f"/calls/{named_call.pk}/?via=incident:{named_call.pk}")
    assert response.status_code == 200
    row = AccessLog.objects.filter(object_id=str(named_call.pk), action="consult").get()
    assert row.work_item == f"incident:{named_call.pk}"


def test_the_page_refreshes_itself_every_30_seconds_with_only_the_table(named_call, intel_user):
    c = client_as(intel_user)
    page = c.get("/research/").content.decode()
    assert 'hx-get="/research/"' in page and 'hx-trigger="every 30s"' in page
    partial = c.get("/research/", HTTP_HX_REQUEST="true").content.decode()
    assert named_call.reference in partial
    assert "<html" not in partial and "hx-trigger" not in partial


def test_supervisors_may_open_the_list_and_call_takers_and_officers_may_not(named_call, client_for):
    assert client_for(Role.SUPERVISOR).get("/research/").status_code == 200
    assert client_for(Role.CALL_TAKER).get("/research/").status_code == 403
    assert client_for(Role.OFFICER).get("/research/").status_code == 403


def test_adding_research_on_the_call_takes_it_off_the_list(named_call, intel_user):
    c = client_as(intel_user)
    assert named_call.reference in c.get("/research/").content.decode()
    response = c.post(
        f"/calls/{named_call.pk}/research/", {"text": "Suspect has a shotgun licence"}
    )
    assert response.status_code == 302
    html = c.get("/research/").content.decode()
    assert named_call.reference not in html
    assert "No live incidents need research." in html


def test_each_page_view_is_one_search_row_naming_the_incidents_shown(named_call, intel_user):
    other = logged(grade="priority", intel=UNAVAILABLE)
    logged(grade="scheduled")  # not shown, not logged
    c = client_as(intel_user)
    c.get("/research/")
    c.get("/research/")
    rows = AccessLog.objects.filter(user=intel_user, action=AccessLog.Action.SEARCH)
    assert rows.count() == 2
    for row in rows:
        assert row.object_type == "calls.incident"
        assert row.detail["results"] == [named_call.pk, other.pk]


def test_a_refresh_is_logged_only_when_what_it_shows_changed(named_call, intel_user):
    c = client_as(intel_user)
    searches = AccessLog.objects.filter(user=intel_user, action=AccessLog.Action.SEARCH)
    c.get("/research/")
    c.get("/research/", HTTP_HX_REQUEST="true")
    assert searches.count() == 1
    new = logged(grade="priority", minutes_left=30)
    c.get("/research/", HTTP_HX_REQUEST="true")
    assert searches.count() == 2
    assert searches.order_by("-pk").first().detail["results"] == [named_call.pk, new.pk]


@pytest.mark.parametrize("size", [5, 500])
def test_the_page_runs_a_fixed_number_of_queries_whatever_the_list_length(
    org, intel_user, size, django_assert_max_num_queries
):
    address, _ = services.address_get_or_create(line1="1 Plover Lane", postcode="CO1 1AA")
    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            status=IncidentStatus.GRADED,
            grade="priority",
            created_at=now - dt.timedelta(minutes=n),
            attend_by=now + dt.timedelta(minutes=n),
            address=address,
        )
        for n in range(size)
    )
    c = client_as(intel_user)
    with django_assert_max_num_queries(9):
        html = c.get("/research/").content.decode()
    assert html.count("?via=incident:") == size
    with django_assert_max_num_queries(9):
        assert c.get("/research/", HTTP_HX_REQUEST="true").status_code == 200


# The home page -----------------------------------------------------------------------------


def test_the_intelligence_home_page_counts_the_list_and_links_the_five_most_urgent(org, intel_user):
    calls = [logged(grade="emergency", minutes_left=n) for n in range(1, 8)]
    html = client_as(intel_user).get("/").content.decode()
    assert "7 live incidents need research" in html
    for call in calls[:5]:
        assert f'href="/calls/{call.pk}/?via=incident:{call.pk}"' in html
    for call in calls[5:]:
        assert call.reference not in html
    assert "Emergency call, not yet researched" in html
    assert 'href="/research/"' in html


def test_the_intelligence_home_page_says_when_nothing_needs_research(org, intel_user):
    logged(grade="scheduled")
    html = client_as(intel_user).get("/").content.decode()
    assert "No live incidents need research." in html


# The notification when a call is logged without its look-up -------------------------------


def _log_call(call_taker, package: intelligence.Package) -> Incident:
    incident, _ = call_services.incident_start(user=call_taker)
    call_services.incident_autosave(
        incident=incident,
        user=call_taker,
        data=call_services.DraftInput(
            caller_phone="07700900812", location_note="Car park", answers=dict(ANSWERS)
        ),
    )
    incident.refresh_from_db()
    return call_services.incident_log_and_grade(
        incident=incident,
        user=call_taker,
        decision=call_services.GradeDecision(grade="priority", reason="Caller is frightened"),
        package=package,
    )


def test_a_call_logged_with_the_look_up_unavailable_tells_the_intelligence_desk_at_work(
    persona, intel_user
):
    on_leave = persona(Role.INTELLIGENCE, team="control-intelligence")
    Absence.objects.create(
        user=on_leave,
        kind="annual_leave",
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    left = persona(Role.INTELLIGENCE, team="control-intelligence")
    left.is_active = False
    left.save()
    call_taker = persona(Role.CALL_TAKER, team="control-room")
    services.person_create(data=services.PersonInput(given_name="Odette", family_name="Marsh"))

    call = _log_call(
        call_taker,
        intelligence.Package(unavailable=True, message=intelligence.UNAVAILABLE_MESSAGE),
    )

    note = Notification.objects.get()
    assert note.user == intel_user
    assert call.reference in note.title
    assert "Odette" not in note.title + note.body and "Marsh" not in note.title + note.body
    assert note.url == f"/calls/{call.pk}/?via=incident:{call.pk}"
    assert not note.email_wanted
    assert list(listed()) == [call.pk]


def test_a_call_logged_with_its_look_up_tells_nobody(persona, intel_user):
    call_taker = persona(Role.CALL_TAKER, team="control-room")
    _log_call(call_taker, intelligence.Package())
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("seconds_left", "text"),
    [(-30, "under 1 min overdue"), (0, "under 1 min left"), (59, "under 1 min left"),
     (-60, "1 min overdue"), (-3900, "1 h 5 min overdue")],
)  # fmt: skip
def test_a_call_just_breached_reads_under_a_minute_overdue_not_0_min(seconds_left, text):
    from calls.selectors.calls import BoardRow

    assert BoardRow(incident=None, seconds_left=seconds_left).time_left_text == text
