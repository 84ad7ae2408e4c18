"""Reads for the bar at the top of every page of a case: who the victim is, the case's
reference, risk level and owner, how to contact her safely, and the case's pages (its
sub-navigation) that the user may open: its own, then those other apps add
(`cases.hooks.register_page`: partners add the victim's contacts), then its history.
One call per page, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from cases import case_cover_selectors, casework_selectors, hooks, rules
from cases.models import Case
from dasapp.roles import has_role
from people.models import Person

# The case's own pages (`current` names the one shown); the sub-navigation lists the
# first two, then the pages other apps add, then its history.
SUMMARY, SAFETY_PLAN, HISTORY = "summary", "safety_plan", "history"


@dataclass(frozen=True)
class CasePage:
    key: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class CaseIdentity:
    """What the case's identity bar and sub-navigation show."""

    case: Case
    victim: Person
    owner_name: str
    owner_away: str
    pages: list[CasePage]
    # Her other open cases, on every page but the summary (whose banner says more).
    also_open: list[casework_selectors.OtherOpenCase]

    @property
    def has_safe_contact(self) -> bool:
        victim = self.victim
        return bool(
            victim.safe_contact_instructions
            or victim.no_voicemail
            or victim.safe_times
            or victim.interpreter_needed
        )


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def case_identity(*, user, pk: int, current: str = "") -> CaseIdentity | None:
    """The identity bar of case `pk` for `user` (None if there is no such case), with
    the case's pages `user` may open, `current` marked. The caller has already checked
    that the user may see the page it shows; this only says which other pages to offer."""
    case = (
        case_cover_selectors.away_annotated(
            Case.objects.select_related("victim", "assigned_to", "queue")
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        return None
    # Case workers read every case: no need to ask the database.
    reads_case = has_role(user, *rules.CASE_WORKERS) or rules.can_read_case(user, case)
    # Every link carries the case as the work item: the pages do not ask again why.
    via = f"?via=case:{case.pk}"
    # (key, label, address, whether to offer it): the case's own pages, those other apps
    # add (not asked on the page itself: its view has checked it already), its history.
    offered = [
        (SUMMARY, "Summary", reverse("case_detail", args=[case.pk]), reads_case),
        # Anyone on a page of the case may read its plan (those who read the case and
        # the owners of its actions, who reach the bar only from the plan).
        (SAFETY_PLAN, "Safety plan", reverse("safety_plan", args=[case.pk]), True),
        *(
            (page.key, page.label, page.url(case), page.key == current or page.allowed(user, case))
            for page in hooks.pages()
        ),
        (
            HISTORY,
            "History",
            reverse("case_history", args=[case.pk]),
            reads_case and rules.can_see_case_history(user, case),
        ),
    ]
    pages = [
        CasePage(key, label, f"{url}{via}", key == current)
        for key, label, url, allowed in offered
        if allowed or key == current
    ]
    also_open = (
        casework_selectors.other_open_cases([case])[case.pk]
        if reads_case and current != SUMMARY
        else []
    )
    return CaseIdentity(
        case=case,
        victim=case.victim,
        owner_name=_name(case.assigned_to) if case.assigned_to_id else "",
        owner_away=case_cover_selectors.away_text(case),
        pages=pages,
        also_open=also_open,
    )
