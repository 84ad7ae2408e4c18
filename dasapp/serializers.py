"""API error shapes every resource shares: field errors, flat and by field."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """`{"phones": {1: {"number": [..]}}}` -> `{"phones.1.number": [..]}`."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            # List serializers report failing items by index: {0: {...}}.
            name = "" if key == "non_field_errors" and prefix else str(key)
            out_key = f"{prefix}.{name}" if prefix and name else (prefix or name)
            for k, v in flat_errors(value, out_key).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(errors, list | tuple):
        if all(not isinstance(item, dict | list) for item in errors):
            out[prefix or "non_field_errors"] = [str(item) for item in errors]
        else:
            for index, item in enumerate(errors):
                for k, v in flat_errors(item, f"{prefix}.{index}").items():
                    out.setdefault(k, []).extend(v)
    elif errors:
        out[prefix or "non_field_errors"] = [str(errors)]
    return out


class FlatErrorsSerializer(serializers.Serializer):
    """Reports nested errors under dotted names, so the one error shape stays flat."""

    @property
    def errors(self):
        return flat_errors(super().errors)


def django_to_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError(exc.messages)


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    status = serializers.IntegerField()
