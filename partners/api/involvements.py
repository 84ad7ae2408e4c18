"""API for which agencies work with a victim: `involvements/` lists a victim's (the
agencies working with her now, and for those who record them the ones that did),
records one, and `involvements/<id>/end/` ends one. While an agency works with her, its
staff read and add to her contact timeline (`contacts/`). Thin: rules in `cases.rules`,
writes in `partners.services.involvements`, reads in `partners.selectors.involvements`. Reading
is logged as a consultation, recording as a collection, ending as an alteration."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dasapp import access
from dasapp import api_schema as schema
from dasapp.models import AccessLog
from org.models import Team
from partners import rules as partner_rules
from partners.api.contacts import AgencySerializer, ContactBySerializer
from partners.models import AgencyInvolvement
from partners.selectors import contacts as contact_selectors
from partners.selectors import involvements as selectors
from partners.services import involvements as services
from people.models import Person

ERRORS = schema.errors("Your role may not do this, or not for this victim.")
NOT_FOUND = schema.not_found("victim or involvement")
CONFLICT = schema.conflict("The involvement changed since you read it; nothing changed.")
VERSION_REQUIRED = "Send the version you read"


# Shapes ---------------------------------------------------------------------------------


class InvolvementSerializer(serializers.ModelSerializer):
    """An agency's work with a victim. `reason` and `end_reason` are null for callers
    who do not record involvements and are not of that agency; `case` and
    `safety_action` are null unless the caller may read the case."""

    victim = serializers.IntegerField(source="victim_id")
    agency = AgencySerializer()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    safety_action = serializers.IntegerField(
        source="safety_action_id",
        allow_null=True,
        help_text="The referral on her safety plan whose completion started it, if any.",
    )
    started_by = ContactBySerializer()
    reason = serializers.CharField(allow_null=True)
    ended_by = ContactBySerializer(allow_null=True)
    end_reason = serializers.CharField(allow_null=True)
    is_open = serializers.BooleanField(help_text="The agency is working with her now.")

    class Meta:
        model = AgencyInvolvement
        fields = [
            "id",
            "victim",
            "agency",
            "case",
            "safety_action",
            "started_at",
            "started_by",
            "reason",
            "is_open",
            "ended_at",
            "ended_by",
            "end_reason",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        readable = self.context.get("readable_case_ids", set())
        if instance.case_id not in readable:
            data["case"] = data["safety_action"] = None
        may_record = self.context.get("may_record", False)
        if not (may_record or instance.agency_id == self.context.get("agency_id")):
            data["reason"] = data["end_reason"] = None
        return data


class InvolvementListQuerySerializer(serializers.Serializer):
    victim = serializers.IntegerField(
        min_value=1,
        error_messages={
            "required": "Give the id of the victim whose agencies you want",
            "invalid": "The victim must be a person's id, a whole number",
        },
    )


class InvolvementInputSerializer(serializers.Serializer):
    """Shape only: the rules (an agency that may work with her and is not already, a
    reason) are `involvement_services.involvement_start`'s."""

    victim = serializers.IntegerField(min_value=1, help_text="The victim's person id.")
    agency = serializers.IntegerField(
        min_value=1, help_text="The id of the team: an IDVA service or partner agency."
    )
    reason = serializers.CharField(
        max_length=services.REASON_MAX,
        allow_blank=True,
        help_text="Why the agency works with her; required, kept in the history.",
    )


class InvolvementEndSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX,
        allow_blank=True,
        default="",
        help_text="Why it no longer works with her; required, kept in the history.",
    )
    version = serializers.IntegerField(
        error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED}
    )


# Views ----------------------------------------------------------------------------------


class InvolvementViewSet(viewsets.GenericViewSet):
    """The agencies outside the police (the IDVA service, victim support, partners)
    working with a victim."""

    queryset = AgencyInvolvement.objects.none()
    serializer_class = InvolvementSerializer
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    @property
    def allowed_roles(self):
        if getattr(self, "action", None) == "create":
            return partner_rules.INVOLVEMENT_RECORDERS
        if getattr(self, "action", None) == "end":
            return partner_rules.INVOLVEMENT_RECORDERS | partner_rules.AGENCY_ROLES
        return partner_rules.CONTACT_WORKERS

    def _victim(self, pk: int) -> Person:
        victim = contact_selectors.contact_victim(user=self.request.user, pk=pk)
        if victim is None:
            raise Http404
        return victim

    def _context(self, victim: Person, *, may_record: bool | None = None) -> dict:
        user = self.request.user
        return {
            "request": self.request,
            "readable_case_ids": contact_selectors.readable_case_ids(user=user, victim=victim),
            "may_record": partner_rules.can_record_involvement(user, victim)
            if may_record is None
            else may_record,
            "agency_id": partner_rules.agency_team_id(user),
        }

    @extend_schema(
        summary="The agencies working with a victim",
        description="The agencies outside the police working with the victim now (the "
        "IDVA service, victim support, partners), newest first; for DASOs and supervisors "
        "who work a case of hers, the ones that worked with her before too. `victim` is "
        "required: one whose contact timeline you may read (else 404). Written to the "
        "access log.",
        parameters=[
            OpenApiParameter(
                "victim",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=True,
                description="The victim's person id.",
            ),
            *schema.purpose_headers("involvement:7"),
        ],
        responses={200: InvolvementSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def list(self, request):
        query = InvolvementListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        victim = self._victim(query.validated_data["victim"])
        context = self._context(victim)
        rows = [
            involvement
            for involvement in selectors.victim_involvements(victim=victim)
            if involvement.is_open or context["may_record"]
        ]
        access.log_consult(
            request, obj=victim, person_id=victim.pk, detail={"involvements": [i.pk for i in rows]}
        )
        return Response(InvolvementSerializer(rows, many=True, context=context).data)

    @extend_schema(
        summary="Record an agency working with a victim",
        description="DASOs and supervisors who work an open case of hers record that an "
        "IDVA service or partner agency works with her, with a reason (403 for anyone "
        "else). From then its staff read and add to her contact timeline, and see nothing "
        "else of her cases; they are told in the app. Refused with a field error: a team "
        "that is not an agency, no reason, an agency already working with her. Written to "
        "the access log as a collection.",
        request=InvolvementInputSerializer,
        responses={201: InvolvementSerializer, **ERRORS, **NOT_FOUND},
    )
    def create(self, request):
        data = InvolvementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        victim = self._victim(values["victim"])
        cases = partner_rules.involvement_cases(request.user, victim)
        if not cases:
            raise PermissionDenied
        involvement = services.involvement_start(
            victim=victim,
            agency=Team.objects.filter(pk=values["agency"]).first(),
            user=request.user,
            reason=values["reason"],
            case=cases[0],
        )
        access.log_action(
            request,
            action=AccessLog.Action.COLLECT,
            obj=involvement,
            person_id=victim.pk,
            reason="Recorded an agency working with the victim",
            detail={"agency": involvement.agency_id, "case": involvement.case_id},
        )
        return Response(
            InvolvementSerializer(
                self._fresh(involvement), context=self._context(victim, may_record=True)
            ).data,
            status=status.HTTP_201_CREATED,
        )

    def _fresh(self, involvement: AgencyInvolvement) -> AgencyInvolvement:
        return selectors.victim_involvements(victim=involvement.victim).get(pk=involvement.pk)

    @extend_schema(
        summary="End an agency's work with a victim",
        operation_id="v1_involvements_end",
        description="The agency no longer works with her, with a `reason` kept in the "
        "history: its staff no longer see her contact timeline. For DASOs and supervisors "
        "who work a case of hers, and the agency's own staff. Send the `version` you read "
        "(409 if it changed). One already ended is refused with a field error on `status`.",
        request=InvolvementEndSerializer,
        responses={200: InvolvementSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="end", filter_backends=[])
    def end(self, request, pk=None):
        found = selectors.involvement_for(user=request.user, pk=pk)
        if found is None:
            raise Http404
        data = InvolvementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if found.is_open and not partner_rules.can_end_involvement(request.user, found):
            raise PermissionDenied
        ended = services.involvement_end(
            involvement=found,
            user=request.user,
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        access.log_alteration(request, obj=ended, person_id=ended.victim_id, change="end")
        return Response(
            InvolvementSerializer(self._fresh(ended), context=self._context(ended.victim)).data
        )
