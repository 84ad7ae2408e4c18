"""The one contact timeline per victim: recording a contact (service), who contacted
her last and the other-agency warning (selectors), and the pages: the timeline, the
record form, and the Contact block on the case and person pages. Fixtures are fictional."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import case_services, contact_selectors, contact_services, services
from cases.choices import ContactChannel, ContactOutcome, EventVerb, IncidentRole, IncidentStatus
from cases.models import (
    CaseworkSettings,
    Contact,
    Event,
    Force,
    Incident,
    IncidentPerson,
    Task,
)
from conftest import verify_two_factor
from dasapp.api import DomainError
from dasapp.models import AccessLog
from dasapp.roles import Role

LONDON = ZoneInfo("Europe/London")
# Today in the tests: the DASO is about to call the victim at 10:00 on 26 November 2026.
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
YESTERDAY = NOW - dt.timedelta(days=1, hours=-4)  # 25 November 2026, 14:00
WARNING = (
    "Victim support contacted her yesterday (spoke with the victim). Check with them "
    "before you call: uncoordinated contact makes victims withdraw."
)


@pytest.fixture
def p(org, persona):
    """The hub DASO about to call; a DASO colleague in the same hub; victim support's
    case worker; the IDVA; a supervisor; a partner and a call-taker who must be refused;
    a user with no team; and a victim with safe-contact instructions and a safe number."""
    victim = services.person_create(
        data=services.PersonInput(
            given_name="Leah",
            family_name="Fictional",
            gender="female",
            safe_contact_instructions="If a man answers, say it is the GP surgery",
            safe_times="Weekdays 09:30 to 14:30",
            no_voicemail=True,
            language="Polish",
            interpreter_needed=True,
        )
    )
    safe, _ = services.phone_get_or_create(number="07700 900123")
    services.person_phone_link(person=victim, phone=safe, is_safe=True)
    unsafe, _ = services.phone_get_or_create(number="07700 900124")
    services.person_phone_link(person=victim, phone=unsafe, is_safe=False)
    suspect = services.person_create(
        data=services.PersonInput(given_name="Darren", family_name="Madeup", gender="male")
    )
    return {
        "daso": persona(
            Role.DASO, team="hub-colchester", username="daso", first_name="Sam", last_name="Reeve"
        ),
        "colleague": persona(
            Role.DASO, team="hub-colchester", username="colleague", first_name="Dee"
        ),
        "victim_support": persona(
            Role.PARTNER,
            team="victim-support",
            username="vs",
            first_name="Kemi",
            last_name="Adebayo",
        ),
        "idva": persona(Role.IDVA, team="idva-service", username="idva", first_name="Alys"),
        "supervisor": persona(Role.SUPERVISOR, team="cru", username="sup"),
        "partner": persona(Role.PARTNER, team="housing", username="housing"),
        "call_taker": persona(Role.CALL_TAKER, team="control-room", username="ct"),
        "officer": persona(Role.OFFICER, team="response", username="pc"),
        "no_team": persona(Role.DASO, username="noteam"),
        "victim": victim,
        "suspect": suspect,
    }


def record(p, who: str, *, at=None, outcome=ContactOutcome.SPOKE, note="", case=None):
    return contact_services.contact_record(
        victim=p["victim"],
        user=p[who],
        channel=ContactChannel.PHONE,
        outcome=outcome,
        at=at or timezone.now() - dt.timedelta(minutes=5),
        note=note,
        case=case,
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    if user.groups.filter(name=Role.SUPERVISOR).exists():
        verify_two_factor(client, user)
    return client


def open_case(p):
    case, _ = case_services.case_open_or_join(
        victim=p["victim"], perpetrator=p["suspect"], level="high", user=p["daso"]
    )
    return case


def timeline_url(p, via: str = "") -> str:
    via = via or f"person:{p['victim'].pk}"
    return f"/people/{p['victim'].pk}/contacts/?via={via}"


def record_url(p) -> str:
    return f"/people/{p['victim'].pk}/contacts/new/?via=person:{p['victim'].pk}"


# Recording a contact (service) ----------------------------------------------------------


def test_contact_is_recorded_against_the_agency_of_the_person_recording_it(p):
    contact = record(p, "daso", note="Agreed a safe word")

    assert contact.agency.code == "hub-colchester"
    assert contact.by == p["daso"]
    assert contact.history.count() == 1
    assert contact.history.first().history_user == p["daso"]
    event = Event.objects.get(verb=EventVerb.CONTACT_RECORDED)
    assert event.new["contact"] == contact.pk
    assert event.new["agency"] == contact.agency_id


def test_service_is_agency_agnostic_victim_support_and_the_idva_record_against_their_own(p):
    by_vs = record(p, "victim_support")
    by_idva = record(p, "idva")

    assert by_vs.agency.code == "victim-support"
    assert by_idva.agency.code == "idva-service"


def test_a_contact_on_a_case_is_in_the_case_history(p):
    case = open_case(p)
    record(p, "daso", case=case)

    assert case.events.filter(verb=EventVerb.CONTACT_RECORDED).count() == 1


def test_contact_time_in_the_future_is_refused(p):
    with pytest.raises(DomainError) as exc:
        record(p, "daso", at=timezone.now() + dt.timedelta(hours=1))

    assert exc.value.errors["at"] == ["The date and time of the contact must be now or in the past"]
    assert not Contact.objects.exists()


def test_user_without_a_team_is_refused_with_a_clear_message(p):
    with pytest.raises(DomainError) as exc:
        record(p, "no_team")

    assert exc.value.message == contact_services.NO_TEAM
    assert "not in a team" in exc.value.message
    assert not Contact.objects.exists()


def test_channel_outcome_and_time_are_required(p):
    with pytest.raises(DomainError) as exc:
        contact_services.contact_record(
            victim=p["victim"], user=p["daso"], channel="", outcome="", at=None
        )

    assert set(exc.value.errors) == {"channel", "outcome", "at"}


def test_a_case_of_another_victim_is_refused(p):
    other = services.person_create(data=services.PersonInput(given_name="Zoe", family_name="X"))
    case, _ = case_services.case_open_or_join(
        victim=other, perpetrator=None, level="medium", user=p["daso"]
    )

    with pytest.raises(DomainError) as exc:
        record(p, "daso", case=case)

    assert exc.value.errors["case"] == ["Choose one of this victim's cases"]


# Who contacted her last, and the warning (selectors) -----------------------------------


def test_timeline_is_newest_first_across_agencies(p):
    old = record(p, "idva", at=timezone.now() - dt.timedelta(days=10))
    new = record(p, "victim_support", at=timezone.now() - dt.timedelta(hours=2))
    middle = record(p, "daso", at=timezone.now() - dt.timedelta(days=2))

    assert list(contact_selectors.contact_timeline(victim=p["victim"])) == [new, middle, old]
    assert contact_selectors.contact_last(victim=p["victim"]) == new


@time_machine.travel(NOW, tick=False)
def test_another_agencys_contact_yesterday_warns_the_daso(p):
    by_vs = record(p, "victim_support", at=YESTERDAY)

    found = contact_selectors.recent_other_agency_contact(victim=p["victim"], user=p["daso"])
    summary = contact_selectors.contact_summary(victim=p["victim"], user=p["daso"])

    assert found == by_vs
    assert summary.warning_text == WARNING


@time_machine.travel(NOW, tick=False)
def test_no_warning_for_a_contact_by_the_dasos_own_agency(p):
    record(p, "colleague", at=YESTERDAY)

    assert contact_selectors.recent_other_agency_contact(victim=p["victim"], user=p["daso"]) is None


@time_machine.travel(NOW, tick=False)
def test_no_warning_for_another_agencys_contact_older_than_the_window(p):
    record(p, "victim_support", at=NOW - dt.timedelta(days=4))

    assert contact_selectors.recent_other_agency_contact(victim=p["victim"], user=p["daso"]) is None


@time_machine.travel(NOW, tick=False)
def test_warning_window_is_the_forces_setting(p):
    record(p, "victim_support", at=NOW - dt.timedelta(days=5))
    settings_row, _ = CaseworkSettings.objects.get_or_create(force=Force.objects.get())
    settings_row.contact_warning_days = 7
    settings_row.save()

    found = contact_selectors.recent_other_agency_contact(victim=p["victim"], user=p["daso"])

    assert found is not None
    assert (
        "5 days ago"
        in contact_selectors.contact_summary(victim=p["victim"], user=p["daso"]).warning_text
    )


def test_the_forces_settings_row_is_created_with_the_default_when_missing(p):
    assert not CaseworkSettings.objects.exists()

    assert contact_selectors.contact_warning_days(user=p["daso"]) == 3
    assert CaseworkSettings.objects.get().force.code


@time_machine.travel(NOW, tick=False)
def test_the_most_recent_other_agency_contact_wins_even_after_the_dasos_own(p):
    record(p, "idva", at=NOW - dt.timedelta(days=2))
    vs = record(p, "victim_support", at=YESTERDAY)
    record(p, "colleague", at=NOW - dt.timedelta(hours=1))

    assert contact_selectors.recent_other_agency_contact(victim=p["victim"], user=p["daso"]) == vs
    summary = contact_selectors.contact_summary(victim=p["victim"], user=p["daso"])
    assert summary.last_text.startswith("Last contacted by Colchester")


# The pages ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_done_when_another_agencys_call_yesterday_shows_a_warning_before_the_daso_calls(p):
    """Victim support called her yesterday; the DASO opens her case, sees the warning
    above the contact button, then the record form, which warns again."""
    case = open_case(p)
    record(p, "victim_support", at=YESTERDAY)
    client = signed_in(p["daso"])

    case_page = client.get(f"/cases/{case.pk}/?via=case:{case.pk}").content.decode()
    form_page = client.get(
        f"/people/{p['victim'].pk}/contacts/new/?via=case:{case.pk}"
    ).content.decode()
    timeline = client.get(timeline_url(p, f"case:{case.pk}")).content.decode()

    for html in (case_page, form_page, timeline):
        assert WARNING in html
        assert html.index('data-testid="other-agency-warning"') < html.index(
            'data-testid="contact-button"'
        )
        assert (
            "Last contacted by Victim support (Kemi Adebayo) on 25 November 2026 at 14:00, "
            "spoke with the victim." in html
        )


@time_machine.travel(NOW, tick=False)
def test_pages_show_no_warning_for_the_dasos_own_agency_or_an_old_contact(p):
    record(p, "victim_support", at=NOW - dt.timedelta(days=4))
    record(p, "colleague", at=YESTERDAY)
    client = signed_in(p["daso"])

    html = client.get(timeline_url(p)).content.decode()

    assert 'data-testid="other-agency-warning"' not in html
    assert "Last contacted by Colchester" in html


def test_safe_contact_instructions_stand_above_the_contact_button(p):
    case = open_case(p)
    client = signed_in(p["daso"])

    pages = {
        "timeline": client.get(timeline_url(p)).content.decode(),
        "record": client.get(record_url(p)).content.decode(),
        "case": client.get(f"/cases/{case.pk}/?via=case:{case.pk}").content.decode(),
        "person": client.get(
            f"/people/{p['victim'].pk}/?via=person:{p['victim'].pk}"
        ).content.decode(),
    }

    for name, html in pages.items():
        button = html.index('data-testid="contact-button"')
        assert html.index("If a man answers, say it is the GP surgery") < button, name
        assert html.index("07700 900123") < button, name
        assert html.index("Never leave a voicemail") < button, name
        assert html.index("Weekdays 09:30 to 14:30") < button, name
        assert html.index("Needs an interpreter") < button, name
        assert html.index("Polish") < button, name
    # The timeline and the form list the safe number, never the unsafe one.
    for name in ("timeline", "record"):
        safe = pages[name].split('data-testid="safe-numbers"')[1].split("</dd>")[0]
        assert "07700 900123" in safe and "07700 900124" not in safe


def test_recording_a_contact_on_the_page_adds_it_and_logs_a_collection(p):
    case = open_case(p)
    client = signed_in(p["daso"])
    at = timezone.localtime() - dt.timedelta(minutes=30)

    response = client.post(
        f"/people/{p['victim'].pk}/contacts/new/?via=case:{case.pk}",
        {
            "channel": "phone",
            "outcome": "spoke",
            "at": at.strftime("%Y-%m-%dT%H:%M"),
            "case": str(case.pk),
            "note": "Agreed patrols past the address",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/people/{p['victim'].pk}/contacts/?via=case:{case.pk}")
    contact = Contact.objects.get()
    assert (contact.by, contact.agency.code, contact.case) == (p["daso"], "hub-colchester", case)
    log = AccessLog.objects.get(action=AccessLog.Action.COLLECT)
    assert (log.user, log.object_type, log.object_id, log.person_id) == (
        p["daso"],
        "cases.contact",
        str(contact.pk),
        p["victim"].pk,
    )
    assert log.work_item == f"case:{case.pk}"


def test_future_time_on_the_page_is_refused_with_the_message(p):
    client = signed_in(p["daso"])
    later = timezone.localtime() + dt.timedelta(days=1)

    response = client.post(
        record_url(p),
        {"channel": "phone", "outcome": "spoke", "at": later.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 400
    assert (
        "The date and time of the contact must be now or in the past" in response.content.decode()
    )
    assert not Contact.objects.exists()


def test_missing_answers_on_the_page_get_gov_uk_messages(p):
    response = signed_in(p["daso"]).post(record_url(p), {"at": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Choose how the victim was contacted" in html
    assert "Choose the outcome of the contact" in html
    assert "Enter the date and time of the contact" in html


def test_user_without_a_team_is_refused_on_the_page_with_the_message(p):
    response = signed_in(p["no_team"]).post(
        record_url(p),
        {
            "channel": "phone",
            "outcome": "spoke",
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 400
    assert "Your account is not in a team" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("who", ["partner", "victim_support", "call_taker"])
def test_partners_and_other_roles_are_denied_the_timeline_and_the_form(p, who):
    record(p, "idva")
    client = signed_in(p[who])

    assert client.get(timeline_url(p)).status_code == 403
    assert client.get(record_url(p)).status_code == 403
    response = client.post(
        record_url(p),
        {
            "channel": "phone",
            "outcome": "spoke",
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 403
    assert Contact.objects.count() == 1


def test_an_officer_sees_the_timeline_only_for_victims_on_their_cases(p):
    client = signed_in(p["officer"])
    assert client.get(timeline_url(p)).status_code == 404

    case = open_case(p)
    Task.objects.create(
        kind="challenge", case=case, assigned_to=p["officer"], created_at=timezone.now()
    )

    assert client.get(timeline_url(p)).status_code == 200


def test_idva_and_supervisor_may_read_and_record(p):
    for who in ("idva", "supervisor"):
        client = signed_in(p[who])
        assert client.get(timeline_url(p)).status_code == 200
        response = client.post(
            record_url(p),
            {
                "channel": "text",
                "outcome": "message_sent",
                "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert response.status_code == 302
    assert sorted(Contact.objects.values_list("agency__code", flat=True)) == [
        "cru",
        "idva-service",
    ]


def test_viewing_the_timeline_is_logged_as_a_consultation(p):
    client = signed_in(p["daso"])

    response = client.get(timeline_url(p))

    assert response.status_code == 200
    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.user, log.object_type, log.person_id, log.work_item) == (
        p["daso"],
        "cases.person",
        p["victim"].pk,
        f"person:{p['victim'].pk}",
    )


def test_without_a_work_item_the_timeline_asks_for_a_purpose_first(p):
    record(p, "idva", note="Private detail")
    client = signed_in(p["daso"])

    response = client.get(f"/people/{p['victim'].pk}/contacts/")

    assert "Before you view this record" in response.content.decode()
    assert "Private detail" not in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.CONSULT).exists()


def test_timeline_lists_every_agency_with_who_channel_and_outcome(p):
    record(p, "victim_support", outcome=ContactOutcome.NO_ANSWER, note="No answer at 10:00")
    record(p, "idva", outcome=ContactOutcome.SPOKE)

    html = signed_in(p["daso"]).get(timeline_url(p)).content.decode()

    assert html.count('data-testid="contact"') == 2
    assert "Victim support" in html and "IDVA service" in html
    assert "Phone call: no answer, no message left" in html
    assert "No answer at 10:00" in html


def test_person_page_shows_the_contact_block_for_a_victim_only(p):
    incident = Incident.objects.create(status=IncidentStatus.GRADED, created_at=timezone.now())
    IncidentPerson.objects.create(incident=incident, person=p["victim"], role=IncidentRole.VICTIM)
    IncidentPerson.objects.create(incident=incident, person=p["suspect"], role=IncidentRole.SUSPECT)
    client = signed_in(p["daso"])

    victim_page = client.get(f"/people/{p['victim'].pk}/?via=person:{p['victim'].pk}")
    suspect_page = client.get(f"/people/{p['suspect'].pk}/?via=person:{p['suspect'].pk}")

    assert 'data-testid="contact-block"' in victim_page.content.decode()
    assert 'data-testid="contact-block"' not in suspect_page.content.decode()


def test_call_taker_sees_no_contact_block_on_the_person_page(p):
    record(p, "idva")
    html = (
        signed_in(p["call_taker"])
        .get(f"/people/{p['victim'].pk}/?via=person:{p['victim'].pk}")
        .content.decode()
    )

    assert 'data-testid="contact-block"' not in html


def _timeline_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="contact"') == Contact.objects.count()
    return len(ctx.captured_queries)


def test_timeline_page_query_count_does_not_grow_with_contacts(p, persona):
    open_case(p)
    client = signed_in(p["daso"])
    recorders = ["victim_support", "idva", "colleague", "supervisor"]
    for n in range(3):
        record(p, recorders[n % 4], at=timezone.now() - dt.timedelta(hours=n + 1))
    client.get(timeline_url(p))  # warm up: the session and the force's settings row
    three = _timeline_queries(client, timeline_url(p))
    extra = [persona(Role.IDVA, team="idva-service") for _ in range(5)]
    for n in range(37):
        user = extra[n % 5] if n % 2 else p[recorders[n % 4]]
        contact_services.contact_record(
            victim=p["victim"],
            user=user,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.SPOKE,
            at=timezone.now() - dt.timedelta(days=1, hours=n),
            case=None,
        )
    assert Contact.objects.count() == 40

    forty = _timeline_queries(client, timeline_url(p))

    assert forty == three
    assert forty <= 25


def test_demo_data_has_victim_support_contact_yesterday_so_a_daso_sees_the_warning(db):
    from django.core.management import call_command

    from cases.management.commands.seed_demo import LEAH, _person
    from dasapp.models import User

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())

    leah = _person(*LEAH)
    assert Contact.objects.filter(victim=leah).count() == 1  # idempotent
    summary = contact_selectors.contact_summary(victim=leah, user=User.objects.get(username="daso"))
    assert summary.warning_text.startswith("Victim support contacted her yesterday")
