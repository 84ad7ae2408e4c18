"""Grade suggestion for a domestic abuse call: pure rules over plain data.

Each rule looks at the answers and the intelligence and may say "at least this grade,
because …". The suggestion is the most urgent grade any rule gives, with every reason
listed in plain words. The caller's stated fear outranks how they sound: demeanour can
raise a grade, never lower one.

Two fear rules are fixed here and cannot be configured: any stated fear above "not
frightened" is at least priority, and a caller who has not said how frightened they are
is treated as priority until someone asks them. Thresholds that may vary between forces
come from `GradingConfig` (the force's ResponseSettings), which refuses values that
would switch a rule off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

EMERGENCY, PRIORITY, SCHEDULED, TELEPHONE = "emergency", "priority", "scheduled", "telephone"
ORDER = [EMERGENCY, PRIORITY, SCHEDULED, TELEPHONE]

FEAR_LABELS = [
    "not frightened",
    "a little frightened",
    "quite frightened",
    "very frightened",
    "extremely frightened",
]


# Why a question that must always be asked (`always: true`) was not: the only reasons
# accepted, as they read in a sentence.
SKIP_REASONS = {
    "line_dropped": "the line dropped",
    "cannot_speak_safely": "the caller cannot speak safely",
    "third_party": "a third party is calling",
}
# The configurable fear level that suggests an emergency (with the suspect close or a
# high-risk marker): anything from "a little" to "extremely frightened". Beyond it the
# rule would never fire.
FEAR_EMERGENCY_LEVELS = range(1, len(FEAR_LABELS))
# Incidents in 12 months that make a call at least priority.
REPEAT_INCIDENTS_LEVELS = range(1, 21)


@dataclass(frozen=True)
class GradingConfig:
    """The thresholds a force may set. Values that would switch a rule off are refused."""

    fear_emergency_level: int = 3
    repeat_incidents_priority: int = 2

    def __post_init__(self):
        if self.fear_emergency_level not in FEAR_EMERGENCY_LEVELS:
            raise ValueError(
                f"fear_emergency_level must be {FEAR_EMERGENCY_LEVELS.start} to "
                f"{FEAR_EMERGENCY_LEVELS.stop - 1}, not {self.fear_emergency_level}"
            )
        if self.repeat_incidents_priority not in REPEAT_INCIDENTS_LEVELS:
            raise ValueError(
                f"repeat_incidents_priority must be {REPEAT_INCIDENTS_LEVELS.start} to "
                f"{REPEAT_INCIDENTS_LEVELS.stop - 1}, not {self.repeat_incidents_priority}"
            )


class Answers(dict):
    """The answers given, and why any question was not asked (question code to a key of
    `SKIP_REASONS`, or to the call-taker's words for other questions)."""

    def __init__(self, answers: dict | None = None, skipped: dict | None = None):
        super().__init__(answers or {})
        self.skipped = dict(skipped or {})


@dataclass(frozen=True)
class Intelligence:
    """What the look-up found, reduced to what grading needs."""

    flag_kinds: frozenset[str] = frozenset()
    incidents_last_12_months: int = 0
    suspect_weapons_history: bool = False
    suspect_strangulation_history: bool = False
    children_linked: int = 0
    unavailable: bool = False


@dataclass(frozen=True)
class Reason:
    grade: str
    text: str
    rule: str


@dataclass
class Suggestion:
    grade: str
    reasons: list[Reason] = field(default_factory=list)

    def as_json(self) -> list[dict]:
        return [{"grade": r.grade, "text": r.text, "rule": r.rule} for r in self.reasons]

    @property
    def leading_reasons(self) -> list[Reason]:
        """The reasons that call for the suggested grade itself."""
        return [r for r in self.reasons if r.grade == self.grade]


def _fear(answers: dict) -> int | None:
    """The stated fear, 0 to 4; None if not given (or not one of the answers)."""
    value = answers.get("fear_level")
    try:
        fear = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return fear if fear is not None and 0 <= fear < len(FEAR_LABELS) else None


def _suspect_close(answers: dict) -> bool:
    return answers.get("suspect_location") in {"present", "nearby", "unknown"}


def _away_text(answers: dict) -> str:
    until = answers.get("suspect_away_until")
    if until:
        try:
            day = dt.date.fromisoformat(str(until))
            return f" until {day:%-d %B %Y}"
        except ValueError:
            return ""
    return ""


Rule = Callable[[dict, Intelligence, GradingConfig], Reason | None]


def rule_injuries(a, intel, cfg):
    if a.get("injuries") == "serious":
        return Reason(EMERGENCY, "someone has serious injuries", "injuries")
    if a.get("injuries") == "minor":
        return Reason(PRIORITY, "someone is hurt", "injuries")
    return None


def rule_suspect_present(a, intel, cfg):
    where = a.get("suspect_location")
    if where == "present":
        return Reason(EMERGENCY, "the suspect is there now", "suspect_present")
    if where == "nearby":
        return Reason(
            EMERGENCY, "the suspect is nearby or left in the last hour", "suspect_present"
        )
    return None


def rule_weapons(a, intel, cfg):
    if a.get("weapons") == "yes":
        return Reason(EMERGENCY, "a weapon has been used, threatened or is at hand", "weapons")
    return None


def rule_fear(a, intel, cfg):
    """Any stated fear is at least priority, however calm the caller sounds (fixed);
    from the configured level, with the suspect close or a high-risk marker, emergency."""
    fear = _fear(a)
    if not fear:
        return None
    label = FEAR_LABELS[fear]
    if fear >= cfg.fear_emergency_level and _suspect_close(a):
        return Reason(
            EMERGENCY, f"caller says they are {label} and the suspect may be close", "fear"
        )
    if fear >= cfg.fear_emergency_level and "high_risk_victim" in intel.flag_kinds:
        return Reason(
            EMERGENCY, f"caller says they are {label} and is a known high-risk victim", "fear"
        )
    return Reason(PRIORITY, f"caller says they are {label}", "fear")


def rule_fear_not_asked(a, intel, cfg):
    """A caller who has not said how frightened they are is treated as priority (fixed)."""
    if _fear(a) is not None:
        return None
    reason = SKIP_REASONS.get(getattr(a, "skipped", {}).get("fear_level", ""))
    if reason:
        text = (
            f"the caller was not asked how frightened they are ({reason}): treated as "
            "priority until someone speaks to them"
        )
    else:
        text = (
            "the caller has not said how frightened they are: treated as priority until "
            "someone asks them"
        )
    return Reason(PRIORITY, text, "fear_not_asked")


def rule_afraid_of(a, intel, cfg):
    afraid = set(a.get("afraid_of") or [])
    if "being_killed" in afraid:
        grade = EMERGENCY if _suspect_close(a) else PRIORITY
        return Reason(grade, "caller is afraid of being killed", "afraid_of")
    if "children_harmed" in afraid:
        return Reason(PRIORITY, "caller is afraid the children will be hurt", "afraid_of")
    return None


def rule_children(a, intel, cfg):
    if a.get("children_present") == "yes" and (
        _suspect_close(a) or a.get("injuries") in {"minor", "serious"}
    ):
        return Reason(EMERGENCY, "children are in the house with the danger present", "children")
    if a.get("children_present") == "yes":
        return Reason(PRIORITY, "children are in the house", "children")
    return None


def rule_high_risk_marker(a, intel, cfg):
    if "high_risk_victim" not in intel.flag_kinds:
        return None
    if a.get("suspect_location") == "far_away":
        return Reason(
            PRIORITY, "high-risk marker on this victim, number or address", "high_risk_marker"
        )
    return Reason(
        EMERGENCY, "high-risk marker on this victim, number or address", "high_risk_marker"
    )


def rule_bail_or_order(a, intel, cfg):
    kinds = intel.flag_kinds & {"bail_conditions", "court_order"}
    if not kinds:
        return None
    if _suspect_close(a):
        return Reason(
            EMERGENCY,
            "the suspect may be breaching bail conditions or a court order",
            "bail_or_order",
        )
    return Reason(PRIORITY, "bail conditions or a court order protect this victim", "bail_or_order")


def rule_marac(a, intel, cfg):
    if "marac_listed" in intel.flag_kinds:
        return Reason(PRIORITY, "the victim is on a MARAC list", "marac")
    return None


def rule_suspect_history(a, intel, cfg):
    if intel.suspect_strangulation_history:
        return Reason(
            PRIORITY, "the suspect has strangled or choked a partner before", "suspect_history"
        )
    if intel.suspect_weapons_history:
        return Reason(PRIORITY, "the suspect has used weapons before", "suspect_history")
    return None


def rule_repeat(a, intel, cfg):
    count = intel.incidents_last_12_months
    if count >= cfg.repeat_incidents_priority:
        return Reason(PRIORITY, f"{count} incidents in the last 12 months", "repeat")
    if a.get("previous_incidents") == "yes":
        return Reason(SCHEDULED, "caller says this has happened before", "repeat")
    return None


def rule_demeanour(a, intel, cfg):
    if a.get("demeanour") in {"whispering", "unable_to_speak"}:
        return Reason(EMERGENCY, "caller cannot speak freely", "demeanour")
    if a.get("demeanour") == "distressed":
        return Reason(PRIORITY, "caller is distressed", "demeanour")
    return None


def rule_drink_drugs(a, intel, cfg):
    if a.get("drink_drugs") == "yes" and _suspect_close(a):
        return Reason(
            PRIORITY,
            "the suspect has been drinking or taking drugs and may be close",
            "drink_drugs",
        )
    return None


def rule_intelligence_unavailable(a, intel, cfg):
    if intel.unavailable:
        return Reason(
            PRIORITY,
            "background checks are unavailable, so history is unknown",
            "intelligence_unavailable",
        )
    return None


def rule_suspect_far_away(a, intel, cfg):
    if a.get("suspect_location") == "far_away":
        return Reason(
            TELEPHONE,
            f"suspect is far away (abroad or in custody){_away_text(a)}",
            "suspect_far_away",
        )
    return None


def rule_baseline(a, intel, cfg):
    fear = _fear(a)
    if a.get("suspect_location") == "far_away" and fear == 0:
        return Reason(TELEPHONE, "no immediate danger reported", "baseline")
    return Reason(SCHEDULED, "a domestic abuse report always gets a visit", "baseline")


RULES: list[Rule] = [
    rule_injuries,
    rule_suspect_present,
    rule_weapons,
    rule_fear,
    rule_fear_not_asked,
    rule_afraid_of,
    rule_children,
    rule_high_risk_marker,
    rule_bail_or_order,
    rule_marac,
    rule_suspect_history,
    rule_repeat,
    rule_demeanour,
    rule_drink_drugs,
    rule_intelligence_unavailable,
    rule_suspect_far_away,
    rule_baseline,
]


def suggest_grade(
    answers: dict,
    intelligence: Intelligence,
    config: GradingConfig,
    skipped: dict | None = None,
) -> Suggestion:
    """The most urgent grade any rule gives, with every reason, most urgent first.
    `skipped` maps a question not asked to why (see `SKIP_REASONS`)."""
    a = Answers(answers, skipped if skipped is not None else getattr(answers, "skipped", None))
    reasons = [r for rule in RULES if (r := rule(a, intelligence, config)) is not None]
    reasons.sort(key=lambda r: ORDER.index(r.grade))
    top = reasons[0].grade
    shown = [r for r in reasons if r.rule != "baseline" or r.grade == top]
    return Suggestion(grade=top, reasons=shown)


def attend_by(
    *,
    grade: str,
    graded_at: dt.datetime,
    rural: bool,
    emergency_urban: int,
    emergency_rural: int,
    priority: int,
    appointment: dt.datetime | None = None,
) -> dt.datetime | None:
    """When police must arrive: 15 minutes urban / 20 rural for an emergency, 60 for
    priority, the appointment for scheduled, none for telephone resolution."""
    if grade == EMERGENCY:
        return graded_at + dt.timedelta(minutes=emergency_rural if rural else emergency_urban)
    if grade == PRIORITY:
        return graded_at + dt.timedelta(minutes=priority)
    if grade == SCHEDULED:
        return appointment
    return None
