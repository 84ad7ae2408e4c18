"""Out of hours: a high-risk case must not wait unseen for the morning.

When a high-risk DV1 is submitted and the team of the queue it lands in has no DASO at
work (`availability.team_at_work`, the rule routing uses), the people on the force's
24/7 out-of-hours list (`OutOfHoursContact`: by default the control room's supervisors
and the duty inspector) who are at work by their rota (`availability.user_at_work`)
are told at once, in the app and by email (after commit, through Celery, as every
notification). Who was told, and as what, is kept on the case (`OutOfHoursAlert` and
an `out_of_hours_told` event) and shown on the case page. When nobody on the list is
at work either, nobody is told and the alert shows on the supervisors' home and queue
pages until a supervisor acknowledges it or the case is claimed.

Nothing here moves the case: it stays in the queue routing chose. The rule for who is
told is `people_to_tell`, on plain data; the database wrappers follow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases import rules
from cases.choices import CaseStatus
from cases.event_verbs import EventVerb
from cases.models import Case, OutOfHoursAlert, OutOfHoursContact
from dasapp.api import DomainError
from dasapp.choices import RiskLevel
from dasapp.events import event_record
from dasapp.history import audited_save
from dasapp.models import User
from dasapp.notify import notify
from org import availability

# The rule, on plain data ----------------------------------------------------------------


@dataclass(frozen=True)
class Told:
    """One person told, as the case shows them: "Inspector Ruth Calder (duty inspector,
    Response policing)"."""

    id: int
    name: str
    told_as: str
    team: str

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "as": self.told_as, "team": self.team}

    @property
    def text(self) -> str:
        return f"{self.name} ({self.told_as}, {self.team})"


def people_to_tell(
    lines: Iterable[tuple[str, str, list]],
    *,
    at_work: Callable[[object], bool],
    name_of: Callable[[object], str],
) -> list[Told]:
    """Who on the out-of-hours list is told: for each line in order (label, team name,
    its members), the members at work; each person once, as their first line."""
    told: dict[int, Told] = {}
    for label, team, members in lines:
        for member in members:
            if member.pk not in told and at_work(member):
                told[member.pk] = Told(member.pk, name_of(member), label, team)
    return list(told.values())


def staff_name(user) -> str:
    """Rank and name: "Inspector Ruth Calder"."""
    profile = getattr(user, "profile", None)
    rank = profile.rank.strip() if profile and profile.rank else ""
    name = user.get_full_name() or user.username
    return f"{rank} {name}" if rank else name


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _clock(at: dt.datetime) -> str:
    return f"{availability.local(at):%H:%M on %-d %B}"


# On the database ------------------------------------------------------------------------


def _members(contact: OutOfHoursContact) -> list[User]:
    """The active members of the line's team (holding its role, if set), with what
    `availability.user_at_work` reads."""
    members = User.objects.filter(profile__team_id=contact.team_id, is_active=True)
    if contact.role:
        members = members.filter(groups__name=contact.role)
    return list(
        members.distinct()
        .select_related("profile__shift_pattern", "profile__team__shift_pattern")
        .prefetch_related("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")
        .order_by("pk")
    )


def on_duty_contacts(at: dt.datetime) -> list[Told]:
    """The people on the active out-of-hours lines who are at work at `at`."""
    contacts = OutOfHoursContact.objects.filter(is_active=True, team__is_active=True)
    lines = [
        (contact.label, contact.team.name, _members(contact))
        for contact in contacts.select_related("team").order_by("order", "pk")
    ]
    return people_to_tell(
        lines, at_work=lambda user: availability.user_at_work(user, at), name_of=staff_name
    )


def _note(*, team_name: str, at: dt.datetime, told: list[Told]) -> str:
    if told:
        return (
            f"Nobody in {team_name} was at work at {_clock(at)}: told at once "
            f"{_and([t.text for t in told])}."
        )
    return (
        f"Nobody in {team_name} was at work at {_clock(at)}, and nobody on the out-of-hours "
        "list either: the supervisors' pages show an alert until someone acknowledges it "
        "or claims the case."
    )


@transaction.atomic
def out_of_hours_escalate(*, case: Case, user, at: dt.datetime | None = None):
    """After a high-risk DV1 is routed: when the receiving queue's team has no DASO at
    work, tell the people on the out-of-hours list who are at work, at once, and keep on
    the case who was told; with nobody to tell, raise the alert the supervisors' pages
    show. Returns the alert, or None when the team has somebody at work (or the case is
    not an open high-risk case in a queue)."""
    case = Case.objects.select_related("queue__team").get(pk=case.pk)
    if case.risk_level != RiskLevel.HIGH or case.status != CaseStatus.OPEN or not case.queue_id:
        return None
    at = at or timezone.now()
    team = case.queue.team
    if availability.team_at_work(team, at):
        return None
    told = on_duty_contacts(at)
    note = _note(team_name=team.name, at=at, told=told)
    alert = OutOfHoursAlert(
        case=case,
        raised_at=at,
        team=team,
        queue_name=case.queue.name,
        told=[t.as_json() for t in told],
        nobody_at_work=not told,
    )
    audited_save(alert, user=user, reason=note)
    event_record(
        verb=EventVerb.OUT_OF_HOURS_TOLD,
        actor=user,
        case=case,
        new={
            "alert": alert.pk,
            "team": team.name,
            "queue": case.queue.name,
            "told": [t.as_json() for t in told],
        },
        reason=note,
    )
    if told:
        waits = f"It waits in {case.queue.name}"
        if case.hub_takes_over_at:
            waits += f" until a hub takes over at {_clock(case.hub_takes_over_at)}"
        notify(
            users=list(User.objects.filter(pk__in=[t.id for t in told]).order_by("pk")),
            title=f"High-risk case {case.reference}: nobody in {team.name} is at work",
            body=(
                f"A high-risk DV1 was submitted at {_clock(at)} and nobody in {team.name} "
                f"is at work. {waits}. You are told as the out-of-hours contact on duty: "
                "decide what cannot wait until then."
            ),
            url=f"/cases/{case.pk}/?via=case:{case.pk}",
            dedupe_key=f"out-of-hours:{alert.pk}",
        )
    return alert


@transaction.atomic
def out_of_hours_acknowledge(*, alert: OutOfHoursAlert, user) -> OutOfHoursAlert:
    """A supervisor has seen that nobody was at work to be told about the case and takes
    it on: the alert leaves the supervisors' pages. Once; a second time changes nothing."""
    if not rules.can_acknowledge_out_of_hours(user):
        raise DomainError("Only a supervisor can acknowledge an out-of-hours alert.")
    alert = OutOfHoursAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = user
    who = staff_name(user)
    audited_save(alert, user=user, reason=f"Acknowledged by {who}")
    event_record(
        verb=EventVerb.OUT_OF_HOURS_ACKNOWLEDGED,
        actor=user,
        case=alert.case,
        new={"alert": alert.pk},
        reason=f"Nobody was at work to be told; {who} acknowledged the alert",
    )
    return alert
