"""DASH scoring, MARAC criteria and red flags: pure functions over plain data.

Thresholds come from `risk.models.RiskSettings` (per force, overridable per district);
the defaults are SafeLives' and the common 1–9 / 10–13 / 14+ bands. MARAC is for
high-risk victims, so by default any MARAC criterion met makes the suggestion high
whatever the count. Red flags are answers practice treats as high risk whatever the
count: they are named for the officer's professional judgement, not added up.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

STANDARD, MEDIUM, HIGH = "standard", "medium", "high"
LEVELS = [STANDARD, MEDIUM, HIGH]

# Red flags per question-set code. Each flag is raised when every entry of `questions`
# is answered yes; an entry is a question code, or a list of codes any one of which is
# enough (the cluster's "escalating violence" is question 13 or 14).
_DASH_RED_FLAGS = [
    {
        "code": "strangulation",
        "label": "Non-fatal strangulation or choking",
        "questions": ["18"],
    },
    {"code": "threats_to_kill", "label": "Threats to kill", "questions": ["17"]},
    {"code": "weapon", "label": "Use or threat of a weapon", "questions": ["16"]},
    {"code": "stalking", "label": "Stalking or harassment", "questions": ["8"]},
    {
        "code": "separation_control_escalation",
        "label": "Separation, controlling behaviour and escalating violence together",
        "questions": ["6", "15", ["13", "14"]],
    },
]
DEFAULT_RED_FLAGS: dict[str, list[dict]] = {
    "dash-police": _DASH_RED_FLAGS,
    "safelives": _DASH_RED_FLAGS,
}


def default_red_flags() -> dict[str, list[dict]]:
    """A fresh copy of the default red flags (a model field's default)."""
    return copy.deepcopy(DEFAULT_RED_FLAGS)


@dataclass(frozen=True)
class Thresholds:
    standard_max_yes: int = 9
    medium_max_yes: int = 13
    visible_high_risk_yes: int = 14
    escalation_incidents: int = 3
    escalation_window_days: int = 365
    repeat_marac_days: int = 365
    marac_criterion_means_high: bool = True
    red_flags: dict[str, list[dict]] = field(default_factory=default_red_flags)


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
    """The band for this many yes answers (before any MARAC criterion)."""
    if count > t.medium_max_yes:
        return HIGH
    if count > t.standard_max_yes:
        return MEDIUM
    return STANDARD


@dataclass(frozen=True)
class Suggestion:
    """The suggested level and why, in words, each reason with the code of the rule
    that gave it ("band" or a MARAC criterion's code)."""

    level: str
    reasons: list[dict]


def _band_reason(count: int, level: str, t: Thresholds) -> str:
    answers = f"{count} yes answer{'' if count == 1 else 's'}"
    if level == HIGH:
        return f"{answers}: more than {t.medium_max_yes} is high"
    if level == MEDIUM:
        return f"{answers}: {t.standard_max_yes + 1} to {t.medium_max_yes} is medium"
    return f"{answers}: up to {t.standard_max_yes} is standard"


def suggest(*, yes: int, criteria: list[Criterion], t: Thresholds) -> Suggestion:
    """The level the checklist suggests: the band for the yes count, raised to high when
    any MARAC criterion is met (MARAC is for high-risk victims) unless the area's
    settings say otherwise. Every reason for a high suggestion is given."""
    band = suggested_level(yes, t)
    reasons = [{"code": "band", "text": _band_reason(yes, band, t)}]
    if not (t.marac_criterion_means_high and criteria):
        return Suggestion(band, reasons)
    marac = [{"code": c.code, "text": f"MARAC criterion met: {c.label.lower()}"} for c in criteria]
    if band == HIGH:
        return Suggestion(HIGH, reasons + marac)
    return Suggestion(HIGH, marac)


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
class RedFlag:
    code: str
    label: str
    evidence: str
    questions: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "evidence": self.evidence,
            "questions": self.questions,
        }


def _is_yes(answers: dict, code: str) -> bool:
    return (answers.get(code) or {}).get("answer") == "yes"


def _numbers(codes: list[str]) -> str:
    if len(codes) == 1:
        return f"question {codes[0]}"
    return f"questions {', '.join(codes[:-1])} and {codes[-1]}"


def red_flags(*, answers: dict, question_set: str, t: Thresholds) -> list[RedFlag]:
    """The red flags these answers raise on this question set, in the configured order,
    each naming the questions answered yes. A flag needs every entry answered yes."""
    raised: list[RedFlag] = []
    for rule in t.red_flags.get(question_set) or []:
        if not isinstance(rule, dict):
            continue
        evidence: list[str] = []
        for entry in rule.get("questions") or []:
            options = [entry] if isinstance(entry, str) else entry
            if not isinstance(options, list):
                break
            yes = [code for code in options if isinstance(code, str) and _is_yes(answers, code)]
            if not yes:
                break
            evidence.extend(yes)
        else:
            if evidence:
                raised.append(
                    RedFlag(
                        str(rule.get("code") or ""),
                        str(rule.get("label") or ""),
                        f"{_numbers(evidence)} answered yes".capitalize(),
                        evidence,
                    )
                )
    return raised


def red_flag_config_errors(config, question_codes: dict[str, set[str]]) -> list[str]:
    """What is wrong with a red-flag configuration, in words. `question_codes` maps the
    question sets known here to their codes; a flag on one of them must use its codes."""
    if not isinstance(config, dict):
        return ["Give the red flags as an object of question-set codes"]
    errors: list[str] = []
    for qset, rules in config.items():
        if not isinstance(rules, list):
            errors.append(f"The red flags of {qset} must be a list")
            continue
        known = question_codes.get(qset)
        for i, rule in enumerate(rules, start=1):
            where = f"Red flag {i} of {qset}"
            if not isinstance(rule, dict):
                errors.append(f"{where} must be an object with code, label and questions")
                continue
            if not str(rule.get("code") or "").strip() or not str(rule.get("label") or "").strip():
                errors.append(f"{where} needs a code and a label")
            entries = rule.get("questions")
            if not isinstance(entries, list) or not entries:
                errors.append(f"{where} needs at least one question")
                continue
            for entry in entries:
                options = [entry] if isinstance(entry, str) else entry
                if not isinstance(options, list) or not options:
                    errors.append(f"{where}: each question is a code or a list of codes")
                    continue
                for code in options:
                    if not isinstance(code, str):
                        errors.append(f'{where}: question codes are text, like "18"')
                    elif known is not None and code not in known:
                        errors.append(f"{where}: {qset} has no question {code}")
    return errors


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
