"""Platform reads: the access log, a page at a time by date, and a user's notifications.

Pages are cut by keyset on (at, id), newest first: a page costs one index range scan
from where the last one ended, however deep, and nothing counts the whole log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from dasapp import access
from dasapp.models import AccessLog, Notification, User

PAGE_SIZE = 50
CURSOR_RE = re.compile(r"^(?P<micros>\d{1,20})\.(?P<pk>\d{1,18})$")


def cursor_for(entry: AccessLog) -> str:
    """A row's place in the log, for a link: its time in microseconds and its id."""
    micros = int(entry.at.timestamp()) * 1_000_000 + entry.at.microsecond
    return f"{micros}.{entry.pk}"


def parse_cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    match = CURSOR_RE.match(value or "")
    if match is None:
        return None
    seconds, micros = divmod(int(match["micros"]), 1_000_000)
    try:
        at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(microsecond=micros)
    except (OverflowError, OSError, ValueError):
        return None
    return at, int(match["pk"])


@dataclass
class LogPage:
    """One page of the log, newest first, with the cursors of its neighbours."""

    entries: list[AccessLog]
    newer: str = ""  # `after=` cursor for the newer page, if there is one
    older: str = ""  # `before=` cursor for the older page, if there is one


def access_log_page(
    queryset: QuerySet[AccessLog],
    *,
    before: str | None = None,
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> LogPage:
    """The `size` rows of `queryset` just older than `before` (or just newer than
    `after`; else the newest), described in words (`access.describe_entries`)."""
    key = Tuple(F("at"), F("id"))
    newer_than = parse_cursor(after)
    older_than = parse_cursor(before)
    if newer_than is not None:
        rows = list(
            queryset.filter(TupleGreaterThan(key, newer_than)).order_by("at", "id")[: size + 1]
        )
        if len(rows) <= size:
            # Back at the newest rows: show the first page, full.
            return access_log_page(queryset, size=size)
        entries = list(reversed(rows[:size]))
        page = LogPage(entries, newer=cursor_for(entries[0]), older=cursor_for(entries[-1]))
    else:
        if older_than is not None:
            queryset = queryset.filter(TupleLessThan(key, older_than))
        rows = list(queryset.order_by("-at", "-id")[: size + 1])
        entries = rows[:size]
        page = LogPage(entries)
        page.older = cursor_for(entries[-1]) if len(rows) > size else ""
        page.newer = cursor_for(entries[0]) if older_than is not None and entries else ""
    _with_users(page.entries)
    access.describe_entries(page.entries)
    return page


def _with_users(entries: list[AccessLog]) -> None:
    """Attach each row's user from one query (a select_related join would make the
    planner read the user table for every row it skips)."""
    ids = {e.user_id for e in entries if e.user_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}
    for entry in entries:
        if entry.user_id:
            entry.user = users[entry.user_id]


def access_log_rows(queryset: QuerySet[AccessLog], *, chunk: int = 500) -> Iterator[AccessLog]:
    """Every row of `queryset`, newest first, described, a keyset chunk at a time."""
    before = None
    while True:
        page = access_log_page(queryset, before=before, size=chunk)
        yield from page.entries
        if not page.older:
            return
        before = page.older


# Notifications --------------------------------------------------------------------------


def notifications_for(*, user) -> QuerySet[Notification]:
    """A user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    """How many of a user's notifications they have not read. One query."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
