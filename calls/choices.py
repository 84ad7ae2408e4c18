"""Choice lists for calls: grades, statuses, outcomes, the roles of people in a call."""

from django.db import models


class Grade(models.TextChoices):
    """Response grades, most urgent first."""

    EMERGENCY = "emergency", "Emergency"
    PRIORITY = "priority", "Priority"
    SCHEDULED = "scheduled", "Scheduled"
    TELEPHONE = "telephone", "Telephone resolution"

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for the most urgent."""
        return list(cls.values).index(value)


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", "Call in progress"
    GRADED = "graded", "Awaiting attendance"
    ATTENDED = "attended", "Attended"
    CLOSED = "closed", "Closed"
    # A draft discarded before it was logged (opened by mistake, a duplicate, a test):
    # never deleted, kept for call-quality review, out of every working list.
    ABANDONED = "abandoned", "Abandoned"


class AbandonReason(models.TextChoices):
    """Why a call in progress was abandoned rather than logged."""

    MISTAKE = "mistake", "Opened by mistake"
    DUPLICATE = "duplicate", "Duplicate of another call"
    NO_CONTACT = (
        "no_contact",
        "Caller hung up before anything was said and could not be called back",
    )
    TEST = "test", "Test call"


class IncidentOutcome(models.TextChoices):
    """How a call ended, chosen when it is closed (with a note)."""

    SAFEGUARDING = "safeguarding", "Attended and safeguarding in place"
    NO_FURTHER_ACTION = "no_further_action", "No further police action"
    INVESTIGATION = "investigation", "Transferred to investigation"
    DUPLICATE = "duplicate", "Duplicate call"
    NOT_TRACED = "not_traced", "Caller could not be traced"


class IncidentRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    CHILD = "child", "Child"
    WITNESS = "witness", "Witness"
    CALLER = "caller", "Caller (third party)"
    OTHER = "other", "Other"
