"""API shapes for safety-plan actions and staff absences. Input serializers check shape
only: due times in the past, switched-off owners, empty teams, versions and absence
dates are checked by `cases.safety_services`, so the API and the pages give the same
errors."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import rules
from cases import safety_selectors as selectors
from cases.api.casework_serializers import UserRefSerializer
from cases.choices import ActionStatus, FollowUpReason
from cases.models import Case, FollowUp, SafetyAction, SafetyActionType
from dasapp.models import User
from org.choices import AbsenceKind
from org.models import Absence, Team

VERSION_REQUIRED = "Send the version of the action you read"


# Output ----------------------------------------------------------------------------------


class ActionTypeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SafetyActionType
        fields = ["code", "label"]


class OwnerTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "code", "name"]


class SafetyCaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class FollowUpSerializer(serializers.ModelSerializer):
    """A follow-up raised by the sweep: why, and what was done about it."""

    reason = serializers.ChoiceField(choices=FollowUpReason.choices)
    reason_label = serializers.CharField(source="get_reason_display")
    due_at = serializers.DateTimeField(help_text="The action's due time when it was raised.")
    from_user = UserRefSerializer(allow_null=True, help_text="The owner when it was raised.")
    to_user = UserRefSerializer(
        allow_null=True, help_text="Who has it now (the same person when it was not moved)."
    )
    escalated = serializers.BooleanField(help_text="Sent to a supervisor or the whole team.")
    note = serializers.CharField(
        help_text="What was done and why, e.g. 'Moved from Mark Fenwick (away until "
        "3 Dec) to Joanna Price, on duty'."
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "reason",
            "reason_label",
            "due_at",
            "raised_at",
            "from_user",
            "to_user",
            "escalated",
            "note",
        ]


class SafetyActionSerializer(serializers.ModelSerializer):
    """A safety-plan action with its owner, due time, status and the follow-ups raised."""

    case = serializers.SerializerMethodField()
    title = serializers.CharField(help_text="The catalogue label, the free text, or both.")
    action_type = ActionTypeRefSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    owner = UserRefSerializer(allow_null=True, help_text="The person who owns it, if a person.")
    owner_team = OwnerTeamSerializer(allow_null=True, help_text="The team that owns it, if a team.")
    overdue = serializers.SerializerMethodField(help_text="Open and past its due time.")
    created_by = UserRefSerializer(allow_null=True)
    version = serializers.IntegerField(
        help_text="Send it back when you complete, move or cancel the action: if it changed since "
        "(a colleague, or the sweep moving it), the answer is 409 and nothing changes."
    )
    follow_ups = FollowUpSerializer(many=True, help_text="Newest first.")

    class Meta:
        model = SafetyAction
        fields = [
            "id",
            "case",
            "title",
            "action_type",
            "description",
            "owner",
            "owner_team",
            "due_at",
            "overdue",
            "status",
            "completed_at",
            "completion_note",
            "created_by",
            "created_at",
            "version",
            "follow_ups",
        ]
        extra_kwargs = {
            "completed_at": {"help_text": "When it was done or cancelled."},
            "completion_note": {"help_text": "What was done, or why it was cancelled."},
        }

    @extend_schema_field(SafetyCaseRefSerializer)
    def get_case(self, action) -> dict:
        case = action.plan.case
        return {"id": case.pk, "reference": case.reference}

    def get_overdue(self, action) -> bool:
        now = self.context.setdefault("now", timezone.now())
        return action.status == ActionStatus.OPEN and action.due_at <= now


class AbsenceSerializer(serializers.ModelSerializer):
    user = UserRefSerializer()
    kind = serializers.ChoiceField(choices=AbsenceKind.choices)
    recorded_by = UserRefSerializer(allow_null=True)
    cancelled_by = UserRefSerializer(allow_null=True, help_text="Who cancelled it, if anyone.")

    class Meta:
        model = Absence
        fields = [
            "id",
            "user",
            "kind",
            "starts_at",
            "ends_at",
            "note",
            "recorded_by",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
        ]
        extra_kwargs = {
            "cancelled_at": {
                "help_text": "When it was cancelled as recorded by mistake; null when it "
                "counts. A cancelled absence counts nowhere (routing, the follow-up sweep)."
            },
            "cancel_reason": {"help_text": "Why it was cancelled; empty when it counts."},
        }


# Input -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _WorkableCaseField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No case you may see has the id {pk_value}",
        "incorrect_type": "Send the case's id as a number",
    }

    def get_queryset(self):
        return rules.cases_visible_to(self.context["request"].user, Case.objects.all())


@extend_schema_field(OpenApiTypes.INT)
class _UserField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No member of staff has the id {pk_value}",
        "incorrect_type": "Send the person's id as a number",
    }

    def get_queryset(self):
        return User.objects.all()


@extend_schema_field(OpenApiTypes.STR)
class _TeamField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "No team has the code {value}",
        "invalid": "Send the team's code",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return Team.objects.all()


@extend_schema_field(OpenApiTypes.STR)
class _ActionTypeField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "No action in the catalogue has the code {value}",
        "invalid": "Send the action's code",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return SafetyActionType.objects.all()


OWNER_HELP = "The owner: a person's id (`owner`) or a team's code (`owner_team`), not both."


class SafetyActionCreateSerializer(serializers.Serializer):
    case = _WorkableCaseField(help_text="The case whose safety plan gets the action.")
    action_type = _ActionTypeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A catalogue code: patrols, address-marker, lock-change, panic-alarm, "
        "idva-referral, refuge, childrens-services, protection-order. Or leave it out and "
        "describe the action.",
    )
    description = serializers.CharField(
        max_length=2000, allow_blank=True, default="", help_text="Free text, or detail."
    )
    owner = _UserField(required=False, allow_null=True, default=None, help_text=OWNER_HELP)
    owner_team = _TeamField(required=False, allow_null=True, default=None, help_text=OWNER_HELP)
    due_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When it is due; in the future."
    )


class SafetyActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(ActionStatus.DONE, "Done")],
        error_messages={"invalid_choice": "Set the status to done to complete the action"},
        help_text="`done` completes the action (the owner, their team, and those who work the "
        "case's plan).",
    )
    completion_note = serializers.CharField(
        max_length=4000, allow_blank=True, default="", help_text="What was done; required."
    )
    version = serializers.IntegerField(
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED}
    )


class SafetyActionReassignSerializer(serializers.Serializer):
    owner = _UserField(required=False, allow_null=True, default=None, help_text=OWNER_HELP)
    owner_team = _TeamField(required=False, allow_null=True, default=None, help_text=OWNER_HELP)
    reason = serializers.CharField(
        max_length=2000, allow_blank=True, help_text="Why it moves; kept in its history."
    )
    version = serializers.IntegerField(
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED}
    )


class SafetyActionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        default="",
        help_text="Why it is cancelled (the victim declined it, moved to a refuge …); "
        "required, kept in its history and returned as `completion_note`.",
    )
    version = serializers.IntegerField(
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED}
    )


@extend_schema_field(OpenApiTypes.INT)
class _AbsentPersonField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "Choose someone you supervise or who is in your team",
        "incorrect_type": "Send the person's id as a number",
    }

    def get_queryset(self):
        return selectors.absence_people(self.context["request"].user)


class AbsenceCreateSerializer(serializers.Serializer):
    user = _AbsentPersonField(
        help_text="The person who is away: someone you supervise or in your team."
    )
    kind = serializers.ChoiceField(
        choices=AbsenceKind.choices,
        error_messages={"invalid_choice": "Choose annual_leave, sickness, training or other"},
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After `starts_at`.")
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


class SafetyPlanAgreeSerializer(serializers.Serializer):
    """The date a case's safety plan was agreed with the victim."""

    case = serializers.IntegerField(help_text="The case's id.")
    agreed_at = serializers.DateField(
        help_text="The day the victim agreed the plan (today or earlier, not before the case "
        "opened)."
    )
    version = serializers.IntegerField(
        required=False, help_text="The plan's version you read; 409 if it changed since."
    )


class SafetyPlanSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case_id")
    agreed_with_victim_at = serializers.DateTimeField(allow_null=True)
    agreed_by = serializers.CharField(source="agreed_by.get_full_name", allow_null=True)
    version = serializers.IntegerField()
