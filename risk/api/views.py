"""API views for DV1s, `assessments/`: submit a DV1 in one request, read one. Thin:
shapes in `risk.api.serializers`, rules in `risk.rules`, writes in `risk.services`.
Every read of a DV1 is written to the access log."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from dasapp import access
from dasapp import api_schema as schema
from dasapp.api import DomainError, error_body
from risk import rules
from risk import services as risk_services
from risk.api import serializers as s
from risk.models import Assessment
from risk.question_sets import current_set

ERRORS = schema.errors()
NOT_FOUND = schema.not_found("record")
PURPOSE_HEADERS = schema.purpose_headers("queue:3, task:12")
# Service field names for a DV1 to the API's.
ASSESSMENT_FIELDS = {
    "officer_level",
    "level_reason",
    "professional_judgement_reason",
    "version",
    "non_field_errors",
    "open_case",
}
# Service field names the API nests.
NESTED_FIELDS = {"open_case_reason": "open_case.reason"}


def _assessment_errors(errors: dict) -> dict[str, list[str]]:
    """`q7` -> `answers.7`, `stalking-S1` -> `supplements.stalking.S1`."""
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key in ASSESSMENT_FIELDS:
            name = key
        elif key in NESTED_FIELDS:
            name = NESTED_FIELDS[key]
        elif key.startswith("q") and key[1:].isdigit():
            name = f"answers.{key[1:]}"
        elif "-" in key:
            supplement, _, code = key.partition("-")
            name = f"supplements.{supplement}.{code}"
        else:
            name = key
        out.setdefault(name, []).extend(messages)
    return out


def _case_choice(given: dict | None) -> risk_services.CaseChoice | None:
    if not given:
        return None
    return risk_services.CaseChoice(
        action=given["action"], case_id=given.get("case"), reason=given.get("reason", "")
    )


class AssessmentViewSet(viewsets.GenericViewSet):
    """DV1 forms with the DASH risk checklist."""

    queryset = Assessment.objects.none()
    serializer_class = s.AssessmentSerializer

    @property
    def allowed_roles(self):
        if getattr(self, "action", None) == "create":
            return frozenset(rules.DV1_WRITERS)
        return frozenset(rules.DV1_READERS)

    def get_queryset(self):
        return Assessment.objects.select_related(
            "victim",
            "perpetrator",
            "question_set",
            "case__queue",
            "created_by",
            "submitted_by",
        )

    def _body(self, request, assessment: Assessment) -> dict:
        assessment = self.get_queryset().get(pk=assessment.pk)
        return s.AssessmentSerializer(assessment, context={"request": request}).data

    @extend_schema(
        summary="Read a DV1",
        description="The DV1 with its answers, scoring, MARAC criteria and where its case "
        "was routed. Written to the access log.",
        responses={200: s.AssessmentSerializer, **ERRORS, **NOT_FOUND},
        parameters=PURPOSE_HEADERS,
    )
    def retrieve(self, request, pk=None):
        assessment = get_object_or_404(self.get_queryset(), pk=pk)
        if not rules.can_read_assessment(request.user, assessment):
            raise Http404
        access.log_consult(request, obj=assessment, person_id=assessment.victim_id)
        return Response(self._body(request, assessment))

    @extend_schema(
        summary="Submit a DV1",
        description="Submits a complete DV1 in one request, with the same checks as the DV1 "
        "page: every question answered (not known is an answer), the supplements the answers "
        "open, a level with a reason when it differs from the suggestion. On success the DV1 "
        "joins the victim's open case (the one with the same perpetrator, or when the "
        "perpetrator is not known on either side her highest-risk one; `open_case` chooses "
        "otherwise) or opens a new case, its risk set or raised (a joining DV1 never lowers "
        "it) and routed at "
        "once (high risk to the hub on duty for the victim's district, with the central "
        "referral unit notified), and the answer carries the yes count, the suggested level, "
        "the level recorded, the MARAC criteria met, the case and where it was routed. A "
        "partner agency's completed SafeLives checklist is accepted with `question_set` "
        "`safelives`. If the DV1 cannot be submitted the answer is 400 with field errors, "
        "and what was sent is kept in a draft whose id is in the error.",
        request=s.AssessmentCreateSerializer,
        responses={
            201: s.AssessmentSerializer,
            400: OpenApiResponse(
                s.AssessmentErrorSerializer,
                description="Field errors. With `assessment`, a draft keeps what was sent.",
            ),
            401: ERRORS[401],
            403: ERRORS[403],
        },
    )
    def create(self, request):
        data = s.AssessmentCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        given = data.validated_data
        with transaction.atomic():
            assessment = risk_services.assessment_start(
                incident=given["incident"],
                victim=given["victim"],
                perpetrator=given["perpetrator"],
                user=request.user,
                question_set=current_set(given["question_set"]),
            )
            assessment, errors = risk_services.assessment_save(
                assessment=assessment,
                user=request.user,
                changes=risk_services.DraftChanges(
                    answers=given["answers"],
                    supplements=given["supplements"],
                    honour_context=given["honour_context"],
                    household=given["household"],
                    witnesses=given["witnesses"],
                    safeguarding=given["safeguarding"],
                    evidence=given["evidence"],
                    narrative=given["narrative"],
                    officer_level=given["officer_level"],
                    level_reason=given["level_reason"],
                    professional_judgement=given["professional_judgement"],
                    professional_judgement_reason=given["professional_judgement_reason"],
                ),
            )
        if errors:
            return self._draft_kept(assessment, "The DV1 cannot be submitted yet.", errors)
        try:
            assessment = risk_services.assessment_submit(
                assessment=assessment,
                user=request.user,
                case_choice=_case_choice(given["open_case"]),
            )
        except DomainError as exc:
            return self._draft_kept(assessment, exc.message, exc.errors)
        return Response(self._body(request, assessment), status=status.HTTP_201_CREATED)

    def _draft_kept(self, assessment: Assessment, message: str, errors: dict) -> Response:
        assessment.refresh_from_db()
        body = error_body(message, _assessment_errors(errors), status.HTTP_400_BAD_REQUEST)
        body["assessment"] = s.DraftRefSerializer(
            {
                "id": assessment.pk,
                "reference": assessment.reference,
                "status": assessment.status,
                "version": assessment.version,
            }
        ).data
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
