"""One error shape for the whole API.

    {"message": "…", "errors": {"field": ["…"]}, "status": 400}

Domain errors raised by services (`DomainError`, Django `ValidationError`) become 400s;
`ConflictError` becomes 409.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """A rule of the domain refused the change. `errors` maps fields to messages."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ConflictError(DomainError):
    """Somebody else changed the record since it was read."""

    status_code = status.HTTP_409_CONFLICT


def _as_list(value) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_as_list(item))
        return out
    if isinstance(value, dict):
        return [f"{key}: {msg}" for key, msgs in value.items() for msg in _as_list(msgs)]
    return [str(value)]


def error_body(message: str, errors: dict | None, code: int) -> dict:
    return {
        "message": message,
        "errors": {key: _as_list(value) for key, value in (errors or {}).items()},
        "status": code,
    }


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.message, exc.errors, exc.status_code), exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            error_body("There is a problem with the data sent.", errors, 400), status=400
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = error_body(
            "There is a problem with the data sent.", errors, response.status_code
        )
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        response.data = error_body(str(detail), {}, response.status_code)
    return response
