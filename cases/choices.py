"""Choice lists for people, places and the organisation."""

from django.db import models


class TeamKind(models.TextChoices):
    CONTROL_ROOM = "control_room", "Control room"
    INTELLIGENCE = "intelligence", "Control-room intelligence"
    CENTRAL_REFERRAL_UNIT = "central_referral_unit", "Central referral unit"
    HUB = "hub", "Hub safeguarding team"
    CID = "cid", "Criminal investigation department"
    NEIGHBOURHOOD_CRIME = "neighbourhood_crime", "Neighbourhood crime team"
    PRISONER_PROCESSING = "prisoner_processing", "Prisoner processing team"
    RESPONSE = "response", "Response policing"
    MARAC_UNIT = "marac_unit", "MARAC unit"
    IDVA_SERVICE = "idva_service", "IDVA service"
    PARTNER_AGENCY = "partner_agency", "Partner agency"


class AbsenceKind(models.TextChoices):
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    SICKNESS = "sickness", "Sickness"
    TRAINING = "training", "Training"
    OTHER = "other", "Other absence"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class NameKind(models.TextChoices):
    PRIMARY = "primary", "Name"
    ALIAS = "alias", "Alias"
    PREVIOUS = "previous", "Previous name"
    NICKNAME = "nickname", "Nickname"


class AddressKind(models.TextChoices):
    HOME = "home", "Home"
    PREVIOUS = "previous", "Previous address"
    SAFE = "safe", "Safe address"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class LocationType(models.TextChoices):
    URBAN = "urban", "Urban"
    RURAL = "rural", "Rural"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    LANDLINE = "landline", "Landline"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Ex-partner"
    PARENT_OF = "parent_of", "Parent of"
    HOUSEHOLD = "household", "Household member"
    FAMILY = "family", "Family member"

    @classmethod
    def symmetric(cls) -> set[str]:
        return {cls.PARTNER, cls.EX_PARTNER, cls.HOUSEHOLD, cls.FAMILY}


class FlagKind(models.TextChoices):
    HIGH_RISK_VICTIM = "high_risk_victim", "High-risk victim"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
    COURT_ORDER = "court_order", "Court order"
    MARAC_LISTED = "marac_listed", "On a MARAC list"
    SAFETY_PLAN = "safety_plan", "Safety plan in place"
    WEAPONS = "weapons", "Officer safety: weapons"
    OFFICER_SAFETY = "officer_safety", "Officer safety"
    REPEAT_VICTIM = "repeat_victim", "Repeat victim"
    OTHER = "other", "Other"


class FlagSeverity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    INFO = "info", "Information"


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


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for standard, 2 for high."""
        return list(cls.values).index(value)


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


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with the victim"
    NO_ANSWER = "no_answer", "No answer, no message left"
    NOT_SAFE = "not_safe", "Not safe to talk"
    DECLINED = "declined", "Declined support"
    MESSAGE_SENT = "message_sent", "Message sent (safe channel)"
