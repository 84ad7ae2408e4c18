"""What the OpenAPI schema says of the answers every resource shares: field errors, not
signed in, refused, not found, a stale version, and the access-log headers."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from dasapp.serializers import ErrorSerializer


def errors(forbidden: str = "Your role may not do this.") -> dict[int, OpenApiResponse]:
    """400, 401 and 403, in the one error shape."""
    return {
        400: OpenApiResponse(ErrorSerializer, description="Field errors."),
        401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
        403: OpenApiResponse(ErrorSerializer, description=forbidden),
    }


def not_found(what: str = "record") -> dict[int, OpenApiResponse]:
    """404: absent and not yours to see are the same answer (no probing for ids)."""
    return {404: OpenApiResponse(ErrorSerializer, description=f"No such {what} you may see.")}


def conflict(description: str) -> dict[int, OpenApiResponse]:
    """409: the record changed since the caller read it (a stale `version`)."""
    return {409: OpenApiResponse(ErrorSerializer, description=description)}


def purpose_headers(example: str) -> list[OpenApiParameter]:
    """The headers that say why a record is opened, kept in the access log."""
    return [
        OpenApiParameter(
            "X-Access-Purpose",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="Why you are looking (kept in the access log, DPA 2018 s.62).",
        ),
        OpenApiParameter(
            "X-Work-Item",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description=f"The work item that brought you here, as kind:id (e.g. {example}). "
            "It must be one you may see and that concerns this record; one that is not is "
            "ignored, and the purpose is needed instead.",
        ),
    ]
