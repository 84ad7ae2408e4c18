"""Grade suggestion rules: pure functions, no database. One test per rule, plus the
promises the product makes about fear and demeanour."""

import datetime as dt
from pathlib import Path

import pytest

from calls import grading
from calls.grading import GradingConfig, Intelligence, suggest_grade

CFG = GradingConfig()
NONE = Intelligence()


def rules_fired(suggestion):
    return {r.rule for r in suggestion.reasons}


def test_calm_caller_who_says_she_is_scared_is_not_graded_below_priority():
    s = suggest_grade(
        {"fear_level": "3", "demeanour": "calm", "suspect_location": "far_away"}, NONE, CFG
    )
    assert grading.ORDER.index(s.grade) <= grading.ORDER.index("priority")
    assert any("very frightened" in r.text for r in s.reasons)


@pytest.mark.parametrize("fear", ["2", "3", "4"])
def test_calm_demeanour_never_lowers_grade_given_by_fear(fear):
    with_calm = suggest_grade({"fear_level": fear, "demeanour": "calm"}, NONE, CFG)
    without = suggest_grade({"fear_level": fear}, NONE, CFG)
    assert with_calm.grade == without.grade
    assert with_calm.grade in {"emergency", "priority"}


def test_very_frightened_with_suspect_nearby_is_emergency():
    s = suggest_grade({"fear_level": "3", "suspect_location": "nearby"}, NONE, CFG)
    assert s.grade == "emergency"
    assert "fear" in rules_fired(s)


def test_very_frightened_known_high_risk_victim_is_emergency_even_if_suspect_elsewhere():
    intel = Intelligence(flag_kinds=frozenset({"high_risk_victim"}))
    s = suggest_grade({"fear_level": "3", "suspect_location": "elsewhere"}, intel, CFG)
    assert s.grade == "emergency"
    assert any("high-risk victim" in r.text for r in s.reasons if r.rule == "fear")


def test_a_little_frightened_calm_caller_is_never_suggested_below_priority():
    s = suggest_grade(
        {"fear_level": "1", "demeanour": "calm", "suspect_location": "far_away"}, NONE, CFG
    )
    assert s.grade == "priority"
    assert "fear" in rules_fired(s)
    assert any("a little frightened" in r.text for r in s.reasons)


@pytest.mark.parametrize("emergency_level", [1, 2, 3, 4])
def test_no_configuration_lowers_stated_fear_below_priority(emergency_level):
    cfg = GradingConfig(fear_emergency_level=emergency_level)
    for fear in ("1", "2", "3", "4"):
        s = suggest_grade({"fear_level": fear, "suspect_location": "far_away"}, NONE, cfg)
        assert grading.ORDER.index(s.grade) <= grading.ORDER.index("priority"), (fear, s)


def test_not_frightened_is_the_only_stated_fear_that_allows_telephone_resolution():
    s = suggest_grade({"fear_level": "0", "suspect_location": "far_away"}, NONE, CFG)
    assert s.grade == "telephone"
    assert "fear" not in rules_fired(s)


def test_the_emergency_fear_level_comes_from_configuration():
    answers = {"fear_level": "2", "suspect_location": "nearby"}
    assert suggest_grade(answers, NONE, GradingConfig(fear_emergency_level=2)).grade == (
        "emergency"
    )
    s = suggest_grade(
        {"fear_level": "2", "suspect_location": "elsewhere"},
        NONE,
        GradingConfig(fear_emergency_level=4),
    )
    assert s.grade == "priority"
    assert [r.grade for r in s.reasons if r.rule == "fear"] == ["priority"]


@pytest.mark.parametrize(
    "values",
    [
        {"fear_emergency_level": 5},
        {"fear_emergency_level": 0},
        {"repeat_incidents_priority": 0},
        {"repeat_incidents_priority": 1000},
    ],
)
def test_configuration_that_would_switch_a_rule_off_is_refused(values):
    with pytest.raises(ValueError):
        GradingConfig(**values)


def test_fear_question_not_asked_is_priority_with_the_reason_in_plain_words():
    s = suggest_grade(
        {"demeanour": "calm", "suspect_location": "far_away"},
        NONE,
        CFG,
        skipped={"fear_level": "line_dropped"},
    )
    assert s.grade == "priority"
    assert "fear_not_asked" in rules_fired(s)
    assert (
        "the caller was not asked how frightened they are (the line dropped): treated as "
        "priority until someone speaks to them"
    ) in [r.text for r in s.reasons]


def test_fear_not_yet_answered_is_priority_while_the_call_is_taken():
    s = suggest_grade({"suspect_location": "far_away"}, NONE, CFG)
    assert s.grade == "priority"
    assert any("has not said how frightened" in r.text for r in s.reasons)
    answered = suggest_grade({"suspect_location": "far_away", "fear_level": "0"}, NONE, CFG)
    assert "fear_not_asked" not in rules_fired(answered)


def test_serious_injuries_are_an_emergency():
    s = suggest_grade({"injuries": "serious"}, NONE, CFG)
    assert s.grade == "emergency"
    assert "injuries" in rules_fired(s)


def test_minor_injuries_are_at_least_priority():
    s = suggest_grade({"injuries": "minor", "suspect_location": "far_away"}, NONE, CFG)
    assert s.grade == "priority"


def test_suspect_present_is_an_emergency():
    s = suggest_grade({"suspect_location": "present", "fear_level": "0"}, NONE, CFG)
    assert s.grade == "emergency"
    assert "suspect_present" in rules_fired(s)
    assert any("there now" in r.text for r in s.reasons)


def test_weapon_is_an_emergency():
    s = suggest_grade({"weapons": "yes", "suspect_location": "elsewhere"}, NONE, CFG)
    assert s.grade == "emergency"
    assert "weapons" in rules_fired(s)


def test_afraid_of_being_killed_with_suspect_close_is_emergency():
    s = suggest_grade({"afraid_of": ["being_killed"], "suspect_location": "unknown"}, NONE, CFG)
    assert s.grade == "emergency"
    assert "afraid_of" in rules_fired(s)
    assert any("being killed" in r.text for r in s.reasons)


def test_afraid_of_being_killed_with_suspect_away_is_priority():
    s = suggest_grade({"afraid_of": ["being_killed"], "suspect_location": "far_away"}, NONE, CFG)
    assert s.grade == "priority"


def test_children_present_with_suspect_there_is_emergency():
    s = suggest_grade({"children_present": "yes", "suspect_location": "present"}, NONE, CFG)
    assert "children" in rules_fired(s)
    assert s.grade == "emergency"


def test_children_present_alone_is_priority():
    s = suggest_grade({"children_present": "yes", "suspect_location": "far_away"}, NONE, CFG)
    assert s.grade == "priority"
    assert "children" in rules_fired(s)


def test_high_risk_marker_is_emergency_unless_suspect_far_away():
    intel = Intelligence(flag_kinds=frozenset({"high_risk_victim"}))
    assert suggest_grade({"suspect_location": "elsewhere"}, intel, CFG).grade == "emergency"
    away = suggest_grade({"suspect_location": "far_away"}, intel, CFG)
    assert away.grade == "priority"
    assert "high_risk_marker" in rules_fired(away)
    assert any("high-risk marker" in r.text for r in away.reasons)


def test_bail_conditions_with_suspect_close_is_emergency_for_breach():
    intel = Intelligence(flag_kinds=frozenset({"bail_conditions"}))
    s = suggest_grade({"suspect_location": "nearby"}, intel, CFG)
    assert s.grade == "emergency"
    assert "bail_or_order" in rules_fired(s)
    assert any("breaching bail" in r.text for r in s.reasons)


def test_court_order_without_suspect_close_is_priority():
    intel = Intelligence(flag_kinds=frozenset({"court_order"}))
    s = suggest_grade({"suspect_location": "far_away"}, intel, CFG)
    assert s.grade == "priority"


def test_marac_listed_victim_is_at_least_priority():
    intel = Intelligence(flag_kinds=frozenset({"marac_listed"}))
    s = suggest_grade({"suspect_location": "far_away"}, intel, CFG)
    assert s.grade == "priority"
    assert "marac" in rules_fired(s)


def test_suspect_with_strangulation_history_is_at_least_priority():
    intel = Intelligence(suspect_strangulation_history=True)
    s = suggest_grade({"suspect_location": "far_away"}, intel, CFG)
    assert s.grade == "priority"
    assert "suspect_history" in rules_fired(s)
    assert any("strangled" in r.text for r in s.reasons)


def test_suspect_with_weapons_history_is_at_least_priority():
    intel = Intelligence(suspect_weapons_history=True)
    assert suggest_grade({"suspect_location": "far_away"}, intel, CFG).grade == "priority"


def test_repeat_incidents_at_threshold_are_priority():
    intel = Intelligence(incidents_last_12_months=2)
    s = suggest_grade({"suspect_location": "far_away"}, intel, CFG)
    assert s.grade == "priority"
    assert "repeat" in rules_fired(s)
    assert any("2 incidents in the last 12 months" in r.text for r in s.reasons)
    below = suggest_grade(
        {"suspect_location": "far_away"}, Intelligence(incidents_last_12_months=1), CFG
    )
    assert "repeat" not in rules_fired(below)


def test_caller_saying_it_happened_before_is_scheduled_at_least():
    s = suggest_grade(
        {"previous_incidents": "yes", "suspect_location": "far_away", "fear_level": "0"}, NONE, CFG
    )
    assert s.grade == "scheduled"


def test_caller_who_cannot_speak_freely_is_an_emergency():
    s = suggest_grade({"demeanour": "whispering"}, NONE, CFG)
    assert s.grade == "emergency"
    assert "demeanour" in rules_fired(s)


def test_distressed_caller_is_at_least_priority():
    s = suggest_grade({"demeanour": "distressed", "suspect_location": "far_away"}, NONE, CFG)
    assert s.grade == "priority"


def test_drink_or_drugs_with_suspect_close_is_priority():
    s = suggest_grade({"drink_drugs": "yes", "suspect_location": "elsewhere"}, NONE, CFG)
    assert "drink_drugs" not in rules_fired(s)
    s = suggest_grade({"drink_drugs": "yes", "suspect_location": "unknown"}, NONE, CFG)
    assert "drink_drugs" in rules_fired(s)


def test_unavailable_intelligence_is_never_graded_below_priority():
    s = suggest_grade(
        {"suspect_location": "far_away", "fear_level": "0"}, Intelligence(unavailable=True), CFG
    )
    assert s.grade == "priority"
    assert "intelligence_unavailable" in rules_fired(s)
    assert any("unavailable" in r.text for r in s.reasons)


def test_suspect_abroad_and_caller_not_frightened_is_telephone_resolution_with_date():
    s = suggest_grade(
        {"suspect_location": "far_away", "suspect_away_until": "2026-12-20", "fear_level": "0"},
        NONE,
        CFG,
    )
    assert s.grade == "telephone"
    assert "suspect_far_away" in rules_fired(s)
    assert any("abroad or in custody) until 20 December 2026" in r.text for r in s.reasons)


def test_nothing_known_defaults_to_a_scheduled_visit():
    s = suggest_grade({"fear_level": "0"}, NONE, CFG)
    assert s.grade == "scheduled"
    assert "baseline" in rules_fired(s)
    assert len(s.reasons) == 1


def test_reasons_are_listed_most_urgent_first():
    s = suggest_grade({"injuries": "minor", "weapons": "yes"}, NONE, CFG)
    grades = [r.grade for r in s.reasons]
    assert grades == sorted(grades, key=grading.ORDER.index)


def test_attend_by_follows_grade_and_area():
    at = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    kwargs = {"graded_at": at, "emergency_urban": 15, "emergency_rural": 20, "priority": 60}
    assert grading.attend_by(grade="emergency", rural=False, **kwargs) == at + dt.timedelta(
        minutes=15
    )
    assert grading.attend_by(grade="emergency", rural=True, **kwargs) == at + dt.timedelta(
        minutes=20
    )
    assert grading.attend_by(grade="priority", rural=True, **kwargs) == at + dt.timedelta(
        minutes=60
    )
    appointment = at + dt.timedelta(days=1)
    assert (
        grading.attend_by(grade="scheduled", rural=False, appointment=appointment, **kwargs)
        == appointment
    )
    assert grading.attend_by(grade="telephone", rural=False, **kwargs) is None


def test_every_rule_is_covered_by_a_test_in_this_module():
    source = Path(__file__).read_text()
    for rule in grading.RULES:
        name = rule.__name__.removeprefix("rule_")
        assert f'"{name}" in rules_fired' in source, f"no test asserts that {rule.__name__} fired"
