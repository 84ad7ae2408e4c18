"""Timing, percentiles and the printed report shared by every benchmark suite."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Row:
    """One measured thing: durations in milliseconds and queries per call."""

    name: str
    durations_ms: list[float]
    queries: list[int] = field(default_factory=list)
    note: str = ""

    def percentile(self, p: int) -> float:
        if len(self.durations_ms) == 1:
            return self.durations_ms[0]
        return statistics.quantiles(self.durations_ms, n=100, method="inclusive")[p - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def queries_text(self) -> str:
        if not self.queries:
            return ""
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


@dataclass
class Target:
    """A figure the issue sets, and whether this run met it."""

    label: str
    value: float
    limit: float
    unit: str = "ms"
    detail: str = ""
    # For a suite that judges its own figures (the sweep): its limit as text and verdict.
    limit_text: str = ""
    ok: bool | None = None

    @property
    def passed(self) -> bool:
        return self.ok if self.ok is not None else self.value <= self.limit


def measure_shuffled(
    rng: random.Random,
    plan: dict[str, list[tuple[Callable[[], object], Callable[[], object] | None]]],
    *,
    warm_up: int = 0,
) -> dict[str, list[float]]:
    """Time every planned `(call, setup)` in one shuffled order, so noise on the machine
    falls evenly on every row. A setup runs first and is not timed. The first `warm_up`
    calls of each row run, unshuffled and untimed. Durations come back in plan order."""
    tasks = [
        (name, i, call, setup)
        for name, items in plan.items()
        for i, (call, setup) in enumerate(items)
    ]
    for _name, i, call, setup in tasks:
        if i < warm_up:
            if setup is not None:
                setup()
            call()
    measured = [task for task in tasks if task[1] >= warm_up]
    rng.shuffle(measured)
    timed: dict[str, list[tuple[int, float]]] = {name: [] for name in plan}
    for name, i, call, setup in measured:
        if setup is not None:
            setup()
        started = time.perf_counter_ns()
        call()
        timed[name].append((i, (time.perf_counter_ns() - started) / 1e6))
    return {name: [ms for _i, ms in sorted(pairs)] for name, pairs in timed.items()}


def count_queries(calls: Iterable[tuple[Callable[[], object], Callable[[], object] | None]]):
    """Queries each call runs (setups not counted)."""
    counts = []
    for call, setup in calls:
        if setup is not None:
            setup()
        with CaptureQueriesContext(connection) as captured:
            call()
        counts.append(len(captured.captured_queries))
    return counts


def print_rows(rows: list[Row], out=print) -> None:
    out(f"{'measured':<46} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  queries")
    out("-" * 90)
    for row in rows:
        out(
            f"{row.name:<46} {len(row.durations_ms):>5} {row.p50:>8.1f} {row.p95:>8.1f} "
            f"{row.p99:>8.1f}  {row.queries_text()}"
        )
        if row.note:
            out(f"    {row.note}")


def print_targets(targets: list[Target], out=print) -> None:
    out(f"{'target':<58} {'this run':>12} {'limit':>10}  result")
    out("-" * 90)
    for target in targets:
        value = f"{target.value:.1f} {target.unit}".strip()
        limit = target.limit_text or f"{target.limit:g} {target.unit}"
        out(f"{target.label:<58} {value:>12} {limit:>10}  {'PASS' if target.passed else 'FAIL'}")
        if target.detail:
            out(f"    {target.detail}")
