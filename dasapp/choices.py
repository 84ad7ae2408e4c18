"""The verbs of domain events, shared by every app that writes them."""

from django.db import models


class EventVerb(models.TextChoices):
    INCIDENT_LOGGED = "incident_logged", "Call logged"
    INCIDENT_GRADED = "incident_graded", "Response graded"
    INCIDENT_REGRADED = "incident_regraded", "Response regraded"
    INCIDENT_ATTENDED = "incident_attended", "Attended"
    INCIDENT_CLOSED = "incident_closed", "Incident closed"
    INCIDENT_ABANDONED = "incident_abandoned", "Call abandoned"
    RESEARCH_ADDED = "research_added", "Research added"
    PREFILL_CONFIRMED = "prefill_confirmed", "Known details confirmed"
    FLAG_RAISED = "flag_raised", "Flag raised"
    FLAG_LIFTED = "flag_lifted", "Flag lifted"
    CASE_OPENED = "case_opened", "Case opened"
    CASE_JOINED = "case_joined", "New incident joined the case"
    CASE_OPENED_ALONGSIDE = "case_opened_alongside", "Another case opened for the victim"
    ASSESSMENT_SUBMITTED = "assessment_submitted", "DV1 and DASH submitted"
    ASSESSMENT_AMENDED = "assessment_amended", "DV1 amended"
    RISK_LEVEL_CHANGED = "risk_level_changed", "Risk level changed"
    RISK_LEVEL_AGREED = "risk_level_agreed", "Risk level agreed"
    GRADING_CHALLENGED = "grading_challenged", "Risk grading challenged"
    CHALLENGE_ANSWERED = "challenge_answered", "Challenge answered"
    CASE_ROUTED = "case_routed", "Case routed to a queue"
    CASE_CLAIMED = "case_claimed", "Case claimed"
    CASE_RELEASED = "case_released", "Case released"
    CASE_REASSIGNED = "case_reassigned", "Case reassigned"
    CASE_CLOSED = "case_closed", "Case closed"
    MARKERS_RAISED = "markers_raised", "High-risk markers raised"
    MARKERS_LIFTED = "markers_lifted", "High-risk markers lifted"
    SUPERVISOR_REVIEW_REQUESTED = "supervisor_review_requested", "Supervisor review requested"
    SUPERVISOR_REVIEW_DONE = "supervisor_review_done", "Supervisor reviewed the risk level"
    SAFETY_PLAN_AGREED = "safety_plan_agreed", "Safety plan agreed with the victim"
    SAFETY_ACTION_ADDED = "safety_action_added", "Safety-plan action added"
    SAFETY_ACTION_DONE = "safety_action_done", "Safety-plan action done"
    SAFETY_ACTION_REASSIGNED = "safety_action_reassigned", "Safety-plan action moved"
    SAFETY_ACTION_ESCALATED = "safety_action_escalated", "Safety-plan action escalated"
    SAFETY_ACTION_CANCELLED = "safety_action_cancelled", "Safety-plan action cancelled"
    CONTACT_RECORDED = "contact_recorded", "Contact with the victim recorded"
    CASE_OWNER_AWAY = "case_owner_away", "Case owner away: supervisors told"
    INVOLVEMENT_STARTED = "involvement_started", "Agency started working with the victim"
    INVOLVEMENT_ENDED = "involvement_ended", "Agency stopped working with the victim"
    ABSENCE_CANCELLED = "absence_cancelled", "Absence cancelled: moved actions stay"
    OUT_OF_HOURS_TOLD = "out_of_hours_told", "Nobody at work in the queue's team: out of hours told"
    OUT_OF_HOURS_ACKNOWLEDGED = "out_of_hours_acknowledged", "Out-of-hours alert acknowledged"


# Risk levels: the vocabulary of the call-time look-up, cases, risk assessment and MARAC.


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for standard, 2 for high."""
        return list(cls.values).index(value)
