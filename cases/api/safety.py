"""API for safety-plan actions (`safety-actions/`) and staff absences (`absences/`).

Thin: shapes in `safety_serializers`, rules in `cases.safety_selectors`, writes in
`cases.safety_services`. Lists are filtered to what the caller may see; reading actions
is written to the access log."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import rules
from cases import safety_selectors as selectors
from cases import safety_services as services
from cases.api import absence_serializers
from cases.api import safety_serializers as s
from cases.choices import ActionStatus
from cases.models import Case, SafetyAction
from dasapp import access
from dasapp import api_schema as schema
from dasapp.roles import Role
from org.choices import AbsenceKind
from org.models import Absence

ERRORS = schema.errors()
NOT_FOUND = schema.not_found("record")
CONFLICT = schema.conflict(
    "The action changed since you read it (a colleague, or the sweep moved it); nothing changed."
)


class SafetyActionFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="plan__case_id", help_text="A case's id.")
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    mine = django_filters.BooleanFilter(
        method="filter_mine", help_text="Only actions you, or your team, own."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="Only open actions past their due time."
    )

    class Meta:
        model = SafetyAction
        fields = ["case", "status", "mine", "overdue"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        team_id = getattr(getattr(user, "profile", None), "team_id", None)
        mine = queryset.filter(owner=user)
        if team_id:
            mine = mine | queryset.filter(owner__isnull=True, owner_team_id=team_id)
        return mine

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=ActionStatus.OPEN, due_at__lte=timezone.now())


class SafetyActionViewSet(viewsets.GenericViewSet):
    """Safety-plan actions: owner, due time, status and the follow-ups raised."""

    queryset = SafetyAction.objects.none()
    serializer_class = s.SafetyActionSerializer
    filterset_class = SafetyActionFilter

    @property
    def allowed_roles(self):
        if getattr(self, "action", None) in {"create", "reassign", "cancel"}:
            return selectors.PLAN_WORKERS
        return selectors.ACTION_OWNER_ROLES

    def get_queryset(self):
        return selectors.actions_for_user(user=self.request.user)

    def _body(self, request, action_obj: SafetyAction, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=action_obj.pk)
        return Response(s.SafetyActionSerializer(fresh).data, status=code)

    def _write(self, request, pk, *, input_class, may, change: str, write) -> Response:
        """One change to an action: 404 if the user may not see it, field errors, 403 if
        it is open and not theirs to change (one no longer open is refused by the
        service, with a field error, whoever asks), the service's refusal as 400 or 409,
        and the change in the access log (the answer shows the victim's case)."""
        found = get_object_or_404(self.get_queryset(), pk=pk)
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        if found.status == ActionStatus.OPEN and not may(request.user, found):
            raise PermissionDenied
        changed = write(found, data.validated_data)
        access.log_alteration(
            request, obj=changed, person_id=found.plan.case.victim_id, change=change
        )
        return self._body(request, changed)

    @extend_schema(
        summary="List safety-plan actions",
        description="Actions on cases you may read, and actions you (or your team) own, "
        "soonest due first. Filter by case, status, `mine` or `overdue`. Partner agencies "
        "see none. Written to the access log.",
        responses={200: s.SafetyActionSerializer(many=True), **ERRORS},
    )
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        access.log_search(
            request,
            object_type="cases.safetyaction",
            detail={
                "filters": sorted(
                    k for k in SafetyActionFilter.base_filters if request.query_params.get(k)
                ),
                "results": [a.pk for a in page],
            },
        )
        return self.get_paginated_response(s.SafetyActionSerializer(page, many=True).data)

    @extend_schema(
        summary="Read a safety-plan action",
        responses={200: s.SafetyActionSerializer, **ERRORS, **NOT_FOUND},
    )
    def retrieve(self, request, pk=None):
        found = get_object_or_404(self.get_queryset(), pk=pk)
        access.log_consult(request, obj=found, person_id=found.plan.case.victim_id)
        return Response(s.SafetyActionSerializer(found).data)

    @extend_schema(
        summary="Add a safety-plan action",
        description="Those who work the case's plan (supervisors, the case's owner, the DASOs "
        "or researchers who work its queue) add an action to its safety plan (started "
        "if the case has none): from the catalogue (`action_type`) or free text "
        "(`description`), owned by a person (`owner`) or a team (`owner_team`), due in the "
        "future. Refused with a field error: a due time in the past, an owner whose account "
        "is switched off, a team with nobody active in it, a partner agency. The owner is "
        "told in the app and by email.",
        request=s.SafetyActionCreateSerializer,
        responses={201: s.SafetyActionSerializer, **ERRORS},
    )
    def create(self, request):
        data = s.SafetyActionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not selectors.can_work_plan(request.user, values["case"]):
            raise PermissionDenied
        created = services.case_action_add(
            case=values["case"],
            user=request.user,
            action_type=values["action_type"],
            description=values["description"],
            owner=values["owner"],
            owner_team=values["owner_team"],
            due_at=values["due_at"],
        )
        access.log_alteration(
            request, obj=created, person_id=values["case"].victim_id, change="add"
        )
        return self._body(request, created, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Complete a safety-plan action",
        description="Set `status` to `done` with a `completion_note` saying what was done. "
        "For the action's owner (or anyone in its owning team) and those who work the case's "
        "plan. Send the `version` you read: if it changed since, the answer is 409 and "
        "nothing changes.",
        request=s.SafetyActionUpdateSerializer,
        responses={200: s.SafetyActionSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    def partial_update(self, request, pk=None):
        return self._write(
            request,
            pk,
            input_class=s.SafetyActionUpdateSerializer,
            may=selectors.can_complete_action,
            change="complete",
            write=lambda action, data: services.action_complete(
                action=action,
                user=request.user,
                note=data["completion_note"],
                version=data["version"],
            ),
        )

    @extend_schema(
        summary="Move a safety-plan action",
        operation_id="v1_safety_actions_reassign",
        description="Those who work the case's plan give an open action to another person "
        "(`owner`) or team (`owner_team`) with a `reason`, kept in its history. The new "
        "owner is told. "
        "Send the `version` you read (409 if it changed).",
        request=s.SafetyActionReassignSerializer,
        responses={200: s.SafetyActionSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="reassign", filter_backends=[])
    def reassign(self, request, pk=None):
        return self._write(
            request,
            pk,
            input_class=s.SafetyActionReassignSerializer,
            may=selectors.can_reassign_action,
            change="reassign",
            write=lambda action, data: services.action_reassign(
                action=action,
                user=request.user,
                to_user=data["owner"],
                to_team=data["owner_team"],
                reason=data["reason"],
                version=data["version"],
            ),
        )

    @extend_schema(
        summary="Cancel a safety-plan action",
        operation_id="v1_safety_actions_cancel",
        description="Those who work the case's plan cancel an open action that no longer makes "
        "sense (the victim declined a panic alarm, or moved to a refuge so patrols past the old "
        "address no longer apply) with a `reason`, kept in its history and returned as "
        "`completion_note`; `status` becomes `cancelled`. The owner is told it was "
        "cancelled (not why). The follow-up sweep leaves it alone and it no longer keeps "
        "the case from closing. Send the `version` you read (409 if it changed). An action "
        "already done or cancelled is refused with a field error on `status`.",
        request=s.SafetyActionCancelSerializer,
        responses={200: s.SafetyActionSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="cancel", filter_backends=[])
    def cancel(self, request, pk=None):
        return self._write(
            request,
            pk,
            input_class=s.SafetyActionCancelSerializer,
            may=selectors.can_cancel_action,
            change="cancel",
            write=lambda action, data: services.action_cancel(
                action=action,
                user=request.user,
                reason=data["reason"],
                version=data["version"],
            ),
        )


class AbsenceFilter(django_filters.FilterSet):
    user = django_filters.NumberFilter(field_name="user_id", help_text="A person's id.")
    kind = django_filters.ChoiceFilter(choices=AbsenceKind.choices)
    current = django_filters.BooleanFilter(
        method="filter_current", help_text="Only absences not yet over and not cancelled."
    )

    class Meta:
        model = Absence
        fields = ["user", "kind", "current"]

    def filter_current(self, queryset, name, value):
        return queryset.in_force().filter(ends_at__gt=timezone.now()) if value else queryset


class AbsenceViewSet(viewsets.GenericViewSet):
    """Staff leave, sickness and training that routing and follow-ups respect."""

    queryset = Absence.objects.none()
    serializer_class = s.AbsenceSerializer
    filterset_class = AbsenceFilter

    @property
    def allowed_roles(self):
        if getattr(self, "action", None) in {"create", "end", "change", "cancel"}:
            return frozenset({Role.SUPERVISOR})
        return None  # any role: everyone sees their own

    def get_queryset(self):
        return selectors.absences_for_user(user=self.request.user)

    @extend_schema(
        summary="List absences",
        description="Supervisors: the absences of the people they supervise and of their "
        "team, and their own. Everyone else: their own. Newest first.",
        responses={200: s.AbsenceSerializer(many=True), **ERRORS},
    )
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.AbsenceSerializer(page, many=True).data)

    @extend_schema(
        summary="Read an absence", responses={200: s.AbsenceSerializer, **ERRORS, **NOT_FOUND}
    )
    def retrieve(self, request, pk=None):
        return Response(s.AbsenceSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(
        summary="Record an absence",
        description="Supervisors record leave, sickness or training for someone they "
        "supervise or in their team. The end must be after the start and the person's "
        "account must be active. The follow-up sweep and case routing read it at once.",
        request=s.AbsenceCreateSerializer,
        responses={201: s.AbsenceSerializer, **ERRORS},
    )
    def create(self, request):
        data = s.AbsenceCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        absence = services.absence_record(
            user=request.user,
            person=values["user"],
            kind=values["kind"],
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            note=values["note"],
        )
        return Response(s.AbsenceSerializer(absence).data, status=status.HTTP_201_CREATED)

    def _changeable(self, request, pk) -> Absence:
        """One of the supervisor's people's absences (their own is theirs to read only)."""
        absence = get_object_or_404(self.get_queryset(), pk=pk)
        if not selectors.absence_people(request.user).filter(pk=absence.user_id).exists():
            raise PermissionDenied
        return absence

    @extend_schema(
        summary="End an absence early",
        description="Supervisors: the person is back (say, early from sickness). Ends the "
        "absence now, or at `at`: after its start and before its current end. A reason is "
        "needed and kept in the absence's history with your name. An absence already over "
        "is refused with an error on `absence`; one not yet started cannot be ended (change "
        "its dates). Routing and the follow-up sweep count the person at work from then.",
        request=absence_serializers.AbsenceEndSerializer,
        responses={200: s.AbsenceSerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="end", filter_backends=[])
    def end(self, request, pk=None):
        absence = self._changeable(request, pk)
        data = absence_serializers.AbsenceEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.absence_end(
            absence=absence,
            user=request.user,
            reason=data.validated_data["reason"],
            at=data.validated_data["at"],
        )
        return Response(s.AbsenceSerializer(ended).data)

    @extend_schema(
        summary="Change an absence's dates",
        description="Supervisors correct the start and end of an absence not yet over (the "
        "end after the start), with a reason kept in its history. An absence already over "
        "is refused with an error on `absence`.",
        request=absence_serializers.AbsenceChangeSerializer,
        responses={200: s.AbsenceSerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="change", filter_backends=[])
    def change(self, request, pk=None):
        absence = self._changeable(request, pk)
        data = absence_serializers.AbsenceChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        changed = services.absence_change(
            absence=absence,
            user=request.user,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            reason=values["reason"],
        )
        return Response(s.AbsenceSerializer(changed).data)

    @extend_schema(
        summary="Cancel an absence recorded by mistake",
        description="Supervisors, for the people they supervise or in their team (as for "
        "ending one): the absence is kept, with its history, marked cancelled with your "
        "name, the time and the `reason` (needed), and no longer counts for routing or the "
        "follow-up sweep. Safety-plan actions the sweep already moved because of it stay "
        "with whoever has them now (they are not moved back); each action's history says "
        "the absence was cancelled. An absence cancelled already is refused with an error "
        "on `absence`.",
        request=absence_serializers.AbsenceCancelSerializer,
        responses={200: s.AbsenceSerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="cancel", filter_backends=[])
    def cancel(self, request, pk=None):
        absence = self._changeable(request, pk)
        data = absence_serializers.AbsenceCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cancelled, _moved = services.absence_cancel(
            absence=absence, user=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.AbsenceSerializer(cancelled).data)


class SafetyPlanViewSet(viewsets.GenericViewSet):
    """Safety plans: recording the day a plan was agreed with the victim."""

    queryset = SafetyAction.objects.none()
    serializer_class = s.SafetyPlanSerializer
    allowed_roles = frozenset(selectors.PLAN_WORKERS)

    @extend_schema(
        summary="Record that a safety plan was agreed with the victim",
        operation_id="v1_safety_plans_agree",
        description="Those who work the case's plan record the day the victim agreed the case's "
        "safety plan (the plan is started if the case has none). Send the plan's `version` "
        "if you read it: 409 if it changed since.",
        request=s.SafetyPlanAgreeSerializer,
        responses={200: s.SafetyPlanSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=False, methods=["post"], url_path="agree", filter_backends=[])
    def agree(self, request):
        data = s.SafetyPlanAgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = get_object_or_404(
            rules.cases_visible_to(request.user, Case.objects.all()), pk=data.validated_data["case"]
        )
        if not selectors.can_work_plan(request.user, case):
            raise PermissionDenied
        plan = services.plan_get_or_create(case=case, user=request.user)
        plan = services.plan_agree(
            plan=plan,
            user=request.user,
            agreed_at=data.validated_data["agreed_at"],
            version=data.validated_data.get("version"),
        )
        access.log_alteration(request, obj=case, person_id=case.victim_id, change="plan agreed")
        return Response(s.SafetyPlanSerializer(plan).data)
