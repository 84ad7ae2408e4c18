"""Domain events: what happened to a work item, by verb, and how each verb reads.

Only services write events (`event_record`, or `events_record_many` for a batch);
timelines and reports read them (`describe_events`) rather than rebuilding meaning from
history diffs. Events are never changed or removed: an incident or case that has one
cannot be deleted, and on PostgreSQL the database refuses to update or delete a row.

Where a new verb goes
---------------------
In the app whose service records it, in that app's `event_verbs.py`. The kernel never
lists verbs: it imports every installed app's `event_verbs.py` on first use (like
`admin.py`, or the work items' `work_items.py`), so adding a verb touches neither
`dasapp` nor any other app, and needs no migration (`Event.verb` has no choices)::

    # parcels/event_verbs.py
    from django.db import models

    from dasapp.events import by, entry, register_verbs, verb_formatter, why


    @register_verbs
    class EventVerb(models.TextChoices):
        PARCEL_SENT = "parcel_sent", "Parcel sent"  # value: lower case, at most 32


    @verb_formatter(EventVerb.PARCEL_SENT)
    def _parcel_sent(event, names):
        return entry(event, f"Parcel sent to the refuge {by(event)}{why(event)}")

The app's services then record `EventVerb.PARCEL_SENT` with `event_record`, which
refuses a verb nobody registered. A verb with no formatter reads "<label> by <who>,
<when>: <reason>". A formatter that names other users the event holds only by id
declares them with `mentions=` (event -> ids): `describe_events` looks their names up
once for a whole timeline and passes them as `names`. A value is registered by one app
only; a second app registering it is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from dasapp.models import Event, User

VERB_RE = re.compile(r"[a-z][a-z0-9_]{1,31}")

# formatter(event, names) -> the readable entry; `names` maps the ids of the users the
# event mentions (see `mentions`) to their names.
Formatter = Callable[[Event, dict[int, str]], "TimelineEntry"]
# mentions(event) -> the ids of the users whose names the formatter needs.
Mentions = Callable[[Event], Iterable[object]]
Choices = TypeVar("Choices", bound=type[models.TextChoices])


@dataclass(frozen=True)
class Verb:
    """A registered verb: its value (stored on the event), its label (the entry's title),
    the module that registered it and how it reads."""

    value: str
    label: str
    module: str
    formatter: Formatter | None = None
    mentions: Mentions | None = None


class UnknownVerb(ValueError):
    """An event was recorded with a verb no app registered."""


_verbs: dict[str, Verb] = {}
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("event_verbs")
        _discovered = True


@receiver(setting_changed)
def _installed_apps_changed(*, setting, **kwargs) -> None:
    """An app installed later (a test's) has its `event_verbs.py` found on next use."""
    global _discovered
    if setting == "INSTALLED_APPS":
        _discovered = False


def register_verbs(choices: Choices) -> Choices:
    """Class decorator: register every member of an app's `EventVerb` choices (value,
    label) as a verb of that app. Returns the class unchanged."""
    module = choices.__module__
    for value, label in choices.choices:
        if not VERB_RE.fullmatch(value):
            raise ImproperlyConfigured(
                f"A verb is 2 to 32 lower-case letters, digits or underscores: {value!r}"
            )
        known = _verbs.get(value)
        if known is not None and known.module != module:
            raise ImproperlyConfigured(
                f"The verb {value!r} is registered by {known.module} already."
            )
        _verbs[value] = (
            replace(known, label=str(label)) if known else Verb(value, str(label), module)
        )
    return choices


def verb_formatter(verb: str, *, mentions: Mentions | None = None):
    """Decorator: `formatter(event, names)` turns events of `verb` (registered first,
    with `register_verbs`) into their readable entry. `mentions(event)` gives the ids
    of the users whose names it needs in `names`."""

    def decorator(formatter: Formatter) -> Formatter:
        known = _verbs.get(str(verb))
        if known is None:
            raise ImproperlyConfigured(f"Register the verb {verb!r} before its formatter.")
        _verbs[known.value] = replace(known, formatter=formatter, mentions=mentions)
        return formatter

    return decorator


def registered_verbs() -> dict[str, Verb]:
    """Every registered verb by value."""
    _discover()
    return dict(_verbs)


def verb_label(value: str) -> str:
    """The verb in words ("Case opened"); a value no app registers is shown as it is."""
    _discover()
    known = _verbs.get(value)
    return known.label if known is not None else value


def _check_verb(verb: str) -> str:
    _discover()
    if str(verb) not in _verbs:
        raise UnknownVerb(
            f"No app registers the event verb {verb!r}: declare it in the app's "
            "event_verbs.py (see dasapp.events)."
        )
    return str(verb)


# Writing ---------------------------------------------------------------------------------


def event_record(
    *,
    verb: str,
    actor,
    incident=None,
    case=None,
    old=None,
    new=None,
    reason: str = "",
) -> Event:
    """Append a domain event about `incident` and/or `case`. Only services call this.
    Raises `UnknownVerb` for a verb no app registered."""
    return Event.objects.create(
        at=timezone.now(),
        verb=_check_verb(verb),
        actor=actor if getattr(actor, "pk", None) else None,
        incident=incident,
        case=case,
        old=old or {},
        new=new or {},
        reason=reason,
    )


def events_record_many(events: list[Event]) -> list[Event]:
    """Append a batch of events built by a service (one query). Raises `UnknownVerb`,
    writing none, if any has a verb no app registered."""
    for event in events:
        _check_verb(event.verb)
    return Event.objects.bulk_create(events)


# Reading ---------------------------------------------------------------------------------


def person_name(user) -> str:
    """A user as a history names them; no user: the system."""
    if user is None:
        return "the system"
    return user.get_full_name() or user.username


def when(at: dt.datetime) -> str:
    """`26 November 2026 14:03`, in local time."""
    return f"{timezone.localtime(at):%-d %B %Y %H:%M}"


def by(event: Event) -> str:
    """`by Nadia Quinn, 26 November 2026 14:03`."""
    return f"by {person_name(event.actor)}, {when(event.at)}"


def why(event: Event) -> str:
    """`: <the reason given>`, or "" with none."""
    reason = event.reason.strip()
    return f": {reason}" if reason else ""


def and_list(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def parse_at(value) -> dt.datetime | None:
    """A datetime an event holds as ISO text, or None."""
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def numbered(prefix: str, pk, otherwise: str) -> str:
    """A record's reference from its id as an event holds it (`C-000042`), or `otherwise`
    when the id is missing."""
    return f"{prefix}-{int(pk):06d}" if str(pk).isdigit() else otherwise


@dataclass
class TimelineEntry:
    """One event as people read it: a title, a sentence with who, when, from, to and
    why, and any details."""

    event: Event
    title: str
    sentence: str
    details: list[str] = field(default_factory=list)
    link: str = ""
    link_text: str = ""

    @property
    def at(self) -> dt.datetime:
        return self.event.at

    @property
    def actor_name(self) -> str:
        return person_name(self.event.actor)


def entry(
    event: Event,
    sentence: str,
    details: list[str] | None = None,
    *,
    link: str = "",
    link_text: str = "",
) -> TimelineEntry:
    """The entry for `event`, titled with its verb's label."""
    return TimelineEntry(event, verb_label(event.verb), sentence, details or [], link, link_text)


def describe_event(event: Event, names: dict[int, str] | None = None) -> TimelineEntry:
    """The readable entry for one event, by its verb's formatter. `names` maps the ids of
    the users it mentions (a challenged officer) to their names."""
    _discover()
    known = _verbs.get(event.verb)
    if known is not None and known.formatter is not None:
        return known.formatter(event, names or {})
    return entry(event, f"{verb_label(event.verb)} {by(event)}{why(event)}")


def describe_events(events: Iterable[Event]) -> list[TimelineEntry]:
    """The readable entries for `events` (their actors selected with them), with at most
    one more query, for the names of the users they mention."""
    _discover()
    events = list(events)
    mentioned: set[int] = set()
    for event in events:
        known = _verbs.get(event.verb)
        if known is not None and known.mentions is not None:
            mentioned |= {pk for pk in known.mentions(event) if isinstance(pk, int)}
    names: dict[int, str] = {}
    if mentioned:
        names = {u.pk: person_name(u) for u in User.objects.filter(pk__in=mentioned)}
    return [describe_event(event, names) for event in events]
