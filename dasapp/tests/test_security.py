"""Signing in and out, the lockout after repeated wrong passwords, and deny by default."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIRequestFactory

from dasapp.permissions import HasAnyRole, role_required
from dasapp.roles import Role

PASSWORD = "Correct-Horse-Battery-9"
SIGN_IN = "/account/sign-in/"


def sign_in(client, username, password, ip="192.0.2.10"):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="192.0.2.10"):
    for _ in range(times):
        response = sign_in(client, username, "not-the-password", ip=ip)
    return response


# Sign in and out -------------------------------------------------------------------


def test_correct_password_signs_in_and_lands_on_home(client, persona):
    persona(Role.DASO, username="dora")
    response = sign_in(client, "dora", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_wrong_password_shows_an_error_in_the_design_system_voice(client, persona):
    persona(Role.DASO, username="dora")
    response = sign_in(client, "dora", "nope")
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert client.get("/").status_code == 302


def test_sign_in_refuses_to_send_the_user_to_another_site(client, persona):
    persona(Role.DASO, username="dora")
    response = client.post(
        f"{SIGN_IN}?next=https://evil.example/",
        {"username": "dora", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_sign_out_needs_post_and_ends_the_session(client_for):
    c = client_for(Role.DASO)
    assert c.get("/account/sign-out/").status_code == 405
    assert c.get("/").status_code == 200
    response = c.post("/account/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert c.get("/").status_code == 302


# Lockout (django-axes) -------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, persona):
    persona(Role.DASO, username="dora")
    assert fail(client, "dora", 4).status_code == 200
    response = fail(client, "dora", 1)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Your account is locked for now" in page
    assert "There were 5 attempts to sign in with the wrong password" in page
    assert "Wait 30 minutes, then try again" in page


def test_locked_account_refuses_even_the_correct_password(client, persona):
    persona(Role.DASO, username="dora")
    fail(client, "dora", 5)
    response = sign_in(client, "dora", PASSWORD)
    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_lockout_message_shows_the_configured_cool_off(client, persona, settings):
    settings.AXES_COOLOFF_TIME = 1.5  # hours, as the setting is read from minutes
    persona(Role.DASO, username="dora")
    response = fail(client, "dora", 5)
    assert "Wait 1 hour 30 minutes, then try again" in response.content.decode()


def test_lockout_is_for_that_username_from_that_address_only(client, persona):
    persona(Role.DASO, username="dora")
    persona(Role.DASO, username="dan")
    fail(client, "dora", 5, ip="192.0.2.10")
    assert sign_in(client, "dan", PASSWORD, ip="192.0.2.10").status_code == 302
    client.logout()
    assert sign_in(client, "dora", PASSWORD, ip="198.51.100.7").status_code == 302


def test_lockout_ends_after_the_cool_off(client, persona):
    persona(Role.DASO, username="dora")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        fail(client, "dora", 5)
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert sign_in(client, "dora", PASSWORD).status_code == 302


def test_trying_during_the_lockout_starts_the_wait_again(client, persona):
    persona(Role.DASO, username="dora")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        fail(client, "dora", 5)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert sign_in(client, "dora", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        assert sign_in(client, "dora", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=45 + 31), tick=False):
        assert sign_in(client, "dora", PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failure_count(client, persona):
    persona(Role.DASO, username="dora")
    fail(client, "dora", 4)
    assert sign_in(client, "dora", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "dora", 4).status_code == 200
    assert sign_in(client, "dora", PASSWORD).status_code == 302


def test_lockout_settings_match_the_policy():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_lockout_does_not_write_the_username_to_the_logs(client, persona, caplog):
    persona(Role.DASO, username="dora.unique")
    with caplog.at_level("DEBUG"):
        fail(client, "dora.unique", 5)
    assert "dora.unique" not in caplog.text


# Deny by default ---------------------------------------------------------------------


def test_api_default_permission_needs_a_role(persona):
    factory = APIRequestFactory()
    permission = HasAnyRole()

    class View:
        pass

    request = factory.get("/api/v1/")
    request.user = persona(None)
    assert permission.has_permission(request, View()) is False
    request.user = persona(Role.PARTNER)
    assert permission.has_permission(request, View()) is True


def test_api_view_naming_roles_refuses_other_roles(persona):
    factory = APIRequestFactory()

    class View:
        allowed_roles = frozenset({Role.SUPERVISOR})

    request = factory.get("/api/v1/")
    request.user = persona(Role.DASO)
    assert HasAnyRole().has_permission(request, View()) is False
    request.user = persona(Role.SUPERVISOR)
    assert HasAnyRole().has_permission(request, View()) is True


def test_api_default_permission_is_the_role_check():
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
        "dasapp.permissions.HasAnyRole"
    ]


def test_role_required_refuses_a_role_not_named(rf, persona):
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    @role_required(Role.SUPERVISOR)
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/somewhere/")
    request.user = persona(Role.DASO)
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = persona(Role.SUPERVISOR)
    assert view(request).status_code == 200


def test_inactive_user_holds_no_role(persona):
    from dasapp.roles import role_names

    user = persona(Role.SUPERVISOR)
    user.is_active = False
    assert role_names(user) == frozenset()


def test_people_scope_shows_people_to_police_roles_and_nobody_to_partners(persona):
    from people import rules, services
    from people.models import Person

    person = services.person_create(
        data=services.PersonInput(given_name="Avery", family_name="Testperson")
    )
    everyone = Person.objects.all()
    assert list(rules.people_visible_to(persona(Role.DASO), everyone)) == [person]
    assert list(rules.people_visible_to(persona(Role.PARTNER), everyone)) == []
    assert list(rules.people_visible_to(persona(None), everyone)) == []
