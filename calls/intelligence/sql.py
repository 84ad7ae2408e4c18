"""Running the look-up's statements: plain SQL returning tuples, with table and column
names from the models (`{Incident}`, `{Incident.created_at}`). The same SQL runs on
SQLite, with each list written as an IN list, and on PostgreSQL, as prepared statements
with a list as one array parameter."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import re
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection

from calls.models import Incident, IncidentPerson
from cases.models import Case, Queue
from people.models import (
    Address,
    Flag,
    Person,
    PersonAddress,
    PersonPhone,
    PhoneNumber,
    Relationship,
)
from risk.models import Assessment


class _Table(str):
    """A model's quoted table name, with its quoted column names as attributes, so the
    statements read `{Incident}` and `{Incident.created_at}`."""


@functools.cache
def _names() -> dict[str, _Table]:
    quote = connection.ops.quote_name
    names = {}
    for model in (
        Address,
        Assessment,
        Case,
        Flag,
        Incident,
        IncidentPerson,
        Person,
        PersonAddress,
        PersonPhone,
        PhoneNumber,
        Queue,
        Relationship,
        get_user_model(),
    ):
        table = _Table(quote(model._meta.db_table))
        for model_field in model._meta.concrete_fields:
            setattr(table, model_field.name, quote(model_field.column))
        names[model.__name__] = table
    return names


def _marks(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


# An `= ANY(%s)`, or any other `%s`: one each per parameter, in order.
_MARK = re.compile(r"= ANY\(%s\)|%s")


def _in_lists(sql: str, params: Sequence) -> tuple[str, list]:
    """The statement without arrays (SQLite has none): each `= ANY(%s)` of a list
    written `IN (%s, …)`, and the parameters flattened to match."""
    values, flat = iter(params), []

    def mark(match: re.Match) -> str:
        value = next(values)
        if match.group() == "%s":
            flat.append(value)
            return "%s"
        flat.extend(value)
        return f"IN ({_marks(value)})"

    return _MARK.sub(mark, sql), flat


# Prepared statements (PostgreSQL). At a million incidents planning the look-up's
# statements took three times as long as running them. Prepared once per connection
# and run with generic plans (`lookup()` sets `plan_cache_mode`), a statement is
# neither parsed nor planned again. Left to itself PostgreSQL would keep re-planning
# those with an `= ANY(...)` of ids, pricing a generic plan for ten ids; their generic
# plans walk the same indexes as the custom ones, on the busiest numbers, addresses
# and people too.


def uses_prepared_statements() -> bool:
    """Whether the look-up runs prepared statements: on PostgreSQL unless
    `LOOKUP_PREPARED_STATEMENTS` is off, as it must be behind a proxy that pools by
    transaction (PgBouncer), where the next transaction may be on another session."""
    return connection.vendor == "postgresql" and settings.LOOKUP_PREPARED_STATEMENTS


# The names prepared on each open connection (the driver's object, so a new connection
# after a reconnect starts with none).
_prepared_on: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()


@functools.cache
def _statement(sql: str) -> tuple[str, str]:
    """A statement's name, from its text, and its text with `$1`, `$2`… for `%s`."""
    name = "lookup_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
    numbers = itertools.count(1)
    return name, re.sub("%s", lambda _: f"${next(numbers)}", sql)


def _execute_prepared(cursor, sql: str, params: Sequence, *, ahead: str = "") -> None:
    """EXECUTE the statement, PREPAREd first in the same round trip if this connection
    has not seen it, and after the statements `ahead`, if any. A list is one array
    parameter, so one statement serves every length of `= ANY(%s)`."""
    name, numbered = _statement(sql)
    execute = f"EXECUTE {name}({_marks(params)})"
    prepared = _prepared_on.setdefault(connection.connection, set())
    if name in prepared:
        cursor.execute(f"{ahead}{execute}", params)
    else:
        # Counted before it runs: a PREPARE outlives a failed EXECUTE after it.
        prepared.add(name)
        cursor.execute(f"{ahead}PREPARE {name} AS {numbered}; {execute}", params)


def prepared_statements_lost(exc: DatabaseError) -> bool:
    """The server's prepared statements are not the ones counted: one is missing (after
    `DEALLOCATE ALL` or `DISCARD ALL`) or already there."""
    return getattr(exc.__cause__, "pgcode", None) in {
        "26000",  # invalid_sql_statement_name: no such prepared statement
        "42P05",  # duplicate_prepared_statement
    }


def recount_prepared() -> None:
    """Take what this connection has prepared from the server, after a surprise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        _prepared_on[connection.connection] = {name for (name,) in cursor.fetchall()}


# Statements to send ahead of the next `fetch` (the look-up's `SET LOCAL` settings on
# PostgreSQL), until they go.
_ahead: ContextVar[str] = ContextVar("lookup_ahead", default="")


@contextlib.contextmanager
def ahead_of_next_fetch(statements: str) -> Iterator[Callable[[], bool]]:
    """Send `statements` (each ending `; `) in the round trip of the block's first
    `fetch`, before its own (the driver returns the last statement's rows). Gives a
    function that tells whether they have gone."""
    token = _ahead.set(statements)
    try:
        yield lambda: not _ahead.get()
    finally:
        _ahead.reset(token)


def fetch(template: str, params: Sequence, **fragments: str) -> list[tuple]:
    """Run `template` with its `{name}` fragments put in (a condition, a column, a part),
    then its table and column names. A list parameter goes with `= ANY(%s)`."""
    for name, text in fragments.items():
        template = template.replace(f"{{{name}}}", text)
    sql = template.format(**_names())
    ahead = _ahead.get()
    if ahead:
        _ahead.set("")
    with connection.cursor() as cursor:
        if uses_prepared_statements():
            _execute_prepared(cursor, sql, params, ahead=ahead)
        else:
            sql, flat = _in_lists(sql, params)
            cursor.execute(ahead + sql, flat)
        return cursor.fetchall()


def db_datetime(value: dt.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def row_datetime(value: dt.datetime | str) -> dt.datetime:
    """What the ORM gives for a datetime column: aware, in UTC. PostgreSQL's driver
    gives that already; SQLite gives text or a naive datetime in UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def row_date(value: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def row_json(value: object) -> object:
    """A JSON column: text from both drivers here (Django reads PostgreSQL's jsonb as
    text), but take a decoded value as it is."""
    return json.loads(value) if isinstance(value, str | bytes) else value
