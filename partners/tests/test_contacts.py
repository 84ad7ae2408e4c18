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

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson
from cases import case_services
from cases.models import CaseworkSettings, Task
from conftest import verify_two_factor
from dasapp.api import DomainError
from dasapp.models import AccessLog, Event
from dasapp.roles import Role
from org.models import Force
from partners.choices import ContactChannel, ContactOutcome
from partners.event_verbs import EventVerb
from partners.models import Contact
from partners.selectors import contacts as contact_selectors
from partners.services import contacts as contact_services
from people import services

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
    a user with no team; a victim with safe-contact instructions and a safe number, and
    her case against the suspect (only the victim of a case has a contact timeline)."""
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
    daso = persona(
        Role.DASO, team="hub-colchester", username="daso", first_name="Sam", last_name="Reeve"
    )
    case, _ = case_services.case_open_or_join(
        victim=victim, perpetrator=suspect, level="high", user=daso
    )
    return {
        "daso": daso,
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
        "case": case,
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
    """Her open case against the suspect (opened by the fixture: this joins it)."""
    case, _ = case_services.case_open_or_join(
        victim=p["victim"], perpetrator=p["suspect"], level="high", user=p["daso"]
    )
    return case


def timeline_url(p, via: str = "", person=None) -> str:
    via = via or f"case:{p['case'].pk}"
    return f"/people/{(person or p['victim']).pk}/contacts/?via={via}"


def record_url(p, via: str = "", person=None) -> str:
    via = via or f"case:{p['case'].pk}"
    return f"/people/{(person or p['victim']).pk}/contacts/new/?via={via}"


def at_fields(at: dt.datetime) -> dict:
    """The contact's date and time as the form's GOV.UK date input and time field."""
    local = timezone.localtime(at)
    return {
        "at_day": str(local.day),
        "at_month": str(local.month),
        "at_year": str(local.year),
        "at_time": f"{local:%H:%M}",
    }


def now_fields() -> dict:
    return at_fields(timezone.now())


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
        "person": client.get(f"/people/{p['victim'].pk}/?via=case:{case.pk}").content.decode(),
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
            **at_fields(at),
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
        "partners.contact",
        str(contact.pk),
        p["victim"].pk,
    )
    assert log.work_item == f"case:{case.pk}"


def test_future_time_on_the_page_is_refused_with_the_message(p):
    client = signed_in(p["daso"])
    later = timezone.localtime() + dt.timedelta(days=1)

    response = client.post(
        record_url(p),
        {"channel": "phone", "outcome": "spoke", **at_fields(later)},
    )

    assert response.status_code == 400
    assert (
        "The date and time of the contact must be now or in the past" in response.content.decode()
    )
    assert not Contact.objects.exists()


def test_missing_answers_on_the_page_get_gov_uk_messages(p):
    response = signed_in(p["daso"]).post(record_url(p), {"at_day": "", "at_time": ""})

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
            **now_fields(),
        },
    )

    assert response.status_code == 400
    assert "Your account is not in a team" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "who, status",
    # Partner agencies pass the role check, but no agency of theirs works with her: as
    # for an unknown id (their timelines are in test_contacts_agencies.py).
    [("partner", 404), ("victim_support", 404), ("call_taker", 403)],
)
def test_partners_without_an_involvement_and_other_roles_are_denied(p, who, status):
    record(p, "idva")
    client = signed_in(p[who])

    assert client.get(timeline_url(p)).status_code == status
    assert client.get(record_url(p)).status_code == status
    response = client.post(
        record_url(p),
        {
            "channel": "phone",
            "outcome": "spoke",
            **now_fields(),
        },
    )
    assert response.status_code == status
    assert Contact.objects.count() == 1
    assert not AccessLog.objects.exists()


def test_an_officer_sees_the_timeline_only_for_victims_on_their_cases(p):
    client = signed_in(p["officer"])
    assert client.get(timeline_url(p)).status_code == 404

    case = open_case(p)
    Task.objects.create(
        kind="challenge", case=case, assigned_to=p["officer"], created_at=timezone.now()
    )

    assert client.get(timeline_url(p)).status_code == 200


def test_supervisor_and_researcher_may_read_and_record(p, persona):
    researcher = persona(Role.RESEARCHER, team="cru", username="res")
    for user in (p["supervisor"], researcher):
        client = signed_in(user)
        assert client.get(timeline_url(p)).status_code == 200
        response = client.post(
            record_url(p),
            {"channel": "text", "outcome": "message_sent", **now_fields()},
        )
        assert response.status_code == 302
    assert list(Contact.objects.values_list("agency__code", flat=True)) == ["cru", "cru"]


def test_the_idva_reads_no_case_so_no_timeline_without_an_involvement(p):
    """IDVAs read no case, and the IDVA service does not work with her (no involvement),
    so no timeline: 404 on the page, the form and a post, as for an unknown id."""
    client = signed_in(p["idva"])

    assert client.get(timeline_url(p)).status_code == 404
    assert client.get(record_url(p)).status_code == 404
    response = client.post(record_url(p), {"channel": "text", "outcome": "spoke", **now_fields()})
    assert response.status_code == 404
    assert not Contact.objects.exists()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("who", ["daso", "supervisor", "researcher"])
def test_a_perpetrator_or_an_unrelated_person_has_no_timeline(p, persona, who):
    """Only the victim of a case has a timeline: the perpetrator of her case, a person on
    no case and an id that does not exist all answer 404, and nothing is recorded."""
    user = persona(Role.RESEARCHER, team="cru") if who == "researcher" else p[who]
    stranger = services.person_create(
        data=services.PersonInput(given_name="Ivy", family_name="Nobody")
    )
    client = signed_in(user)
    for person in (p["suspect"], stranger):
        assert client.get(timeline_url(p, person=person)).status_code == 404
        assert client.get(record_url(p, person=person)).status_code == 404
        posted = client.post(
            record_url(p, person=person), {"channel": "phone", "outcome": "spoke", **now_fields()}
        )
        assert posted.status_code == 404
    assert client.get(f"/people/{stranger.pk + 1000}/contacts/").status_code == 404
    assert not Contact.objects.exists()
    assert not AccessLog.objects.exists()


def test_a_perpetrator_who_is_also_the_victim_of_another_case_has_her_timeline(p):
    counter, _ = case_services.case_open_or_join(
        victim=p["suspect"], perpetrator=p["victim"], level="medium", user=p["daso"]
    )
    client = signed_in(p["daso"])

    assert client.get(timeline_url(p, f"case:{counter.pk}", person=p["suspect"])).status_code == 200


def test_viewing_the_timeline_is_logged_as_a_consultation(p):
    client = signed_in(p["daso"])

    response = client.get(timeline_url(p))

    assert response.status_code == 200
    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.user, log.object_type, log.person_id, log.work_item) == (
        p["daso"],
        "people.person",
        p["victim"].pk,
        f"case:{p['case'].pk}",
    )


def test_a_case_that_is_not_hers_is_not_a_work_item_for_her_timeline(p):
    """A case the DASO may read but about someone else does not vouch for opening this
    victim's timeline: the purpose is asked and the case is not logged."""
    other = services.person_create(data=services.PersonInput(given_name="Zoe", family_name="X"))
    unrelated, _ = case_services.case_open_or_join(
        victim=other, perpetrator=None, level="medium", user=p["daso"]
    )
    record(p, "colleague", note="Private detail")
    client = signed_in(p["daso"])

    for url in (timeline_url(p, f"case:{unrelated.pk}"), record_url(p, f"case:{unrelated.pk}")):
        html = client.get(url).content.decode()
        assert "Before you view this record" in html
        assert "Private detail" not in html and "Last contacted" not in html
    assert not AccessLog.objects.exists()

    given = client.post(timeline_url(p, f"case:{unrelated.pk}"), {"purpose": "Checking"})
    client.get(given["Location"])
    log = AccessLog.objects.get()
    assert (log.purpose, log.work_item) == ("Checking", "")


def test_the_case_she_came_from_is_carried_on_the_links_and_chosen_on_the_form(p):
    client = signed_in(p["daso"])

    html = client.get(timeline_url(p)).content.decode()
    form = client.get(record_url(p)).content.decode()

    assert f'/people/{p["victim"].pk}/contacts/new/?via=case:{p["case"].pk}"' in html
    assert f'<option value="{p["case"].pk}" selected>' in form


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


def test_person_page_shows_the_contact_block_for_the_victim_of_a_case_only(p):
    """The victim of her case has the block; the perpetrator of it does not, nor does a
    victim named only on a call (no case yet)."""
    caller = services.person_create(data=services.PersonInput(given_name="Ada", family_name="Y"))
    incident = Incident.objects.create(status=IncidentStatus.GRADED, created_at=timezone.now())
    IncidentPerson.objects.create(incident=incident, person=caller, role=IncidentRole.VICTIM)
    client = signed_in(p["daso"])
    via = f"case:{p['case'].pk}"

    victim_page = client.get(f"/people/{p['victim'].pk}/?via={via}")
    suspect_page = client.get(f"/people/{p['suspect'].pk}/?via={via}")
    client.post(f"/people/{caller.pk}/", {"purpose": "Following up the call"})
    caller_page = client.get(f"/people/{caller.pk}/")

    assert 'data-testid="contact-block"' in victim_page.content.decode()
    assert 'data-testid="contact-block"' not in suspect_page.content.decode()
    assert "Ada Y" in caller_page.content.decode()  # the page itself is shown
    assert 'data-testid="contact-block"' not in caller_page.content.decode()


def test_call_taker_sees_no_contact_block_on_the_person_page(p):
    record(p, "colleague")
    client = signed_in(p["call_taker"])
    url = f"/people/{p['victim'].pk}/"
    client.post(url, {"purpose": "Caller asked about her"})

    html = client.get(url).content.decode()

    assert "Leah Fictional" in html  # the page itself is shown
    assert 'data-testid="contact-block"' not in html


def test_from_her_person_page_the_timeline_keeps_the_case_she_was_opened_from(p):
    """The person page links to the timeline with `via=person:<her>`, which vouches for
    nothing; the case she was opened from earlier in the session still counts."""
    client = signed_in(p["daso"])
    person_page = client.get(f"/people/{p['victim'].pk}/?via=case:{p['case'].pk}")
    assert 'data-testid="contact-block"' in person_page.content.decode()

    response = client.get(timeline_url(p, f"person:{p['victim'].pk}"))

    assert "Before you view this record" not in response.content.decode()
    logs = AccessLog.objects.filter(action=AccessLog.Action.CONSULT).order_by("pk")
    assert [log.work_item for log in logs] == [f"case:{p['case'].pk}"] * 2


def test_a_contact_posted_with_no_work_item_or_purpose_gets_the_question_and_records_nothing(p):
    """Posting the form straight at the URL, with an unverifiable work item, shows neither
    her details nor a refusal: the purpose question, and nothing recorded or logged."""
    record(p, "colleague", note="Private detail")
    client = signed_in(p["daso"])
    posted = {"channel": "phone", "outcome": "spoke", **now_fields()}

    response = client.post(record_url(p, f"person:{p['victim'].pk}"), posted)

    html = response.content.decode()
    assert "Before you view this record" in html
    assert "Private detail" not in html and "Last contacted" not in html
    assert Contact.objects.count() == 1
    assert not AccessLog.objects.exists()


def test_her_own_record_is_not_a_work_item_for_her(p):
    client = signed_in(p["daso"])

    response = client.get(timeline_url(p, f"person:{p['victim'].pk}"))

    assert "Before you view this record" in response.content.decode()
    assert not AccessLog.objects.exists()


# The contact's date and time: a GOV.UK date input and a 24-hour time --------------------


def test_the_form_asks_the_date_as_day_month_year_and_a_time_filled_with_now(p):
    with time_machine.travel(NOW, tick=False):
        html = signed_in(p["daso"]).get(record_url(p)).content.decode()

    assert 'type="datetime-local"' not in html
    assert 'class="govuk-date-input"' in html
    for name, value in (("at_day", "26"), ("at_month", "11"), ("at_year", "2026")):
        assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in html
    assert 'name="at_time" type="text" value="10:00"' in html
    assert "24-hour clock, for example 14:05" in html


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"at_day": "31", "at_month": "2"},
            "at_day",
            "The date of the contact must be a real date",
        ),
        ({"at_month": ""}, "at_day", "The date of the contact must include a month"),
        (
            {"at_time": "3pm"},
            "at_time",
            "Enter the time of the contact as a 24-hour time, like 14:30",
        ),
        (
            {"at_day": "", "at_month": "", "at_year": "", "at_time": ""},
            "at_day",
            "Enter the date and time of the contact",
        ),
    ],
)
def test_a_bad_date_or_time_is_refused_on_its_field_and_nothing_typed_is_lost(
    p, typed, field, message
):
    posted = {
        "channel": "phone",
        "outcome": "spoke",
        "note": "Agreed a safe word",
        **at_fields(timezone.now() - dt.timedelta(days=2)),
        **typed,
    }

    response = signed_in(p["daso"]).post(record_url(p), posted)

    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert f'<a href="#id_{field}">{message}</a>' in html  # the error summary links to it
    for name in ("at_day", "at_month", "at_year", "at_time"):
        if posted[name]:
            assert f'name="{name}" type="text"' in html
            assert f'value="{posted[name]}"' in html
    assert 'value="phone" checked' in html and 'value="spoke" checked' in html
    assert "Agreed a safe word" in html
    assert not Contact.objects.exists()


def test_a_date_and_time_typed_in_the_form_is_the_local_time_of_the_contact(p):
    response = signed_in(p["daso"]).post(
        record_url(p),
        {
            "channel": "phone",
            "outcome": "spoke",
            "at_day": "3",
            "at_month": "3",
            "at_year": "2026",
            "at_time": "14:05",
        },
    )

    assert response.status_code == 302
    assert Contact.objects.get().at == dt.datetime(2026, 3, 3, 14, 5, tzinfo=LONDON)


# No name in the browser tab -------------------------------------------------------------


def test_the_victims_name_is_not_in_the_title_of_any_contact_or_person_page(p):
    client = signed_in(p["daso"])
    pages = {
        "timeline": client.get(timeline_url(p)),
        "record": client.get(record_url(p)),
        "record refused": client.post(record_url(p), {"at_day": "40"}),
        "person": client.get(f"/people/{p['victim'].pk}/?via=case:{p['case'].pk}"),
    }

    for name, response in pages.items():
        html = response.content.decode()
        title = html.split("<title>")[1].split("</title>")[0]
        assert "Leah" not in title and "Fictional" not in title, (name, title)
        assert "Leah Fictional" in html, name  # still on the page itself
    assert "<title>Contact timeline - " in pages["timeline"].content.decode()
    assert "<title>Record a contact - " in pages["record"].content.decode()
    assert "<title>Error: Record a contact - " in pages["record refused"].content.decode()


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
    assert forty <= 26  # with the case bar: one read of her other open cases


def test_demo_data_has_victim_support_contact_yesterday_so_a_daso_sees_the_warning(db):
    from django.core.management import call_command

    from dasapp.models import User
    from demo.management.commands._demo_data import LEAH
    from demo.management.commands.seed_demo import _person

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())

    leah = _person(*LEAH)
    assert Contact.objects.filter(victim=leah).count() == 1  # idempotent
    summary = contact_selectors.contact_summary(victim=leah, user=User.objects.get(username="daso"))
    assert summary.warning_text.startswith("Victim support contacted her yesterday")
