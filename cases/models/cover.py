"""Cases whose owner is away: the record that a case's supervisors were told, once per
case and absence (or switched-off account)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.choices import CoverReason


class CaseCoverAlert(models.Model):
    """Raised by the periodic check (`cases.case_cover.cover_check_run`) for an open case
    whose owner is away now, or (high risk) will be away when its review is due. Unique
    per case and `away_key` (the absence, or the switched-off account), so a second run,
    or a second worker at the same moment, adds nothing. Nothing moves the case: a
    supervisor decides."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="cover_alerts")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    absence = models.ForeignKey(
        "org.Absence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    away_key = models.CharField(
        max_length=32,
        help_text='What the owner is away for: "absence:<id>" or "inactive:<user id>".',
    )
    reason = models.CharField(max_length=20, choices=CoverReason.choices)
    away_from = models.DateTimeField(null=True, blank=True)
    away_until = models.DateTimeField(null=True, blank=True)
    raised_at = models.DateTimeField()
    told = models.JSONField(default=list, blank=True, help_text="The user ids told.")

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "away_key"], name="case_cover_alert_once_per_absence"
            )
        ]

    def __str__(self) -> str:
        return f"Owner away on case {self.case_id} ({self.away_key})"
