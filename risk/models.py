"""The DV1 form with its DASH risk checklist, and the risk thresholds as data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from calls.models import QuestionSet
from dasapp.choices import RiskLevel
from risk import scoring
from risk.choices import AssessmentStatus


class RiskSettings(models.Model):
    """Risk bands and MARAC thresholds for a force, or one district (queue review
    targets live on each Queue).

    A district's row overrides the force's; thresholds differ between areas (one county
    refers to MARAC at 17 ticks).
    """

    force = models.ForeignKey("org.Force", on_delete=models.CASCADE, related_name="risk_settings")
    district = models.OneToOneField(
        "org.District",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_settings",
    )
    standard_max_yes = models.PositiveSmallIntegerField(
        default=9, help_text="Up to this many yes: standard."
    )
    medium_max_yes = models.PositiveSmallIntegerField(
        default=13, help_text="Up to this many yes: medium; more: high."
    )
    visible_high_risk_yes = models.PositiveSmallIntegerField(
        default=14, help_text="MARAC: visible high risk."
    )
    escalation_incidents = models.PositiveSmallIntegerField(
        default=3, help_text="MARAC: this many police call-outs in the window."
    )
    escalation_window_days = models.PositiveSmallIntegerField(default=365)
    repeat_marac_days = models.PositiveSmallIntegerField(
        default=365,
        help_text="Further abuse within this many days of the last MARAC referral is a repeat.",
    )
    marac_criterion_means_high = models.BooleanField(
        default=True,
        help_text="When any MARAC criterion is met the suggested level is high, whatever "
        "the number of yes answers (MARAC is for high-risk victims).",
    )
    red_flags = models.JSONField(
        default=scoring.default_red_flags,
        blank=True,
        help_text="Answers treated as high risk whatever the count, named on the DV1 and the "
        'case with "consider professional judgement". Per question set (dash-police, '
        'safelives): a list of {"code", "label", "questions"}; the flag is raised when '
        "every entry of questions is answered yes, an entry being a question code or a "
        'list of codes any one of which is enough, e.g. ["6", "15", ["13", "14"]].',
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "risk settings"
        constraints = [
            models.UniqueConstraint(
                fields=["force"],
                condition=Q(district__isnull=True),
                name="risk_settings_one_force_default",
            )
        ]

    def __str__(self) -> str:
        return f"Risk settings for {self.district or self.force}"

    def clean(self) -> None:
        """The red flags must be well formed and use questions their question set has."""
        sets = list(self.red_flags) if isinstance(self.red_flags, dict) else []
        known: dict[str, set[str]] = {}
        for code, questions in QuestionSet.objects.filter(code__in=sets).values_list(
            "code", "questions"
        ):
            known.setdefault(code, set()).update(q["code"] for q in questions)
        errors = scoring.red_flag_config_errors(self.red_flags, known)
        if errors:
            raise ValidationError({"red_flags": errors})


class Assessment(models.Model):
    """A DV1 with its DASH answers. Submitted assessments are never edited: an
    amendment is a new version that points at the one it amends."""

    incident = models.ForeignKey(
        "calls.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    victim = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments_as_victim"
    )
    perpetrator = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments_as_perpetrator",
    )
    question_set = models.ForeignKey(
        "calls.QuestionSet", on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(
        default=dict, blank=True, help_text='{"1": {"answer": "yes", "comment": ""}}'
    )
    supplements = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"supplement-stalking": {"version": 1, "answers": {...}}}',
    )
    honour_context = models.BooleanField(
        default=False,
        help_text="The officer says the context calls for the honour-based abuse questions.",
    )
    household = models.JSONField(default=list, blank=True)
    witnesses = models.JSONField(default=list, blank=True)
    safeguarding = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    narrative = models.TextField(blank=True)
    sections_saved = models.JSONField(
        default=list,
        blank=True,
        help_text='The DV1 sections the officer has saved with "Save and continue" '
        "(a section that may rightly be empty, such as witnesses, is then complete).",
    )
    status = models.CharField(
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        db_index=True,
    )
    yes_count = models.PositiveSmallIntegerField(default=0)
    suggested_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    officer_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    level_reason = models.TextField(
        blank=True, help_text="Why the level differs from the suggestion."
    )
    professional_judgement = models.BooleanField(default=False)
    professional_judgement_reason = models.TextField(blank=True)
    marac_criteria = models.JSONField(default=list, blank=True)
    suggested_level_reasons = models.JSONField(
        default=list, blank=True, help_text='Why the level is suggested: [{"code", "text"}].'
    )
    red_flags = models.JSONField(
        default=list,
        blank=True,
        help_text="Answers treated as high risk whatever the count, for professional judgement.",
    )
    routed_to = models.CharField(max_length=200, blank=True)
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(
        excluded_fields=["answers", "supplements", "household", "witnesses"]
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["victim", "status", "-submitted_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DV1-{self.pk:06d}" if self.pk else "New DV1"
