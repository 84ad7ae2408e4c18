"""Reads for the safety-plan owner picker: the people and teams who may hold an action
whose name or team matches what was typed, each saying whether they are at work now
(and, for a person, when they will be away: never why). A fixed number of queries
whatever the size of the force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cases import safety_selectors as selectors
from dasapp.models import User
from org import availability
from org.models import Team

PERSON, TEAM = "person", "team"
# Fewer letters than this match too many people to be of use.
MIN_QUERY = 2
PEOPLE_LIMIT = 10
TEAMS_LIMIT = 5
_PATTERN = ("profile__shift_pattern", "profile__team__shift_pattern")
_SLOTS = ("profile__shift_pattern__slots", "profile__team__shift_pattern__slots")


@dataclass(frozen=True)
class OwnerMatch:
    """One person or team the picker offers. `value` is what the form posts back
    (`person:12`, `team:3`)."""

    kind: str
    pk: int
    name: str
    team_name: str
    availability: str
    at_work: bool

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def label(self) -> str:
        """`Inspector Mark Fenwick, Response policing: away until 10 Dec`."""
        if self.kind == TEAM:
            return f"{self.name} (the whole team): {self.availability}"
        team = f", {self.team_name}" if self.team_name else ""
        return f"{self.name}{team}: {self.availability}"


def _day(at: dt.datetime, now: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local:%-d %b}" if local.year == timezone.localtime(now).year else f"{local:%-d %b %Y}"


def _person_name(user) -> str:
    profile = getattr(user, "profile", None)
    rank = f"{profile.rank} " if profile and profile.rank else ""
    return f"{rank}{user.get_full_name() or user.get_username()}"


def _on_shift(user, now: dt.datetime) -> bool:
    """On shift by their own or their team's pattern (no pattern: always)."""
    profile = getattr(user, "profile", None)
    pattern = profile.effective_shift_pattern if profile else None
    if pattern is None:
        return True
    return availability.pattern_covers(
        slots=availability.slots_of(pattern),
        cycle_start=pattern.cycle_start,
        cycle_days=pattern.cycle_days,
        at_local=availability.local(now),
    )


def _availability(user, spell: selectors.AwaySpell | None, now: dt.datetime) -> tuple[str, bool]:
    """`at work now`, `away until 10 Dec`, `not at work now`, with `away 17 Jul to 19
    Jul` added when someone at work will be away in the next two weeks."""
    if spell is not None and spell.starts_at <= now:
        return f"away until {_day(spell.ends_at, now)}", False
    words, at_work = ("at work now", True) if _on_shift(user, now) else ("not at work now", False)
    if spell is not None:
        words += f", away {_day(spell.starts_at, now)} to {_day(spell.ends_at, now)}"
    return words, at_work


def _words(query: str) -> list[str]:
    return [word for word in query.split() if word][:4]


def _with_patterns(queryset):
    return queryset.select_related("profile__team", *_PATTERN).prefetch_related(*_SLOTS)


def owner_matches(*, query: str, now: dt.datetime | None = None) -> list[OwnerMatch]:
    """People who may hold an action whose name (rank, username) or team matches every
    word of `query`, at work first, then teams whose name matches, at most
    PEOPLE_LIMIT and TEAMS_LIMIT of each. Nothing for fewer than MIN_QUERY letters."""
    query = (query or "").strip()
    if len(query) < MIN_QUERY:
        return []
    now = now or timezone.now()
    people_filter = Q()
    team_filter = Q()
    for word in _words(query):
        people_filter &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(profile__rank__icontains=word)
            | Q(profile__team__name__icontains=word)
        )
        team_filter &= Q(name__icontains=word)
    people = list(_with_patterns(selectors.assignable_users().filter(people_filter))[:PEOPLE_LIMIT])
    teams = list(selectors.team_choices().filter(team_filter)[:TEAMS_LIMIT])
    members = list(
        _with_patterns(
            User.objects.filter(is_active=True, profile__team__in=[team.pk for team in teams])
        )
    )
    spells = selectors.away_spells([user.pk for user in [*people, *members]], now=now)

    matches = []
    for user in people:
        words, at_work = _availability(user, spells.get(user.pk), now)
        profile = getattr(user, "profile", None)
        matches.append(
            OwnerMatch(
                kind=PERSON,
                pk=user.pk,
                name=_person_name(user),
                team_name=profile.team.name if profile and profile.team_id else "",
                availability=words,
                at_work=at_work,
            )
        )
    matches.sort(key=lambda match: not match.at_work)  # stable: by name within each
    for team in teams:
        in_team = [user for user in members if user.profile.team_id == team.pk]
        working = sum(1 for user in in_team if _availability(user, spells.get(user.pk), now)[1])
        matches.append(
            OwnerMatch(
                kind=TEAM,
                pk=team.pk,
                name=team.name,
                team_name=team.name,
                availability=f"{working} of {len(in_team)} at work now",
                at_work=working > 0,
            )
        )
    return matches


def owner_from_value(value: str) -> tuple[User | None, Team | None]:
    """The person or team a picker value (`person:12`, `team:3`) names, if they may
    hold an action now; (None, None) otherwise."""
    kind, _, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None, None
    if kind == PERSON:
        return selectors.assignable_users().filter(pk=int(pk)).first(), None
    if kind == TEAM:
        return None, selectors.team_choices().filter(pk=int(pk)).first()
    return None, None
