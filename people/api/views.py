"""API views for people and places. Thin: shapes in `serializers`, rules in services,
selectors and `cases.rules`. Every retrieve and search is written to the access log."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from dasapp import access
from dasapp import api_schema as schema
from dasapp.api import error_body
from dasapp.models import AccessLog
from dasapp.roles import PERSON_READERS, PERSON_WRITERS
from people import rules as people_rules
from people import selectors, services
from people.api import serializers as s
from people.filters import AddressFilter, PersonFilter, people_matching, used_fields
from people.models import Address, Person, PersonAddress

ERRORS = schema.errors()
NOT_FOUND = schema.not_found("record")
ACCESS_HEADERS = schema.purpose_headers("case:42")
GET_SEARCH_WARNING = (
    "Query parameters put the search terms, which are personal data, in the URL, where "
    "proxies and server logs may keep them. Integrators should prefer `POST "
    "/api/v1/people/search/` with the same fields in the body; these parameters remain for "
    "compatibility."
)


class ReadWriteRoles:
    """`allowed_roles` for `dasapp.permissions.HasAnyRole`: readers may read and search,
    writers may also create and correct."""

    read_roles = PERSON_READERS
    write_roles = PERSON_WRITERS
    read_actions = frozenset({"search"})

    @property
    def allowed_roles(self):
        request = getattr(self, "request", None)
        if request is None or request.method in SAFE_METHODS:
            return self.read_roles
        if getattr(self, "action", None) in self.read_actions:
            return self.read_roles
        return self.write_roles


def _person_detail(request, person_id) -> tuple[Person, dict]:
    person = get_object_or_404(
        people_rules.people_visible_to(request.user, selectors.people_with_contacts()), pk=person_id
    )
    context = {"request": request, "relationships": selectors.person_relationships(person=person)}
    return person, s.PersonDetailSerializer(person, context=context).data


class PersonViewSet(ReadWriteRoles, viewsets.GenericViewSet):
    """People: victims, suspects, children and household members, matched across formats."""

    queryset = Person.objects.none()
    filterset_class = PersonFilter
    serializer_class = s.PersonSummarySerializer

    def get_queryset(self):
        return people_rules.people_visible_to(self.request.user, selectors.people_with_contacts())

    def _respond_with_page(self, request, queryset, fields: list[str]):
        page = self.paginate_queryset(queryset)
        access.log_search(
            request,
            object_type="people.person",
            detail={
                "fields": fields,
                "results": [person.pk for person in page],
                "count": self.paginator.page.paginator.count,
            },
        )
        return self.get_paginated_response(s.PersonSummarySerializer(page, many=True).data)

    @extend_schema(
        summary="List or find people",
        description="Without parameters, every person you may see, by name. With any of "
        "name, date of birth, phone or postcode, the best matches first (at most 50). "
        + GET_SEARCH_WARNING,
        responses={200: s.PersonSummarySerializer(many=True), **ERRORS},
    )
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return self._respond_with_page(request, queryset, used_fields(request.query_params))

    @extend_schema(
        summary="Find people (preferred)",
        operation_id="v1_people_search",
        description="The same search as the list's parameters, with the terms in the body "
        "so that no personal data goes into URLs. Best matches first, at most 50. Logged.",
        request=s.PersonSearchSerializer,
        responses={200: s.PersonSummarySerializer(many=True), **ERRORS},
        parameters=ACCESS_HEADERS,
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="search", filter_backends=[])
    def search(self, request):
        serializer = s.PersonSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = serializer.validated_data
        queryset = people_matching(self.get_queryset(), **terms)
        return self._respond_with_page(request, queryset, used_fields(terms))

    @extend_schema(
        summary="Read a person",
        description="Names and aliases, addresses, numbers (which are safe), how to contact "
        "them safely, and their ties. Each read is written to the access log.",
        responses={200: s.PersonDetailSerializer, **ERRORS, **NOT_FOUND},
        parameters=ACCESS_HEADERS,
    )
    def retrieve(self, request, pk=None):
        person, data = _person_detail(request, pk)
        access.log_consult(request, obj=person, person_id=person.pk)
        return Response(data)

    @extend_schema(
        summary="Record a person",
        description="Validated as on the page. If people already recorded may be this "
        "person, the answer is 409 with their ids and nothing is saved: check them, then "
        'send again with "confirm_new": true. People are never merged.',
        request=s.PersonCreateSerializer,
        responses={
            201: s.PersonDetailSerializer,
            **ERRORS,
            409: OpenApiResponse(s.DuplicateErrorSerializer, description="Possible duplicates."),
        },
    )
    def create(self, request):
        serializer = s.PersonCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            person = services.person_register(
                data=serializer.registration(),
                user=request.user,
                confirm_new=serializer.validated_data["confirm_new"],
            )
        except services.PossibleDuplicateError as exc:
            visible = people_rules.people_visible_to(
                request.user, Person.objects.filter(pk__in=[p.pk for p in exc.candidates])
            )
            body = error_body(exc.message, exc.errors, status.HTTP_409_CONFLICT)
            body["candidates"] = sorted(visible.values_list("pk", flat=True))
            return Response(body, status=status.HTTP_409_CONFLICT)
        access.log_action(
            request,
            action=AccessLog.Action.COLLECT,
            obj=person,
            person_id=person.pk,
            reason="Recorded a new person",
        )
        return Response(_person_detail(request, person.pk)[1], status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a person",
        description="Send only the fields that change, with the `version` you read. If "
        "someone changed the person since, the answer is 409 and nothing changes; on "
        "success the version goes up by one.",
        request=s.PersonUpdateSerializer,
        responses={
            200: s.PersonDetailSerializer,
            **ERRORS,
            **NOT_FOUND,
            409: OpenApiResponse(s.ErrorSerializer, description="Changed by someone else."),
        },
    )
    def partial_update(self, request, pk=None):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = s.PersonUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.person_update(
            person_id=person.pk,
            version=serializer.validated_data["version"],
            changes=serializer.changes(),
            user=request.user,
            reason=serializer.validated_data.get("change_reason", ""),
        )
        access.log_action(
            request,
            action=AccessLog.Action.ALTER,
            obj=person,
            person_id=person.pk,
            detail={"fields": sorted(serializer.changes())},
        )
        return Response(_person_detail(request, person.pk)[1])


class AddressViewSet(ReadWriteRoles, viewsets.GenericViewSet):
    """Places, matched whatever the case, spacing, punctuation or abbreviations."""

    queryset = Address.objects.none()
    filterset_class = AddressFilter
    serializer_class = s.AddressSerializer

    def get_queryset(self):
        return Address.objects.select_related("district")

    @extend_schema(
        summary="Find addresses at a postcode",
        description="Addresses at the postcode, narrowed by first line when given "
        "(`12 High St.` finds 12 High Street). Logged as a search.",
        responses={200: s.AddressSerializer(many=True), **ERRORS},
    )
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        access.log_search(
            request,
            object_type="people.address",
            detail={
                "fields": sorted(k for k in ("postcode", "line1") if request.query_params.get(k)),
                "results": [address.pk for address in page],
            },
        )
        return self.get_paginated_response(s.AddressSerializer(page, many=True).data)

    @extend_schema(
        summary="Read an address",
        description="The address and the people linked to it. Each read is logged.",
        responses={200: s.AddressDetailSerializer, **ERRORS, **NOT_FOUND},
        parameters=ACCESS_HEADERS,
    )
    def retrieve(self, request, pk=None):
        address = get_object_or_404(self.get_queryset(), pk=pk)
        links = PersonAddress.objects.filter(
            address=address,
            person__in=people_rules.people_visible_to(request.user, Person.objects.all()),
        ).select_related("person")
        access.log_consult(request, obj=address)
        return Response(s.AddressDetailSerializer(address, context={"links": links}).data)

    @extend_schema(
        summary="Record an address",
        description="Returns the address already recorded (200) when the first line and "
        "postcode match one however they were typed, else records it (201).",
        request=s.AddressCreateSerializer,
        responses={
            200: OpenApiResponse(s.AddressSerializer, description="Already recorded."),
            201: OpenApiResponse(s.AddressSerializer, description="Recorded."),
            **ERRORS,
        },
    )
    def create(self, request):
        serializer = s.AddressCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address, created = services.address_get_or_create(**serializer.validated_data)
        return Response(
            s.AddressSerializer(address).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
