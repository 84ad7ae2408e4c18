"""The one contact timeline per victim (`Contact`) and the agencies working with her
(`AgencyInvolvement`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from partners.choices import ContactChannel, ContactOutcome


class Contact(models.Model):
    """One contact with a victim by any agency: the one timeline everyone reads before
    contacting her."""

    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    outcome = models.CharField(max_length=16, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["victim", "-at"])]

    def __str__(self) -> str:
        return f"Contact {self.pk} with {self.victim_id}"


class AgencyInvolvement(models.Model):
    """An agency outside the police (the IDVA service, victim support, another partner)
    working with a victim: from when a referral to it was done on her safety plan, or a
    DASO recorded it by hand, until it ends. While it is open the agency's staff read
    and add to her contact timeline, and nothing else of her cases."""

    victim = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="agency_involvements"
    )
    agency = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="involvements")
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agency_involvements",
        help_text="The case of hers it was started from.",
    )
    safety_action = models.ForeignKey(
        "cases.SafetyAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="involvements",
        help_text="The referral on her safety plan whose completion started it.",
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(help_text="Why the agency works with her.")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["victim", "agency"],
                condition=Q(ended_at__isnull=True),
                name="agency_involvement_one_open",
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "victim"],
                condition=Q(ended_at__isnull=True),
                name="agency_involvement_open",
            )
        ]

    def __str__(self) -> str:
        return f"Involvement {self.pk} of team {self.agency_id} with {self.victim_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
