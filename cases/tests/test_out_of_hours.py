"""Out of hours: a high-risk DV1 submitted while nobody in the receiving queue's team is
at work tells the people on the out-of-hours list who are at work, at once; the case
shows who was told; with nobody at work anywhere on the list the supervisors' pages
show an alert until someone acknowledges it or claims the case."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import out_of_hours
from cases.event_verbs import EventVerb
from cases.models import OutOfHoursAlert, OutOfHoursContact
from conftest import verify_two_factor
from dasapp.models import Event, Notification
from dasapp.roles import Role
from org.choices import AbsenceKind
from org.models import Absence, ShiftPattern, Team
from people import services
from risk.tests.test_services import incident_for, submitted

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# 27 November 2026, 03:02: the central unit (08:00 to midnight) and every hub rest.
SMALL_HOURS = dt.datetime(2026, 11, 27, 3, 2, tzinfo=LONDON)
# 26 November 2026, 18:00: the Colchester hub is on its evening shift.
EVENING_SHIFT = dt.datetime(2026, 11, 26, 18, 0, tzinfo=LONDON)
OFFICE_HOURS = "Office hours (Monday to Friday, 08:00 to 18:00)"
# The queries the supervisor's home page makes, its alerts included (one of them).
HOME_QUERIES = 11


@pytest.fixture
def people(org, persona):
    """The DV1's people, a DASO in every hub and the central unit (all off duty at
    03:00 by their teams' rotas), and the out-of-hours list's people: a control-room
    sergeant (the control room works round the clock) and a duty inspector who works
    office hours (off duty at 03:00)."""
    supervisor = persona(Role.SUPERVISOR, team="cru", username="sup")
    officer = persona(Role.OFFICER, team="response", username="pc", supervisor=supervisor)
    for team in ("hub-colchester", "hub-brentwood", "hub-laindon", "cru"):
        persona(Role.DASO, team=team, username=f"daso-{team}")
    sergeant = persona(
        Role.SUPERVISOR,
        team="control-room",
        username="sgt",
        first_name="Dev",
        last_name="Malik",
        rank="Sergeant",
        email="sgt@police.invalid",
    )
    inspector = persona(
        Role.SUPERVISOR,
        team="response",
        username="insp",
        first_name="Ruth",
        last_name="Calder",
        rank="Inspector",
        email="insp@police.invalid",
    )
    inspector.profile.shift_pattern = ShiftPattern.objects.get(name=OFFICE_HOURS)
    inspector.profile.save()
    calltaker = persona(Role.CALL_TAKER, team="control-room", username="ct")
    victim = services.person_create(data=services.PersonInput(given_name="Nia", family_name="Rowe"))
    suspect = services.person_create(
        data=services.PersonInput(given_name="Kyle", family_name="Dunn")
    )
    address, _ = services.address_get_or_create(
        line1="3 Mill Row", postcode="CO1 2AB", town="Colchester"
    )
    services.person_address_link(person=victim, address=address)
    return {
        "supervisor": supervisor,
        "officer": officer,
        "sergeant": sergeant,
        "inspector": inspector,
        "calltaker": calltaker,
        "victim": victim,
        "suspect": suspect,
        "address": address,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name=Role.SUPERVISOR).exists():
        verify_two_factor(client, user)
    return client


def out_of_hours_notes(username: str) -> list[Notification]:
    return list(
        Notification.objects.filter(user__username=username, dedupe_key__startswith="out-of-hours:")
    )


def nobody_on_the_list_at_work(p) -> None:
    """The control-room sergeant is on leave tonight (the inspector is off shift)."""
    Absence.objects.create(
        user=p["sergeant"],
        kind=AbsenceKind.ANNUAL_LEAVE,
        starts_at=SMALL_HOURS - dt.timedelta(days=1),
        ends_at=SMALL_HOURS + dt.timedelta(days=1),
    )


# Who is told ----------------------------------------------------------------------------


@time_machine.travel(SMALL_HOURS, tick=False)
def test_a_high_risk_dv1_at_three_in_the_morning_tells_the_on_duty_sergeant_at_once_not_the_off_duty_inspector(  # noqa: E501
    people, django_capture_on_commit_callbacks
):
    with (
        mock.patch("dasapp.tasks.send_notification_emails.delay") as emails,
        django_capture_on_commit_callbacks(execute=True),
    ):
        case = submitted(people, yes=15).case
    assert case.queue.kind == "cru_high"
    [note] = out_of_hours_notes("sgt")
    assert (
        note.title == f"High-risk case {case.reference}: nobody in Central referral unit is at work"
    )
    assert note.url == f"/cases/{case.pk}/?via=case:{case.pk}"
    assert "03:02 on 27 November" in note.body and "08:00 on 27 November" in note.body
    assert "Nia" not in note.title + note.body  # no victim's name in a message or email
    # And an email, queued for the worker once the submission commits.
    assert note.email_wanted
    assert any(note.pk in call.args[0] for call in emails.call_args_list)
    assert out_of_hours_notes("insp") == []  # off shift: not woken
    assert out_of_hours_notes("ct") == []  # the control room's call-taker is not on the list
    alert = OutOfHoursAlert.objects.get(case=case)
    assert alert.told == [
        {
            "id": people["sergeant"].pk,
            "name": "Sergeant Dev Malik",
            "as": "control room supervisor",
            "team": "Force control room",
        }
    ]
    assert alert.nobody_at_work is False
    event = Event.objects.get(case=case, verb=EventVerb.OUT_OF_HOURS_TOLD)
    assert event.actor == people["officer"]
    assert "told at once Sergeant Dev Malik (control room supervisor" in event.reason
    assert alert.history.get().history_user == people["officer"]


@time_machine.travel(SMALL_HOURS, tick=False)
def test_the_duty_inspector_on_a_night_shift_is_told_too_and_someone_on_leave_is_not(people):
    people["inspector"].profile.shift_pattern = ShiftPattern.objects.get(name="Round the clock")
    people["inspector"].profile.save()
    nobody_on_the_list_at_work(people)  # the sergeant is on leave
    case = submitted(people, yes=15).case
    assert len(out_of_hours_notes("insp")) == 1
    assert out_of_hours_notes("sgt") == []
    [told] = OutOfHoursAlert.objects.get(case=case).told
    assert (told["name"], told["as"], told["team"]) == (
        "Inspector Ruth Calder",
        "duty inspector",
        "Response policing",
    )


@time_machine.travel(EVENING_SHIFT, tick=False)
def test_in_hub_hours_nothing_changes_and_nobody_out_of_hours_is_told(people):
    case = submitted(people, yes=15).case
    assert case.queue.team.code == "hub-colchester"
    assert OutOfHoursAlert.objects.count() == 0
    assert not Event.objects.filter(verb=EventVerb.OUT_OF_HOURS_TOLD).exists()
    assert out_of_hours_notes("sgt") == []


@time_machine.travel(SMALL_HOURS, tick=False)
def test_a_medium_risk_dv1_at_night_tells_nobody_out_of_hours(people):
    submitted(people, yes=11)
    assert OutOfHoursAlert.objects.count() == 0
    assert out_of_hours_notes("sgt") == []


@time_machine.travel(dt.datetime(2026, 11, 26, 23, 0, tzinfo=LONDON), tick=False)
def test_at_eleven_at_night_the_central_unit_is_at_work_so_nobody_else_is_told(people):
    case = submitted(people, yes=15).case
    assert case.queue.kind == "cru_high"
    assert OutOfHoursAlert.objects.count() == 0


@time_machine.travel(SMALL_HOURS, tick=False)
def test_the_configuration_decides_who_is_told(people, persona):
    """An administrator switches the control room's line off and adds the CID's
    supervisors (round the clock): they are told, the sergeant is not."""
    OutOfHoursContact.objects.filter(team__code="control-room").update(is_active=False)
    OutOfHoursContact.objects.create(
        team=Team.objects.get(code="cid"), role=Role.SUPERVISOR, label="CID night supervisor"
    )
    persona(Role.SUPERVISOR, team="cid", username="cid-sup", first_name="Ola", last_name="Ng")
    persona(Role.INVESTIGATOR, team="cid", username="cid-ds")  # not the line's role
    case = submitted(people, yes=15).case
    assert len(out_of_hours_notes("cid-sup")) == 1
    assert out_of_hours_notes("sgt") == [] and out_of_hours_notes("cid-ds") == []
    assert [t["as"] for t in OutOfHoursAlert.objects.get(case=case).told] == [
        "CID night supervisor"
    ]


def test_someone_on_two_lines_is_told_once_as_the_first():
    class Person:
        def __init__(self, pk):
            self.pk = pk

    one, two = Person(1), Person(2)
    told = out_of_hours.people_to_tell(
        [("control room supervisor", "Control", [one]), ("duty inspector", "Response", [one, two])],
        at_work=lambda p: True,
        name_of=lambda p: f"P{p.pk}",
    )
    assert [(t.id, t.told_as) for t in told] == [
        (1, "control room supervisor"),
        (2, "duty inspector"),
    ]


# The case page --------------------------------------------------------------------------


@time_machine.travel(SMALL_HOURS, tick=False)
def test_the_case_page_shows_who_was_told_and_when_in_london_time(people):
    case = submitted(people, yes=15).case
    supervisor = signed_in(people["supervisor"])
    page = supervisor.get(f"/cases/{case.pk}/?via=case:{case.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="out-of-hours"' in html
    assert (
        "Notified at 03:02 on 27 November 2026: Sergeant Dev Malik "
        "(control room supervisor, Force control room)"
    ) in html
    history = supervisor.get(f"/cases/{case.pk}/history/")
    assert "told at once Sergeant Dev Malik" in history.content.decode()


@time_machine.travel(dt.datetime(2026, 7, 3, 3, 2, tzinfo=LONDON), tick=False)
def test_in_summer_the_time_shown_is_british_summer_time(people):
    case = submitted(people, yes=15).case
    alert = OutOfHoursAlert.objects.get(case=case)
    assert alert.raised_at.astimezone(dt.UTC).hour == 2  # stored in UTC
    html = signed_in(people["supervisor"]).get(f"/cases/{case.pk}/?via=case:{case.pk}")
    assert "Notified at 03:02 on 3 July 2026" in html.content.decode()


# Nobody at work anywhere: the supervisors' alert -----------------------------------------


@time_machine.travel(SMALL_HOURS, tick=False)
def test_with_nobody_on_duty_anywhere_the_supervisors_pages_show_the_alert(
    people, django_assert_max_num_queries
):
    nobody_on_the_list_at_work(people)
    case = submitted(people, yes=15).case
    alert = OutOfHoursAlert.objects.get(case=case)
    assert alert.nobody_at_work and alert.told == []
    assert Notification.objects.filter(dedupe_key__startswith="out-of-hours:").count() == 0
    supervisor = signed_in(people["supervisor"])
    with django_assert_max_num_queries(HOME_QUERIES):
        home = supervisor.get("/")
    html = home.content.decode()
    assert 'data-testid="out-of-hours-alerts"' in html
    assert "govuk-notification-banner" in html
    assert f"High-risk case {case.reference}</a>: arrived at 03:02 on 27 November" in html
    assert f'href="/cases/{case.pk}/?via=case:{case.pk}"' in html
    assert "Nia" not in html  # references only on the home page
    for url in ("/queues/", f"/queues/{case.queue_id}/"):
        assert 'data-testid="out-of-hours-alerts"' in supervisor.get(url).content.decode()
    case_page = supervisor.get(f"/cases/{case.pk}/?via=case:{case.pk}").content.decode()
    assert "Nobody on the out-of-hours list was at work to be told at 03:02" in case_page
    # A DASO's pages do not carry it: it is the supervisors'.
    daso = signed_in(case.queue.team.staff.get(user__username="daso-cru").user)
    assert 'data-testid="out-of-hours-alerts"' not in daso.get("/queues/").content.decode()


def _alert_queries(queries) -> int:
    return sum("outofhoursalert" in q["sql"].lower() for q in queries)


@time_machine.travel(SMALL_HOURS, tick=False)
def test_the_supervisors_pages_read_the_alerts_in_one_query_however_many(
    people, django_assert_max_num_queries
):
    nobody_on_the_list_at_work(people)
    first = submitted(people, yes=15).case
    supervisor = signed_in(people["supervisor"])
    pages = ("/", "/queues/", f"/queues/{first.queue_id}/")
    for url in pages:
        supervisor.get(url)  # the session and the user's roles once
    with CaptureQueriesContext(connection) as one:
        for url in pages:
            supervisor.get(url)
    for given in ("Ama", "Bo", "Cy"):
        victim = services.person_create(
            data=services.PersonInput(given_name=given, family_name="Bell")
        )
        others = {**people, "victim": victim}
        submitted(others, yes=15, incident=incident_for(others))
    assert OutOfHoursAlert.objects.filter(nobody_at_work=True).count() == 4
    with CaptureQueriesContext(connection) as four:
        for url in pages:
            supervisor.get(url)
    assert len(four) == len(one)
    assert _alert_queries(four) == len(pages)  # one query a page
    with django_assert_max_num_queries(HOME_QUERIES):
        html = supervisor.get("/").content.decode()
    assert html.count('data-testid="out-of-hours-alert"') == 4


@time_machine.travel(SMALL_HOURS, tick=False)
def test_acknowledging_takes_the_alert_off_the_supervisors_pages_with_history(people):
    nobody_on_the_list_at_work(people)
    case = submitted(people, yes=15).case
    alert = OutOfHoursAlert.objects.get(case=case)
    supervisor = signed_in(people["supervisor"])
    done = supervisor.post(f"/out-of-hours/{alert.pk}/acknowledge/", {"next": "/queues/"})
    assert done.status_code == 302 and done["Location"] == "/queues/"
    alert.refresh_from_db()
    assert alert.acknowledged_by == people["supervisor"] and alert.acknowledged_at
    assert alert.history.first().history_user == people["supervisor"]
    assert Event.objects.filter(case=case, verb=EventVerb.OUT_OF_HOURS_ACKNOWLEDGED).exists()
    assert 'data-testid="out-of-hours-alerts"' not in supervisor.get("/").content.decode()
    page = supervisor.get(f"/cases/{case.pk}/?via=case:{case.pk}").content.decode()
    assert "Acknowledged by Helen" not in page  # the persona has no name: username shown
    assert "Acknowledged by sup at 03:02 on 27 November 2026" in page


@time_machine.travel(SMALL_HOURS, tick=False)
def test_acknowledging_is_for_supervisors_and_goes_back_only_to_this_site(people):
    nobody_on_the_list_at_work(people)
    case = submitted(people, yes=15).case
    alert = OutOfHoursAlert.objects.get(case=case)
    daso = signed_in(case.queue.team.staff.get(user__username="daso-cru").user)
    assert daso.post(f"/out-of-hours/{alert.pk}/acknowledge/").status_code == 403
    assert Client().post(f"/out-of-hours/{alert.pk}/acknowledge/").status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    supervisor = signed_in(people["supervisor"])
    assert supervisor.get(f"/out-of-hours/{alert.pk}/acknowledge/").status_code == 405
    done = supervisor.post(
        f"/out-of-hours/{alert.pk}/acknowledge/", {"next": "https://elsewhere.example/"}
    )
    assert done["Location"] == "/"


@time_machine.travel(SMALL_HOURS, tick=False)
def test_claiming_the_case_takes_the_alert_off_the_supervisors_pages(people):
    from cases.assignment_services import case_claim, case_release

    nobody_on_the_list_at_work(people)
    case = submitted(people, yes=15).case
    supervisor = signed_in(people["supervisor"])
    assert 'data-testid="out-of-hours-alerts"' in supervisor.get("/").content.decode()
    daso = case.queue.team.staff.get(user__username="daso-cru").user
    case_claim(case=case, user=daso)
    assert 'data-testid="out-of-hours-alerts"' not in supervisor.get("/").content.decode()
    # Released again in the morning: somebody had it in hand, the night's alert stays gone.
    case_release(case=case, user=daso, reason="Handing to the hub")
    assert 'data-testid="out-of-hours-alerts"' not in supervisor.get("/").content.decode()


# Configuration --------------------------------------------------------------------------


def test_the_defaults_load_the_control_room_supervisor_and_the_duty_inspector(org):
    lines = list(
        OutOfHoursContact.objects.order_by("order").values_list("team__code", "role", "label")
    )
    assert lines == [
        ("control-room", "supervisor", "control room supervisor"),
        ("response", "supervisor", "duty inspector"),
    ]
    assert Team.objects.get(code="control-room").shift_pattern.name == "Round the clock"


def test_loading_again_keeps_a_line_switched_off_and_adds_nothing(org):
    from django.core.management import call_command

    from conftest import _Null

    line = OutOfHoursContact.objects.get(label="duty inspector")
    line.is_active = False
    line.save()
    call_command("load_org_defaults", stdout=_Null())
    assert OutOfHoursContact.objects.count() == 2
    line.refresh_from_db()
    assert line.is_active is False


def test_a_line_naming_an_unknown_team_is_refused(org, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from conftest import _Null

    path = tmp_path / "force.yaml"
    path.write_text(
        "force: {code: northmoor, name: Northmoor Police}\n"
        "out_of_hours_escalation:\n"
        "  - {team: night-desk, role: supervisor, label: night desk}\n"
    )
    with pytest.raises(CommandError, match="no team has the code 'night-desk'"):
        call_command("load_org_defaults", "--file", str(path), stdout=_Null())


def test_an_administrator_edits_the_out_of_hours_list_in_the_admin(org, persona):
    admin = persona(None, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    verify_two_factor(client, admin)
    line = OutOfHoursContact.objects.get(label="duty inspector")
    assert client.get("/admin/cases/outofhourscontact/").status_code == 200
    changed = client.post(
        f"/admin/cases/outofhourscontact/{line.pk}/change/",
        {
            "team": line.team_id,
            "role": "supervisor",
            "label": "duty superintendent",
            "order": 5,
            "is_active": "on",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    line.refresh_from_db()
    assert (line.label, line.order) == ("duty superintendent", 5)
    assert line.history.first().history_user == admin
    assert client.get("/admin/cases/outofhoursalert/").status_code == 200
