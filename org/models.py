"""The organisation as data: force, districts, teams, shift patterns and staff.

Nothing in code assumes a force's names or structure; `manage.py load_org_defaults`
loads a default and administrators edit it in the Django admin.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from org.choices import AbsenceKind, TeamKind


class Force(models.Model):
    """A police force and the settings that apply across it."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A local authority area: the unit of hubs, MARACs and investigation routing."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="districts")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    postcode_prefixes = models.CharField(
        max_length=200,
        blank=True,
        help_text="Postcode districts in this area, separated by spaces (e.g. CO1 CO2).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def prefixes(self) -> list[str]:
        return [p.strip().upper() for p in self.postcode_prefixes.split() if p.strip()]


class ShiftPattern(models.Model):
    """A repeating rota. Day `n` of the cycle is `(date - cycle_start) mod cycle_days`.

    The central unit's pattern has a one-day cycle (08:00 to midnight every day); the
    hubs share a three-day cycle of days, evenings and rest, each starting on a
    different day.
    """

    name = models.CharField(max_length=100, unique=True)
    cycle_start = models.DateField(help_text="The date that is day 1 of the cycle.")
    cycle_days = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return self.name


class ShiftSlot(models.Model):
    """One working period on one day of a shift pattern's cycle (local time).

    An end at or before the start runs past midnight (00:00 means midnight).
    """

    pattern = models.ForeignKey(ShiftPattern, on_delete=models.CASCADE, related_name="slots")
    cycle_day = models.PositiveSmallIntegerField(help_text="1 for the first day of the cycle.")
    starts = models.TimeField()
    ends = models.TimeField()
    label = models.CharField(max_length=50, blank=True, help_text="e.g. Days, Evenings.")

    class Meta:
        ordering = ["pattern", "cycle_day", "starts"]

    def __str__(self) -> str:
        return f"{self.pattern} day {self.cycle_day} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self):
        if not 1 <= self.cycle_day <= self.pattern.cycle_days:
            raise ValidationError(
                {"cycle_day": f"Enter a day from 1 to {self.pattern.cycle_days}."}
            )


class Team(models.Model):
    """A unit or team of a kind (hub, CID, MARAC unit, partner agency …)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=32, choices=TeamKind.choices)
    districts = models.ManyToManyField(
        District, blank=True, related_name="teams", help_text="The districts this team serves."
    )
    shift_pattern = models.ForeignKey(
        ShiftPattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    email = models.EmailField(blank=True, help_text="The team's shared mailbox.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """Where a user works, who supervises them and which rota they follow."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    rank = models.CharField(max_length=50, blank=True, help_text="Rank or job title.")
    collar_number = models.CharField(max_length=20, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
    )
    shift_pattern = models.ForeignKey(
        ShiftPattern,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Leave empty to follow the team's pattern.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user} ({self.team or 'no team'})"

    @property
    def effective_shift_pattern(self):
        return self.shift_pattern or (self.team.shift_pattern if self.team else None)


class AbsenceQuerySet(models.QuerySet):
    def in_force(self):
        """Absences that count: not cancelled (recorded by mistake). Routing, the sweep
        and the owner pickers read only these."""
        return self.filter(cancelled_at__isnull=True)


class Absence(models.Model):
    """Leave, sickness or training: the person is not at work between these times.

    An absence recorded by mistake is cancelled, not deleted: the row and its history
    stay, with who cancelled it, when and why, and it no longer counts (`in_force`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    kind = models.CharField(max_length=20, choices=AbsenceKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was cancelled (recorded by mistake)."
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | ~models.Q(cancel_reason=""),
                name="absence_cancelled_with_a_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})
