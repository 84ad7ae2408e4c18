"""Scoring inputs that only the apps above risk know come through providers: MARAC's
last referral for the repeat-MARAC criterion."""

import datetime as dt

import pytest
from django.utils import timezone

from marac.models import Referral
from marac.scoring_inputs import last_referral_at
from people import services
from risk import providers
from risk.models import Assessment


def test_an_input_no_app_provides_is_none(monkeypatch):
    monkeypatch.setattr(providers, "_providers", {})
    monkeypatch.setattr(providers, "_discovered", True)

    assert providers.last_marac_referral_at(Assessment()) is None


def test_only_a_known_input_can_be_provided_and_by_one_provider():
    with pytest.raises(ValueError, match="No scoring input"):
        providers.register_provider("last_marac_hearing_at")
    with pytest.raises(ValueError, match="already provides"):
        providers.register_provider(providers.LAST_MARAC_REFERRAL_AT)(lambda assessment: None)


@pytest.mark.django_db
def test_marac_provides_the_victims_last_referral_with_the_perpetrator_named():
    def person(given: str, family: str):
        return services.person_create(
            data=services.PersonInput(given_name=given, family_name=family)
        )

    victim, him, another = person("Nia", "Rowe"), person("Kyle", "Dunn"), person("Ross", "Lane")
    now = timezone.now()
    with_him = now - dt.timedelta(days=200)
    with_another = now - dt.timedelta(days=20)
    Referral.objects.create(victim=victim, perpetrator=him, referred_at=with_him)
    Referral.objects.create(victim=victim, perpetrator=another, referred_at=with_another)

    assert providers.last_marac_referral_at(Assessment(victim=victim, perpetrator=him)) == with_him
    assert providers.last_marac_referral_at(Assessment(victim=victim)) == with_another
    assert providers.last_marac_referral_at(Assessment(victim=him)) is None
    assert providers._providers[providers.LAST_MARAC_REFERRAL_AT] is last_referral_at
