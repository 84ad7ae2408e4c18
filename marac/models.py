"""MARAC referrals. The MARAC capability (meetings, agendas, actions) builds on this;
for now a referral records that a victim was referred, when and why, which the risk
assessment needs for the repeat-MARAC criterion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Referral(models.Model):
    """A case referred to a MARAC, with the criteria it met."""

    victim = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="marac_referrals"
    )
    perpetrator = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marac_referrals",
    )
    referred_at = models.DateTimeField(db_index=True)
    criteria = models.JSONField(default=list, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_at"]
        indexes = [models.Index(fields=["victim", "-referred_at"])]

    def __str__(self) -> str:
        return f"MARAC referral {self.pk}"
