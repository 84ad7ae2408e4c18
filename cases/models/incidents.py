"""Calls (incidents), the versioned control-room questions and response settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.choices import EventVerb, Grade, IncidentRole, IncidentStatus, LocationType


class ResponseSettings(models.Model):
    """A force's response times and grading thresholds (data, not code)."""

    force = models.OneToOneField(
        "cases.Force", on_delete=models.CASCADE, related_name="response_settings"
    )
    emergency_urban_minutes = models.PositiveSmallIntegerField(default=15)
    emergency_rural_minutes = models.PositiveSmallIntegerField(default=20)
    priority_minutes = models.PositiveSmallIntegerField(default=60)
    scheduled_default_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Default appointment offset when none is booked."
    )
    telephone_callback_hours = models.PositiveSmallIntegerField(default=4)
    fear_priority_level = models.PositiveSmallIntegerField(
        default=2, help_text="Fear at or above this (0 to 4) is never graded below priority."
    )
    fear_emergency_level = models.PositiveSmallIntegerField(
        default=3,
        help_text="Fear at or above this, with the suspect present, near or unaccounted for, is an emergency.",
    )
    repeat_incidents_priority = models.PositiveSmallIntegerField(
        default=2, help_text="This many incidents in 12 months makes at least priority."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "response settings"

    def __str__(self) -> str:
        return f"Response settings for {self.force}"


class QuestionSet(models.Model):
    """A version of a set of structured questions (control-room call questions now;
    the DASH checklist uses the same shape). Old versions stay for old answers."""

    code = models.SlugField(max_length=40, help_text="e.g. control-room-call")
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    is_current = models.BooleanField(default=False)
    questions = models.JSONField(help_text="The questions, in order (see cases/data/*.yaml).")
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
        "cases.PhoneNumber",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    caller_phone_raw = models.CharField(max_length=40, blank=True, help_text="As typed.")
    address = models.ForeignKey(
        "cases.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
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
    intelligence = models.JSONField(default=dict, blank=True, help_text="The package at grading.")
    intelligence_at = models.DateTimeField(null=True, blank=True)
    suggested_grade = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    suggestion_reasons = models.JSONField(default=list, blank=True)
    grade = models.CharField(max_length=10, choices=Grade.choices, blank=True, db_index=True)
    grade_reason = models.TextField(
        blank=True, help_text="Why the grade differs from the suggestion."
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    attend_by = models.DateTimeField(null=True, blank=True, db_index=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    district = models.ForeignKey(
        "cases.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
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
        excluded_fields=["updated_at", "answers", "intelligence", "prefill"]
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


class IncidentPerson(models.Model):
    """A person involved in an incident, and in what role."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involved")
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="incident_links"
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


class Event(models.Model):
    """A domain event by verb: what happened to a work item, by whom, from what, to
    what and why. Only services write it; timelines and reports read it."""

    at = models.DateTimeField(db_index=True)
    verb = models.CharField(max_length=32, choices=EventVerb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["incident", "at"])]

    def __str__(self) -> str:
        return f"{self.get_verb_display()} at {self.at:%Y-%m-%d %H:%M}"
