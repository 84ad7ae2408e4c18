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
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, models
from django.utils.encoding import force_str

from calls.intelligence import registry
from calls.models import Incident, IncidentPerson
from people.models import (
    Address,
    Flag,
    Person,
    PersonAddress,
    PersonPhone,
    PhoneNumber,
    Relationship,
)


class _Table(str):
    """A model's quoted table name, with its quoted column names as attributes, so the
    statements read `{Incident}` and `{Incident.created_at}`."""


# The models of the look-up's own statements; the apps above add theirs (`registry`).
_TABLES = (
    Address,
    Flag,
    Incident,
    IncidentPerson,
    Person,
    PersonAddress,
    PersonPhone,
    PhoneNumber,
    Relationship,
)


@functools.cache
def _names() -> dict[str, _Table]:
    quote = connection.ops.quote_name
    names, models_named = {}, {}
    for model in (*_TABLES, *registry.tables()):
        named = models_named.setdefault(model.__name__, model)
        if named is not model:
            raise ImproperlyConfigured(
                f"The look-up's statements name two models {model.__name__}: "
                f"{named._meta.label} and {model._meta.label}"
            )
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


# Helpers for the statements of the look-up and of the apps that add to it.


def sql_text(value: str) -> str:
    """One of a module's own constants as an SQL string literal: unlike a parameter,
    the planner of a generic plan knows its value (for a partial index, for statistics)."""
    return "'" + value.replace("'", "''") + "'"


def not_by_index(column: str) -> str:
    """A column that SQLite must not walk an index of: without statistics (Django runs
    no ANALYZE) it would walk a status's index, every open case or submitted DV1, rather
    than a person's or an incident's. SQLite's unary + keeps the index off; PostgreSQL
    plans by its statistics."""
    return f"+{column}" if connection.vendor == "sqlite" else column


def json_answers(column: str, questions: dict[str, str]) -> str:
    """A JSON object of the `answer` of some questions of a JSON column of answers keyed
    by question code (a DV1's), e.g. `{"weapons": "yes"}`, in this database's JSON
    functions (jsonb on PostgreSQL, text on SQLite, read back by `row_json` alike)."""
    pairs = []
    for key, code in questions.items():
        if connection.vendor == "postgresql":
            value = f"{column} -> {sql_text(code)} ->> 'answer'"
        else:
            path = f'$."{code}".answer'
            value = f"json_extract({column}, {sql_text(path)})"
        pairs.append(f"{sql_text(key)}, {value}")
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{build}({', '.join(pairs)})"


@functools.cache
def _choices(model_field: models.Field) -> dict:
    return dict(model_field.flatchoices)


def display(model: type[models.Model], name: str, value: str) -> str:
    """`get_FOO_display()` without an instance."""
    return force_str(_choices(model._meta.get_field(name)).get(value, value), strings_only=True)
