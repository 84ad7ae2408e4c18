"""Which cases a user reaches through another app's records: an officer sees the cases
they hold a task on (`cases.rules`) and, through what other apps register here, the
cases those apps link them to (the DV1s they submitted, in `risk`).

Each app contributes with `@register_case_reach` in its `case_reach.py`, found on first
use (like `admin.py`). A contribution takes the user and returns the ids of the cases
they reach, as a query (`.values("case_id")`), so that `cases.rules.cases_visible_to`
stays one query however many apps contribute.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules

# reach(user) -> a query of the case ids `user` reaches through the app's records.
CaseReach = Callable[..., QuerySet]
_reaches: list[CaseReach] = []
_discovered = False


def register_case_reach(reach: CaseReach) -> CaseReach:
    """Decorator: `reach(user)` gives ids of cases `user` may see through an app's records."""
    if reach not in _reaches:
        _reaches.append(reach)
    return reach


def case_reaches() -> tuple[CaseReach, ...]:
    """Every registered contribution, in the order the apps are installed."""
    _discover()
    return tuple(_reaches)


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("case_reach")
        _discovered = True
