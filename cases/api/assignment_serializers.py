"""API shapes for who holds a case: claim, release, reassign (one case or a batch) and
close. Input serializers check shape only; `cases.assignment_services` says whether the
change may happen, so the API and the pages give the same errors."""

from __future__ import annotations

from rest_framework import serializers

from cases.api.casework_serializers import VERSION_REQUIRED, CaseSerializer, CaseSummarySerializer
from cases.assignment_services import BULK_MAX, REASON_MAX

VERSION_HELP = (
    "The case's `version` as you read it: if it changed since, the answer is 409 and "
    "nothing changes."
)
TO_USER_REQUIRED = "Choose who takes the case"


def _version(required: bool) -> serializers.IntegerField:
    if required:
        return serializers.IntegerField(
            help_text=VERSION_HELP,
            error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED},
        )
    return serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=f"Optional. {VERSION_HELP}"
    )


class ClaimInputSerializer(serializers.Serializer):
    version = _version(required=False)


class ReleaseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX,
        allow_blank=True,
        default="",
        help_text="Why. Optional when you release your own case; required when a supervisor "
        "takes a case off someone's caseload (they are told).",
    )
    version = _version(required=False)


class ReassignInputSerializer(serializers.Serializer):
    to_user = serializers.IntegerField(
        help_text="The new owner's user id: an active member of the queue's team holding "
        "the role that works the queue (or, with `across_teams`, of another team).",
        error_messages={"required": TO_USER_REQUIRED, "null": TO_USER_REQUIRED},
    )
    across_teams = serializers.BooleanField(
        default=False,
        help_text="true: the new owner may be a DASO (or researcher) of another hub or unit, "
        "covering while the case's team is away; the case moves to their team's queue for "
        "its risk level. Without it, someone of another team is refused (400).",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX,
        allow_blank=True,
        help_text="Why the case moves; required (kept in the history, sent to the new owner).",
    )
    version = _version(required=True)


class BulkCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = _version(required=True)


class BulkReassignInputSerializer(serializers.Serializer):
    cases = BulkCaseSerializer(
        many=True,
        help_text=f"The cases to move (at most {BULK_MAX}), each with the version you read.",
    )
    to_user = serializers.IntegerField(
        help_text="The new owner's user id: they must work the queue of every case (or, "
        "with `across_teams`, be able to cover it from another team).",
        error_messages={"required": TO_USER_REQUIRED, "null": TO_USER_REQUIRED},
    )
    across_teams = serializers.BooleanField(
        default=False,
        help_text="true: the new owner may be a DASO (or researcher) of another hub or unit, "
        "covering; each case whose queue they do not work moves to their team's queue for "
        "its risk level, as `cases/{id}/reassign/` does. Without it, someone of another "
        "team is refused (400).",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX, allow_blank=True, help_text="Why the cases move; required."
    )


class CloseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX, allow_blank=True, help_text="Why the case closes; required."
    )
    version = _version(required=True)


class WarningsMixin(serializers.Serializer):
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Done, but worth knowing: e.g. the new owner is not at work now (leave, "
        "sickness or off shift), so the case waits until they are back.",
    )


class ReassignResultSerializer(WarningsMixin):
    case = CaseSerializer()
    moved_to_queue = serializers.IntegerField(
        allow_null=True,
        help_text="The id of the queue the case moved to when another team covers it "
        "(`across_teams`); null when it stayed in its queue.",
    )


class MovedToQueueSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="The case's id.")
    queue = serializers.IntegerField(help_text="The id of the queue it moved to.")


class BulkReassignResultSerializer(WarningsMixin):
    reassigned = CaseSummarySerializer(many=True, help_text="The cases that moved.")
    moved_to_queues = MovedToQueueSerializer(
        many=True,
        help_text="The cases that moved to another team's queue (`across_teams`), with "
        "that queue; empty when every case stayed in its queue.",
    )
    unchanged = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the cases the new owner already held (left as they were).",
    )
