"""Choice lists for cases, queues, tasks, safety-plan actions and follow-ups. The risk
levels are shared vocabulary and live in the kernel (`dasapp.choices.RiskLevel`)."""

from django.db import models


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class QueueKind(models.TextChoices):
    HUB_HIGH = "hub_high", "Hub high-risk queue"
    CRU_HIGH = "cru_high", "Central referral unit high-risk queue (out of hub hours)"
    CRU_MEDIUM = "cru_medium", "Central referral unit DASO queue (medium risk)"
    RESEARCHERS = "researchers", "Researchers' queue (standard risk)"


class TaskKind(models.TextChoices):
    SUPERVISOR_REVIEW = "supervisor_review", "Supervisor review of a lowered risk level"
    CHALLENGE = "challenge", "Answer a challenge to your risk grading"
    CASE_REVIEW = "case_review", "Review the case's risk grading"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class FollowUpReason(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    OWNER_ABSENT = "owner_absent", "Owner away when it falls due"
    OWNER_OFF_SHIFT = "owner_off_shift", "Owner off shift when it falls due"
    OWNER_INACTIVE = "owner_inactive", "Owner's account is switched off"
    OVERDUE_ESCALATED = "overdue_escalated", "Overdue and not done: escalated to supervisor"


class CoverReason(models.TextChoices):
    """Why a case's supervisors were told its owner is away (never the kind of absence:
    sickness is health data)."""

    OWNER_AWAY = "owner_away", "Owner away now"
    AWAY_AT_TARGET = "away_at_target", "Owner away when the review is due"
    OWNER_INACTIVE = "owner_inactive", "Owner's account is switched off"
