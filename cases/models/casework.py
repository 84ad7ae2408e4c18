"""Cases, queues and tasks: the work that follows a risk assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.choices import CaseStatus, QueueKind, TaskKind, TaskStatus
from dasapp.choices import RiskLevel


class Queue(models.Model):
    """A work queue of a team, with its review target. Routing picks one by kind and
    (for hubs) by the district the hub serves."""

    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="queues")
    kind = models.CharField(max_length=16, choices=QueueKind.choices)
    name = models.CharField(max_length=120)
    review_target_hours = models.PositiveSmallIntegerField(
        default=24, help_text="A new case in this queue should be reviewed within this time."
    )
    worked_by_role = models.CharField(
        max_length=32, default="daso", help_text="The role whose members work this queue."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "kind"], name="queue_team_kind_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A victim–perpetrator case. Repeat incidents join her open case (with the same or
    an unknown perpetrator); a case opened beside another keeps which and why. Its
    current risk level, queue and owner are changed only by services, with history and
    events."""

    victim = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases_as_victim"
    )
    perpetrator = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_perpetrator",
    )
    status = models.CharField(
        max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_assigned",
    )
    district = models.ForeignKey("org.District", null=True, blank=True, on_delete=models.SET_NULL)
    opened_at = models.DateTimeField()
    routed_at = models.DateTimeField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    hub_takes_over_at = models.DateTimeField(
        null=True, blank=True, help_text="Routed out of hub hours: when the hub on duty starts."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    opened_alongside = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opened_after",
        help_text="The victim's open case this one was opened beside (not joined).",
    )
    opened_alongside_reason = models.TextField(
        blank=True,
        help_text="Why a new case was opened while the victim had an open one, for example "
        "a different perpetrator.",
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["victim", "perpetrator"],
                condition=Q(status="open"),
                name="case_one_open_per_pair",
            )
        ]
        indexes = [models.Index(fields=["queue", "status", "risk_level", "opened_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "New case"


class Task(models.Model):
    """A piece of work for a person or a team: a supervisor's review of a lowered risk
    level, an officer's answer to a challenge."""

    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    status = models.CharField(
        max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    assessment = models.ForeignKey(
        "risk.Assessment", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    note = models.TextField(blank=True, help_text="What is asked, and why.")
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="task_has_owner",
                condition=Q(assigned_to__isnull=False) | Q(team__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case}"
