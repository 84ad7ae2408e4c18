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


# The suggestion follows MARAC, and red flags are named whatever the count ------------


def dash(*yes: str, total: int = 27) -> dict:
    return {
        str(i): {"answer": "yes" if str(i) in yes else "no", "comment": ""}
        for i in range(1, total + 1)
    }


# The reported DV1: 13 yes with threats to kill, strangulation and a weapon.
THIRTEEN = dash("1", "2", "3", "5", "6", "9", "13", "14", "15", "16", "17", "18", "24")
FIVE_CALL_OUTS = [NOW - dt.timedelta(days=d) for d in (0, 30, 90, 180, 300)]


def suggestion_for(answers: dict, t: Thresholds = T, **overrides):
    met = list(criteria(yes=scoring.yes_count(answers), t=t, **overrides).values())
    return scoring.suggest(yes=scoring.yes_count(answers), criteria=met, t=t)


def flags(answers: dict, question_set: str = "dash-police", t: Thresholds = T) -> dict:
    return {f.code: f for f in scoring.red_flags(answers=answers, question_set=question_set, t=t)}


def test_thirteen_yes_with_potential_escalation_is_high_and_names_the_criterion():
    assert scoring.yes_count(THIRTEEN) == 13
    assert scoring.suggested_level(13, T) == "medium"  # the band alone

    suggestion = suggestion_for(THIRTEEN, incident_times=FIVE_CALL_OUTS)

    assert suggestion.level == "high"
    assert suggestion.reasons == [
        {"code": "potential_escalation", "text": "MARAC criterion met: potential escalation"}
    ]


def test_every_marac_criterion_makes_the_suggestion_high_whatever_the_count():
    repeat = suggestion_for(dash("2"), last_marac_referral_at=NOW - dt.timedelta(days=40))
    assert (repeat.level, [r["code"] for r in repeat.reasons]) == ("high", ["repeat_marac"])
    judged = suggestion_for(
        dash(), professional_judgement=True, professional_judgement_reason="Strangled"
    )
    assert (judged.level, [r["code"] for r in judged.reasons]) == (
        "high",
        ["professional_judgement"],
    )


def test_without_a_criterion_the_band_decides_and_says_so():
    suggestion = suggestion_for(THIRTEEN)
    assert suggestion.level == "medium"
    assert suggestion.reasons == [{"code": "band", "text": "13 yes answers: 10 to 13 is medium"}]


def test_a_high_band_keeps_its_own_reason_beside_the_criteria():
    suggestion = suggestion_for(dash(*[str(i) for i in range(1, 15)]))
    assert suggestion.level == "high"
    assert [r["code"] for r in suggestion.reasons] == ["band", "visible_high_risk"]
    assert suggestion.reasons[0]["text"] == "14 yes answers: more than 13 is high"


def test_an_area_may_keep_marac_criteria_apart_from_the_suggested_level():
    apart = Thresholds(marac_criterion_means_high=False)
    suggestion = suggestion_for(THIRTEEN, t=apart, incident_times=FIVE_CALL_OUTS)
    assert suggestion.level == "medium"
    assert [r["code"] for r in suggestion.reasons] == ["band"]


@pytest.mark.parametrize(
    ("question", "code", "label"),
    [
        ("18", "strangulation", "Non-fatal strangulation or choking"),
        ("17", "threats_to_kill", "Threats to kill"),
        ("16", "weapon", "Use or threat of a weapon"),
        ("8", "stalking", "Stalking or harassment"),
    ],
)
def test_each_red_flag_is_named_with_its_question_whatever_the_count(question, code, label):
    raised = flags(dash(question))
    assert list(raised) == [code]
    assert raised[code].label == label
    assert raised[code].evidence == f"Question {question} answered yes"
    assert scoring.yes_count(dash(question)) == 1


def test_not_known_is_not_a_red_flag():
    answers = dash()
    answers["18"] = {"answer": "not_known", "comment": ""}
    assert flags(answers) == {}


def test_the_reported_dv1_names_strangulation_threats_to_kill_and_a_weapon():
    assert list(flags(THIRTEEN)) == [
        "strangulation",
        "threats_to_kill",
        "weapon",
        "separation_control_escalation",
    ]


@pytest.mark.parametrize(
    "yes",
    [("6", "15"), ("6", "13"), ("15", "14"), ("6",), ("13", "14")],
)
def test_the_cluster_needs_separation_control_and_escalation_together(yes):
    assert "separation_control_escalation" not in flags(dash(*yes))


@pytest.mark.parametrize(("escalating", "named"), [("13", "13"), ("14", "14")])
def test_the_cluster_is_raised_when_all_three_are_present(escalating, named):
    cluster = flags(dash("6", "15", escalating))["separation_control_escalation"]
    assert cluster.evidence == f"Questions 6, 15 and {named} answered yes"
    assert cluster.questions == ["6", "15", named]


def test_the_partners_safelives_checklist_has_the_same_red_flags():
    safelives = {k: v for k, v in dash("18", "6", "15", "14").items() if k not in {"10", "11"}}
    assert list(flags(safelives, question_set="safelives")) == [
        "strangulation",
        "separation_control_escalation",
    ]


def test_red_flags_come_from_configuration_per_question_set():
    local = Thresholds(
        red_flags={
            "dash-police": [
                {"code": "pregnancy", "label": "Pregnancy", "questions": ["9"]},
                {"code": "fear", "label": "Very frightened of a killer", "questions": ["2", "17"]},
            ]
        }
    )
    assert list(flags(dash("9", "18"), t=local)) == ["pregnancy"]
    assert list(flags(dash("2", "17"), t=local)) == ["fear"]
    assert flags(dash("18"), question_set="safelives", t=local) == {}


def test_a_red_flag_configuration_is_checked_against_its_question_set():
    codes = {"dash-police": {str(i) for i in range(1, 28)}}
    assert scoring.red_flag_config_errors(scoring.default_red_flags(), codes) == []
    wrong = {
        "dash-police": [
            {"code": "x", "label": "X", "questions": ["28"]},
            {"code": "", "label": "No code", "questions": ["1"]},
            {"code": "y", "label": "Y", "questions": []},
            {"code": "z", "label": "Z", "questions": [18]},
        ]
    }
    assert scoring.red_flag_config_errors(wrong, codes) == [
        "Red flag 1 of dash-police: dash-police has no question 28",
        "Red flag 2 of dash-police needs a code and a label",
        "Red flag 3 of dash-police needs at least one question",
        "Red flag 4 of dash-police: each question is a code or a list of codes",
    ]
    assert scoring.red_flag_config_errors([], codes) == [
        "Give the red flags as an object of question-set codes"
    ]
