"""Reads for the dispatch board: calls waiting for an officer (most urgent grade first,
then least time left), calls attended but not yet closed, and for each where it is,
urban or rural, and what an officer should know before arriving (weapons, a high-risk
victim, bail conditions or court orders) from the intelligence captured with the call.

Two queries whatever the number of calls: everything a row shows comes from the call's
own row, its address and its district."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from calls.choices import IncidentStatus
from calls.models import Incident
from calls.selectors.calls import BoardRow, dispatch_board
from people.choices import FlagKind

WAITING_LIMIT = 200
ATTENDED_LIMIT = 50
LOCATION_NOTE_MAX = 80
# Fields a board row never reads: left in the database.
UNREAD_FIELDS = (
    "address_raw",
    "narrative",
    "prefill",
    "skipped",
    "suggestion_reasons",
    "grade_reason",
    "caller_phone_raw",
)


@dataclass(frozen=True)
class SafetyTag:
    """An officer-safety flag as a GOV.UK tag: its words and colour."""

    text: str
    colour: str  # a govuk-tag modifier: red, orange, grey


# Flag kind to the tag it shows as, in the order tags are shown.
FLAG_TAGS = {
    FlagKind.WEAPONS: SafetyTag("Weapons", "red"),
    FlagKind.OFFICER_SAFETY: SafetyTag("Officer safety", "red"),
    FlagKind.HIGH_RISK_VICTIM: SafetyTag("High-risk victim", "red"),
    FlagKind.BAIL_CONDITIONS: SafetyTag("Bail conditions", "orange"),
    FlagKind.COURT_ORDER: SafetyTag("Court order", "orange"),
}
NOT_CHECKED = SafetyTag("Intelligence not checked", "grey")


def _package_ok(package) -> bool:
    return isinstance(package, dict) and bool(package) and not package.get("unavailable")


def safety_tags(
    *, intelligence: dict | None, regrade_intelligence: dict | None = None, answers=None
) -> list[SafetyTag]:
    """What an officer should know before arriving, from the intelligence snapshots of
    the call (when logged and at a regrade) and the caller's answers: weapons (a flag, a
    suspect's history or a weapon mentioned on this call), officer safety, a high-risk
    victim, bail conditions, court orders. Without a usable snapshot, "Intelligence not
    checked": no tag is not the same as nothing known."""
    packages = [p for p in (intelligence, regrade_intelligence) if _package_ok(p)]
    kinds: set[str] = set()
    weapons = isinstance(answers, dict) and answers.get("weapons") == "yes"
    for package in packages:
        for flag in package.get("flags") or []:
            if isinstance(flag, dict):
                kinds.add(flag.get("kind", ""))
        suspects = package.get("suspects") or []
        weapons = weapons or any(isinstance(s, dict) and s.get("weapons") for s in suspects)
    if weapons:
        kinds.add(FlagKind.WEAPONS)
    tags = [tag for kind, tag in FLAG_TAGS.items() if kind in kinds]
    if not packages:
        tags.append(NOT_CHECKED)
    return tags


def location_text(incident: Incident) -> str:
    """Where the call is: the address, else the call-taker's description of the place."""
    if incident.address_id:
        return str(incident.address)
    note = incident.location_note.strip()
    if len(note) > LOCATION_NOTE_MAX:
        note = note[: LOCATION_NOTE_MAX - 1].rstrip() + "…"
    return note or "No location recorded"


@dataclass
class DispatchRow(BoardRow):
    """A call on the board with where it is and its officer-safety tags."""

    tags: list[SafetyTag] = field(default_factory=list)
    can_act: bool = False  # the viewer may record the arrival and close the call

    @property
    def location(self) -> str:
        return location_text(self.incident)


@dataclass
class Board:
    waiting: list[DispatchRow]
    attended: list[DispatchRow]
    more_waiting: bool = False
    more_attended: bool = False


def _row(incident: Incident, now: dt.datetime) -> DispatchRow:
    left = int((incident.attend_by - now).total_seconds()) if incident.attend_by else None
    return DispatchRow(
        incident=incident,
        seconds_left=left,
        tags=safety_tags(
            intelligence=incident.intelligence,
            regrade_intelligence=incident.regrade_intelligence,
            answers=incident.answers,
        ),
    )


def attended_not_closed() -> QuerySet[Incident]:
    """Calls an officer has reached that are not closed yet, the longest open first."""
    return (
        Incident.objects.filter(status=IncidentStatus.ATTENDED)
        .select_related("address", "district")
        .order_by("attended_at", "created_at", "pk")
    )


def board(
    *,
    now: dt.datetime | None = None,
    waiting_limit: int = WAITING_LIMIT,
    attended_limit: int = ATTENDED_LIMIT,
) -> Board:
    """The dispatch board: calls waiting for an officer in `dispatch_board` order, then
    calls attended and not closed. Each list is cut at its limit (one more is read to
    say whether there are more)."""
    now = now or timezone.now()
    waiting = list(dispatch_board().defer(*UNREAD_FIELDS)[: waiting_limit + 1])
    attended = list(attended_not_closed().defer(*UNREAD_FIELDS)[: attended_limit + 1])
    return Board(
        waiting=[_row(i, now) for i in waiting[:waiting_limit]],
        attended=[_row(i, now) for i in attended[:attended_limit]],
        more_waiting=len(waiting) > waiting_limit,
        more_attended=len(attended) > attended_limit,
    )


@dataclass
class CallsToAttend:
    """The most urgent calls waiting for an officer, and whether there are more."""

    rows: list[DispatchRow]
    more: bool = False


def calls_to_attend(*, now: dt.datetime | None = None, limit: int = 20) -> CallsToAttend:
    """Calls waiting for an officer (logged, not yet attended, not a telephone
    resolution) in the dispatch board's order: most urgent grade, then the attend-by
    time. One query whatever the number of calls."""
    now = now or timezone.now()
    waiting = list(dispatch_board().defer(*UNREAD_FIELDS)[: limit + 1])
    return CallsToAttend(rows=[_row(i, now) for i in waiting[:limit]], more=len(waiting) > limit)
