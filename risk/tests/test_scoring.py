"""DASH scoring bands and each MARAC criterion, including the 12-month window edges."""

import datetime as dt

import pytest

from risk import scoring
from risk.scoring import Thresholds

T = Thresholds()
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def answers(yes: int, total: int = 27) -> dict:
    return {
        str(i): {"answer": "yes" if i <= yes else "no", "comment": ""} for i in range(1, total + 1)
    }


def criteria(**overrides):
    kwargs = {
        "yes": 0,
        "incident_times": [NOW],
        "last_marac_referral_at": None,
        "now": NOW,
        "professional_judgement": False,
        "professional_judgement_reason": "",
        "t": T,
    }
    kwargs.update(overrides)
    return {c.code: c for c in scoring.marac_criteria(**kwargs)}


def test_yes_count_counts_only_yes():
    a = answers(5)
    a["6"] = {"answer": "not_known", "comment": ""}
    assert scoring.yes_count(a) == 5


def test_not_known_is_an_answer_but_blank_is_missing():
    a = answers(3, total=5)
    a["4"] = {"answer": "not_known"}
    a["5"] = {"answer": ""}
    assert scoring.missing_answers(["1", "2", "3", "4", "5", "6"], a) == ["5", "6"]


@pytest.mark.parametrize(
    ("yes", "level"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (27, "high")],
)
def test_default_bands(yes, level):
    assert scoring.suggested_level(yes, T) == level


def test_bands_come_from_configuration():
    county = Thresholds(standard_max_yes=11, medium_max_yes=16)
    assert scoring.suggested_level(12, county) == "medium"
    assert scoring.suggested_level(17, county) == "high"


def test_visible_high_risk_at_fourteen_yes_with_evidence():
    assert "visible_high_risk" not in criteria(yes=13)
    met = criteria(yes=14)["visible_high_risk"]
    assert "14 yes answers" in met.evidence


def test_visible_high_risk_threshold_is_configurable_per_area():
    seventeen = Thresholds(visible_high_risk_yes=17)
    assert "visible_high_risk" not in criteria(yes=16, t=seventeen)
    assert "visible_high_risk" in criteria(yes=17, t=seventeen)


def test_potential_escalation_needs_three_call_outs_in_twelve_months():
    two = [NOW, NOW - dt.timedelta(days=100)]
    assert "potential_escalation" not in criteria(incident_times=two)
    three = [*two, NOW - dt.timedelta(days=200)]
    met = criteria(incident_times=three)["potential_escalation"]
    assert "3 police call-outs" in met.evidence
    assert len(met.dates) == 3


def test_escalation_window_includes_the_day_twelve_months_ago_and_not_the_day_before():
    edge = [NOW, NOW - dt.timedelta(days=10), NOW - dt.timedelta(days=365)]
    assert "potential_escalation" in criteria(incident_times=edge)
    outside = [NOW, NOW - dt.timedelta(days=10), NOW - dt.timedelta(days=365, seconds=1)]
    assert "potential_escalation" not in criteria(incident_times=outside)


def test_repeat_marac_within_twelve_months_whatever_the_score():
    met = criteria(yes=2, last_marac_referral_at=NOW - dt.timedelta(days=300))["repeat_marac"]
    assert "300 days after the last MARAC referral" in met.evidence


def test_repeat_marac_window_edges():
    assert "repeat_marac" in criteria(last_marac_referral_at=NOW - dt.timedelta(days=365))
    assert "repeat_marac" not in criteria(
        last_marac_referral_at=NOW - dt.timedelta(days=365, seconds=1)
    )
    assert "repeat_marac" not in criteria(last_marac_referral_at=None)


def test_professional_judgement_carries_the_reason():
    met = criteria(professional_judgement=True, professional_judgement_reason="Threats to kill")
    assert met["professional_judgement"].evidence == "Threats to kill"


def test_raising_above_the_suggestion_needs_a_reason():
    check = scoring.check_officer_level(suggested="medium", chosen="high", reason="")
    assert "level_reason" in check.errors
    ok = scoring.check_officer_level(
        suggested="medium", chosen="high", reason="Strangled last week"
    )
    assert ok.raised and not ok.errors and not ok.needs_supervisor_review


def test_lowering_below_the_suggestion_needs_a_reason_and_supervisor_review():
    check = scoring.check_officer_level(suggested="high", chosen="medium", reason="")
    assert check.errors["level_reason"] == [
        "Explain why the risk is medium, below the suggested high"
    ]
    ok = scoring.check_officer_level(suggested="high", chosen="medium", reason="Suspect remanded")
    assert ok.lowered and ok.needs_supervisor_review


def test_agreeing_with_the_suggestion_needs_nothing():
    check = scoring.check_officer_level(suggested="high", chosen="high", reason="")
    assert not check.errors and not check.raised and not check.lowered


def test_stalking_supplement_opens_on_question_eight_and_honour_on_four_or_context():
    opens = {"8": ["stalking"], "4": ["hba"]}
    assert scoring.supplements_to_open(
        answers={"8": {"answer": "yes"}}, honour_context=False, opens=opens
    ) == ["stalking"]
    assert scoring.supplements_to_open(
        answers={"4": {"answer": "yes"}}, honour_context=False, opens=opens
    ) == ["hba"]
    assert scoring.supplements_to_open(answers={}, honour_context=True, opens=opens) == ["hba"]
    assert (
        scoring.supplements_to_open(
            answers={"8": {"answer": "no"}}, honour_context=False, opens=opens
        )
        == []
    )
