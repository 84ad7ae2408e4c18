"""What partners add to casework (`cases.hooks`): the hooks a done referral and a closed
case run, and the victim's contacts page in a case's sub-navigation. Each test fails if
partners stop registering it. Fixtures are fictional (the personas of test_contacts)."""

from __future__ import annotations

from cases import hooks, safety_services
from partners import case_hooks
from partners.models import AgencyInvolvement
from partners.tests.test_contacts import p as p  # noqa: F401  (the shared personas fixture)
from partners.tests.test_contacts_agencies import _close, referral, start


def test_a_done_referral_starts_the_agency_through_the_action_done_hook(p):
    assert case_hooks.start_referred_agency in hooks.receivers(hooks.ACTION_DONE)

    safety_services.action_complete(action=referral(p), user=p["daso"], note="Referred")

    assert AgencyInvolvement.objects.get().agency.code == "idva-service"


def test_closing_her_case_ends_the_agencies_work_through_the_case_closed_hook(p):
    assert case_hooks.end_agencies_with_case in hooks.receivers(hooks.CASE_CLOSED)
    involvement = start(p)

    _close(p["case"], p["daso"])

    involvement.refresh_from_db()
    assert (involvement.is_open, involvement.end_reason) == (False, "Case closed")


def test_every_case_offers_her_contacts_page_to_those_who_may_read_them(p):
    (page,) = [page for page in hooks.pages() if page.key == case_hooks.CONTACTS]
    case = p["case"]

    assert (page.label, page.url(case)) == ("Contacts", f"/people/{case.victim_id}/contacts/")
    assert page.allowed(p["daso"], case)
    assert not page.allowed(p["idva"], case)
    start(p)
    assert page.allowed(p["idva"], case)  # while her agency works with her
