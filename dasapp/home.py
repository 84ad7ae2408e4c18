"""What each role's home page shows. Later capabilities add their sections here."""

from __future__ import annotations

from dataclasses import dataclass, field

from dasapp.roles import Role, role_names


@dataclass
class HomeSection:
    title: str
    empty_text: str
    items: list = field(default_factory=list)
    link_text: str = ""
    link_url: str = ""


_ROLE_SECTIONS: dict[str, list[tuple[str, str]]] = {
    Role.CALL_TAKER: [
        ("Calls in progress", "You have no calls in progress."),
    ],
    Role.INTELLIGENCE: [
        ("Live incidents needing research", "No live incidents need research."),
    ],
    Role.OFFICER: [
        ("DV1 forms to complete", "You have no DV1 forms to complete."),
        ("Challenges to answer", "Nobody has challenged your risk gradings."),
    ],
    Role.RESEARCHER: [
        ("Standard-risk DV1s to check", "The researchers' queue is empty."),
    ],
    Role.DASO: [
        ("My caseload", "You have no cases assigned."),
        ("Safety-plan actions due", "No safety-plan actions are due."),
    ],
    Role.INVESTIGATOR: [
        ("Investigations", "You have no open investigations."),
    ],
    Role.MARAC_COORDINATOR: [
        ("Next MARAC meetings", "No MARAC meetings are scheduled."),
        ("Actions to chase", "No MARAC actions are overdue."),
    ],
    Role.IDVA: [
        ("High-risk referrals", "You have no referrals waiting."),
    ],
    Role.PARTNER: [
        ("MARAC actions for your agency", "Your agency has no open MARAC actions."),
    ],
    Role.SUPERVISOR: [
        ("Reviews waiting for you", "Nothing is waiting for your review."),
        ("Queue backlogs", "No queue is over its target."),
    ],
}


def _calls_in_progress(user) -> list:
    from django.urls import reverse

    from cases.call_selectors import calls_in_progress

    return [
        {
            "text": f"{call.reference}, started {call.created_at:%H:%M}",
            "url": reverse("call_edit", args=[call.pk]),
        }
        for call in calls_in_progress(user=user)[:10]
    ]


# Sections whose items come from a capability: (role, title) -> function(user) -> items.
_SECTION_ITEMS = {
    (Role.CALL_TAKER, "Calls in progress"): _calls_in_progress,
}
_SECTION_LINKS = {
    (Role.CALL_TAKER, "Calls in progress"): ("Start or continue a call", "/calls/"),
}


def home_sections(user) -> list[HomeSection]:
    names = role_names(user)
    sections: list[HomeSection] = []
    for role in Role.values:
        if role not in names:
            continue
        for title, empty in _ROLE_SECTIONS[role]:
            fetch = _SECTION_ITEMS.get((role, title))
            link_text, link_url = _SECTION_LINKS.get((role, title), ("", ""))
            sections.append(
                HomeSection(
                    title,
                    empty,
                    items=fetch(user) if fetch else [],
                    link_text=link_text,
                    link_url=link_url,
                )
            )
    if Role.SUPERVISOR in names:
        sections.append(
            HomeSection(
                "Access log",
                "",
                link_text="See who viewed which record",
                link_url="/access-log/",
            )
        )
    return sections
