"""API for the one contact timeline per victim: `contacts/` lists a victim's contacts by
every agency (newest first, with the last contact and the other-agency warning) and
records one. Thin: rules in `cases.rules`, writes in `partners.services.contacts`, reads in
`partners.selectors.contacts`. Reading the timeline is logged as a consultation, recording a
contact as a collection (DPA 2018 s.62)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from cases import rules
from cases.models import Case
from dasapp import access
from dasapp import api_schema as schema
from dasapp.api import DomainError
from dasapp.models import AccessLog
from partners import rules as partner_rules
from partners.choices import ContactChannel, ContactOutcome
from partners.models import Contact
from partners.selectors import contacts as selectors
from partners.services import contacts as contact_services
from people.models import Person

ERRORS = schema.errors("Your role may not read or record victim contacts.")
NOT_FOUND = schema.not_found("victim")
ACCESS_HEADERS = schema.purpose_headers("case:42")
VICTIM_REQUIRED = "Give the id of the victim whose contacts you want"


# Shapes ---------------------------------------------------------------------------------


class ContactBySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return selectors.person_name(user)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="The team's kind (hub, IDVA service, partner agency …).")


class ContactSerializer(serializers.ModelSerializer):
    """One contact with the victim."""

    victim = serializers.IntegerField(source="victim_id")
    case = serializers.IntegerField(
        source="case_id",
        allow_null=True,
        help_text="The case it was filed under, if any, and if you may read that case.",
    )
    by = ContactBySerializer(help_text="Who made the contact.")
    agency = AgencySerializer(help_text="The agency (team) of the person who made it.")
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    channel_label = serializers.CharField(source="get_channel_display")
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    outcome_label = serializers.CharField(source="get_outcome_display")

    def to_representation(self, instance):
        """The case only when the caller may read it (an agency's staff read no case)."""
        data = super().to_representation(instance)
        readable = self.context.get("readable_case_ids")
        if readable is not None and data["case"] is not None and data["case"] not in readable:
            data["case"] = None
        return data

    class Meta:
        model = Contact
        fields = [
            "id",
            "victim",
            "case",
            "at",
            "by",
            "agency",
            "channel",
            "channel_label",
            "outcome",
            "outcome_label",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class ContactTimelineSerializer(serializers.Serializer):
    """A victim's contacts, newest first, with what to see before contacting her."""

    victim = serializers.IntegerField()
    last_contact = ContactSerializer(allow_null=True, help_text="The latest contact by anyone.")
    last_contact_text = serializers.CharField(help_text="The latest contact as a sentence.")
    warning_days = serializers.IntegerField(
        help_text="Another agency's contact this many days back raises the warning."
    )
    recent_other_agency_contact = ContactSerializer(
        allow_null=True,
        help_text="The latest contact by another agency than yours within the warning window.",
    )
    warning = serializers.CharField(
        allow_blank=True,
        help_text="The warning to read before contacting her; empty when there is none.",
    )
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ContactSerializer(many=True)


class ContactListQuerySerializer(serializers.Serializer):
    victim = serializers.IntegerField(
        min_value=1,
        error_messages={
            "required": VICTIM_REQUIRED,
            "invalid": "The victim must be a person's id, a whole number",
        },
    )


class ContactInputSerializer(serializers.Serializer):
    """Shape only: the rules (time not in the future, a team to record against, a case
    of this victim) are `contact_services.contact_record`'s."""

    victim = serializers.IntegerField(min_value=1, help_text="The person contacted.")
    case = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="One of her cases, if any."
    )
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    at = serializers.DateTimeField(help_text="When the contact happened: now or in the past.")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=contact_services.NOTE_MAX, default=""
    )


# Views ----------------------------------------------------------------------------------


class ContactViewSet(viewsets.GenericViewSet):
    """The contact timeline of a victim across agencies."""

    queryset = Contact.objects.none()
    serializer_class = ContactSerializer
    filter_backends: list = []
    allowed_roles = partner_rules.CONTACT_WORKERS

    def _victim(self, pk: int) -> Person:
        victim = selectors.contact_victim(user=self.request.user, pk=pk)
        if victim is None:
            raise Http404
        return victim

    @extend_schema(
        summary="A victim's contact timeline",
        description="Every contact with the victim by any agency (police, victim support, "
        "the IDVA, partners), newest first, with the last contact and, when another agency "
        "than yours contacted her within the force's warning window, the warning to read "
        "before you contact her. `victim` is required: the victim of a case you may read "
        "(DASOs, researchers and supervisors: any case; officers: their cases) or, for the "
        "staff of an IDVA service or partner agency, a victim their agency is working with "
        "now (`involvements/`). Anyone else, a perpetrator or an unknown id alike, is 404. "
        "Each read is written to the access log, with `X-Work-Item` only when it names "
        "something you may see about her (a case of hers, or `involvement:<id>`).",
        parameters=[
            OpenApiParameter(
                "victim",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=True,
                description="The victim's person id.",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY),
            *ACCESS_HEADERS,
        ],
        responses={200: ContactTimelineSerializer, **ERRORS, **NOT_FOUND},
    )
    def list(self, request):
        query = ContactListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        victim = self._victim(query.validated_data["victim"])
        summary = selectors.contact_summary(victim=victim, user=request.user)
        page = self.paginate_queryset(selectors.contact_timeline(victim=victim))
        access.log_consult(
            request,
            obj=victim,
            person_id=victim.pk,
            detail={"contacts": [c.pk for c in page]},
        )
        context = {
            "request": request,
            "readable_case_ids": selectors.readable_case_ids(user=request.user, victim=victim),
        }
        body = {
            "victim": victim.pk,
            "last_contact": ContactSerializer(summary.last, context=context).data
            if summary.last
            else None,
            "last_contact_text": summary.last_text,
            "warning_days": summary.warning_days,
            "recent_other_agency_contact": ContactSerializer(
                summary.recent_other, context=context
            ).data
            if summary.recent_other
            else None,
            "warning": summary.warning_text,
            "count": self.paginator.page.paginator.count,
            "next": self.paginator.get_next_link(),
            "previous": self.paginator.get_previous_link(),
            "results": ContactSerializer(page, many=True, context=context).data,
        }
        return Response(body)

    @extend_schema(
        summary="Record a contact with a victim",
        description="Adds a contact to the victim's timeline against your agency (your "
        "team): accounts not in a team are refused. The same victims as the list: an "
        "agency's staff only while their agency is working with her, and without `case`. "
        "`at` must be now or in the past; the note is optional. Written to the access log "
        "as a collection.",
        request=ContactInputSerializer,
        responses={201: ContactSerializer, **ERRORS, **NOT_FOUND},
    )
    def create(self, request):
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        victim = self._victim(values["victim"])
        case = None
        if values.get("case"):
            case = (
                rules.cases_visible_to(request.user, Case.objects.all())
                .filter(pk=values["case"])
                .first()
            )
            if case is None:
                raise DomainError(
                    "There is a problem with the contact.",
                    {"case": ["Choose one of this victim's cases"]},
                )
        contact = contact_services.contact_record(
            victim=victim,
            user=request.user,
            channel=values["channel"],
            outcome=values["outcome"],
            at=values["at"],
            note=values.get("note") or "",
            case=case,
        )
        access.log_action(
            request,
            action=AccessLog.Action.COLLECT,
            obj=contact,
            person_id=victim.pk,
            reason="Recorded a contact with the victim",
            detail={"agency": contact.agency_id, "case": contact.case_id},
        )
        contact = selectors.contact_timeline(victim=victim).get(pk=contact.pk)
        context = {
            "request": request,
            "readable_case_ids": selectors.readable_case_ids(user=request.user, victim=victim),
        }
        return Response(
            ContactSerializer(contact, context=context).data,
            status=status.HTTP_201_CREATED,
        )
