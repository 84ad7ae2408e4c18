"""API shapes for DV1s: a DV1 as a case lists it, the DV1 submitted in one request, the
DV1 read back with its scoring and where its case was routed, and the error that keeps
a draft. Input serializers check shape only: answers, levels and reasons are checked by
`risk.services`, so the API and the pages give the same errors."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls import rules as call_rules
from calls.models import Incident
from cases.api.casework_serializers import (
    MaracCriterionSerializer,
    PersonRefSerializer,
    UserRefSerializer,
)
from cases.choices import TaskKind
from cases.models import Case
from dasapp.choices import RiskLevel
from dasapp.serializers import ErrorSerializer, FlatErrorsSerializer
from people import rules as people_rules
from people.models import Person
from risk.choices import AssessmentStatus
from risk.models import Assessment

QUESTION_SETS = {
    "dash-police": "the police DASH checklist (27 questions), the default",
    "safelives": "a partner agency's SafeLives checklist (24 questions: no questions 10 to 12)",
}
ANSWERS_HELP = (
    "Question code to its answer: `yes`, `no` or `not_known` (not known is an answer), "
    "with an optional comment. Police DASH codes are `1` to `27`; SafeLives leaves out `10` "
    "to `12`. Every question must be answered to submit: a missing one is a field error "
    "`answers.<code>`."
)
SUPPLEMENTS_HELP = (
    "Answers to the supplementary questions, by supplement: `stalking` (codes `S1` to "
    "`S11`, required when question 8 is yes) and `hba`, honour-based abuse (codes `H1` to "
    "`H10`, required when question 4 is yes or `honour_context` is true). A missing answer "
    "is a field error `supplements.<name>.<code>`."
)


# A DV1 on a case ------------------------------------------------------------------------


class AssessmentRefSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    suggested_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True)
    officer_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True)
    submitted_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "reference",
            "status",
            "submitted_at",
            "submitted_by",
            "yes_count",
            "suggested_level",
            "officer_level",
        ]


# DV1 submission -------------------------------------------------------------------------


class LevelReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text='"band" (the yes count) or the code of the MARAC criterion that made it high.'
    )
    text = serializers.CharField()


class RedFlagSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="From the risk settings' red flags, e.g. strangulation.")
    label = serializers.CharField()
    evidence = serializers.CharField(help_text="The questions answered yes, in words.")
    questions = serializers.ListField(child=serializers.CharField())


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(
        max_length=10, allow_blank=True, help_text="yes, no or not_known."
    )
    comment = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


@extend_schema_field(OpenApiTypes.INT)
class _VisiblePersonField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No person you may see has the id {pk_value}",
        "incorrect_type": "Send a person's id as a number",
    }

    def get_queryset(self):
        return people_rules.people_visible_to(self.context["request"].user, Person.objects.all())


@extend_schema_field(OpenApiTypes.INT)
class _VisibleIncidentField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No call you may see has the id {pk_value}",
        "incorrect_type": "Send the call's id as a number",
    }

    def get_queryset(self):
        return call_rules.incidents_visible_to(self.context["request"].user, Incident.objects.all())


class OpenCaseChoiceSerializer(serializers.Serializer):
    """Which case the DV1 goes on when the victim already has an open case."""

    action = serializers.ChoiceField(
        choices=[
            ("join", "Add the DV1 to one of the victim's open cases"),
            ("new", "Open a new case beside her open ones"),
        ],
        help_text="`join` one of her open cases (`case`), or open a `new` case (`reason` "
        "needed when she has an open case; refused when an open case has the same "
        "perpetrator).",
    )
    case = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="With `join`: the open case's id."
    )
    reason = serializers.CharField(
        max_length=4000,
        allow_blank=True,
        default="",
        help_text="With `new`: why a new case, for example a different perpetrator. Kept in "
        "the history and shown on both cases.",
    )


class AssessmentCreateSerializer(FlatErrorsSerializer):
    """A complete DV1 in one request: the checklist, the officer's level and what was
    done at the scene."""

    incident = _VisibleIncidentField(
        required=False, allow_null=True, default=None, help_text="The call it follows, if any."
    )
    victim = _VisiblePersonField(help_text="The victim's person id (`people/`).")
    perpetrator = _VisiblePersonField(
        required=False, allow_null=True, default=None, help_text="The suspect's person id."
    )
    question_set = serializers.ChoiceField(
        choices=list(QUESTION_SETS.items()),
        default="dash-police",
        help_text="Which checklist was used: `dash-police` (default) or `safelives` for a "
        "partner agency's completed checklist.",
    )
    answers = serializers.DictField(child=AnswerSerializer(), help_text=ANSWERS_HELP)
    supplements = serializers.DictField(
        child=serializers.DictField(child=AnswerSerializer()),
        required=False,
        default=dict,
        help_text=SUPPLEMENTS_HELP,
    )
    honour_context = serializers.BooleanField(
        default=False, help_text="The context calls for the honour-based abuse questions."
    )
    officer_level = serializers.CharField(
        max_length=10,
        allow_blank=True,
        help_text="The officer's risk level: standard, medium or high. Above the suggestion "
        "needs `level_reason` (professional judgement); below it needs `level_reason` and "
        "asks a supervisor to review.",
    )
    level_reason = serializers.CharField(max_length=4000, allow_blank=True, default="")
    professional_judgement = serializers.BooleanField(
        default=False, help_text="Refer to MARAC on professional judgement."
    )
    professional_judgement_reason = serializers.CharField(
        max_length=4000, allow_blank=True, default=""
    )
    household = serializers.ListField(
        child=serializers.DictField(),
        default=list,
        help_text="Household members and children: objects with `name`, `relationship`, "
        "`date_of_birth` and, if known, `person_id`.",
    )
    witnesses = serializers.ListField(
        child=serializers.DictField(),
        default=list,
        help_text="Third-party witnesses: objects with `name` and `contact`.",
    )
    safeguarding = serializers.DictField(
        default=dict,
        help_text='Safeguarding done at the scene, e.g. {"arrest": true, '
        '"protection_notice": false, "referrals": ["idva"]}.',
    )
    evidence = serializers.DictField(
        default=dict,
        help_text='Evidence captured, e.g. {"recording_999": true, "body_worn_video": '
        'true, "photographs": true, "injuries": false, "witness_statements": true, '
        '"admissions": false}.',
    )
    narrative = serializers.CharField(max_length=20000, allow_blank=True, default="")
    open_case = OpenCaseChoiceSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional. When the victim already has an open case: join it or open a "
        "new one. Left out, the DV1 joins her open case with the same perpetrator, or her "
        "highest-risk open case when the perpetrator is not known (or a case whose "
        "perpetrator is not known); only a different perpetrator opens a new case, kept "
        "with the reason `Different perpetrator` and shown on both cases.",
    )

    def validate(self, attrs):
        if attrs.get("perpetrator") is not None and attrs["perpetrator"] == attrs["victim"]:
            raise serializers.ValidationError(
                {"perpetrator": ["The perpetrator cannot be the victim"]}
            )
        return attrs


class CaseRefSerializer(serializers.ModelSerializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    queue = serializers.CharField(source="queue.name", allow_null=True, default=None)

    class Meta:
        model = Case
        fields = ["id", "reference", "risk_level", "queue", "hub_takes_over_at", "version"]


class QuestionSetRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()


class AssessmentSerializer(serializers.ModelSerializer):
    """A DV1 with its scoring, where its case was routed, and what was recorded."""

    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    victim = PersonRefSerializer()
    perpetrator = PersonRefSerializer(allow_null=True)
    incident = serializers.PrimaryKeyRelatedField(read_only=True)
    case = CaseRefSerializer(allow_null=True, help_text="The case it opened or joined.")
    question_set = QuestionSetRefSerializer()
    suggested_level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        allow_blank=True,
        help_text="From the yes count and bands; high when any MARAC criterion is met.",
    )
    officer_level = serializers.ChoiceField(
        choices=RiskLevel.choices, allow_blank=True, help_text="The level recorded."
    )
    suggested_level_reasons = LevelReasonSerializer(
        many=True, help_text="Why the level is suggested; any MARAC criterion met makes it high."
    )
    marac_criteria = MaracCriterionSerializer(many=True)
    red_flags = RedFlagSerializer(
        many=True,
        help_text="Answers treated as high risk whatever the count: consider professional "
        "judgement.",
    )
    routed_to = serializers.CharField(help_text="The queue the case was put in on submission.")
    supervisor_review_requested = serializers.SerializerMethodField(
        help_text="The level is below the suggestion: a supervisor has been asked to review."
    )
    created_by = UserRefSerializer()
    submitted_by = UserRefSerializer(allow_null=True)
    amends = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "reference",
            "status",
            "version",
            "incident",
            "case",
            "victim",
            "perpetrator",
            "question_set",
            "answers",
            "supplements",
            "honour_context",
            "household",
            "witnesses",
            "safeguarding",
            "evidence",
            "narrative",
            "yes_count",
            "suggested_level",
            "suggested_level_reasons",
            "officer_level",
            "level_reason",
            "professional_judgement",
            "professional_judgement_reason",
            "marac_criteria",
            "red_flags",
            "routed_to",
            "supervisor_review_requested",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "amends",
        ]

    def get_supervisor_review_requested(self, assessment) -> bool:
        return assessment.tasks.filter(kind=TaskKind.SUPERVISOR_REVIEW).exists()


class DraftRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    version = serializers.IntegerField()


class AssessmentErrorSerializer(ErrorSerializer):
    """400 from `POST assessments/`: the DV1 could not be submitted. What was sent is kept
    in a draft; send the corrected DV1 again (with the same `incident`, the same draft is
    updated)."""

    assessment = DraftRefSerializer(
        required=False, help_text="The draft that keeps what was sent; absent if nothing was saved."
    )
