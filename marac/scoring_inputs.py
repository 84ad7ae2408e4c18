"""What MARAC tells `risk` when it scores a DV1 (`risk.providers` finds this module on
first use)."""

from __future__ import annotations

import datetime as dt

from marac.models import Referral
from risk.models import Assessment
from risk.providers import LAST_MARAC_REFERRAL_AT, register_provider


@register_provider(LAST_MARAC_REFERRAL_AT)
def last_referral_at(assessment: Assessment) -> dt.datetime | None:
    """When the DV1's victim (with its perpetrator, if it names one) was last referred."""
    referral = Referral.objects.filter(victim=assessment.victim)
    if assessment.perpetrator_id:
        referral = referral.filter(perpetrator=assessment.perpetrator)
    last = referral.order_by("-referred_at").first()
    return last.referred_at if last else None
