"""API views for call handling: the call-taker's look-up and incidents pushed in by a
command-and-control system. Thin: shapes in `call_serializers`, rules in
`calls.services.calls` and `cases.rules`. Every look-up and every read of an incident is
written to the access log."""

from __future__ import annotations

import re

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from calls import intelligence
from calls import rules as call_rules
from calls.api import serializers as s
from calls.choices import Grade, IncidentRole, IncidentStatus
from calls.models import Incident
from calls.selectors import calls as call_selectors
from calls.services import abandon as abandon_services
from calls.services import calls as call_services
from calls.services import dispatch as dispatch_services
from dasapp import access
from dasapp import api_schema as schema
from dasapp.api import DomainError, error_body
from dasapp.models import AccessLog
from dasapp.roles import Role
from dasapp.serializers import ErrorSerializer
from people import selectors

LOOKUP_ROLES = frozenset({Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR})
INCIDENT_READERS = LOOKUP_ROLES
INCIDENT_WRITERS = frozenset({Role.CALL_TAKER, Role.SUPERVISOR})
# Candidates a name or date of birth resolves to, passed to the look-up.
NAME_CANDIDATES = 10
PURPOSE_REQUIRED = (
    "Send an X-Access-Purpose header saying why you are looking up a person by name or "
    "date of birth (kept in the access log), or an X-Work-Item you may see"
)
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
IDEMPOTENCY_KEY_INVALID = (
    "Send an Idempotency-Key of 1 to 80 letters, digits, dots, dashes, colons or underscores"
)
DRAFT_KEPT = (
    "The call is saved as a draft but cannot be logged yet. Correct the fields and send the "
    "request again with the same Idempotency-Key: the same draft is updated."
)
ADDRESS_ERROR_KEYS = {"line1", "line2", "town", "postcode"}
CALL_FIELDS = {
    "caller_phone",
    "location_type",
    "location_note",
    "narrative",
    "people",
    "grade",
    "grade_reason",
    "appointment_at",
    "version",
    "non_field_errors",
}

ERRORS = schema.errors()
NOT_FOUND = schema.not_found("call")
DISPATCH_ERRORS = schema.errors(
    "Only call-takers, attending officers and supervisors record arrivals and close calls."
)
STALE = schema.conflict("Someone else changed the call since you read it (stale `version`).")
PURPOSE_HEADERS = schema.purpose_headers("incident:42")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A key you choose per call (1 to 80 letters, digits, `._:-`; a UUID is "
    "ideal). A retried POST with the same key creates nothing new: it answers 200 with the "
    "same incident, or, if that draft was refused with field errors, updates it with the "
    "corrected data. Strongly recommended.",
)


def _api_errors(errors: dict) -> dict[str, list[str]]:
    """Service field names to the API's: address parts under `address.`, answers under
    `answers.`."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key in ADDRESS_ERROR_KEYS:
            name = f"address.{key}"
        elif key == "address_line1":
            name = "address"
        elif key in CALL_FIELDS:
            name = key
        else:
            name = f"answers.{key}"
        out.setdefault(name, []).extend(messages)
    return out


def _log_lookup(request, *, package: intelligence.Package, detail: dict, purpose: str = ""):
    access.log_search(
        request,
        object_type="people.person",
        purpose=purpose,
        detail={
            **detail,
            **package.shown_ids(),
        },
    )


def _incident_lookup(request, incident: Incident) -> intelligence.Package:
    """The look-up for a call, logged like the page's."""
    package, _ = call_services.call_lookup(incident)
    _log_lookup(
        request,
        package=package,
        detail={"incident": incident.pk},
        purpose=request.headers.get("X-Access-Purpose", "")[:500] or f"Call {incident.reference}",
    )
    return package


def _purpose_given(request) -> bool:
    """A stated purpose (`X-Access-Purpose`, not blank) or a verified work item
    (`X-Work-Item` the caller may see)."""
    return bool(
        request.headers.get("X-Access-Purpose", "").strip() or access.work_item_from(request)
    )


LOOKUP_PURPOSE_HEADERS = [
    OpenApiParameter(
        "X-Access-Purpose",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="Why you are looking (kept in the access log, DPA 2018 s.62). Required "
        "when looking up by `name` or `date_of_birth` unless a valid `X-Work-Item` is sent: "
        "without either the answer is 400 with a field error `X-Access-Purpose`. A look-up "
        "by number or address only does not need it.",
    ),
    *[p for p in PURPOSE_HEADERS if p.name != "X-Access-Purpose"],
]


class LookupView(APIView):
    """The call-taker's background intelligence for a number, address, name or date of birth."""

    allowed_roles = LOOKUP_ROLES

    def _lookup(self, request, data) -> Response:
        query = s.LookupQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        if query.is_empty:
            raise DomainError(
                s.LOOKUP_TERM_REQUIRED, {"non_field_errors": [s.LOOKUP_TERM_REQUIRED]}
            )
        terms = query.validated_data
        person_ids: list[int] = []
        if terms["name"].strip() or terms["date_of_birth"]:
            # Searching people by who they are, not by the number or the place of a call,
            # needs a reason, as a person's record does on the web.
            if not _purpose_given(request):
                raise DomainError(PURPOSE_REQUIRED, {"X-Access-Purpose": [PURPOSE_REQUIRED]})
            person_ids = selectors.person_search_ids(
                name=terms["name"], date_of_birth=terms["date_of_birth"], limit=NAME_CANDIDATES
            )
        package, _ = intelligence.lookup(
            intelligence.LookupQuery(
                phone=terms["phone"],
                address_line1=terms["address"],
                postcode=terms["postcode"],
                person_ids=person_ids,
            )
        )
        _log_lookup(request, package=package, detail={"fields": query.fields_used})
        return Response(package.as_json())

    @extend_schema(
        summary="Look up background intelligence (terms in the URL)",
        operation_id="v1_lookup",
        description="The same look-up as `POST lookup/`. Query parameters put the terms, which "
        "are personal data, in the URL, where proxies and server logs may keep them: "
        "integrators should prefer `POST lookup/`. Logged.",
        parameters=[s.LookupQuerySerializer, *LOOKUP_PURPOSE_HEADERS],
        responses={200: s.IntelligencePackageSerializer, **ERRORS},
    )
    def get(self, request):
        return self._lookup(request, request.query_params)

    @extend_schema(
        summary="Look up background intelligence (preferred)",
        operation_id="v1_lookup_search",
        description="Everything known about a number, an address (first line and postcode), "
        "a name or a date of birth, in a small fixed number of queries: live flags "
        "(high-risk victim, bail conditions, court orders, MARAC, officer safety), incidents "
        "in the last 12 months, the people and their household, suspects' history and "
        "children. The terms go in the body so that no personal data is put in URLs. "
        "Each look-up is written to the access log. A look-up by `name` or `date_of_birth` "
        "searches people by who they are and needs a purpose: the `X-Access-Purpose` header "
        "(or a valid `X-Work-Item`), else 400 with a field error `X-Access-Purpose`; by "
        "number or address alone it does not. If the database is slow the answer is "
        "still 200, with `unavailable` true and a message to ask the intelligence desk.",
        request=s.LookupQuerySerializer,
        responses={200: s.IntelligencePackageSerializer, **ERRORS},
        parameters=LOOKUP_PURPOSE_HEADERS,
    )
    def post(self, request):
        return self._lookup(request, request.data)


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices)
    grade = django_filters.ChoiceFilter(choices=Grade.choices)

    class Meta:
        model = Incident
        fields = ["status", "grade"]


class IncidentViewSet(viewsets.GenericViewSet):
    """Domestic abuse calls."""

    queryset = Incident.objects.none()
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter

    @property
    def allowed_roles(self):
        request = getattr(self, "request", None)
        if getattr(self, "action", None) in {"attended", "close"}:
            return call_rules.DISPATCHERS
        if request is None or request.method in SAFE_METHODS:
            return INCIDENT_READERS
        return INCIDENT_WRITERS

    def get_queryset(self):
        return call_rules.incidents_visible_to(
            self.request.user,
            Incident.objects.select_related("caller_phone", "address", "district"),
        )

    def _body(self, request, incident: Incident, package=None) -> dict:
        """The incident in full; for a draft, the live intelligence and suggestion."""
        incident = (
            self.get_queryset()
            .select_related("duplicate_of")
            .prefetch_related("involved__person")
            .get(pk=incident.pk)
        )
        live = None
        if incident.status == IncidentStatus.DRAFT:
            package = package or _incident_lookup(request, incident)
            live = (package, call_services.suggestion_for(incident, package))
        return s.IncidentSerializer(incident, context={"request": request, "live": live}).data

    def _draft_kept(self, request, incident: Incident, exc_message: str, errors: dict):
        incident.refresh_from_db()
        body = error_body(exc_message, _api_errors(errors), status.HTTP_400_BAD_REQUEST)
        body["incident"] = s.DraftReferenceSerializer(
            {
                "id": incident.pk,
                "reference": incident.reference,
                "status": incident.status,
                "version": incident.version,
            }
        ).data
        return Response(body, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        summary="List calls",
        description="Calls you may see: open calls first in dispatch-board order (most "
        "urgent grade, then least time left to attend), then the rest newest first. Drafts "
        "are shown only to the call-taker who opened them and to supervisors. Each list is "
        "written to the access log.",
        responses={200: s.IncidentSummarySerializer(many=True), **ERRORS},
    )
    def list(self, request):
        queryset = call_selectors.incidents_in_board_order(
            self.filter_queryset(self.get_queryset())
        )
        page = self.paginate_queryset(queryset)
        access.log_search(
            request,
            object_type="calls.incident",
            detail={
                "filters": sorted(k for k in ("status", "grade") if request.query_params.get(k)),
                "results": [incident.pk for incident in page],
            },
        )
        return self.get_paginated_response(s.IncidentSummarySerializer(page, many=True).data)

    @extend_schema(
        summary="Read a call",
        description="The call with its answers, people, grade and the reasons for the "
        "suggestion, and the intelligence package the attending officer opens on arrival "
        "(for a draft, a live look-up). Each read is written to the access log.",
        responses={200: s.IncidentSerializer, **ERRORS, **NOT_FOUND},
        parameters=PURPOSE_HEADERS,
    )
    def retrieve(self, request, pk=None):
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        if not call_rules.can_read_incident(request.user, incident):
            raise PermissionDenied
        victim = (
            incident.involved.filter(role=IncidentRole.VICTIM)
            .order_by("pk")
            .values_list("person_id", flat=True)
            .first()
        )
        access.log_consult(request, obj=incident, person_id=victim)
        return Response(self._body(request, incident))

    @extend_schema(
        summary="Log a call",
        description="Logs a call in one request, as a command-and-control system would, with "
        "the same checks as the call page. Without `grade` the call stays a draft and the "
        "answer carries the suggested grade with its reasons and the intelligence found; "
        "with `grade` it is logged and graded at once (a grade other than the suggestion "
        "needs `grade_reason`). An invalid number, postcode or answer is a field error "
        "(400) and what was sent is kept in a draft whose id is in the error: send the "
        "request again with the same `Idempotency-Key` and the corrected data. A retried "
        "request with the same key answers 200 with the same call and creates nothing.",
        request=s.IncidentCreateSerializer,
        responses={
            201: OpenApiResponse(s.IncidentSerializer, description="A new call."),
            200: OpenApiResponse(
                s.IncidentSerializer, description="The call already made with this key."
            ),
            400: OpenApiResponse(
                s.DraftErrorSerializer,
                description="Field errors. If `incident` is present, a draft keeps what was "
                "sent; without it (a malformed request), nothing was saved.",
            ),
            401: ERRORS[401],
            403: ERRORS[403],
        },
        parameters=[IDEMPOTENCY_HEADER, *PURPOSE_HEADERS],
    )
    def create(self, request):
        serializer = s.IncidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        if key and not IDEMPOTENCY_KEY_RE.match(key):
            raise DomainError(
                IDEMPOTENCY_KEY_INVALID, {"Idempotency-Key": [IDEMPOTENCY_KEY_INVALID]}
            )
        incident, created = call_services.incident_start(
            user=request.user,
            # Scoped to the API and the user: web keys and other users' keys never collide.
            idempotency_key=f"api:{request.user.pk}:{key}" if key else None,
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if incident.status != IncidentStatus.DRAFT:
            return Response(self._body(request, incident), status=answer)
        try:
            errors = call_services.incident_autosave(
                incident=incident, user=request.user, data=serializer.draft_input()
            )
        except DomainError:
            incident.refresh_from_db()
            if incident.status != IncidentStatus.DRAFT:  # a concurrent retry logged it
                return Response(self._body(request, incident), status=status.HTTP_200_OK)
            raise
        if errors:
            return self._draft_kept(request, incident, DRAFT_KEPT, errors)
        incident.refresh_from_db()
        package = _incident_lookup(request, incident)
        decision = serializer.grade_decision()
        if decision is not None:
            try:
                incident = call_services.incident_log_and_grade(
                    incident=incident, user=request.user, decision=decision, package=package
                )
            except DomainError as exc:
                return self._draft_kept(request, incident, exc.message, exc.errors)
            access.log_action(
                request,
                action=AccessLog.Action.COLLECT,
                obj=incident,
                purpose=f"Logged call {incident.reference}",
            )
        return Response(self._body(request, incident, package), status=answer)

    @extend_schema(
        summary="Grade a call",
        operation_id="v1_incidents_grade",
        description="Records the chosen grade: for a draft this logs the call (every question "
        "answered or skipped with a reason); for a logged call it regrades. A grade other "
        "than the suggestion needs `grade_reason` (400 with a field error `grade_reason` "
        "otherwise); grade and reason go into the call's history and a domain event. Send "
        "the `version` you read: if the call changed since, the answer is 409 and nothing "
        "changes. A scheduled grade needs `appointment_at`. A logged call is regraded only "
        "by a supervisor, or by the call-taker who logged it within the force's regrade "
        "window (15 minutes by default); anyone else gets 403. The time to attend always "
        "counts from when the call was logged, so a regrade never resets it, and the "
        "intelligence snapshot taken when the call was logged is kept: the regrade's fresh "
        "look-up is kept beside it.",
        request=s.GradeInputSerializer,
        responses={
            200: s.IncidentSerializer,
            **ERRORS,
            **NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="Changed by someone else."),
        },
        parameters=PURPOSE_HEADERS,
    )
    @action(detail=True, methods=["post"], url_path="grade", filter_backends=[])
    def grade(self, request, pk=None):
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        if incident.status == IncidentStatus.DRAFT and not call_rules.can_edit_call(
            request.user, incident
        ):
            raise PermissionDenied
        if incident.status in {IncidentStatus.ATTENDED, IncidentStatus.CLOSED}:
            raise DomainError(
                "This call has been attended; its grade can no longer change.",
                {"grade": ["The grade of an attended or closed call cannot change"]},
            )
        if incident.status == IncidentStatus.GRADED and not call_rules.can_regrade_call(
            request.user, incident
        ):
            raise PermissionDenied
        serializer = s.GradeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        package = _incident_lookup(request, incident)
        try:
            incident = call_services.incident_log_and_grade(
                incident=incident,
                user=request.user,
                decision=serializer.decision(),
                package=package,
            )
        except DomainError as exc:
            exc.errors = _api_errors(exc.errors)
            raise
        return Response(self._body(request, incident))

    def _dispatchable(self, request, pk) -> Incident:
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        if not call_rules.can_dispatch_incident(request.user, incident):
            raise PermissionDenied
        return incident

    def _log_alteration(self, request, incident: Incident, change: str) -> None:
        """The answer names the people on the call: the change is written to the access
        log, with the caller's `X-Access-Purpose` if sent."""
        victim = (
            incident.involved.filter(role=IncidentRole.VICTIM)
            .order_by("pk")
            .values_list("person_id", flat=True)
            .first()
        )
        access.log_alteration(request, obj=incident, person_id=victim, change=change)

    @extend_schema(
        summary="Record an officer's arrival",
        operation_id="v1_incidents_attended",
        description="An officer has arrived at a logged call: the call leaves the dispatch "
        'board\'s waiting list for its "attended, not closed" list. `attended_at` (now if '
        "left out) may not be in the future nor before the call was logged; "
        "`attended_late` in the answer says whether the arrival was after `attend_by`. "
        "Refused (400, `errors.status`) for a call already attended or closed, and for a "
        "telephone resolution, which is closed instead. Call-takers, attending officers "
        "and supervisors; recorded in the call's history and the access log. Send the "
        "`version` you read (409 if someone else changed the call since).",
        request=s.IncidentAttendedInputSerializer,
        responses={200: s.IncidentSerializer, **DISPATCH_ERRORS, **NOT_FOUND, **STALE},
        parameters=PURPOSE_HEADERS,
    )
    @action(detail=True, methods=["post"], url_path="attended", filter_backends=[])
    def attended(self, request, pk=None):
        incident = self._dispatchable(request, pk)
        data = s.IncidentAttendedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = dispatch_services.incident_attended(
            incident=incident,
            user=request.user,
            at=data.validated_data["attended_at"],
            version=data.validated_data["version"],
        )
        self._log_alteration(request, incident, "attended")
        return Response(self._body(request, incident))

    @extend_schema(
        summary="Close a call",
        operation_id="v1_incidents_close",
        description="Closes a logged call, attended or not, with how it ended (`outcome`) "
        "and a `note` (required: a field error `note` otherwise). `safeguarding` (attended "
        "and safeguarding in place) needs the officer's arrival recorded first. Refused "
        "(400, `errors.status`) for a call already closed. Call-takers, attending officers "
        "and supervisors; recorded in the call's history and the access log. Send the "
        "`version` you read (409 if someone else changed the call since).",
        request=s.IncidentCloseInputSerializer,
        responses={200: s.IncidentSerializer, **DISPATCH_ERRORS, **NOT_FOUND, **STALE},
        parameters=PURPOSE_HEADERS,
    )
    @action(detail=True, methods=["post"], url_path="close", filter_backends=[])
    def close(self, request, pk=None):
        incident = self._dispatchable(request, pk)
        data = s.IncidentCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = dispatch_services.incident_close(
            incident=incident,
            user=request.user,
            outcome=data.validated_data["outcome"],
            note=data.validated_data["note"],
            version=data.validated_data["version"],
        )
        self._log_alteration(request, incident, "close")
        return Response(self._body(request, incident))

    @extend_schema(
        summary="Abandon a call in progress",
        operation_id="v1_incidents_abandon",
        description="Abandons a call still in progress (a draft) with why: `mistake` "
        "(opened by mistake), `duplicate` (then `duplicate_of`, the other call's reference, "
        "is required and must name a call you may see), `no_contact` (the caller hung up "
        "before anything was said and could not be called back) or `test`, and an optional "
        "`note`. The call is never deleted: its status becomes `abandoned`, it leaves the "
        "calls in progress, the dispatch board and the calls to attend, and it stays in its "
        "history (with the user and reason) and a domain event; supervisors list abandoned "
        "calls with `GET incidents/?status=abandoned`. "
        + abandon_services.SILENT_CALL_WARNING
        + " Only the call-taker who started the call, or a supervisor, may abandon it "
        "(others 403). A logged call cannot be abandoned (400, `errors.status`): close it "
        "with its outcome. Send the `version` you read (409 if someone else changed the "
        "call since).",
        request=s.IncidentAbandonInputSerializer,
        responses={
            200: s.IncidentSerializer,
            **schema.errors(
                "Only the call-taker who started the call, or a supervisor, may abandon it."
            ),
            **NOT_FOUND,
            **STALE,
        },
        parameters=PURPOSE_HEADERS,
    )
    @action(detail=True, methods=["post"], url_path="abandon", filter_backends=[])
    def abandon(self, request, pk=None):
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        if not call_rules.may_abandon_calls_of(request.user, incident):
            raise PermissionDenied
        data = s.IncidentAbandonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = abandon_services.incident_abandon(
            incident=incident,
            user=request.user,
            reason=data.validated_data["reason"],
            duplicate_of=data.validated_data["duplicate_of"],
            note=data.validated_data["note"],
            version=data.validated_data["version"],
        )
        self._log_alteration(request, incident, "abandon")
        return Response(self._body(request, incident))
