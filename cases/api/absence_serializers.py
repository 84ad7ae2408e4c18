"""API shapes for ending an absence early, correcting its dates and cancelling one
recorded by mistake. Shape only: an absence already over or cancelled, an end before its
start and a missing reason are the service's to refuse
(`cases.safety_services.absence_end`, `absence_change`, `absence_cancel`)."""

from __future__ import annotations

from rest_framework import serializers


class AbsenceEndSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="Why it ends early, e.g. back early from sickness. Kept in the absence's "
        "history with your name.",
    )
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When they are back; leave out for now. After the absence's start and "
        "before its current end.",
    )


class AbsenceChangeSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After `starts_at`.")
    reason = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="Why the dates change, e.g. leave extended by a week. Kept in the "
        "absence's history with your name.",
    )


class AbsenceCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="Why it was recorded by mistake, e.g. recorded for the wrong person. Kept "
        "in the absence's history with your name.",
    )
