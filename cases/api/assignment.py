"""API for who holds a case: `cases/{id}/claim/`, `cases/{id}/release/`,
`cases/{id}/reassign/`, `cases/bulk-reassign/` and `cases/{id}/close/`.

A separate viewset on the same `cases` prefix as `cases.api.casework.CaseViewSet`: it has
only these actions, so the router adds only their routes. Its routes are included before
the casework ones (`dasapp/urls.py`), so `cases/bulk-reassign/` is not taken for a case
id. Thin: shapes in `assignment_serializers`, rules in `cases.rules`, writes in
`cases.assignment_services`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import assignment_services as services
from cases import casework_selectors as selectors
from cases import rules
from cases.api import assignment_serializers as s
from cases.api.casework import ERRORS, NOT_FOUND
from cases.api.casework_serializers import CaseSerializer, CaseSummarySerializer
from cases.models import Case
from dasapp import access
from dasapp import api_schema as schema
from dasapp.api import DomainError
from dasapp.models import User
from dasapp.roles import Role

CONFLICT = schema.conflict(
    "Someone else changed the case since you read it (stale `version`), or "
    "claimed it first: 'Already claimed by <name> at <time>'. Nothing changed."
)


def _user(pk: int) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise DomainError("Choose the new owner.", {"to_user": [f"There is no user with id {pk}"]})
    return user


def _log_alter(request, case: Case, change: str, **detail) -> None:
    """The answer names the victim: the change is written to the access log, with the
    caller's `X-Access-Purpose` if sent."""
    access.log_alteration(request, obj=case, person_id=case.victim_id, change=change, **detail)


class CaseAssignmentViewSet(viewsets.GenericViewSet):
    """Claim, release, reassign and close cases."""

    queryset = Case.objects.none()
    serializer_class = CaseSerializer
    filter_backends: list = []
    pagination_class = None

    @property
    def allowed_roles(self):
        if getattr(self, "action", None) in {"reassign", "bulk_reassign"}:
            return frozenset({Role.SUPERVISOR})
        return rules.CASE_WORKERS

    def get_queryset(self):
        return selectors.cases_for_user(user=self.request.user).select_related("queue__team")

    def _case(self, pk, allowed) -> Case:
        case = get_object_or_404(self.get_queryset(), pk=pk)
        if not allowed(self.request.user, case):
            raise PermissionDenied
        return case

    def _full(self, case: Case) -> dict:
        case = self.get_queryset().get(pk=case.pk)
        return CaseSerializer(case, context={"request": self.request}).data

    @extend_schema(
        summary="Claim a case",
        operation_id="v1_cases_claim",
        description="Takes an open, unassigned case onto your caseload. Only those who work "
        "the case's queue may claim it (DASOs from their team's DASO queues, researchers "
        "from their team's researchers' queue). When two people claim the same case at "
        "once exactly one wins; the other gets 409 'Already claimed by <name> at <time>'. "
        "Claiming a case you already hold changes nothing.",
        request=s.ClaimInputSerializer,
        responses={200: CaseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="claim")
    def claim(self, request, pk=None):
        case = self._case(pk, rules.can_claim_case)
        data = s.ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_claim(
            case=case, user=request.user, version=data.validated_data["version"]
        )
        _log_alter(request, case, "claim")
        return Response(self._full(case))

    @extend_schema(
        summary="Release a case",
        operation_id="v1_cases_release",
        description="Puts a held case back in its queue, unassigned: its owner (reason "
        "optional), or a supervisor (reason required; the owner is notified).",
        request=s.ReleaseInputSerializer,
        responses={200: CaseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="release")
    def release(self, request, pk=None):
        case = self._case(pk, rules.can_release_case)
        data = s.ReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_release(
            case=case,
            user=request.user,
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        _log_alter(request, case, "release")
        return Response(self._full(case))

    @extend_schema(
        summary="Reassign a case",
        operation_id="v1_cases_reassign",
        description="Supervisors give an open case to someone who works its queue, with a "
        "reason. Refused (400) for a switched-off account or someone who does not work the "
        "queue; done with a warning when the new owner is not at work now (leave, sickness "
        "or off shift). With `across_teams`, the new owner may be a DASO of another hub or "
        "unit covering while the case's team is away: the case moves to their team's queue "
        "for its risk level (`moved_to_queue`), refused (400) when that team has none. "
        "The new owner and the previous one are notified. Send the `version` you read "
        "(409 if it changed).",
        request=s.ReassignInputSerializer,
        responses={200: s.ReassignResultSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="reassign")
    def reassign(self, request, pk=None):
        case = self._case(pk, rules.can_reassign_case)
        data = s.ReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        if given["across_teams"] and not rules.can_reassign_across_teams(request.user, case):
            raise PermissionDenied
        result = services.case_reassign(
            case=case,
            user=request.user,
            to_user=_user(given["to_user"]),
            reason=given["reason"],
            version=given["version"],
            across_teams=given["across_teams"],
        )
        moved_to = result.queue.pk if result.queue is not None else None
        _log_alter(
            request,
            case,
            "reassign",
            to_user=given["to_user"],
            **({"queue": moved_to} if moved_to else {}),
        )
        return Response(
            {
                "case": self._full(result.cases[0]),
                "warnings": result.warnings,
                "moved_to_queue": moved_to,
            }
        )

    @extend_schema(
        summary="Reassign a batch of cases",
        operation_id="v1_cases_bulk_reassign",
        description="Supervisors give several cases to one person, all or nothing: if any "
        "case is closed, in a queue the new owner does not work (400) or changed since you "
        "read it (409), nothing moves and `errors.cases` says which. Cases the new owner "
        f"already holds are left as they are. At most {services.BULK_MAX} cases. With "
        "`across_teams`, the new owner may be a DASO of another hub or unit covering: "
        "each case moves to their team's queue for its risk level (`moved_to_queues`), "
        "its review due by the sooner of its due date and that queue's target.",
        request=s.BulkReassignInputSerializer,
        responses={200: s.BulkReassignResultSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=False, methods=["post"], url_path="bulk-reassign")
    def bulk_reassign(self, request):
        data = s.BulkReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        versions = {item["id"]: item["version"] for item in given["cases"]}
        visible = set(self.get_queryset().filter(pk__in=versions).values_list("pk", flat=True))
        hidden = sorted(set(versions) - visible)
        if hidden:
            raise DomainError(
                "Nothing was reassigned: some cases do not exist or you may not see them.",
                {"cases": [f"No case you may see has the id {pk}" for pk in hidden]},
            )
        if given["across_teams"] and not all(
            rules.can_reassign_across_teams(request.user, case)
            for case in self.get_queryset().filter(pk__in=versions)
        ):
            raise PermissionDenied
        result = services.cases_bulk_reassign(
            case_ids=list(versions),
            user=request.user,
            to_user=_user(given["to_user"]),
            reason=given["reason"],
            versions=versions,
            across_teams=given["across_teams"],
        )
        moved = self.get_queryset().filter(pk__in=[c.pk for c in result.cases]).order_by("pk")
        for case in moved:
            moved_to = result.queues.get(case.pk)
            _log_alter(
                request,
                case,
                "reassign",
                to_user=given["to_user"],
                **({"queue": moved_to.pk} if moved_to else {}),
            )
        return Response(
            {
                "reassigned": CaseSummarySerializer(
                    moved, many=True, context={"request": request}
                ).data,
                "unchanged": [c.pk for c in result.unchanged],
                "moved_to_queues": [
                    {"case": pk, "queue": queue.pk} for pk, queue in sorted(result.queues.items())
                ],
                "warnings": result.warnings,
            }
        )

    @extend_schema(
        summary="Close a case",
        operation_id="v1_cases_close",
        description="The case's owner or a supervisor closes it with a reason. Refused "
        "(400, `errors.safety_actions` lists them) while any safety-plan action is still "
        "open: mark each done or cancel it first. Closing "
        "lifts the case's high-risk markers. Send the `version` you read (409 if it "
        "changed).",
        request=s.CloseInputSerializer,
        responses={200: CaseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request, pk=None):
        case = self._case(pk, rules.can_close_case)
        data = s.CloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_close(
            case=case,
            user=request.user,
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        _log_alter(request, case, "close")
        return Response(self._full(case))
