"""Reflow on a phone (WCAG 2.2, 1.4.10): at 320 and 390 CSS px wide, the pages with tables
and wide layouts do not scroll sideways. A wide table scrolls inside its own labelled,
focusable region instead; filters, button groups and long words wrap. Each page also
passes axe at 320 px.

The data is the demo data (`seed_demo`: the dispatch board, Leah's case, Inspector
Fenwick's leave), an officer's DV1 draft, with a few more cases in the Colchester hub's queue, one of them
claimed, and a second absence with a long note. Every page is checked before the test
fails, so one run names every page that overflows and the elements that stick out.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTHS = (320, 390)

# The elements whose right edge passes the viewport, deepest first (a failing page says
# what sticks out).
OVERFLOWING = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let scrolled = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') { scrolled = true; break; }
    }
    if (scrolled) continue;
    if ([...el.children].some(child => child.getBoundingClientRect().right > width + 1)) continue;
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    out.push(name + ' (right edge ' + Math.round(box.right) + ' px): '
      + (el.textContent || '').trim().slice(0, 40));
  }
  return out.slice(0, 6);
}"""


def _demo_data():
    """The demo data, a busier Colchester hub queue and a second absence."""
    from cases import assignment_services, case_services, safety_services
    from cases.choices import QueueKind
    from cases.models import Case
    from dasapp.models import User
    from org.models import Team
    from people.models import Person

    call_command("seed_demo", "--quiet-logins", verbosity=0, stdout=_Null())
    hub = case_services.queue_for(
        team=Team.objects.get(code="hub-colchester"), kind=QueueKind.HUB_HIGH
    )
    now = timezone.now()
    cru = case_services.queue_for(team=Team.objects.get(code="cru"), kind=QueueKind.CRU_MEDIUM)
    people = [
        ("Annabelle-Louise", "Featherstonehaugh-Whittingham", hub, "high"),
        ("Mia", "Okonkwo-Hargreaves", hub, "high"),
        ("Priya", "Venkataraman", hub, "high"),
        ("Siobhan", "Ó Floinn-MacGillivray", cru, "medium"),
    ]
    cases = []
    for n, (given, family, queue, level) in enumerate(people):
        routed = now - dt.timedelta(hours=6 + 10 * n)
        victim = Person.objects.create(given_name=given, family_name=family)
        cases.append(
            Case.objects.create(
                victim=victim,
                risk_level=level,
                queue=queue,
                opened_at=routed,
                routed_at=routed,
                review_due_at=routed + dt.timedelta(hours=queue.review_target_hours),
            )
        )
    colchester = User.objects.get(username="daso.colchester")
    assignment_services.case_claim(case=cases[0], user=colchester, version=cases[0].version)
    safety_services.absence_record(
        user=User.objects.get(username="supervisor"),
        person=User.objects.get(username="inspector.price"),
        kind="training",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=4),
        note="Public-protection-investigation-refresher (Chelmsford headquarters)",
    )
    return hub, cru


def _dv1_draft(incident):
    """The officer's DV1 draft for a past call's victim (her open case is offered on
    check your answers)."""
    from calls.choices import IncidentRole
    from calls.models import IncidentPerson
    from dasapp.models import User
    from risk import services as risk_services

    victim = IncidentPerson.objects.filter(incident=incident, role=IncidentRole.VICTIM).first()
    return risk_services.assessment_start(
        incident=incident,
        victim=victim.person,
        perpetrator=None,
        user=User.objects.get(username="officer"),
    )


class _Null:
    def write(self, *_):
        pass

    def flush(self):
        pass


def _sign_in_as(page, live_server, username: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import DEMO_PASSWORD, current_code

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1024, "height": 800})
    sign_in(page, live_server, username, DEMO_PASSWORD)
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        page.get_by_label("Security code").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.locator(".moj-identity-bar")).to_be_visible()


def _search_people(page) -> None:
    page.get_by_label("Name").fill("Hartwell")
    page.get_by_role("button", name="Search").click()


def _check(page, live_server, check: tuple) -> list[str]:
    """What is wrong with the page at phone widths: sideways scrolling, axe violations.
    `shows` is an element the page must show (so an empty list cannot pass unseen);
    `then`, something to do on the page first (a search)."""
    path, what, shows, *then = check
    problems = []
    page.set_viewport_size({"width": PHONE_WIDTHS[0], "height": 800})
    response = page.goto(f"{live_server.url}{path}")
    if response.status != 200:
        return [f"{what} ({path}): HTTP {response.status}, not the page"]
    for step in then:
        step(page)
    expect(page.locator(shows).first).to_be_visible()
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll > inner + 1:
            problems.append(
                f"{what} ({path}) scrolls sideways at {width} px: {scroll} px wide; "
                + "; ".join(page.evaluate(OVERFLOWING))
            )
    page.set_viewport_size({"width": PHONE_WIDTHS[0], "height": 800})
    violations = serious_violations(page)
    if violations:
        problems.append(f"axe on the {what} at 320 px:\n  " + "\n  ".join(violations))
    return problems


def test_pages_with_tables_reflow_on_a_phone_without_sideways_scrolling(
    page, live_server, console_problems
):
    from calls.models import Incident
    from cases.models import Case

    hub, cru_queue = _demo_data()
    leah_case = Case.objects.filter(victim__family_name="Hartwell").order_by("pk").first()
    past_call = Incident.objects.filter(idempotency_key__startswith="demo:").order_by("pk")[0]
    live_call = Incident.objects.filter(idempotency_key__startswith="demo:live").first()
    row = "tbody tr"
    dv1 = _dv1_draft(past_call)

    pages = {
        "calltaker": [
            ("/dispatch/", "dispatch board", f"[data-testid=dispatch-board] {row}"),
            ("/people/", "people search results", "[data-testid=people-results]", _search_people),
        ],
        "daso.colchester": [
            ("/queues/", "risk queues", f"[data-testid=queues] {row}"),
            (
                f"/queues/{hub.pk}/",
                "Colchester hub queue, with claim buttons",
                "[data-testid=claim]",
            ),
            ("/caseload/", "caseload", f"[data-testid=caseload] {row}"),
        ],
        "daso": [
            (
                f"/queues/{cru_queue.pk}/",
                "central referral unit DASO queue",
                "[data-testid=queue-row]",
            ),
            (f"/cases/{leah_case.pk}/", "case page", "h1"),
            (f"/cases/{leah_case.pk}/history/", "case history", "[data-testid=case-timeline]"),
            (f"/cases/{leah_case.pk}/safety-plan/", "safety plan", "h1"),
        ],
        "supervisor": [
            ("/absences/", "absences page", f"[data-testid=absences] {row}"),
            (
                f"/queues/{hub.pk}/",
                "Colchester hub queue, with bulk reassignment",
                "[data-testid=bulk-reassign]",
            ),
            ("/safety-actions/attention/", "safety-plan actions needing attention", "h1"),
            ("/access-log/", "access log", f"table {row}"),
            (f"/calls/{past_call.pk}/history/", "call history", f"table {row}"),
        ],
        "inspector.fenwick": [
            ("/safety-actions/mine/", "my safety-plan actions", "[data-testid=action-row]"),
            ("/dv1/", "DV1 list", "h1"),
        ],
        "officer": [
            (f"/dv1/{dv1.pk}/", "DV1 task list", "[data-testid=status-check]"),
            (f"/dv1/{dv1.pk}/dash-1/", "DV1 questions page", "[data-testid=score]"),
            (f"/dv1/{dv1.pk}/check/", "DV1 check your answers", "[data-testid=check-answers]"),
        ],
        "intel": [
            ("/research/", "research list", f"[data-testid=research-list] {row}"),
            (f"/calls/{live_call.pk}/", "call page", "h1"),
        ],
        "idva": [("/agency/victims/", "agency's victims", "[data-testid=agency-victim]")],
    }
    problems: list[str] = []
    for username, checks in pages.items():
        _sign_in_as(page, live_server, username)
        for check in checks:
            problems += _check(page, live_server, check)
    assert not problems, "\n".join(problems)
    assert console_problems == [], "\n".join(console_problems)
