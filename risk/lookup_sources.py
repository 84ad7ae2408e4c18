"""The DV1s in the call-taker's look-up (`calls.intelligence` finds this module on first
use): the risk level of the DV1s submitted for each incident shown, read with the
incidents, and the weapons and strangulation answers of the DV1s submitted on a
suspect's incidents, read with the suspects."""

from __future__ import annotations

from calls.intelligence.registry import (
    IncidentColumn,
    SuspectHarm,
    register_incident_column,
    register_suspect_harm,
    register_tables,
)
from calls.intelligence.sql import display, json_answers, not_by_index, sql_text
from dasapp.choices import RiskLevel
from risk.choices import AssessmentStatus
from risk.models import Assessment

# The DASH questions (the same codes in the police and the SafeLives checklists,
# risk/data/dash_police_v1.yaml and dash_safelives_v1.yaml) that a suspect's history
# reads from the DV1s submitted on his incidents: 16 "Has the abuser ever used a weapon
# or an object to hurt the victim?" and 18 "Has the abuser ever attempted to strangle,
# choke, suffocate or drown the victim?".
DASH_WEAPONS = "16"
DASH_STRANGULATION = "18"
NO_DV1 = "No DV1 submitted"

register_tables(Assessment)

# The most serious level first: the risk of an incident with more than one DV1.
_RISK_RANK = (
    "CASE a.{Assessment.officer_level} "
    + " ".join(
        f"WHEN {sql_text(level)} THEN {rank}"
        for rank, level in enumerate((RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD))
    )
    + " ELSE 3 END"
)

# The risk level of the DV1 submitted for an incident (the most serious, if more than
# one: one per victim), found on the DV1's incident index.
_INCIDENT_RISK = """(SELECT a.{Assessment.officer_level} FROM {Assessment} a
        WHERE a.{Assessment.incident} = i.{Incident.id} AND {dv1_status} = %s
        ORDER BY {risk_rank} LIMIT 1)"""


def _incident_risk_sql() -> str:
    return _INCIDENT_RISK.replace("{dv1_status}", not_by_index("a.{Assessment.status}")).replace(
        "{risk_rank}", _RISK_RANK
    )


def _read_incident_risk(entry: dict, level: object) -> None:
    entry["risk"] = level or None
    entry["risk_label"] = display(Assessment, "officer_level", level) if level else NO_DV1


register_incident_column(
    IncidentColumn(
        sql=_incident_risk_sql,
        read=_read_incident_risk,
        params=(AssessmentStatus.SUBMITTED.value,),
    )
)

# What the DV1s submitted on a suspect's incidents (about him, or naming no one) said
# of weapons and strangulation.
_SUSPECT_HARM = """SELECT 'dv1', h.person, NULL, NULL, h.incident, NULL, {dash_answers}
FROM history h
JOIN {Assessment} a ON a.{Assessment.incident} = h.incident
WHERE {dv1_status} = %s
  AND (a.{Assessment.perpetrator} IS NULL OR a.{Assessment.perpetrator} = h.person)"""


def _suspect_harm_sql() -> str:
    answers = json_answers(
        "a.{Assessment.answers}",
        {"weapons": DASH_WEAPONS, "strangulation": DASH_STRANGULATION},
    )
    return _SUSPECT_HARM.replace("{dash_answers}", answers).replace(
        "{dv1_status}", not_by_index("a.{Assessment.status}")
    )


register_suspect_harm(
    SuspectHarm(tag="dv1", sql=_suspect_harm_sql, params=(AssessmentStatus.SUBMITTED.value,))
)
