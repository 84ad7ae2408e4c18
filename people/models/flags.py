"""Flags: warnings on a person, address or phone number that the call-taker's look-up
shows at once. Any capability may raise one (a high-risk case, bail conditions, a
MARAC listing); each names its source so it can be lifted by the same source."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from people.choices import FlagKind, FlagSeverity


class FlagQuerySet(models.QuerySet):
    def active(self, at=None):
        from django.utils import timezone

        at = at or timezone.now()
        return self.filter(lifted_at__isnull=True, starts_at__lte=at).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )


class Flag(models.Model):
    """One warning on exactly one subject (person, address or phone number)."""

    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    severity = models.CharField(
        max_length=8, choices=FlagSeverity.choices, default=FlagSeverity.HIGH
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    address = models.ForeignKey(
        "people.Address", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    phone = models.ForeignKey(
        "people.PhoneNumber", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    summary = models.CharField(max_length=300, help_text="What the call-taker reads.")
    source = models.CharField(
        max_length=64, help_text="What raised it, e.g. case:12, court-order:4, manual."
    )
    subject_key = models.CharField(
        max_length=40, editable=False, help_text="person:ID, address:ID or phone:ID."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="flag_exactly_one_subject",
                condition=(
                    Q(person__isnull=False, address__isnull=True, phone__isnull=True)
                    | Q(person__isnull=True, address__isnull=False, phone__isnull=True)
                    | Q(person__isnull=True, address__isnull=True, phone__isnull=False)
                ),
            ),
            # One live flag of a kind per source and subject: raising twice is harmless.
            models.UniqueConstraint(
                fields=["kind", "source", "subject_key"],
                condition=Q(lifted_at__isnull=True),
                name="flag_one_live_per_source",
            ),
        ]
        indexes = [
            models.Index(
                fields=["person"], condition=Q(lifted_at__isnull=True), name="flag_live_person"
            ),
            models.Index(
                fields=["address"], condition=Q(lifted_at__isnull=True), name="flag_live_address"
            ),
            models.Index(
                fields=["phone"], condition=Q(lifted_at__isnull=True), name="flag_live_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.person_id:
            self.subject_key = f"person:{self.person_id}"
        elif self.address_id:
            self.subject_key = f"address:{self.address_id}"
        elif self.phone_id:
            self.subject_key = f"phone:{self.phone_id}"
        super().save(*args, **kwargs)
