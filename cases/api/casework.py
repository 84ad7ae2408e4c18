"""API views for casework: `cases/` (list, read, change the risk level, agree,
challenge, history) and `notifications/` (the caller's inbox); DV1s (`assessments/`) are
`risk.api`'s. Thin: shapes in `casework_serializers`, rules in `cases.rules`, writes in
`cases.case_services`. Every read of a case is written to the access log."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import case_services, rules, safety_selectors
from cases import casework_selectors as selectors
from cases.api import casework_serializers as s
from cases.filters import CaseFilter
from cases.models import Case
from dasapp import access, notify
from dasapp import api_schema as schema
from dasapp.models import Notification

ERRORS = schema.errors()
NOT_FOUND = schema.not_found("record")
CONFLICT = schema.conflict("The case changed since you read it; nothing changed.")
PURPOSE_HEADERS = schema.purpose_headers("queue:3, task:12")


class CaseViewSet(viewsets.GenericViewSet):
    """Victim–perpetrator cases."""

    queryset = Case.objects.none()
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter

    @property
    def allowed_roles(self):
        if getattr(self, "action", None) in {"risk_level", "agree", "challenge"}:
            return rules.CASE_WORKERS
        return rules.CASE_READERS

    def get_queryset(self):
        return selectors.cases_for_user(user=self.request.user).select_related("queue__team")

    def _case(self, request, pk) -> Case:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _reviewable(self, request, pk) -> Case:
        case = self._case(request, pk)
        latest = selectors.latest_assessment(selectors.case_assessments(case=case))
        if not rules.can_review_case(request.user, case, latest):
            raise PermissionDenied
        return case

    def _full(self, request, case: Case) -> dict:
        case = self.get_queryset().get(pk=case.pk)
        return s.CaseSerializer(case, context={"request": request}).data

    @extend_schema(
        summary="List cases",
        description="Cases you may see (researchers, DASOs and supervisors: all; officers: "
        "those they submitted a DV1 for or hold a task on), newest first. Filter by queue, "
        "team, risk level, status, district or breach. Each list is written to the access log.",
        responses={200: s.CaseSummarySerializer(many=True), **ERRORS},
    )
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("-opened_at", "-pk")
        page = self.paginate_queryset(queryset)
        access.log_search(
            request,
            object_type="cases.case",
            detail={
                "filters": sorted(
                    k for k in CaseFilter.base_filters if request.query_params.get(k)
                ),
                "results": [case.pk for case in page],
            },
        )
        return self.get_paginated_response(
            s.CaseSummarySerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="Read a case",
        description="The case with its risk level, queue, owner, time to the queue's review "
        "target, its DV1s, the latest DV1's MARAC criteria and its open tasks. Each read is "
        "written to the access log.",
        responses={200: s.CaseSerializer, **ERRORS, **NOT_FOUND},
        parameters=PURPOSE_HEADERS,
    )
    def retrieve(self, request, pk=None):
        case = self._case(request, pk)
        access.log_consult(request, obj=case, person_id=case.victim_id)
        return Response(self._full(request, case))

    @extend_schema(
        summary="Change a case's risk level",
        operation_id="v1_cases_risk_level",
        description="Researchers (on the researchers' queue and on cases whose latest DV1 "
        "scored standard), DASOs and supervisors change the level with a reason. The change "
        "keeps who, when, from, to and why, re-routes the case at once and raises or lifts "
        "the high-risk markers. Send the `version` you read: if the case changed since, the "
        "answer is 409 and nothing changes.",
        request=s.RiskLevelInputSerializer,
        responses={200: s.CaseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
        parameters=PURPOSE_HEADERS,
    )
    @action(detail=True, methods=["post"], url_path="risk-level", filter_backends=[])
    def risk_level(self, request, pk=None):
        case = self._reviewable(request, pk)
        data = s.RiskLevelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_services.case_risk_change(
            case=case,
            user=request.user,
            level=data.validated_data["risk_level"],
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        access.log_alteration(
            request, obj=case, person_id=case.victim_id, change="risk level", to=case.risk_level
        )
        return Response(self._full(request, case))

    @extend_schema(
        summary="Agree with a case's risk level",
        operation_id="v1_cases_agree",
        description="Records that you reviewed the grading and agree (with an optional note). "
        "Send the `version` you read (409 if it changed).",
        request=s.AgreeInputSerializer,
        responses={200: s.CaseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="agree", filter_backends=[])
    def agree(self, request, pk=None):
        case = self._reviewable(request, pk)
        data = s.AgreeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_services.case_review_agree(
            case=case,
            user=request.user,
            note=data.validated_data["note"],
            version=data.validated_data["version"],
        )
        access.log_alteration(request, obj=case, person_id=case.victim_id, change="agree")
        return Response(self._full(request, case))

    @extend_schema(
        summary="Challenge the officer's grading",
        operation_id="v1_cases_challenge",
        description="The officer who submitted the latest DV1 gets a task to answer, and a "
        "notification. Send the `version` you read (409 if it changed).",
        request=s.ChallengeInputSerializer,
        responses={200: s.CaseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="challenge", filter_backends=[])
    def challenge(self, request, pk=None):
        case = self._reviewable(request, pk)
        data = s.ChallengeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_services.case_challenge(
            case=case,
            user=request.user,
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        access.log_alteration(request, obj=case, person_id=case.victim_id, change="challenge")
        return Response(self._full(request, case))

    @extend_schema(
        summary="A case's history",
        operation_id="v1_cases_history",
        description="Every change to the case, oldest first: who, when, from what, to what "
        "and why, with the change as a sentence. For supervisors and the case's workers "
        "(its owner, the team working its queue, anyone who acted on it or holds a task on "
        'it). A safety-plan action is named by its catalogue label, or "Free-text '
        "action\", unless you work the case's safety plan. Written to the access log.",
        responses={200: s.CaseEventSerializer(many=True), **ERRORS, **NOT_FOUND},
        parameters=PURPOSE_HEADERS,
    )
    @action(
        detail=True, methods=["get"], url_path="history", filter_backends=[], pagination_class=None
    )
    def history(self, request, pk=None):
        case = self._case(request, pk)
        if not rules.can_see_case_history(request.user, case):
            raise PermissionDenied
        access.log_consult(request, obj=case, person_id=case.victim_id, detail={"history": True})
        context = {"request": request}
        if not safety_selectors.can_read_plan_text(request.user, case):
            context["safe_titles"] = safety_selectors.safe_action_titles(case=case)
        entries = selectors.case_timeline(case=case)
        return Response(s.CaseEventSerializer(entries, many=True, context=context).data)


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text="true: only unread ones."
    )

    class Meta:
        model = Notification
        fields: list[str] = []


class NotificationViewSet(viewsets.GenericViewSet):
    """The caller's own notifications."""

    queryset = Notification.objects.none()
    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(
        summary="Your notifications",
        description="Your own notifications, newest first; `unread=true` for unread only. "
        "Each links to its work item.",
        responses={200: s.NotificationSerializer(many=True), **ERRORS},
    )
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.NotificationSerializer(page, many=True).data)

    @extend_schema(
        summary="Mark a notification read",
        operation_id="v1_notifications_read",
        request=None,
        responses={200: s.NotificationSerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="read", filter_backends=[])
    def read(self, request, pk=None):
        note = get_object_or_404(self.get_queryset(), pk=pk)
        notify.notification_mark_read(notification=note, user=request.user)
        return Response(s.NotificationSerializer(note).data)
