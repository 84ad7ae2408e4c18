from django.db import models


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SUPERSEDED = "superseded", "Amended by a later version"


class MaracCriterion(models.TextChoices):
    VISIBLE_HIGH_RISK = "visible_high_risk", "Visible high risk"
    POTENTIAL_ESCALATION = "potential_escalation", "Potential escalation"
    REPEAT_MARAC = "repeat_marac", "Repeat MARAC"
    PROFESSIONAL_JUDGEMENT = "professional_judgement", "Professional judgement"
