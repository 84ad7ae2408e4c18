"""Calls (incidents), the versioned control-room questions and response settings."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from calls.choices import AbandonReason, Grade, IncidentOutcome, IncidentRole, IncidentStatus
from calls.grading import FEAR_EMERGENCY_LEVELS, REPEAT_INCIDENTS_LEVELS
from people.choices import LocationType


class ResponseSettings(models.Model):
    """A force's response times and grading thresholds (data, not code).

    Only what may vary between forces is here. The fear rules that protect callers (any
    stated fear is at least priority; fear not asked is treated as priority) are fixed in
    `calls.grading`, and the validators and constraints below refuse values that would
    switch a configurable rule off."""

    force = models.OneToOneField(
        "org.Force", on_delete=models.CASCADE, related_name="response_settings"
    )
    emergency_urban_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    emergency_rural_minutes = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    priority_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    telephone_callback_hours = models.PositiveSmallIntegerField(default=4)
    fear_emergency_level = models.PositiveSmallIntegerField(
        default=3,
        validators=[
            MinValueValidator(FEAR_EMERGENCY_LEVELS.start),
            MaxValueValidator(FEAR_EMERGENCY_LEVELS.stop - 1),
        ],
        help_text="Fear at or above this (1 to 4), with the suspect present, near or "
        "unaccounted for, or a known high-risk victim, is an emergency. Any stated fear is "
        "at least priority whatever this is.",
    )
    repeat_incidents_priority = models.PositiveSmallIntegerField(
        default=2,
        validators=[
            MinValueValidator(REPEAT_INCIDENTS_LEVELS.start),
            MaxValueValidator(REPEAT_INCIDENTS_LEVELS.stop - 1),
        ],
        help_text="This many incidents in 12 months (1 to 20) makes at least priority.",
    )
    regrade_window_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MaxValueValidator(120)],
        help_text="How long after logging a call the call-taker who logged it may regrade "
        "it; after that only a supervisor may.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "response settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    fear_emergency_level__gte=FEAR_EMERGENCY_LEVELS.start,
                    fear_emergency_level__lte=FEAR_EMERGENCY_LEVELS.stop - 1,
                ),
                name="response_fear_emergency_level_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    repeat_incidents_priority__gte=REPEAT_INCIDENTS_LEVELS.start,
                    repeat_incidents_priority__lte=REPEAT_INCIDENTS_LEVELS.stop - 1,
                ),
                name="response_repeat_incidents_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    emergency_urban_minutes__gte=1,
                    emergency_rural_minutes__gte=1,
                    priority_minutes__gte=1,
                ),
                name="response_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Response settings for {self.force}"


class QuestionSet(models.Model):
    """A version of a set of structured questions (control-room call questions now;
    the DASH checklist uses the same shape). Old versions stay for old answers."""

    code = models.SlugField(max_length=40, help_text="e.g. control-room-call")
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    is_current = models.BooleanField(default=False)
    questions = models.JSONField(help_text="The questions, in order (see calls/data/*.yaml).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="question_set_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="question_set_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Incident(models.Model):
    """A domestic abuse call: logged while the caller is on the line, then graded."""

    status = models.CharField(
        max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT, db_index=True
    )
    caller_phone = models.ForeignKey(
        "people.PhoneNumber",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    caller_phone_raw = models.CharField(max_length=40, blank=True, help_text="As typed.")
    address = models.ForeignKey(
        "people.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    address_raw = models.JSONField(
        default=dict, blank=True, help_text="Address as typed, kept in a draft."
    )
    location_type = models.CharField(
        max_length=8, choices=LocationType.choices, default=LocationType.URBAN
    )
    location_note = models.CharField(max_length=300, blank=True)
    narrative = models.TextField(blank=True, help_text="What is happening.")
    question_set = models.ForeignKey(QuestionSet, null=True, on_delete=models.PROTECT)
    answers = models.JSONField(default=dict, blank=True)
    skipped = models.JSONField(
        default=dict, blank=True, help_text="Question code to the reason it was not asked."
    )
    prefill = models.JSONField(
        default=list,
        blank=True,
        help_text="Known details offered for confirmation and what the caller said of each.",
    )
    intelligence = models.JSONField(
        default=dict,
        blank=True,
        help_text="The package when the call was logged: what the attending officer opens. "
        "A regrade never replaces it.",
    )
    intelligence_at = models.DateTimeField(null=True, blank=True)
    regrade_intelligence = models.JSONField(
        default=dict, blank=True, help_text="The fresh look-up taken at the latest regrade."
    )
    regrade_intelligence_at = models.DateTimeField(null=True, blank=True)
    suggested_grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    suggestion_reasons = models.JSONField(default=list, blank=True)
    grade_draft = models.JSONField(
        default=dict,
        blank=True,
        help_text="In a draft, the grade chosen, its reason and the appointment as typed "
        "(keys grade, reason, appointment), kept until the call is logged.",
    )
    grade = models.CharField(max_length=10, choices=Grade.choices, blank=True, db_index=True)
    grade_reason = models.TextField(
        blank=True, help_text="Why the grade differs from the suggestion."
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the call was logged: attend-by counts from here."
    )
    attend_by = models.DateTimeField(null=True, blank=True, db_index=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first officer arrived."
    )
    attended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the arrival: the officer, or the dispatcher on their word.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        max_length=20, choices=IncidentOutcome.choices, blank=True, help_text="How it ended."
    )
    outcome_note = models.TextField(blank=True, help_text="What was done, in a few words.")
    abandoned_at = models.DateTimeField(null=True, blank=True)
    abandoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    abandon_reason = models.CharField(
        max_length=12,
        choices=AbandonReason.choices,
        blank=True,
        help_text="Why a call in progress was abandoned rather than logged.",
    )
    abandon_note = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The call an abandoned duplicate repeats.",
    )
    district = models.ForeignKey(
        "org.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="incidents_logged",
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "answers",
            "intelligence",
            "regrade_intelligence",
            "prefill",
        ]
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["caller_phone", "-created_at"]),
            models.Index(fields=["address", "-created_at"]),
            models.Index(
                fields=["attend_by"],
                condition=Q(status="graded"),
                name="incident_open_attend_by",
            ),
            models.Index(
                fields=["-abandoned_at"],
                condition=Q(status="abandoned"),
                name="incident_abandoned_recent",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return (
            f"DA-{self.created_at:%y%m%d}-{self.pk}" if self.pk and self.created_at else "New call"
        )

    @property
    def departs_from_suggestion(self) -> bool:
        return bool(self.grade and self.suggested_grade and self.grade != self.suggested_grade)

    @property
    def minutes_late(self) -> int | None:
        """Whole minutes the officer arrived after the attend-by time (0 when in time);
        None when no arrival or no attend-by time is recorded."""
        if self.attended_at is None or self.attend_by is None:
            return None
        late = (self.attended_at - self.attend_by).total_seconds()
        return max(0, math.ceil(late / 60))

    @property
    def attended_late(self) -> bool | None:
        """Whether the officer arrived after the attend-by time (None: not known)."""
        if self.attended_at is None or self.attend_by is None:
            return None
        return self.attended_at > self.attend_by


class IncidentPerson(models.Model):
    """A person involved in an incident, and in what role."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involved")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="incident_links"
    )
    role = models.CharField(max_length=10, choices=IncidentRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "person", "role"], name="incident_person_unique"
            )
        ]
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} in {self.incident_id}"


class IncidentResearch(models.Model):
    """Background research a control-room researcher adds for the attending officer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="research")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Research on {self.incident_id}"
