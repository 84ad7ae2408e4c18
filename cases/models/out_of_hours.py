"""Out of hours: who is told at once when a high-risk case lands in a queue whose team
has nobody at work (configuration), and the record on the case of who was told."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from dasapp.roles import Role


class OutOfHoursContact(models.Model):
    """One line of the force's 24/7 out-of-hours escalation list: the members of a team
    (holding a role, if one is set) who are told at once, when they are at work by their
    rota, about a high-risk case that lands in a queue whose team has no DASO at work.
    Defaults: the control room's supervisors and the duty inspector. Data an
    administrator edits in the Django admin; `load_org_defaults` creates the lines of
    the organisation file that are missing and leaves `is_active` alone."""

    team = models.ForeignKey(
        "org.Team", on_delete=models.PROTECT, related_name="out_of_hours_contacts"
    )
    role = models.CharField(
        max_length=32,
        choices=Role.choices,
        blank=True,
        help_text="Only the team's members holding this role. Empty: every member.",
    )
    label = models.CharField(
        max_length=60,
        help_text='What the people told are called on the case, e.g. "duty inspector".',
    )
    order = models.PositiveSmallIntegerField(default=100, help_text="Lower is listed first.")
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "out-of-hours escalation contact"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "role"], name="out_of_hours_contact_team_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.team})"


class OutOfHoursAlert(models.Model):
    """Raised when a high-risk DV1 is submitted and the receiving queue's team has no
    DASO at work: who on the escalation list was at work and told (a snapshot of their
    names and what they were told as), or that nobody was. An alert with nobody told
    shows on the supervisors' pages until someone acknowledges it or the case is
    claimed."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="out_of_hours_alerts"
    )
    raised_at = models.DateTimeField()
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The receiving queue's team, with nobody at work.",
    )
    queue_name = models.CharField(max_length=120)
    told = models.JSONField(
        default=list,
        blank=True,
        help_text='Who was told: [{"id", "name", "as", "team"}], in the order told.',
    )
    nobody_at_work = models.BooleanField(
        default=False, help_text="Nobody on the out-of-hours list was at work to be told."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(
                fields=["raised_at"],
                condition=models.Q(nobody_at_work=True, acknowledged_at__isnull=True),
                name="out_of_hours_alert_open",
            )
        ]

    def __str__(self) -> str:
        return f"Out-of-hours alert on case {self.case_id}"
