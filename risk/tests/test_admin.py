"""The risk settings an administrator edits: bands, MARAC thresholds and red flags."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import verify_two_factor
from risk import scoring
from risk.models import RiskSettings
from risk.question_sets import load_bundled

ADD = "/admin/risk/risksettings/add/"


@pytest.fixture
def administrator(org, persona) -> Client:
    user = persona(None, username="admin")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    verify_two_factor(client, user)
    client.user = user
    return client


def form(org, **overrides) -> dict:
    data = {
        "force": org.pk,
        "district": "",
        "standard_max_yes": 9,
        "medium_max_yes": 13,
        "visible_high_risk_yes": 14,
        "escalation_incidents": 3,
        "escalation_window_days": 365,
        "repeat_marac_days": 365,
        "marac_criterion_means_high": "on",
        "red_flags": json.dumps(scoring.default_red_flags()),
    }
    data.update(overrides)
    return data


def test_the_form_offers_the_default_red_flags_and_marac_means_high(org, administrator):
    html = administrator.get(ADD).content.decode()
    assert "Non-fatal strangulation or choking" in html
    assert 'name="marac_criterion_means_high"' in html and "checked" in html


def test_an_administrator_sets_the_red_flags_with_a_reason_in_the_history(org, administrator):
    load_bundled()
    flags = {"dash-police": [{"code": "pregnancy", "label": "Pregnancy", "questions": ["9"]}]}
    response = administrator.post(
        ADD, form(org, red_flags=json.dumps(flags), marac_criterion_means_high="")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = RiskSettings.objects.get()
    assert row.red_flags == flags and row.marac_criterion_means_high is False
    added = row.history.get()
    assert added.history_user == administrator.user
    assert added.history_change_reason == "Added in the administration"


def test_red_flags_naming_a_question_the_checklist_lacks_are_refused(org, administrator):
    load_bundled()
    flags = {"dash-police": [{"code": "x", "label": "X", "questions": ["28"]}]}
    response = administrator.post(ADD, form(org, red_flags=json.dumps(flags)))
    assert response.status_code == 200
    assert "Red flag 1 of dash-police: dash-police has no question 28" in response.content.decode()
    assert not RiskSettings.objects.exists()
