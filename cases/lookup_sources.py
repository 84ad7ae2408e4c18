"""The open cases of the people on a call, for the call-taker's look-up
(`calls.intelligence` finds this module on first use): the current risk level, who
holds each case, its queue, and the victim's other open cases, in one statement."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth import get_user_model

from calls.intelligence.data import Context, Package, PersonRow
from calls.intelligence.registry import register_source, register_tables
from calls.intelligence.sql import display, fetch, not_by_index, row_datetime, sql_text
from cases.choices import CaseStatus
from cases.models import Case, Queue

MAX_OPEN_CASES = 10
NOT_ASSIGNED = "Not assigned"

register_tables(Case, Queue, get_user_model())


class _CaseKey(NamedTuple):
    """A case's reference by the model's own rule, from a row."""

    pk: int

    reference = Case.reference


# Open cases where anyone in scope is the victim or the perpetrator, newest first, with
# the names on them, the owner and the queue. Each side walks its own index (the
# victim's, the perpetrator's); their UNION counts a case found on both sides once.
_CASES_OF_VICTIMS = """
SELECT * FROM (
    SELECT c.{Case.id}, c.{Case.opened_at} FROM {Case} c
    WHERE c.{Case.victim} = ANY(%s) AND {case_status} = {open}
    ORDER BY 2 DESC LIMIT %s
) AS of_victims"""
_CASES_OF_PERPETRATORS = """
SELECT * FROM (
    SELECT c.{Case.id}, c.{Case.opened_at} FROM {Case} c
    WHERE c.{Case.perpetrator} = ANY(%s) AND {case_status} = {open}
    ORDER BY 2 DESC LIMIT %s
) AS of_perpetrators"""
_OPEN_CASES = """
WITH found (id, opened_at) AS ({parts}),
shown AS (SELECT id, opened_at FROM found ORDER BY opened_at DESC, id DESC LIMIT %s)
SELECT c.{Case.id}, c.{Case.opened_at}, c.{Case.risk_level},
       c.{Case.victim}, v.{Person.given_name}, v.{Person.family_name},
       c.{Case.perpetrator}, p.{Person.given_name}, p.{Person.family_name},
       c.{Case.assigned_to}, u.{User.first_name}, u.{User.last_name}, u.{User.username},
       c.{Case.queue}, q.{Queue.name},
       (SELECT count(*) FROM {Case} o
        WHERE o.{Case.victim} = c.{Case.victim} AND {other_status} = {open}
          AND o.{Case.id} <> c.{Case.id})
FROM shown
JOIN {Case} c ON c.{Case.id} = shown.id
JOIN {Person} v ON v.{Person.id} = c.{Case.victim}
LEFT JOIN {Person} p ON p.{Person.id} = c.{Case.perpetrator}
LEFT JOIN {User} u ON u.{User.id} = c.{Case.assigned_to}
LEFT JOIN {Queue} q ON q.{Queue.id} = c.{Case.queue}
ORDER BY shown.opened_at DESC, shown.id DESC"""


@register_source
def source_open_cases(ctx: Context, package: Package) -> None:
    """Open cases where anyone in scope is the victim or the perpetrator: the current
    risk level, who holds the case and its queue."""
    if not ctx.people:
        return
    people = list(ctx.people)
    rows = fetch(
        _OPEN_CASES,
        [people, MAX_OPEN_CASES, people, MAX_OPEN_CASES, MAX_OPEN_CASES],
        parts=f"{_CASES_OF_VICTIMS} UNION {_CASES_OF_PERPETRATORS}",
        case_status=not_by_index("c.{Case.status}"),
        other_status=not_by_index("o.{Case.status}"),
        open=sql_text(CaseStatus.OPEN.value),
    )
    for (
        pk,
        opened_at,
        risk,
        victim_id,
        victim_given,
        victim_family,
        perpetrator_id,
        perpetrator_given,
        perpetrator_family,
        owner_id,
        owner_first,
        owner_last,
        owner_username,
        queue_id,
        queue_name,
        other_open,
    ) in rows:
        owner = (f"{owner_first} {owner_last}".strip() or owner_username) if owner_id else ""
        perpetrator = (
            PersonRow(perpetrator_id, perpetrator_given, perpetrator_family, None).full_name
            if perpetrator_id
            else ""
        )
        package.open_cases.append(
            {
                "id": pk,
                "reference": _CaseKey(pk).reference,
                "opened_at": row_datetime(opened_at).isoformat(),
                "risk": risk,
                "risk_label": display(Case, "risk_level", risk),
                "victim_id": victim_id,
                "victim": PersonRow(victim_id, victim_given, victim_family, None).full_name,
                "perpetrator_id": perpetrator_id,
                "perpetrator": perpetrator,
                "owner_id": owner_id,
                "owner": owner or NOT_ASSIGNED,
                "queue_id": queue_id,
                "queue": queue_name or "",
                "other_open": other_open,
            }
        )
    _also_open(package.open_cases)


def _also_open(cases: list[dict]) -> None:
    """Each case's victim's other open cases ("also has open case …"): those shown here,
    and how many more she has that are not."""
    by_victim: dict[int, list[dict]] = {}
    for case in cases:
        by_victim.setdefault(case["victim_id"], []).append(case)
    for case in cases:
        shown = [
            {"id": other["id"], "reference": other["reference"], "risk_label": other["risk_label"]}
            for other in by_victim[case["victim_id"]]
            if other["id"] != case["id"]
        ]
        case["also_open"] = shown
        case["also_open_more"] = max(0, case.pop("other_open") - len(shown))
