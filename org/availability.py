"""Who is at work: one rule for routing new cases and moving follow-ups.

A person is at work at a moment when they are not absent (leave, sickness, training;
an absence cancelled as recorded by mistake does not count) and their shift pattern (their own, else their team's) has a slot covering it. Someone
with no pattern at all is treated as at work unless absent. A team takes cases at a
moment when its own pattern covers it and at least one active member who works cases
(a DASO) is at work by that rule (`team_at_work`). Pure functions first; the database
wrappers below them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Slot:
    cycle_day: int  # 1-based
    starts: dt.time
    ends: dt.time


def cycle_day(cycle_start: dt.date, cycle_days: int, on: dt.date) -> int:
    """The 1-based day of the cycle that `on` falls on."""
    return (on - cycle_start).days % cycle_days + 1


def _crosses_midnight(slot: Slot) -> bool:
    return slot.ends <= slot.starts


def pattern_covers(
    *, slots: Iterable[Slot], cycle_start: dt.date, cycle_days: int, at_local: dt.datetime
) -> bool:
    """Whether a pattern has someone on shift at a local (Europe/London) time."""
    slots = list(slots)
    today = cycle_day(cycle_start, cycle_days, at_local.date())
    yesterday = cycle_day(cycle_start, cycle_days, at_local.date() - dt.timedelta(days=1))
    now = at_local.time()
    for slot in slots:
        if slot.cycle_day == today:
            if _crosses_midnight(slot):
                if now >= slot.starts:
                    return True
            elif slot.starts <= now < slot.ends:
                return True
        if slot.cycle_day == yesterday and _crosses_midnight(slot) and now < slot.ends:
            return True
    return False


def next_start(
    *, slots: Iterable[Slot], cycle_start: dt.date, cycle_days: int, after_local: dt.datetime
) -> dt.datetime | None:
    """The next local time a pattern's shift starts, within two cycles."""
    slots = list(slots)
    tz = after_local.tzinfo
    for offset in range(0, cycle_days * 2 + 1):
        day = after_local.date() + dt.timedelta(days=offset)
        index = cycle_day(cycle_start, cycle_days, day)
        for slot in sorted((s for s in slots if s.cycle_day == index), key=lambda s: s.starts):
            start = dt.datetime.combine(day, slot.starts, tzinfo=tz)
            if start > after_local:
                return start
    return None


def local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(ZoneInfo(settings.TIME_ZONE))


def slots_of(pattern) -> list[Slot]:
    return [Slot(s.cycle_day, s.starts, s.ends) for s in pattern.slots.all()]


def team_on_duty(team, at: dt.datetime | None = None) -> bool:
    """Whether a team's shift pattern covers a moment (no pattern: never on duty)."""
    pattern = team.shift_pattern
    if pattern is None:
        return False
    return pattern_covers(
        slots=slots_of(pattern),
        cycle_start=pattern.cycle_start,
        cycle_days=pattern.cycle_days,
        at_local=local(at or timezone.now()),
    )


def user_at_work(user, at: dt.datetime | None = None) -> bool:
    """Not absent, and on shift by their own or their team's pattern."""
    from org.models import Absence

    at = at or timezone.now()
    if not user.is_active:
        return False
    if Absence.objects.in_force().filter(user=user, starts_at__lte=at, ends_at__gt=at).exists():
        return False
    profile = getattr(user, "profile", None)
    pattern = profile.effective_shift_pattern if profile else None
    if pattern is None:
        return True
    return pattern_covers(
        slots=slots_of(pattern),
        cycle_start=pattern.cycle_start,
        cycle_days=pattern.cycle_days,
        at_local=local(at),
    )


# The role whose members work a team's cases: a hub with none of them at work takes none.
CASE_WORKER_ROLES: frozenset[str] = frozenset({"daso"})


def team_case_workers(team):
    """The team's active members who work cases, with what `user_at_work` reads."""
    from dasapp.models import User

    return (
        User.objects.filter(profile__team=team, is_active=True, groups__name__in=CASE_WORKER_ROLES)
        .distinct()
        .select_related("profile__shift_pattern", "profile__team__shift_pattern")
        .prefetch_related("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")
        .order_by("pk")
    )


def team_at_work(team, at: dt.datetime | None = None) -> bool:
    """Whether a team takes cases at a moment: its shift pattern covers it and at least
    one active member who works cases (a DASO) is at work then by `user_at_work`. A hub
    on its shift whose DASOs are all on leave, sick or off their own shift is not."""
    at = at or timezone.now()
    if not team_on_duty(team, at):
        return False
    return any(user_at_work(member, at) for member in team_case_workers(team))
