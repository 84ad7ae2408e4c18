"""API shapes for casework: cases (with their DV1s in the shape `risk` gives them,
through `cases.assessment_providers`), their readable history and the notification
inbox. Input serializers check shape only: levels, reasons and versions are checked by
`cases.case_services`, so the API and the pages give the same errors."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import casework_selectors as selectors
from cases.assessment_providers import assessment_provider
from cases.choices import CaseStatus, QueueKind, TaskKind, TaskStatus
from cases.models import Case, Queue, Task
from cases.safety_selectors import FREE_TEXT_TITLE
from dasapp.choices import RiskLevel
from dasapp.models import Notification

VERSION_REQUIRED = "Send the version of the case you read"
LEVEL_INVALID = "Choose standard, medium or high"


# References -----------------------------------------------------------------------------


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class QueueRefSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=QueueKind.choices)
    team = serializers.CharField(source="team.code", help_text="The team's code.")

    class Meta:
        model = Queue
        fields = ["id", "name", "kind", "team", "review_target_hours"]


class MaracCriterionSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="visible_high_risk, potential_escalation, repeat_marac or professional_judgement."
    )
    label = serializers.CharField()
    evidence = serializers.CharField(help_text="Why it is met, in words.")
    dates = serializers.ListField(
        child=serializers.CharField(),
        help_text="ISO date-times the evidence rests on (call-outs, the last MARAC referral).",
    )


class TaskSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    assigned_to = UserRefSerializer(allow_null=True)
    team = serializers.CharField(source="team.code", allow_null=True, default=None)

    class Meta:
        model = Task
        fields = ["id", "kind", "status", "assigned_to", "team", "note", "created_at", "due_at"]


# Cases ----------------------------------------------------------------------------------


class CaseSummarySerializer(serializers.ModelSerializer):
    """A case in a list."""

    status = serializers.ChoiceField(choices=CaseStatus.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    victim = PersonRefSerializer()
    perpetrator = PersonRefSerializer(allow_null=True)
    district = serializers.CharField(source="district.name", allow_null=True, default=None)
    queue = QueueRefSerializer(allow_null=True)
    assigned_to = UserRefSerializer(allow_null=True)
    seconds_to_target = serializers.SerializerMethodField(
        help_text="Seconds left before the queue's review target; negative when overdue; "
        "null without a target or once closed."
    )
    breached = serializers.SerializerMethodField(help_text="Past the review target.")

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "risk_level",
            "version",
            "victim",
            "perpetrator",
            "district",
            "queue",
            "assigned_to",
            "opened_at",
            "routed_at",
            "review_due_at",
            "seconds_to_target",
            "breached",
            "hub_takes_over_at",
        ]

    def _clock(self, case):
        now = self.context.setdefault("now", timezone.now())
        return selectors.target_clock(case, now)

    def get_seconds_to_target(self, case) -> int | None:
        return self._clock(case).seconds_left

    def get_breached(self, case) -> bool:
        return self._clock(case).breached


class CaseAssessmentsField(serializers.ListSerializer):
    """A case's DV1s, newest first, each in the shape the app holding them gives
    (`cases.assessment_providers`); read once per case, with the MARAC criteria."""

    def get_attribute(self, case):
        return self.parent._assessments(case)


class CaseSerializer(CaseSummarySerializer):
    """A case in full: its DV1s, the latest DV1's MARAC criteria and its open tasks."""

    # Its items' shape is the DV1 provider's, known once the apps are loaded: `get_fields`.
    assessments = serializers.ListField(read_only=True)
    marac_criteria = serializers.SerializerMethodField(
        help_text="The MARAC criteria the latest submitted DV1 met, with evidence."
    )
    open_tasks = serializers.SerializerMethodField()

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "reviewed_at",
            "closed_at",
            "closed_reason",
            "assessments",
            "marac_criteria",
            "open_tasks",
        ]

    def get_fields(self):
        fields = super().get_fields()
        fields["assessments"] = CaseAssessmentsField(
            child=assessment_provider().ref_serializer(), read_only=True
        )
        return fields

    def _assessments(self, case):
        if "assessments" not in self.context:
            self.context["assessments"] = selectors.case_assessments(case=case)
        return self.context["assessments"]

    @extend_schema_field(MaracCriterionSerializer(many=True))
    def get_marac_criteria(self, case):
        latest = selectors.latest_assessment(self._assessments(case))
        return MaracCriterionSerializer(latest.marac_criteria if latest else [], many=True).data

    @extend_schema_field(TaskSerializer(many=True))
    def get_open_tasks(self, case):
        return TaskSerializer(selectors.case_tasks(case=case), many=True).data


class RiskLevelInputSerializer(serializers.Serializer):
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, error_messages={"invalid_choice": LEVEL_INVALID}
    )
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        help_text="Why the level changes; required (kept in the case history).",
    )
    version = serializers.IntegerField(
        help_text="The case's `version` as you read it: if it changed since, the answer is "
        "409 and nothing changes.",
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
    )


class AgreeInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    version = serializers.IntegerField(
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED}
    )


class ChallengeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, allow_blank=True, help_text="What you challenge; required."
    )
    version = serializers.IntegerField(
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED}
    )


class CaseEventSerializer(serializers.Serializer):
    """One change to the case: who, when, from what, to what and why."""

    id = serializers.IntegerField(source="event.id")
    at = serializers.DateTimeField(help_text="When.")
    verb = serializers.CharField(
        source="event.verb",
        help_text="What happened, as a code: risk_level_changed, risk_level_agreed, "
        "grading_challenged, challenge_answered, case_routed, markers_raised, "
        "markers_lifted, assessment_submitted, case_opened, case_joined, …",
    )
    title = serializers.CharField(help_text="The verb in words.")
    actor = UserRefSerializer(
        source="event.actor", allow_null=True, help_text="Who; null: the system."
    )
    old = serializers.DictField(
        source="event.old", help_text='From: e.g. {"risk_level": "medium"}, {"queue": "…"}.'
    )
    new = serializers.DictField(
        source="event.new",
        help_text='To: e.g. {"risk_level": "standard", "source": "review"}. For a '
        'safety-plan action, `title` is its catalogue label, or "Free-text action" '
        "(the free text may hold the victim's details), unless you work the case's "
        "safety plan (supervisors, the case's owner, those on its queue).",
    )
    reason = serializers.CharField(source="event.reason", help_text="Why, as given.")
    summary = serializers.CharField(
        source="sentence",
        help_text="The change as a sentence: 'Risk level changed from medium to standard by "
        "Nadia Quinn, 26 November 2026 14:03: Victim has moved to a refuge'.",
    )
    details = serializers.ListField(child=serializers.CharField())

    def to_representation(self, entry):
        """A safety-plan action's free text only for those who may read it: with
        `safe_titles` in the context (action id -> label), the title is replaced."""
        data = super().to_representation(entry)
        titles = self.context.get("safe_titles")
        new = data.get("new") or {}
        if titles is not None and entry.event.verb.startswith("safety_action") and "title" in new:
            safe = titles.get(new.get("action")) or new.get("label") or FREE_TEXT_TITLE
            data["new"] = {**new, "title": safe}
        return data


# Notifications --------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()
    url = serializers.CharField(help_text="A path on this site to the work item.")

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at", "unread"]

    def get_unread(self, note) -> bool:
        return note.read_at is None
