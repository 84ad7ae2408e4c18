"""One error shape for the whole API, token authentication, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import include, path
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from dasapp import urls as root_urls
from dasapp.api import ConflictError, DomainError
from dasapp.roles import Role

# A tiny API used only here, mounted beside the real URLs (see `errors_urls`).


class _Input(serializers.Serializer):
    phone = serializers.CharField(error_messages={"required": "Enter the caller's phone number"})
    people = serializers.IntegerField(
        min_value=1, error_messages={"min_value": "Enter at least 1 person"}, required=False
    )


class _ErrorsView(APIView):
    allowed_roles = frozenset({Role.DASO})

    def get(self, request, kind):
        return Response({"ok": True})

    def post(self, request, kind):
        if kind == "fields":
            _Input(data=request.data).is_valid(raise_exception=True)
        if kind == "domain":
            raise DomainError(
                "The risk level cannot go down without a reason",
                {"reason": ["Enter why the risk level is lower"]},
            )
        if kind == "django-validation":
            raise ValidationError({"due": ["Enter a due date in the future"]})
        if kind == "conflict":
            raise ConflictError("Someone else changed this case. Reload it and try again")
        if kind == "missing":
            raise Http404
        if kind == "crash":
            raise RuntimeError("a bug")
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/test-errors/<str:kind>/", _ErrorsView.as_view()),
    path("", include("dasapp.urls")),
]
# The real URLconf's handlers, so the test URLs answer errors as the site does.
handler404 = root_urls.handler404
handler500 = root_urls.handler500

errors_urls = pytest.mark.urls(__name__)
URL = "/api/v1/test-errors/{}/"


def token_client(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


@pytest.fixture
def daso(persona):
    return token_client(persona(Role.DASO))


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert "json" in response["Content-Type"]
    body = response.json()
    assert set(body) == {"message", "errors", "status"}
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    for messages in body["errors"].values():
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages)
    return body


# 400 ---------------------------------------------------------------------------------


@errors_urls
def test_field_errors_are_400_with_a_message_per_field(daso):
    body = assert_error_shape(
        daso.post(URL.format("fields"), {"people": 0}, content_type="application/json"), 400
    )
    assert body["message"] == "There is a problem with the data sent."
    assert body["errors"] == {
        "phone": ["Enter the caller's phone number"],
        "people": ["Enter at least 1 person"],
    }


@errors_urls
def test_malformed_json_is_400_in_the_same_shape(daso):
    response = daso.post(URL.format("fields"), "{not json", content_type="application/json")
    assert_error_shape(response, 400)


@errors_urls
def test_domain_error_from_a_service_is_400_with_its_field_errors(daso):
    body = assert_error_shape(daso.post(URL.format("domain")), 400)
    assert body["message"] == "The risk level cannot go down without a reason"
    assert body["errors"] == {"reason": ["Enter why the risk level is lower"]}


@errors_urls
def test_django_validation_error_from_a_service_is_400(daso):
    body = assert_error_shape(daso.post(URL.format("django-validation")), 400)
    assert body["errors"] == {"due": ["Enter a due date in the future"]}


# 401 and 403 -------------------------------------------------------------------------


@errors_urls
def test_no_credentials_is_401_and_names_the_token_scheme(db):
    response = Client().get(URL.format("anything"))
    body = assert_error_shape(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert body["message"] == "Authentication credentials were not provided."


@errors_urls
def test_a_wrong_token_is_401(db):
    response = Client(headers={"Authorization": "Token not-a-real-token"}).get(
        URL.format("anything")
    )
    assert assert_error_shape(response, 401)["message"] == "Invalid token."


@errors_urls
def test_an_account_without_a_role_is_403(persona):
    body = assert_error_shape(token_client(persona(None)).get(URL.format("anything")), 403)
    assert body["message"] == "Your account has no role that may use this."


@errors_urls
def test_a_role_the_endpoint_does_not_name_is_403(persona):
    response = token_client(persona(Role.PARTNER)).get(URL.format("anything"))
    assert_error_shape(response, 403)


@errors_urls
def test_the_named_role_gets_through(daso):
    assert daso.get(URL.format("anything")).json() == {"ok": True}


# 404, 405, 409 -----------------------------------------------------------------------


@errors_urls
def test_not_found_raised_in_a_view_is_404_in_the_shape(daso):
    assert assert_error_shape(daso.post(URL.format("missing")), 404)["message"] == "Not found."


def test_an_unknown_api_address_is_404_in_the_shape(persona):
    response = token_client(persona(Role.DASO)).get("/api/v1/no-such-thing/")
    assert_error_shape(response, 404)


def test_an_unknown_page_address_is_still_an_html_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@errors_urls
def test_a_method_the_endpoint_does_not_take_is_405_in_the_shape(daso):
    assert_error_shape(daso.delete(URL.format("anything")), 405)


@errors_urls
def test_a_conflicting_change_is_409_in_the_shape(daso):
    body = assert_error_shape(daso.post(URL.format("conflict")), 409)
    assert body["message"] == "Someone else changed this case. Reload it and try again"
    assert body["errors"] == {}


@errors_urls
def test_an_unexpected_failure_is_500_in_the_shape_without_details(persona):
    token, _ = Token.objects.get_or_create(user=persona(Role.DASO))
    c = Client(headers={"Authorization": f"Token {token.key}"}, raise_request_exception=False)
    body = assert_error_shape(c.post(URL.format("crash")), 500)
    assert "a bug" not in body["message"]


# OpenAPI schema ----------------------------------------------------------------------


def test_schema_needs_a_signed_in_caller(db):
    assert Client().get("/api/schema/").status_code == 401
    assert_error_shape(Client().get("/api/schema/?format=json"), 401)


def test_schema_renders_and_is_valid_openapi(persona):
    from drf_spectacular.validation import validate_schema

    response = token_client(persona(Role.DASO)).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Domestic abuse case management API"
    assert any(p.startswith("/api/v1/") for p in schema["paths"])
    validate_schema(schema)  # raises if the document breaks the OpenAPI specification
    schemes = schema["components"]["securitySchemes"]
    assert {"tokenAuth", "cookieAuth"} <= set(schemes)


def test_schema_is_served_as_yaml_by_default(persona):
    response = token_client(persona(Role.DASO)).get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi:" in response.content
