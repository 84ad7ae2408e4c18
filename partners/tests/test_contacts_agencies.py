"""Agencies working with a victim: the IDVA service and partner agencies read and add to
her contact timeline only while their agency works with her (an open involvement),
started when a referral to them is done on her safety plan or recorded by hand by a
DASO working her case, and ended with a reason. Nothing else of her cases opens to
them. History, events, the access log, the pages, the API and query counts. Fixtures
are fictional (the personas of test_contacts)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases import case_services, safety_services
from cases.casework_selectors import case_timeline
from cases.models import SafetyActionType
from dasapp import access
from dasapp.api import DomainError
from dasapp.models import AccessLog, Event, Notification
from dasapp.roles import Role
from org.models import Team
from partners import rules as partner_rules
from partners.event_verbs import EventVerb
from partners.models import AgencyInvolvement, Contact
from partners.selectors import contacts as contact_selectors
from partners.selectors import involvements as involvement_selectors
from partners.services import involvements as involvement_services
from partners.tests.test_contacts import (
    NOW,
    YESTERDAY,
    now_fields,
    record,
    record_url,
    signed_in,
    timeline_url,
)
from partners.tests.test_contacts import p as p  # noqa: F401  (the shared personas fixture)
from people import services

IDVA_SERVICE = "idva-service"
VICTIM_SUPPORT = "victim-support"


def team(code: str) -> Team:
    return Team.objects.get(code=code)


def start(p, code: str = IDVA_SERVICE, *, reason="She agreed to an IDVA", by="daso"):
    return involvement_services.involvement_start(
        victim=p["victim"], agency=team(code), user=p[by], reason=reason, case=p["case"]
    )


def end(involvement, user, reason="The IDVA closed her case"):
    return involvement_services.involvement_end(involvement=involvement, user=user, reason=reason)


def agency_url(p, involvement, page: str = "timeline") -> str:
    url = timeline_url if page == "timeline" else record_url
    return url(p, f"involvement:{involvement.pk}")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def referral(p, code: str = "idva-referral"):
    return safety_services.case_action_add(
        case=p["case"],
        user=p["daso"],
        action_type=SafetyActionType.objects.get(code=code),
        owner=p["daso"],
        due_at=timezone.now() + dt.timedelta(days=1),
    )


# The rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("who, code", [("idva", IDVA_SERVICE), ("victim_support", VICTIM_SUPPORT)])
def test_agency_staff_are_denied_without_an_involvement_allowed_with_and_denied_after(p, who, code):
    user, victim = p[who], p["victim"]
    assert not partner_rules.can_see_contacts(user, victim)
    assert not partner_rules.can_record_contact(user, victim)

    involvement = start(p, code)

    assert partner_rules.can_see_contacts(user, victim)
    assert partner_rules.can_record_contact(user, victim)
    client = signed_in(user)
    assert client.get(agency_url(p, involvement)).status_code == 200
    assert client.get(agency_url(p, involvement, "record")).status_code == 200

    end(involvement, p["daso"])

    assert not partner_rules.can_see_contacts(user, victim)
    assert client.get(agency_url(p, involvement)).status_code == 404
    assert client.get(agency_url(p, involvement, "record")).status_code == 404
    posted = client.post(
        agency_url(p, involvement, "record"), {"channel": "phone", "outcome": "spoke"}
    )
    assert posted.status_code == 404
    assert not Contact.objects.exists()


def test_another_agencys_involvement_opens_nothing_to_a_different_partner(p):
    start(p, VICTIM_SUPPORT)

    assert not partner_rules.can_see_contacts(p["partner"], p["victim"])  # housing
    assert not partner_rules.can_see_contacts(p["idva"], p["victim"])
    assert signed_in(p["partner"]).get(timeline_url(p)).status_code == 404


def test_an_involvement_with_one_victim_opens_no_other_victim(p):
    start(p)
    other = services.person_create(data=services.PersonInput(given_name="Zoe", family_name="X"))
    case_services.case_open_or_join(victim=other, perpetrator=None, level="high", user=p["daso"])

    visible = partner_rules.contact_victims_visible_to(p["idva"], type(other).objects.all())

    assert list(visible) == [p["victim"]]


def test_police_contact_workers_keep_their_access_with_or_without_involvements(p):
    for user in (p["daso"], p["supervisor"]):
        assert partner_rules.can_see_contacts(user, p["victim"])
    involvement = start(p)
    end(involvement, p["daso"])
    for user in (p["daso"], p["supervisor"]):
        assert partner_rules.can_see_contacts(user, p["victim"])
    assert not partner_rules.can_see_contacts(p["call_taker"], p["victim"])


def test_nothing_else_of_her_case_opens_to_the_involved_agency(p):
    """Deny by default: the involvement opens her timeline and safe-contact
    instructions, not her case, its safety plan, its history or her person record
    (partners read no person records at all)."""
    record(p, "daso", note="Spoke about the bail hearing", case=p["case"])
    involvement = start(p, VICTIM_SUPPORT)
    client = signed_in(p["victim_support"])
    case = p["case"]

    for url in (
        f"/cases/{case.pk}/?via=involvement:{involvement.pk}",
        f"/cases/{case.pk}/safety-plan/?via=involvement:{involvement.pk}",
        f"/cases/{case.pk}/history/",
        f"/people/{p['victim'].pk}/?via=involvement:{involvement.pk}",
    ):
        assert client.get(url).status_code in (403, 404), url
    assert api(p["victim_support"]).get("/api/v1/cases/").status_code in (403, 404)
    html = client.get(agency_url(p, involvement)).content.decode()
    assert "Spoke about the bail hearing" in html  # the shared timeline
    assert case.reference not in html  # but not which case it was filed under
    person = f"/people/{p['victim'].pk}/"
    assert f'"{person}"' not in html and f'"{person}?' not in html  # not her person record
    assert "Back to my agency's victims" in html


# Started by a referral on her safety plan ----------------------------------------------


def test_completing_an_idva_referral_starts_the_idva_services_involvement(p):
    p["case"].refresh_from_db()
    action = referral(p)

    safety_services.action_complete(action=action, user=p["daso"], note="Referred by phone")

    involvement = AgencyInvolvement.objects.get()
    assert (involvement.victim, involvement.agency.code) == (p["victim"], IDVA_SERVICE)
    assert (involvement.safety_action, involvement.case) == (action, p["case"])
    assert involvement.started_by == p["daso"]
    assert involvement.reason.startswith("Referral to an IDVA: done on the safety plan")
    historical = involvement.history.get()
    assert historical.history_user == p["daso"]
    assert historical.history_change_reason.startswith("Started: Referral to an IDVA")
    event = Event.objects.get(verb=EventVerb.INVOLVEMENT_STARTED)
    assert (event.case, event.actor) == (p["case"], p["daso"])
    assert event.new["agency_name"] == "IDVA service"
    assert event.new["safety_action"] == action.pk
    assert partner_rules.can_see_contacts(p["idva"], p["victim"])
    told = Notification.objects.get(user=p["idva"])
    assert "Leah" not in told.title + told.body  # no names: emails leave the network
    assert told.url == "/agency/victims/"


def test_the_case_history_says_which_agency_started_and_stopped(p):
    action = referral(p)
    safety_services.action_complete(action=action, user=p["daso"], note="Referred")
    end(AgencyInvolvement.objects.get(), p["daso"], reason="She declined further support")

    sentences = [entry.sentence for entry in case_timeline(case=p["case"])]

    assert any(s.startswith("IDVA service started working with the victim") for s in sentences)
    assert any(
        s.startswith("IDVA service stopped working with the victim")
        and s.endswith("She declined further support")
        for s in sentences
    )


def test_a_childrens_services_referral_starts_theirs_and_patrols_start_nothing(p):
    patrols = referral(p, "patrols")
    childrens = referral(p, "childrens-services")

    safety_services.action_complete(action=patrols, user=p["daso"], note="Booked")
    assert not AgencyInvolvement.objects.exists()
    safety_services.action_complete(action=childrens, user=p["daso"], note="Referred")

    assert AgencyInvolvement.objects.get().agency.code == "childrens-services"


def test_a_cancelled_referral_starts_nothing(p):
    action = referral(p)

    safety_services.action_cancel(action=action, user=p["daso"], reason="She declined it")

    assert not AgencyInvolvement.objects.exists()
    assert not partner_rules.can_see_contacts(p["idva"], p["victim"])


def test_a_second_referral_while_the_idva_works_with_her_adds_no_second_involvement(p):
    first = referral(p)
    second = referral(p)
    safety_services.action_complete(action=first, user=p["daso"], note="Referred")

    safety_services.action_complete(action=second, user=p["daso"], note="Referred again")

    assert AgencyInvolvement.objects.count() == 1
    assert Event.objects.filter(verb=EventVerb.INVOLVEMENT_STARTED).count() == 1


def test_the_catalogue_names_the_agency_each_referral_starts(org):
    refers = dict(
        SafetyActionType.objects.filter(refers_to__isnull=False).values_list(
            "code", "refers_to__code"
        )
    )
    assert refers == {"idva-referral": IDVA_SERVICE, "childrens-services": "childrens-services"}


def test_another_force_without_those_teams_loads_the_catalogue_and_keeps_its_choice(db, tmp_path):
    """Nothing assumes the demo force's team codes: a force with no `idva-service`
    loads the catalogue with no referral agency, and keeps the one its administrators
    set when loading again."""
    from django.core.management import call_command

    from org.tests.test_org import OTHER_FORCE

    path = tmp_path / "northmoor.yaml"
    path.write_text(OTHER_FORCE)
    call_command("load_org_defaults", "--file", str(path), stdout=io.StringIO())
    idva_referral = SafetyActionType.objects.get(code="idva-referral")
    assert idva_referral.refers_to is None
    idva_referral.refers_to = Team.objects.get(code="advocates")
    idva_referral.save()

    call_command("load_org_defaults", "--file", str(path), stdout=io.StringIO())

    idva_referral.refresh_from_db()
    assert idva_referral.refers_to.code == "advocates"
    assert SafetyActionType.objects.get(code="patrols").refers_to is None


# Recorded and ended by hand (service) --------------------------------------------------


def test_recording_by_hand_keeps_who_and_why_in_history_and_an_event(p):
    involvement = start(p, VICTIM_SUPPORT, reason="She asked for help with court")

    assert involvement.is_open and involvement.safety_action is None
    historical = involvement.history.get()
    assert (historical.history_user, historical.history_change_reason) == (
        p["daso"],
        "Started: She asked for help with court",
    )
    event = Event.objects.get(verb=EventVerb.INVOLVEMENT_STARTED)
    assert event.reason == "She asked for help with court"
    assert event.new["agency"] == team(VICTIM_SUPPORT).pk


def test_ending_keeps_who_and_why_in_history_and_an_event(p):
    involvement = start(p)

    ended = end(involvement, p["supervisor"], reason="She moved out of the area")

    assert not ended.is_open and ended.ended_by == p["supervisor"]
    latest = ended.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        p["supervisor"],
        "Ended: She moved out of the area",
    )
    assert ended.history.count() == 2
    event = Event.objects.get(verb=EventVerb.INVOLVEMENT_ENDED)
    assert (event.actor, event.reason) == (p["supervisor"], "She moved out of the area")


def test_start_refuses_no_reason_a_police_team_and_an_agency_already_working_with_her(p):
    with pytest.raises(DomainError) as exc:
        start(p, reason="  ")
    assert exc.value.errors == {"reason": ["Say why the agency is working with her"]}

    with pytest.raises(DomainError) as exc:
        start(p, "cru")
    assert "is not a partner agency or IDVA service" in exc.value.errors["agency"][0]

    start(p)
    with pytest.raises(DomainError) as exc:
        start(p)
    assert exc.value.errors["agency"][0].startswith("IDVA service has been working with her since")
    assert AgencyInvolvement.objects.count() == 1


def test_end_refuses_no_reason_and_an_involvement_already_ended(p):
    involvement = start(p)
    with pytest.raises(DomainError) as exc:
        end(involvement, p["daso"], reason="")
    assert exc.value.errors == {"reason": ["Say why the agency is no longer working with her"]}

    end(involvement, p["daso"])
    with pytest.raises(DomainError) as exc:
        end(involvement, p["daso"])
    assert "status" in exc.value.errors


def test_the_agency_may_work_with_her_again_after_it_ended(p):
    end(start(p), p["daso"])

    again = start(p, reason="She asked for the IDVA again")

    assert again.is_open
    assert AgencyInvolvement.objects.count() == 2
    assert partner_rules.can_see_contacts(p["idva"], p["victim"])


def test_who_may_record_and_end(p, persona):
    """DASOs and supervisors who work an open case of hers record and end; the agency's
    own staff end theirs; a DASO in a hub whose queue the case is not in, and another
    agency, do neither."""
    queue = case_services.queue_for(team=team("hub-colchester"), kind="hub_high")
    p["case"].queue = queue
    p["case"].save()
    elsewhere = persona(Role.DASO, team="hub-laindon", username="daso.laindon")
    involvement = start(p)

    assert partner_rules.can_record_involvement(p["daso"], p["victim"])
    assert partner_rules.can_record_involvement(p["supervisor"], p["victim"])
    assert not partner_rules.can_record_involvement(elsewhere, p["victim"])
    assert not partner_rules.can_record_involvement(p["idva"], p["victim"])
    assert partner_rules.can_end_involvement(p["idva"], involvement)
    assert not partner_rules.can_end_involvement(p["victim_support"], involvement)
    assert not partner_rules.can_end_involvement(elsewhere, involvement)


# Pages ---------------------------------------------------------------------------------


def test_a_daso_records_an_agency_on_the_page_and_it_is_logged(p):
    client = signed_in(p["daso"])
    url = f"/people/{p['victim'].pk}/agencies/new/?via=case:{p['case'].pk}"

    form = client.get(url)
    response = client.post(
        url, {"agency": str(team(VICTIM_SUPPORT).pk), "reason": "She asked for help with court"}
    )

    assert form.status_code == 200
    assert "Victim support" in form.content.decode()
    assert "Criminal investigation department" not in form.content.decode()  # police teams
    assert response.status_code == 302
    assert response["Location"].endswith(timeline_url(p))
    involvement = AgencyInvolvement.objects.get()
    assert (involvement.agency.code, involvement.case) == (VICTIM_SUPPORT, p["case"])
    log = AccessLog.objects.get(action=AccessLog.Action.COLLECT)
    assert (log.user, log.object_type, log.object_id, log.person_id, log.work_item) == (
        p["daso"],
        "partners.agencyinvolvement",
        str(involvement.pk),
        p["victim"].pk,
        f"case:{p['case'].pk}",
    )
    timeline = client.get(timeline_url(p)).content.decode()
    assert 'data-testid="agency-involvement"' in timeline
    assert "She asked for help with court" in timeline  # the DASO reads the reason


def test_the_record_form_refuses_with_gov_uk_messages(p):
    client = signed_in(p["daso"])
    url = f"/people/{p['victim'].pk}/agencies/new/?via=case:{p['case'].pk}"

    response = client.post(url, {"reason": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Choose the agency working with her" in html
    assert "Say why the agency is working with her" in html
    assert not AgencyInvolvement.objects.exists()


def test_agency_staff_and_a_daso_not_on_her_case_may_not_record_on_the_page(p, persona):
    queue = case_services.queue_for(team=team("hub-colchester"), kind="hub_high")
    p["case"].queue = queue
    p["case"].save()
    elsewhere = persona(Role.DASO, team="hub-laindon", username="daso.laindon")
    url = f"/people/{p['victim'].pk}/agencies/new/?via=case:{p['case'].pk}"
    body = {"agency": str(team(IDVA_SERVICE).pk), "reason": "Because"}

    assert signed_in(elsewhere).post(url, body).status_code == 403
    assert signed_in(p["idva"]).post(url, body).status_code == 403
    assert not AgencyInvolvement.objects.exists()


def test_the_idva_ends_her_agencys_work_on_the_page_and_goes_back_to_her_list(p):
    involvement = start(p)
    client = signed_in(p["idva"])
    url = (
        f"/people/{p['victim'].pk}/agencies/{involvement.pk}/end/?via=involvement:{involvement.pk}"
    )

    page = client.get(url)
    response = client.post(
        url, {"reason": "She no longer wants an IDVA", "version": involvement.version}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == "/agency/victims/"
    involvement.refresh_from_db()
    assert (involvement.ended_by, involvement.end_reason) == (
        p["idva"],
        "She no longer wants an IDVA",
    )
    log = AccessLog.objects.get(action=AccessLog.Action.ALTER)
    assert (log.object_type, log.object_id, log.detail) == (
        "partners.agencyinvolvement",
        str(involvement.pk),
        {"change": "end"},
    )
    assert client.get(agency_url(p, involvement)).status_code == 404


def test_another_agency_cannot_end_the_idvas_involvement(p):
    involvement = start(p)
    start(p, VICTIM_SUPPORT)
    url = f"/people/{p['victim'].pk}/agencies/{involvement.pk}/end/"

    response = signed_in(p["victim_support"]).post(url, {"reason": "Not ours"})

    assert response.status_code == 403
    involvement.refresh_from_db()
    assert involvement.is_open


@time_machine.travel(NOW, tick=False)
def test_the_idva_sees_the_police_contact_yesterday_and_agency_names_on_her_timeline(p):
    record(p, "daso", at=YESTERDAY, note="Spoke about patrols")
    record(p, "victim_support", at=NOW - dt.timedelta(days=6), note="Court support")
    involvement = start(p)
    client = signed_in(p["idva"])

    html = client.get(agency_url(p, involvement)).content.decode()

    assert (
        "Colchester hub contacted her yesterday (spoke with the victim). Check with them "
        "before you call" in html
    )
    assert html.index('data-testid="other-agency-warning"') < html.index(
        'data-testid="contact-button"'
    )
    assert "Also working with her: IDVA service." in html
    agencies = [
        chunk.split("</span>")[0] for chunk in html.split('data-testid="contact-agency">')[1:]
    ]
    assert agencies == ["Colchester hub", "Victim support"]
    assert "If a man answers, say it is the GP surgery" in html  # safe-contact instructions
    assert "She agreed to an IDVA" in html  # her own agency's reason


def test_the_idva_records_a_contact_against_her_agency_and_it_is_logged(p):
    involvement = start(p)
    client = signed_in(p["idva"])

    response = client.post(
        agency_url(p, involvement, "record"),
        {"channel": "phone", "outcome": "spoke", **now_fields(), "note": "Safety planning"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?via=involvement:{involvement.pk}")
    contact = Contact.objects.get()
    assert (contact.by, contact.agency.code, contact.case) == (p["idva"], IDVA_SERVICE, None)
    log = AccessLog.objects.get(action=AccessLog.Action.COLLECT)
    assert (log.user, log.person_id, log.work_item) == (
        p["idva"],
        p["victim"].pk,
        f"involvement:{involvement.pk}",
    )
    # The DASO now sees the IDVA's contact as another agency's.
    summary = contact_selectors.contact_summary(victim=p["victim"], user=p["daso"])
    assert summary.warning_text.startswith("IDVA service contacted her today")


def test_the_agency_timeline_view_is_logged_with_the_involvement_as_work_item(p):
    involvement = start(p)

    signed_in(p["idva"]).get(agency_url(p, involvement))

    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert (log.user, log.object_type, log.person_id, log.work_item) == (
        p["idva"],
        "people.person",
        p["victim"].pk,
        f"involvement:{involvement.pk}",
    )


def test_an_involvement_vouches_for_its_victim_only_and_only_while_open(p, rf):
    involvement = start(p)
    other = services.person_create(data=services.PersonInput(given_name="Zoe", family_name="X"))

    def vouches(user, person) -> bool:
        request = rf.get("/")
        request.user = user
        return access.work_item_verified(
            request, f"involvement:{involvement.pk}", obj=person, person_id=person.pk
        )

    assert vouches(p["idva"], p["victim"])
    assert not vouches(p["idva"], other)
    assert not vouches(p["partner"], p["victim"])
    end(involvement, p["daso"])
    assert not vouches(p["idva"], p["victim"])
    assert vouches(p["daso"], p["victim"])  # the police still see her


# My agency's victims ---------------------------------------------------------------------


def _victims(n: int, p) -> list:
    made = []
    for i in range(n):
        victim = services.person_create(
            data=services.PersonInput(given_name=f"Vera{i}", family_name=f"Madeup{i:02d}")
        )
        case_services.case_open_or_join(
            victim=victim, perpetrator=None, level="high", user=p["daso"]
        )
        involvement_services.involvement_start(
            victim=victim, agency=team(IDVA_SERVICE), user=p["daso"], reason="Referred"
        )
        record_for = Contact(
            victim=victim,
            at=timezone.now() - dt.timedelta(hours=i + 1),
            by=p["daso"],
            agency=team("hub-colchester"),
            channel="phone",
            outcome="spoke",
            created_at=timezone.now(),
        )
        record_for.save()
        made.append(victim)
    return made


def _list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/agency/victims/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_my_agencys_victims_lists_names_linking_to_the_timeline_and_is_logged(p):
    involvement = start(p)
    ended = start(p, VICTIM_SUPPORT)
    end(ended, p["daso"])
    client = signed_in(p["idva"])

    count, html = _list_queries(client)

    assert "Leah Fictional" in html
    assert f'/people/{p["victim"].pk}/contacts/?via=involvement:{involvement.pk}"' in html
    assert p["case"].reference not in html  # case-free
    log = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (log.user, log.object_type, log.detail) == (
        p["idva"],
        "people.person",
        {"agency_victims": True, "results": [p["victim"].pk]},
    )
    # Victim support's involvement ended: her name is not on their list.
    assert "Leah Fictional" not in _list_queries(signed_in(p["victim_support"]))[1]


def test_my_agencys_victims_query_count_does_not_grow_with_rows(p):
    client = signed_in(p["idva"])
    _victims(2, p)
    client.get("/agency/victims/")  # warm up the session
    two, html = _list_queries(client)
    assert html.count('data-testid="agency-victim"') == 2
    _victims(15, p)

    seventeen, html = _list_queries(client)

    assert html.count('data-testid="agency-victim"') == 17
    assert seventeen == two
    assert two <= 10


def test_my_agencys_victims_is_for_agency_staff_only(p):
    assert signed_in(p["daso"]).get("/agency/victims/").status_code == 403
    assert signed_in(p["idva"]).get("/agency/victims/").status_code == 200


def test_the_home_page_counts_the_agencys_victims_without_names(p):
    start(p)

    html = signed_in(p["idva"]).get("/").content.decode()

    assert "My agency&#x27;s victims" in html or "My agency's victims" in html
    assert "1 victim: read her contact timeline" in html
    assert "Leah" not in html.split("<main")[1]


# The timeline's query count for an agency --------------------------------------------------


def test_the_agency_timeline_query_count_does_not_grow_with_contacts_or_agencies(p):
    involvement = start(p)
    client = signed_in(p["idva"])
    for n in range(3):
        record(p, "daso", at=timezone.now() - dt.timedelta(hours=n + 1))
    client.get(agency_url(p, involvement))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(agency_url(p, involvement)).status_code == 200
        return len(ctx.captured_queries)

    three = queries()
    for n in range(20):
        record(p, "victim_support", at=timezone.now() - dt.timedelta(days=1, hours=n))
    for code in (VICTIM_SUPPORT, "housing", "health"):
        start(p, code)

    assert queries() == three


# API -----------------------------------------------------------------------------------


def test_api_contacts_for_an_involved_agency_list_and_create_without_the_case(p):
    record(p, "daso", case=p["case"])
    involvement = start(p)
    client = api(p["idva"])

    listed = client.get(
        "/api/v1/contacts/",
        {"victim": p["victim"].pk},
        HTTP_X_WORK_ITEM=f"involvement:{involvement.pk}",
    )
    created = client.post(
        "/api/v1/contacts/",
        {
            "victim": p["victim"].pk,
            "channel": "phone",
            "outcome": "spoke",
            "at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        },
        format="json",
    )

    assert listed.status_code == 200
    assert listed.json()["results"][0]["case"] is None  # filed under a case she cannot read
    assert created.status_code == 201, created.json()
    assert created.json()["agency"]["code"] == IDVA_SERVICE
    log = AccessLog.objects.get(action=AccessLog.Action.CONSULT)
    assert log.work_item == f"involvement:{involvement.pk}"
    # The DASO still sees the case.
    daso = api(p["daso"]).get("/api/v1/contacts/", {"victim": p["victim"].pk}).json()
    assert p["case"].pk in [c["case"] for c in daso["results"]]

    end(involvement, p["daso"])
    assert client.get("/api/v1/contacts/", {"victim": p["victim"].pk}).status_code == 404


def test_api_involvements_list_create_and_end(p):
    client = api(p["daso"])

    created = client.post(
        "/api/v1/involvements/",
        {"victim": p["victim"].pk, "agency": team(IDVA_SERVICE).pk, "reason": "Referred"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["agency"]["code"], body["is_open"], body["reason"]) == (
        IDVA_SERVICE,
        True,
        "Referred",
    )
    assert body["case"] == p["case"].pk

    listed = api(p["idva"]).get("/api/v1/involvements/", {"victim": p["victim"].pk})
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()] == [body["id"]]
    assert listed.json()[0]["case"] is None  # the IDVA reads no case

    stale = client.post(
        f"/api/v1/involvements/{body['id']}/end/", {"reason": "Done", "version": 7}, format="json"
    )
    assert stale.status_code == 409
    ended = client.post(
        f"/api/v1/involvements/{body['id']}/end/",
        {"reason": "She declined", "version": body["version"]},
        format="json",
    )
    assert ended.status_code == 200, ended.json()
    assert ended.json()["is_open"] is False and ended.json()["end_reason"] == "She declined"
    assert (
        api(p["idva"]).get("/api/v1/involvements/", {"victim": p["victim"].pk}).status_code == 404
    )
    assert AccessLog.objects.filter(action=AccessLog.Action.COLLECT).count() == 1
    assert AccessLog.objects.filter(action=AccessLog.Action.ALTER).count() == 1


def test_api_involvement_refusals(p):
    body = {"victim": p["victim"].pk, "agency": team("cru").pk, "reason": ""}

    refused = api(p["daso"]).post("/api/v1/involvements/", body, format="json")
    idva = api(p["idva"]).post(
        "/api/v1/involvements/", {**body, "agency": team(IDVA_SERVICE).pk}, format="json"
    )

    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"agency", "reason"}
    assert idva.status_code == 403
    assert not AgencyInvolvement.objects.exists()
    involvement = start(p)
    other = api(p["victim_support"]).post(
        f"/api/v1/involvements/{involvement.pk}/end/",
        {"reason": "x", "version": 1},
        format="json",
    )
    assert other.status_code == 404  # victim support does not work with her


def test_api_involvements_list_query_count_is_fixed(p):
    client = api(p["daso"])
    start(p)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/involvements/", {"victim": p["victim"].pk})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    queries()  # warm up
    one = queries()
    for code in (VICTIM_SUPPORT, "housing", "health", "probation"):
        end(start(p, code), p["daso"])
        start(p, code)

    assert queries() == one


# Demo data -------------------------------------------------------------------------------


def test_the_demo_idva_and_victim_support_users_work_with_leah(db):
    from django.core.management import call_command

    from dasapp.models import User
    from demo.management.commands._demo_data import LEAH
    from demo.management.commands.seed_demo import _person

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())

    leah = _person(*LEAH)
    assert AgencyInvolvement.objects.filter(victim=leah, ended_at__isnull=True).count() == 2
    for username in ("idva", "partner"):
        user = User.objects.get(username=username)
        rows = list(involvement_selectors.agency_victims(user=user))
        assert [row.victim for row in rows] == [leah]
        assert partner_rules.can_see_contacts(user, leah)
    printed = {line.split()[0]: line for line in out.getvalue().splitlines() if line.strip()}
    assert "My agency's victims" in printed["idva"]
    assert "My agency's victims" in printed["partner"]


# Closing her case, and the agency ending its own work ------------------------------------


def _close(case, user, reason="She has moved away and the IDVA supports her"):
    from cases import assignment_services

    return assignment_services.case_close(case=case, user=user, reason=reason)


def _second_case(p):
    other = services.person_create(
        data=services.PersonInput(given_name="Ryan", family_name="Madeup2", gender="male")
    )
    case, _ = case_services.case_open_or_join(
        victim=p["victim"], perpetrator=other, level="medium", user=p["daso"]
    )
    return case


def test_closing_her_case_ends_the_agencies_work_that_came_from_it(p):
    idva = start(p)
    victim_support = start(p, VICTIM_SUPPORT, reason="She asked for help with court")
    by_hand = involvement_services.involvement_start(
        victim=p["victim"], agency=team("housing"), user=p["daso"], reason="Rehousing"
    )  # no case: a person ends it
    assert partner_rules.can_see_contacts(p["idva"], p["victim"])

    _close(p["case"], p["daso"])

    for involvement in (idva, victim_support):
        involvement.refresh_from_db()
        assert not involvement.is_open
        assert (involvement.ended_by, involvement.end_reason) == (p["daso"], "Case closed")
        latest = involvement.history.order_by("-history_id").first()
        assert (latest.history_user, latest.history_change_reason) == (
            p["daso"],
            "Ended: Case closed",
        )
    events = Event.objects.filter(verb=EventVerb.INVOLVEMENT_ENDED).order_by("pk")
    assert [(e.case, e.actor, e.reason, e.new["agency_name"]) for e in events] == [
        (p["case"], p["daso"], "Case closed", "IDVA service"),
        (p["case"], p["daso"], "Case closed", "Victim support"),
    ]
    assert not partner_rules.can_see_contacts(p["idva"], p["victim"])
    assert not partner_rules.can_see_contacts(p["victim_support"], p["victim"])
    by_hand.refresh_from_db()
    assert by_hand.is_open and partner_rules.can_see_contacts(p["partner"], p["victim"])
    sentences = [e.sentence for e in case_timeline(case=p["case"])]
    assert any(s.startswith("IDVA service stopped working with the victim") for s in sentences)


def test_an_agencys_work_stays_while_she_has_another_open_case_and_ends_with_the_last(p):
    later = _second_case(p)
    idva = start(p)  # from her first case

    _close(p["case"], p["daso"])

    idva.refresh_from_db()
    assert idva.is_open and partner_rules.can_see_contacts(p["idva"], p["victim"])
    assert not Event.objects.filter(verb=EventVerb.INVOLVEMENT_ENDED).exists()

    _close(later, p["supervisor"], reason="No further concerns")

    idva.refresh_from_db()
    assert (idva.is_open, idva.ended_by, idva.end_reason) == (False, p["supervisor"], "Case closed")
    event = Event.objects.get(verb=EventVerb.INVOLVEMENT_ENDED)
    assert (event.case, event.actor) == (later, p["supervisor"])  # the case that closed
    assert not partner_rules.can_see_contacts(p["idva"], p["victim"])


def test_the_idva_ending_her_agencys_work_tells_the_daso_holding_her_case(p):
    from cases import assignment_services

    assignment_services.case_claim(case=p["case"], user=p["daso"])
    involvement = start(p)
    client = signed_in(p["idva"])
    url = (
        f"/people/{p['victim'].pk}/agencies/{involvement.pk}/end/?via=involvement:{involvement.pk}"
    )
    client.get(url)

    no_reason = client.post(url, {"reason": "  ", "version": involvement.version})
    no_reason_api = api(p["idva"]).post(
        f"/api/v1/involvements/{involvement.pk}/end/",
        {"reason": "", "version": involvement.version},
        format="json",
    )
    assert no_reason.status_code == 400
    assert "Say why the agency is no longer working with her" in no_reason.content.decode()
    assert no_reason_api.status_code == 400 and "reason" in no_reason_api.json()["errors"]
    involvement.refresh_from_db()
    assert involvement.is_open
    assert not Notification.objects.filter(user=p["daso"], title__contains="stopped").exists()

    done = client.post(url, {"reason": "She moved to a refuge in another county", "version": 1})

    assert done.status_code == 302
    (note,) = Notification.objects.filter(user=p["daso"], title__contains="stopped")
    assert (
        note.title == f"IDVA service stopped working with the victim of case {p['case'].reference}"
    )
    assert note.url == f"/cases/{p['case'].pk}/?via=case:{p['case'].pk}"
    text = f"{note.title} {note.body}"
    assert "Leah" not in text and "refuge" not in text  # no name, no reason: emails leave


def test_a_daso_ending_an_agencys_work_tells_nobody(p):
    from cases import assignment_services

    assignment_services.case_claim(case=p["case"], user=p["daso"])
    involvement = start(p)

    end(involvement, p["daso"])
    end(start(p, VICTIM_SUPPORT), p["colleague"])

    assert not Notification.objects.filter(title__contains="stopped working").exists()
