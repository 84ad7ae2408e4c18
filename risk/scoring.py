"""DASH scoring and MARAC criteria: pure functions over plain data.

Thresholds come from `risk.models.RiskSettings` (per force, overridable per district);
the defaults are SafeLives' and the common 1–9 / 10–13 / 14+ bands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STANDARD, MEDIUM, HIGH = "standard", "medium", "high"
LEVELS = [STANDARD, MEDIUM, HIGH]


@dataclass(frozen=True)
class Thresholds:
    standard_max_yes: int = 9
    medium_max_yes: int = 13
    visible_high_risk_yes: int = 14
    escalation_incidents: int = 3
    escalation_window_days: int = 365
    repeat_marac_days: int = 365


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    evidence: str
    dates: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "evidence": self.evidence,
            "dates": self.dates,
        }


def yes_count(answers: dict) -> int:
    return sum(1 for value in answers.values() if (value or {}).get("answer") == "yes")


def missing_answers(question_codes: list[str], answers: dict) -> list[str]:
    """Questions with no answer at all. "Not known" is an answer."""
    return [
        code
        for code in question_codes
        if (answers.get(code) or {}).get("answer") not in {"yes", "no", "not_known"}
    ]


def suggested_level(count: int, t: Thresholds) -> str:
    if count > t.medium_max_yes:
        return HIGH
    if count > t.standard_max_yes:
        return MEDIUM
    return STANDARD


def marac_criteria(
    *,
    yes: int,
    incident_times: list[dt.datetime],
    last_marac_referral_at: dt.datetime | None,
    now: dt.datetime,
    professional_judgement: bool,
    professional_judgement_reason: str,
    t: Thresholds,
) -> list[Criterion]:
    """Which MARAC referral criteria this assessment meets, each with its evidence.

    `incident_times` are this victim's police call-outs, the current one included.
    A window of N days includes an incident exactly N days before `now`.
    """
    met: list[Criterion] = []
    if yes >= t.visible_high_risk_yes:
        met.append(
            Criterion(
                "visible_high_risk",
                "Visible high risk",
                f"{yes} yes answers on the checklist (the threshold is {t.visible_high_risk_yes})",
            )
        )
    since = now - dt.timedelta(days=t.escalation_window_days)
    within = sorted((when for when in incident_times if since <= when <= now), reverse=True)
    if len(within) >= t.escalation_incidents:
        met.append(
            Criterion(
                "potential_escalation",
                "Potential escalation",
                f"{len(within)} police call-outs for this victim in the last "
                f"{t.escalation_window_days} days (the threshold is {t.escalation_incidents})",
                dates=[when.isoformat() for when in within],
            )
        )
    if last_marac_referral_at is not None:
        age = now - last_marac_referral_at
        if dt.timedelta(0) <= age <= dt.timedelta(days=t.repeat_marac_days):
            met.append(
                Criterion(
                    "repeat_marac",
                    "Repeat MARAC",
                    f"further abuse {age.days} days after the last MARAC referral "
                    f"(within {t.repeat_marac_days} days), whatever the score",
                    dates=[last_marac_referral_at.isoformat()],
                )
            )
    if professional_judgement:
        met.append(
            Criterion(
                "professional_judgement",
                "Professional judgement",
                professional_judgement_reason.strip() or "the officer's professional judgement",
            )
        )
    return met


@dataclass(frozen=True)
class LevelCheck:
    errors: dict[str, list[str]]
    raised: bool
    lowered: bool

    @property
    def needs_supervisor_review(self) -> bool:
        return self.lowered and not self.errors


def check_officer_level(*, suggested: str, chosen: str, reason: str) -> LevelCheck:
    """Raising above the suggestion needs a reason (professional judgement); lowering
    below it needs a reason and a supervisor's review."""
    if chosen not in LEVELS:
        return LevelCheck({"officer_level": ["Choose standard, medium or high"]}, False, False)
    raised = LEVELS.index(chosen) > LEVELS.index(suggested)
    lowered = LEVELS.index(chosen) < LEVELS.index(suggested)
    errors: dict[str, list[str]] = {}
    if (raised or lowered) and not reason.strip():
        direction = "above" if raised else "below"
        errors["level_reason"] = [
            f"Explain why the risk is {chosen}, {direction} the suggested {suggested}"
        ]
    return LevelCheck(errors, raised, lowered)


def supplements_to_open(
    *, answers: dict, honour_context: bool, opens: dict[str, list[str]]
) -> list[str]:
    """Supplements to show: those opened by a yes (question code -> supplement names),
    and honour-based abuse when the officer says the context calls for it."""
    names: list[str] = []
    for code, supplement_names in opens.items():
        if (answers.get(code) or {}).get("answer") == "yes":
            names.extend(n for n in supplement_names if n not in names)
    if honour_context and "hba" not in names:
        names.append("hba")
    return names
