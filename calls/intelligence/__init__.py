"""The call-taker's background intelligence: everything known about a number, an
address and the people on a call, in a small fixed number of queries.

Sections are built by source functions. The apps above `calls` add their parts from
their `lookup_sources.py` (`registry`): open cases from `cases`, the DV1s' risk and
DASH answers from `risk`; later capabilities (MARAC meetings, court outcomes) the same
way, without touching the rest.
If the database is slow or down the look-up returns `unavailable` with a warning, and
the call can still be logged.

The look-up runs on every keystroke pause of a call, so it reads with plain SQL
returning tuples: at a million incidents the ORM's query compilation and model
instances were three quarters of its time. Table and column names come from the
models, and the same SQL runs on SQLite and PostgreSQL, where it runs as prepared
statements.

The package: `data` (the query, the package, the context the steps share), `sources`
(the look-up's own statements and source functions), `registry` (what the apps above
add), `sql` (running statements: names from the models, IN lists for SQLite, prepared
statements with generic plans on PostgreSQL, helpers for every app's statements).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from calls.intelligence import registry, sources, sql
from calls.intelligence.data import Context, LookupQuery, Package, PersonRow, RelationshipRow
from calls.intelligence.registry import Source
from calls.intelligence.sources import (
    LOOKBACK_DAYS,
    MAX_FLAGS,
    MAX_INCIDENTS,
    MAX_PEOPLE,
    MAX_RECENT_PER_SOURCE,
    MAX_SUSPECT_INCIDENTS,
    SOURCES,
)

__all__ = [
    "LOOKBACK_DAYS",
    "MAX_FLAGS",
    "MAX_INCIDENTS",
    "MAX_PEOPLE",
    "MAX_RECENT_PER_SOURCE",
    "MAX_SUSPECT_INCIDENTS",
    "SOURCES",
    "STATEMENT_TIMEOUT_MS",
    "UNAVAILABLE_MESSAGE",
    "Context",
    "LookupQuery",
    "Package",
    "PersonRow",
    "RelationshipRow",
    "Source",
    "lookup",
]

logger = logging.getLogger(__name__)

STATEMENT_TIMEOUT_MS = 2000
UNAVAILABLE_MESSAGE = (
    "Intelligence unavailable: ask the control-room intelligence desk. You can still log the call."
)


def lookup(query: LookupQuery, *, now: dt.datetime | None = None) -> tuple[Package, Context]:
    """Run every source. Degrades to an 'unavailable' package if the database fails."""
    now = now or timezone.now()
    ctx = Context(query=query, now=now)
    try:
        try:
            return _run(ctx), ctx
        except DatabaseError as exc:
            if not (sql.uses_prepared_statements() and sql.prepared_statements_lost(exc)):
                raise
            # Rolled back: once more, knowing what the server has prepared.
            sql.recount_prepared()
            ctx = Context(query=query, now=now)
            return _run(ctx), ctx
    except DatabaseError:
        logger.warning("Intelligence look-up failed; degraded to unavailable", exc_info=True)
        return Package(
            searched_at=now.isoformat(), unavailable=True, message=UNAVAILABLE_MESSAGE
        ), ctx


def _run(ctx: Context) -> Package:
    package = Package(searched_at=ctx.now.isoformat())
    # Inside a caller's transaction, SET LOCAL would outlive the look-up: put it back.
    nested = connection.in_atomic_block
    local = ""
    if connection.vendor == "postgresql":
        local = f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}; "
        if sql.uses_prepared_statements():
            local += "SET LOCAL plan_cache_mode = force_generic_plan; "
    with transaction.atomic(), sql.ahead_of_next_fetch(local) as sent:
        sources.resolve(ctx.query, ctx)
        if ctx.phone:
            package.phone = {"id": ctx.phone.pk, "number": ctx.phone.national}
        if ctx.address:
            package.address = {
                "id": ctx.address.pk,
                "text": str(ctx.address),
                "location_type": ctx.address.location_type,
            }
        for source in SOURCES:
            source(ctx, package)
        for source in registry.sources():
            source(ctx, package)
        if nested and local and sent():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET LOCAL statement_timeout TO DEFAULT; SET LOCAL plan_cache_mode TO DEFAULT"
                )
    return package
