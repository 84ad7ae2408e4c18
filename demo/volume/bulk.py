"""Bulk-load helpers for PostgreSQL: session settings for a load, suspending a table's
secondary indexes, unique constraints and foreign keys (and the statements that rebuild
them), and refreshing the planner's statistics afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection, models

from calls.models import Incident, IncidentPerson
from people.models import (
    Address,
    Flag,
    GivenName,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
    Relationship,
)

BATCH_SETTINGS = ["SET LOCAL synchronous_commit = off", "SET LOCAL statement_timeout = 0"]


def execute_each(cursor, statements: list[str]) -> None:
    for statement in statements:
        cursor.execute(statement)


def begin_bulk_load(cursor, tables: list[str]) -> list[str]:
    execute_each(cursor, [*BATCH_SETTINGS, "SET LOCAL maintenance_work_mem = '256MB'"])
    return _suspend_indexes(cursor, tables)


def _suspend_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the foreign keys, unique constraints and secondary indexes of `tables`
    (primary keys stay) and return the statements that put them back, in order."""
    indexes, uniques, foreign_keys = [], [], []
    for table in tables:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype",
            [f'"{table}"'],
        )
        for name, kind, definition in cursor.fetchall():
            add = f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            (foreign_keys if kind == "f" else uniques).append(add)
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for table in tables:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [f'"{table}"'],
        )
        for name, definition in cursor.fetchall():
            indexes.append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
    return indexes + uniques + foreign_keys


def analyse_tables(models_: Iterable[type[models.Model]] | None = None) -> float:
    """Refresh the planner's statistics (and the visibility map) after a bulk load, on
    PostgreSQL. Returns the seconds it took."""
    started = time.monotonic()
    if connection.vendor != "postgresql":
        return 0.0
    models_ = models_ or [
        NameKey,
        GivenName,
        Person,
        PersonName,
        Address,
        PersonAddress,
        PhoneNumber,
        PersonPhone,
        Relationship,
        Incident,
        IncidentPerson,
        Flag,
    ]
    # VACUUM cannot run inside a transaction (a test's, say): ANALYZE alone can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        try:
            for model in models_:
                cursor.execute(f'{command} "{model._meta.db_table}"')
        finally:
            cursor.execute("RESET statement_timeout")
    return time.monotonic() - started
