"""Cases that must not wait on an owner who is away: the periodic check that tells a
case's supervisors, once per case and absence.

An open case needs telling about when its owner (the DASO or researcher holding it)

- is away now: a recorded absence covering now (leave, sickness, training, any other),
  or a switched-off account, whatever the risk level; or
- holds a high-risk case whose review target falls in a coming absence (within the
  casework settings' absence look-ahead, days).

Then the owner's supervisors at work (their supervisor, and that person's supervisor:
the chain the safety-action sweep climbs) and the team lead of the case's queue (the
supervisor of most of the team) are told in the app and by email, with a link to the
case and to reassigning it. Nothing moves the case: a person decides (the supervisor
reassigns it, within the team or to another team covering, see
`cases.assignment_services.case_reassign`). Why is kept in the case's history as an
event (`case_owner_away`), in neutral words: "away until 3 December", never the kind
of absence (sickness is health data).

Idempotent: an alert is unique per case and absence (`CaseCoverAlert`), so running
twice, or on two workers at once, tells nobody twice. The cases are found from the few
owners who are away or switched off, on the absence index and the case's owner index,
a batch at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from cases.case_cover_selectors import from_text, until_text
from cases.choices import CaseStatus, CoverReason
from cases.event_verbs import EventVerb
from cases.models import Case, CaseCoverAlert, CaseworkSettings
from cases.safety_services.common import system_user
from dasapp.choices import RiskLevel
from dasapp.events import events_record_many
from dasapp.models import Event, User
from dasapp.notify import Message, notify_many
from dasapp.roles import Role
from org import availability
from org.models import Absence, StaffProfile

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500
# How far up the supervisor chain the check looks for someone at work.
SUPERVISOR_DEPTH = 2
# At most this many cases are listed in one message; the rest are counted.
LISTED = 20


# The rule, on plain data ----------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceFacts:
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Away:
    """Why a case's owner is away, and the key that makes telling about it happen once."""

    key: str  # "absence:<id>" or "inactive:<user id>"
    reason: str  # a CoverReason
    absence_id: int | None = None
    away_from: dt.datetime | None = None
    away_until: dt.datetime | None = None


def away_decision(
    *,
    owner_id: int,
    owner_active: bool,
    risk_level: str,
    review_due_at: dt.datetime | None,
    absences: Iterable[AbsenceFacts],
    now: dt.datetime,
) -> Away | None:
    """Whether an open case's owner is away in the sense of this module, and why.

    A switched-off account first; then an absence covering now (the earliest started,
    so the key stays the same from run to run when absences overlap); then, for a
    high-risk case only, an absence covering its review target."""
    if not owner_active:
        return Away(f"inactive:{owner_id}", CoverReason.OWNER_INACTIVE)
    absences = sorted(absences, key=lambda a: (a.starts_at, a.id))
    for absence in absences:
        if absence.starts_at <= now < absence.ends_at:
            return Away(
                f"absence:{absence.id}",
                CoverReason.OWNER_AWAY,
                absence.id,
                absence.starts_at,
                absence.ends_at,
            )
    if risk_level != RiskLevel.HIGH or review_due_at is None or review_due_at <= now:
        return None
    for absence in absences:
        if absence.starts_at <= review_due_at < absence.ends_at:
            return Away(
                f"absence:{absence.id}",
                CoverReason.AWAY_AT_TARGET,
                absence.id,
                absence.starts_at,
                absence.ends_at,
            )
    return None


def away_words(away: Away, now: dt.datetime) -> str:
    """What follows the owner's name: `is away until 3 December`, `is away from 1
    December until 3 December`, `has a switched-off account`: the same words for every
    kind of absence."""
    if away.reason == CoverReason.OWNER_INACTIVE:
        return "has a switched-off account"
    if away.away_from is not None and away.away_from > now:
        return f"is away from {from_text(away.away_from)} until {until_text(away.away_until)}"
    return f"is away until {until_text(away.away_until)}"


# The check on the database -------------------------------------------------------------


@dataclass
class CoverReport:
    """What one check did."""

    scanned: int = 0
    alerted: int = 0
    skipped: int = 0  # already told about by another run
    failed: int = 0
    told: int = 0  # messages made
    seconds: float = 0.0


def _name(user) -> str:
    return user.get_full_name() or user.username


def _when(at: dt.datetime) -> str:
    local = availability.local(at)
    return f"{local:%-d %B} at {local:%H:%M}"


def absence_lookahead() -> dt.timedelta:
    """How far ahead a coming absence counts: the casework settings' absence look-ahead
    (the largest, if there are several forces)."""
    name = "sweep_absence_lookahead_days"
    days = CaseworkSettings.objects.aggregate(m=Max(name))["m"]
    if days is None:
        days = CaseworkSettings._meta.get_field(name).default
    return dt.timedelta(days=days)


class _People:
    """Who is told, with every answer cached for one run: the owners with their
    supervisor chain, whether a supervisor is at work (`availability.user_at_work`, the
    one rule), and each team's lead."""

    _related = ("profile__team", "profile__supervisor__profile__supervisor")

    def __init__(self, now: dt.datetime):
        self.now = now
        self._users: dict[int, User | None] = {}
        self._at_work: dict[int, bool] = {}
        self._leads: dict[int, int | None] = {}
        self._team_supervisors: dict[int, list[User]] = {}

    def load(self, user_ids: Iterable[int]) -> None:
        missing = {i for i in user_ids if i is not None and i not in self._users}
        if not missing:
            return
        for user in User.objects.filter(pk__in=missing).select_related(*self._related):
            self._users[user.pk] = user
        for user_id in missing - set(self._users):
            self._users[user_id] = None

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        self.load([user_id])
        return self._users[user_id]

    def at_work(self, user: User) -> bool:
        if user.pk not in self._at_work:
            self._at_work[user.pk] = availability.user_at_work(user, self.now)
        return self._at_work[user.pk]

    def supervisors(self, owner: User) -> list[User]:
        """The owner's supervisor and theirs (active accounts), nearest first."""
        chain: list[User] = []
        seen = {owner.pk}
        person = owner
        while len(chain) < SUPERVISOR_DEPTH:
            profile = getattr(person, "profile", None)
            next_id = profile.supervisor_id if profile else None
            if next_id is None or next_id in seen:
                break
            person = self.user(next_id)
            if person is None:
                break
            seen.add(person.pk)
            if person.is_active:
                chain.append(person)
        return chain

    def team_lead(self, team_id: int | None) -> User | None:
        """The supervisor of most of the team's active members (lowest id on a tie)."""
        if team_id is None:
            return None
        if team_id not in self._leads:
            counts = Counter(
                StaffProfile.objects.filter(
                    team_id=team_id, user__is_active=True, supervisor__isnull=False
                ).values_list("supervisor_id", flat=True)
            )
            self._leads[team_id] = (
                min(counts, key=lambda sid: (-counts[sid], sid)) if counts else None
            )
        lead = self.user(self._leads[team_id])
        return lead if lead is not None and lead.is_active else None

    def team_supervisors(self, team_id: int | None) -> list[User]:
        """Active supervisors in the team: told when the owner has no supervisor and the
        team no lead, so that the alert reaches somebody."""
        if team_id is None:
            return []
        if team_id not in self._team_supervisors:
            self._team_supervisors[team_id] = list(
                User.objects.filter(
                    profile__team_id=team_id, is_active=True, groups__name=Role.SUPERVISOR
                )
                .distinct()
                .order_by("pk")
            )
        return self._team_supervisors[team_id]

    def to_tell(self, owner: User, team_id: int | None) -> list[User]:
        """The owner's supervisors at work (or the nearest one, when none is), the team's
        lead, else the team's supervisors; each once, never the owner."""
        chain = self.supervisors(owner)
        told = [s for s in chain if self.at_work(s)] or chain[:1]
        lead = self.team_lead(team_id)
        if lead is not None:
            told.append(lead)
        if not told:
            told = self.team_supervisors(team_id)
        unique: dict[int, User] = {}
        for user in told:
            if user.pk != owner.pk:
                unique.setdefault(user.pk, user)
        return list(unique.values())


@dataclass
class _Planned:
    """One case to tell about, and why."""

    case_id: int
    owner: User
    risk_level: str
    review_due_at: dt.datetime | None
    queue_id: int | None
    queue_name: str
    team_id: int | None
    away: Away
    told: list[User] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return Case(pk=self.case_id).reference


def _case_url(case_id: int) -> str:
    return f"/cases/{case_id}/?via=case:{case_id}"


def _reassign_url(case_id: int) -> str:
    return f"/cases/{case_id}/reassign/?via=case:{case_id}"


def _note(p: _Planned, now: dt.datetime) -> str:
    """Why, for the case's history: who is away (never why), the target, who was told."""
    due = f"; its review is due {_when(p.review_due_at)}" if p.review_due_at else ""
    told = ", ".join(_name(u) for u in p.told) or "nobody (no supervisor or team lead is set)"
    return (
        f"{_name(p.owner)}, who holds the case, {away_words(p.away, now)}{due}. "
        f"Told: {told}. The case stays with {_name(p.owner)} until someone reassigns it."
    )


def _alert(p: _Planned, now: dt.datetime) -> CaseCoverAlert:
    return CaseCoverAlert(
        case_id=p.case_id,
        owner=p.owner,
        absence_id=p.away.absence_id,
        away_key=p.away.key,
        reason=p.away.reason,
        away_from=p.away.away_from,
        away_until=p.away.away_until,
        raised_at=now,
        told=[u.pk for u in p.told],
    )


def _event(p: _Planned, system: User, now: dt.datetime) -> Event:
    return Event(
        at=now,
        verb=EventVerb.CASE_OWNER_AWAY,
        actor=system,
        case_id=p.case_id,
        old={},
        new={
            "owner": p.owner.pk,
            "name": _name(p.owner),
            "reason": p.away.reason,
            "away_from": p.away.away_from.isoformat() if p.away.away_from else None,
            "away_until": p.away.away_until.isoformat() if p.away.away_until else None,
            "told": [u.pk for u in p.told],
        },
        reason=_note(p, now),
    )


def _case_line(p: _Planned) -> str:
    level = RiskLevel(p.risk_level).label.lower()
    due = f", review due {_when(p.review_due_at)}" if p.review_due_at else ""
    return (
        f"{p.reference} ({level} risk, {p.queue_name}{due}). Reassign: {_reassign_url(p.case_id)}"
    )


def _messages(planned: list[_Planned], now: dt.datetime) -> list[Message]:
    """One message per person told and owner's absence in this run, listing the cases
    (a DASO going on leave with twenty cases makes one message, not twenty). Names the
    owner and the cases, never the victim nor the kind of absence."""
    groups: dict[tuple[int, str], tuple[User, list[_Planned]]] = {}
    for p in planned:
        for user in p.told:
            groups.setdefault((user.pk, p.away.key), (user, []))[1].append(p)
    messages = []
    for (_user_id, away_key), (user, items) in groups.items():
        first = items[0]
        owner = _name(first.owner)
        words = away_words(first.away, now)
        if len(items) == 1:
            high = first.risk_level == RiskLevel.HIGH
            title = f"{'High-risk case' if high else 'Case'} {first.reference}: its owner {words}"
            url = _case_url(first.case_id)
        else:
            title = f"{len(items)} open cases held by {owner}, who {words}"
            queues = {p.queue_id for p in items}
            url = (
                f"/queues/{first.queue_id}/?owner={first.owner.pk}&owner_away=on"
                if len(queues) == 1 and first.queue_id
                else "/queues/"
            )
        lines = [_case_line(p) for p in items[:LISTED]]
        if len(items) > LISTED:
            lines.append(f"and {len(items) - LISTED} more")
        body = (
            f"{owner} {words}. Nothing has been moved: reassign a case if it cannot "
            "wait (within the team, or to another team covering).\n" + "\n".join(lines)
        )
        digest = hashlib.sha256(",".join(str(p.case_id) for p in items).encode()).hexdigest()[:16]
        messages.append(
            Message(
                user=user,
                title=title,
                body=body,
                url=url,
                dedupe_key=f"case-away:{away_key}:{digest}",
            )
        )
    return messages


def _apply(planned: list[_Planned], *, now, system) -> int:
    """The alerts, the events and the messages: a statement or two each, whatever the
    number of cases. The alerts go first: a run that got there first makes this insert
    fail, before anybody is told."""
    CaseCoverAlert.objects.bulk_create([_alert(p, now) for p in planned])
    events_record_many([_event(p, system, now) for p in planned])
    return len(notify_many(_messages(planned, now)))


def _one_by_one(planned: list[_Planned], *, now, system, report: CoverReport) -> None:
    for p in planned:
        try:
            with transaction.atomic():
                report.told += _apply([p], now=now, system=system)
        except IntegrityError:
            report.skipped += 1  # another run told about it first
            continue
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("Owner-away check: case %s failed", p.case_id)
            report.failed += 1
            continue
        report.alerted += 1


def _absences(user_ids, now: dt.datetime, far: dt.datetime) -> dict[int, list[AbsenceFacts]]:
    found: dict[int, list[AbsenceFacts]] = {}
    rows = Absence.objects.filter(
        user_id__in=list(user_ids), ends_at__gt=now, starts_at__lte=far
    ).values_list("user_id", "id", "starts_at", "ends_at")
    for user_id, pk, starts_at, ends_at in rows:
        found.setdefault(user_id, []).append(AbsenceFacts(pk, starts_at, ends_at))
    return found


def _raised(case_ids) -> set[tuple[int, str]]:
    """The (case, away key) pairs already told about: the cheap check before writing.
    The unique constraint is what holds when another run writes in between."""
    return set(
        CaseCoverAlert.objects.filter(case_id__in=list(case_ids)).values_list("case_id", "away_key")
    )


def _batch(rows, *, people: _People, now, far, system, report: CoverReport) -> None:
    people.load(r.assigned_to_id for r in rows)
    absences = _absences({r.assigned_to_id for r in rows}, now, far)
    raised = _raised([r.id for r in rows])
    planned: list[_Planned] = []
    for row in rows:
        owner = people.user(row.assigned_to_id)
        if owner is None:
            continue
        away = away_decision(
            owner_id=owner.pk,
            owner_active=owner.is_active,
            risk_level=row.risk_level,
            review_due_at=row.review_due_at,
            absences=absences.get(owner.pk, ()),
            now=now,
        )
        if away is None:
            continue
        if (row.id, away.key) in raised:
            report.skipped += 1
            continue
        profile = getattr(owner, "profile", None)
        team_id = row.queue__team_id or (profile.team_id if profile else None)
        p = _Planned(
            case_id=row.id,
            owner=owner,
            risk_level=row.risk_level,
            review_due_at=row.review_due_at,
            queue_id=row.queue_id,
            queue_name=row.queue__name or "not in a queue",
            team_id=team_id,
            away=away,
        )
        p.told = people.to_tell(owner, team_id)
        planned.append(p)
    if not planned:
        return
    try:
        with transaction.atomic():
            report.told += _apply(planned, now=now, system=system)
    except (OperationalError, InterfaceError):
        raise  # the database is going away: let the task retry
    except IntegrityError:
        # Another run told about one of these cases first (the unique constraint): go
        # one case at a time, so the others still go through.
        logger.info("Owner-away check: batch overlapped another run, going one by one")
        _one_by_one(planned, now=now, system=system, report=report)
        return
    report.alerted += len(planned)


def _candidates(now: dt.datetime, far: dt.datetime):
    """Open cases held by someone with an absence between now and `far`, or by a
    switched-off account: found from those owners (a few) on the absence index and the
    case's owner index. None when there are none."""
    away = set(
        Absence.objects.filter(ends_at__gt=now, starts_at__lte=far)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    switched_off = set(
        Case.objects.filter(status=CaseStatus.OPEN, assigned_to__is_active=False)
        .order_by()
        .values_list("assigned_to_id", flat=True)
        .distinct()
    )
    owners = sorted(away | switched_off)
    if not owners:
        return None
    return Case.objects.filter(status=CaseStatus.OPEN, assigned_to_id__in=owners)


def _pages(queryset, batch_size: int):
    """A batch at a time in id order, each page after the last one read (keyset)."""
    after = 0
    while True:
        rows = list(
            queryset.filter(pk__gt=after)
            .order_by("pk")
            .values_list(
                "id",
                "assigned_to_id",
                "risk_level",
                "review_due_at",
                "queue_id",
                "queue__name",
                "queue__team_id",
                named=True,
            )[:batch_size]
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id


def cover_check_run(
    *,
    now: dt.datetime | None = None,
    batch_size: int | None = None,
    lookahead: dt.timedelta | None = None,
) -> CoverReport:
    """Tell the supervisors of every open case whose owner is away now, or (high risk)
    will be away when its review is due within `lookahead`, once per case and absence.
    Moves nothing. Idempotent; safe on two workers at once."""
    started = time.monotonic()
    now = now or timezone.now()
    lookahead = lookahead if lookahead is not None else absence_lookahead()
    batch_size = batch_size or getattr(settings, "CASE_COVER_BATCH_SIZE", DEFAULT_BATCH_SIZE)
    far = now + lookahead
    report = CoverReport()
    candidates = _candidates(now, far)
    if candidates is not None:
        system = system_user()
        people = _People(now)
        for rows in _pages(candidates, batch_size):
            report.scanned += len(rows)
            _batch(rows, people=people, now=now, far=far, system=system, report=report)
    report.seconds = time.monotonic() - started
    logger.info("Owner-away check: %s", report)
    return report
