"""`make bench`: benchmarks at volume, on a database of their own.

    make bench BENCH_ARGS="--incidents 1000000 --reuse"
    python -m benchmarks.run --incidents 1000000 --reuse --requests 400 --strict

Without `--reuse` the benchmark database (BENCH_DATABASE_URL, default PostgreSQL
`dasapp_bench` on 127.0.0.1) is dropped, migrated and filled again, and the generation
time is part of the report. With `--reuse`, volume data already there is kept (topped
up if there is less than `--incidents`). Prints a table of p50/p95/p99 and queries per
call, then each target of the issues with PASS or FAIL. Exits non-zero on a FAIL only
with `--strict`.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--incidents", type=int, default=1_000_000, help="Volume to benchmark at (1,000,000)."
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the volume data already in the database."
    )
    parser.add_argument(
        "--requests", type=int, default=400, help="Timed calls per measurement (400)."
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed for data and samples (1).")
    parser.add_argument(
        "--strict", action="store_true", help="Exit with status 1 if any target fails."
    )
    parser.add_argument(
        "--sweep",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Run the safety-action sweep benchmark too (benchmarks/sweep.py, issue 5): "
        "with 5%% of actions overdue, then a catch-up with 20%% (on; --no-sweep skips it).",
    )
    parser.add_argument(
        "--actions", type=int, default=100_000, help="Open actions for --sweep (100,000)."
    )
    return parser.parse_args(argv)


class Context:
    """What every suite gets: the options and the report's output."""

    def __init__(self, args: argparse.Namespace):
        self.requests = args.requests
        self.seed = args.seed
        self.out = print


def ensure_volume(args: argparse.Namespace) -> str:
    """Generate (or top up) the volume data. Returns a line for the report."""
    from django.core.management import call_command

    from demo.volume import volume_incident_count

    existing = volume_incident_count()
    if existing >= args.incidents:
        return f"volume data reused: {existing:,} incidents"
    missing = args.incidents - existing
    started = time.monotonic()
    call_command(
        "generate_volume",
        incidents=missing,
        seed=args.seed + (1 if existing else 0),
        append=bool(existing),
        stdout=sys.stdout,
    )
    seconds = time.monotonic() - started
    return (
        f"volume generated: {missing:,} incidents in {seconds:.0f} s wall "
        f"(generate_volume, VACUUM ANALYZE included)"
    )


def describe_database() -> list[str]:
    from django.db import connection

    from calls.models import Incident
    from people.models import NameKey, Person

    lines = [f"database: {connection.vendor} {connection.settings_dict['NAME']}"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            lines[0] += f" (PostgreSQL {cursor.fetchone()[0]})"
    lines.append(
        f"rows: {Incident.objects.count():,} incidents, {Person.objects.count():,} people, "
        f"{NameKey.objects.count():,} distinct names"
    )
    lines.append(describe_machine())
    return lines


def describe_machine() -> str:
    return (
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}{_cpu_pressure()}"
    )


def _cpu_pressure() -> str:
    """Linux's share of the last minute in which some task waited for a CPU: other work on
    the machine shows up in every figure below."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return ""
    fields = dict(part.split("=") for part in first.split()[1:])
    return f", CPU pressure {fields.get('avg60', '?')}% (last minute)"


# The sweep's mixes: a normal day, and the catch-up after the workers were down for a
# while, with a fifth of the open actions overdue and none followed up yet.
SWEEP_OVERDUE_PERCENTS = (5, 20)


def _sweep(args: argparse.Namespace):
    """benchmarks.sweep's rows (name, value, target text, pass) as this report's."""
    from benchmarks import sweep
    from benchmarks.timing import Target

    rows = []
    for percent in SWEEP_OVERDUE_PERCENTS:
        rows += sweep.run(argparse.Namespace(**{**vars(args), "overdue_percent": percent}))
    targets = [
        Target(
            row["name"],
            float(row["value"]),
            float("inf"),
            unit="",
            limit_text=row["target"],
            ok=bool(row["pass"]),
        )
        for row in rows
    ]
    return [], targets, []


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from benchmarks import database

    config = database.use(database.bench_url())
    database.prepare(config, fresh=not args.reuse)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import lookup, signin
    from benchmarks.timing import print_rows, print_targets

    call_command("migrate", interactive=False, verbosity=0)
    volume_line = ensure_volume(args)

    # Each suite returns (rows, targets, notes). The safety-action sweep of issue 5
    # (100,000 open actions in under 30 s) lives in benchmarks/sweep.py and runs here too,
    # on the same database (--no-sweep skips it).
    suites = [("Call handling (issue 3)", lookup.run)]
    if args.sweep:
        suites.append(("Safety-action sweep (issue 5)", lambda _context: _sweep(args)))
    # Sign-in (issue 10, item 15): the password step against a trivial view.
    suites.append(("Sign-in (issue 10, item 15)", signin.run))

    context = Context(args)
    print()
    for line in [*describe_database(), volume_line]:
        print(line)
    if connection.vendor != "postgresql":
        print(
            "NOTE: the targets are for PostgreSQL at 1,000,000 incidents. On SQLite the fuzzy "
            "search has no trigram index (phonetic key only), so these figures do not count."
        )
    failed = False
    for title, suite in suites:
        started = time.monotonic()
        rows, targets, notes = suite(context)
        print()
        print(f"{title}: took {time.monotonic() - started:.0f} s")
        if rows:
            print_rows(rows)
        for note in notes:
            print(f"  {note}")
        print()
        print_targets(targets)
        failed = failed or any(not t.passed for t in targets)
    print()
    print(f"after: load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}{_cpu_pressure()}")
    print("Some targets failed." if failed else "Every target met.")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
