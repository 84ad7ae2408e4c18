"""Safety plans and their actions, follow-ups raised by the sweep, the one contact
timeline per victim across agencies, and which agencies work with her."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.choices import ActionStatus, FollowUpReason

# How many hours after an overdue action fell due the sweep may escalate it (a week at most).
ESCALATE_AFTER_HOURS = range(1, 169)


class CaseworkSettings(models.Model):
    """A force's settings for safeguarding work (data, not code)."""

    force = models.OneToOneField(
        "org.Force", on_delete=models.CASCADE, related_name="casework_settings"
    )
    contact_warning_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Warn before contacting a victim whom another agency contacted this recently.",
    )
    sweep_lookahead_minutes = models.PositiveSmallIntegerField(
        default=60,
        help_text="The sweep moves actions falling due this soon whose owner will not be at work.",
    )
    sweep_absence_lookahead_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="The sweep moves actions falling due this many days ahead as soon as it "
        "sees that their owner will be away then (leave, sickness, any recorded absence) or "
        "that the owner's account is switched off. Off shift counts only within the "
        "minutes above.",
    )
    sweep_escalate_after_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[
            MinValueValidator(ESCALATE_AFTER_HOURS.start),
            MaxValueValidator(ESCALATE_AFTER_HOURS.stop - 1),
        ],
        help_text="An overdue action left with an owner at work and still not done this "
        "many hours (1 to 168) after it fell due, and after the owner was told it was "
        "overdue, goes to their supervisor, once per due time.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "casework settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    sweep_escalate_after_hours__gte=ESCALATE_AFTER_HOURS.start,
                    sweep_escalate_after_hours__lte=ESCALATE_AFTER_HOURS.stop - 1,
                ),
                name="casework_sweep_escalate_after_hours_range",
            )
        ]

    def __str__(self) -> str:
        return f"Casework settings for {self.force}"


class SafetyActionType(models.Model):
    """The catalogue of safety-plan actions (patrols past the address, lock change …)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    hint = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    refers_to = models.ForeignKey(
        "org.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A referral to this agency: when the action is done, the agency starts "
        "working with the victim (her contact timeline opens to its staff).",
    )

    class Meta:
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class SafetyPlan(models.Model):
    """A case's safety plan, agreed with the victim."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="safety_plan")
    agreed_with_victim_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Safety plan for {self.case}"


class SafetyAction(models.Model):
    """One action of a safety plan, owned by a person or a team, with a due time."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="actions")
    action_type = models.ForeignKey(
        SafetyActionType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(
        blank=True, help_text="Free text, or detail for a catalogue action."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_actions",
    )
    owner_team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="safety_actions"
    )
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="safety_action_has_owner",
                condition=Q(owner__isnull=False) | Q(owner_team__isnull=False),
            ),
            models.CheckConstraint(
                name="safety_action_has_what",
                condition=Q(action_type__isnull=False) | ~Q(description=""),
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at", "id"], condition=Q(status="open"), name="safety_action_open_due"
            ),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.action_type_id and self.description:
            return f"{self.action_type.label}: {self.description}"
        return self.action_type.label if self.action_type_id else self.description


class FollowUp(models.Model):
    """Raised by the sweep for an action that is overdue or whose owner is away when it
    falls due: what was done about it (moved to whom, or escalated to whom) and why.
    Unique per action, due time, reason and owner (who held the action when it was
    raised), so a second sweep adds nothing, while an action moved to someone who is
    then away too is followed up again for them. Escalated for being overdue and not
    done: once per action and due time, whoever holds it."""

    action = models.ForeignKey(SafetyAction, on_delete=models.CASCADE, related_name="follow_ups")
    reason = models.CharField(max_length=20, choices=FollowUpReason.choices)
    due_at = models.DateTimeField(help_text="The action's due time when this was raised.")
    raised_at = models.DateTimeField()
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated = models.BooleanField(
        default=False, help_text="Sent to a supervisor: nobody on duty."
    )
    owner_key = models.CharField(
        max_length=24,
        help_text='Who held the action when this was raised: "user:<id>" or "team:<id>".',
    )
    to_key = models.CharField(
        max_length=24,
        blank=True,
        help_text='Who had the action afterwards: "user:<id>" or "team:<id>" (the same as '
        "the owner when it stayed; empty when not known, for follow-ups from before it "
        "was recorded).",
    )
    note = models.TextField(blank=True)
    absence = models.ForeignKey(
        "org.Absence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text="The owner's absence that this follow-up moved the action for, if any.",
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "due_at", "reason", "owner_key"],
                name="follow_up_once_per_owner_reason_and_due",
            ),
            # Escalated for being overdue and not done: once per due time, whoever
            # holds the action (the supervisor it went to is not escalated again).
            models.UniqueConstraint(
                fields=["action", "due_at"],
                condition=Q(reason=FollowUpReason.OVERDUE_ESCALATED),
                name="follow_up_overdue_escalated_once_per_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up on action {self.action_id}: {self.get_reason_display()}"
