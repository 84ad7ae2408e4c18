"""TOTP two-factor: required for supervisors, staff and superusers; API tokens unaffected."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import verify_two_factor
from dasapp.roles import Role
from demo.management.commands.seed_demo import current_code

SETUP = "/account/two-factor/setup/"
VERIFY = "/account/two-factor/verify/"


@pytest.fixture
def signed_in(persona):
    """Factory: a client signed in with a password only (no second step yet)."""

    def _make(role, **extra):
        user = persona(role, **extra)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return _make


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


# Who must use it -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/access-log/", "/people/", "/health/"])
def test_supervisor_without_an_authenticator_is_sent_to_set_one_up(signed_in, path):
    c = signed_in(Role.SUPERVISOR)
    response = c.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert f"next={path.replace('/', '%2F')}" in response["Location"]


def test_superuser_and_staff_must_set_up_two_factor(signed_in):
    for extra in ({"is_superuser": True, "is_staff": True}, {"is_staff": True}):
        c = signed_in(None)
        type(c.user).objects.filter(pk=c.user.pk).update(**extra)
        assert c.get("/").status_code == 302, extra
        response = c.get("/admin/")
        assert response["Location"].startswith(SETUP), extra


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.SUPERVISOR])
def test_other_roles_are_not_made_to_use_two_factor(signed_in, role):
    assert signed_in(role).get("/").status_code == 200


def test_anyone_who_has_set_it_up_verifies_before_anything_else(signed_in):
    c = signed_in(Role.DASO)
    confirmed_device(c.user)
    response = c.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_sign_out_and_the_two_factor_pages_stay_open_before_verifying(signed_in):
    c = signed_in(Role.SUPERVISOR)
    assert c.get(SETUP).status_code == 200
    assert c.post("/account/sign-out/").status_code == 302
    assert c.get("/").headers["Location"].startswith("/account/sign-in/")


def test_htmx_request_is_sent_to_two_factor_with_a_full_page_redirect(signed_in):
    c = signed_in(Role.SUPERVISOR)
    response = c.get("/people/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == SETUP


# Setting up -------------------------------------------------------------------------


def test_setup_page_shows_a_qr_code_and_the_key(signed_in):
    c = signed_in(Role.SUPERVISOR)
    response = c.get(SETUP)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=c.user, confirmed=False)
    assert f'data-hex="{device.bin_key.hex()}"' in page
    assert 'data-testid="totp-secret"' in page


def test_setting_up_with_the_right_code_confirms_the_device_and_returns_to_the_page(
    signed_in,
):
    c = signed_in(Role.SUPERVISOR)
    c.get(f"{SETUP}?next=/access-log/")
    device = TOTPDevice.objects.get(user=c.user, confirmed=False)
    response = c.post(f"{SETUP}?next=/access-log/", {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/access-log/"
    device.refresh_from_db()
    assert device.confirmed
    assert c.get("/access-log/").status_code == 200


def test_setting_up_with_a_wrong_code_says_so(signed_in):
    c = signed_in(Role.SUPERVISOR)
    c.get(SETUP)
    device = TOTPDevice.objects.get(user=c.user, confirmed=False)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = c.post(SETUP, {"token": wrong})
    assert response.status_code == 400
    assert b"The security code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=c.user, confirmed=True).exists()


def test_a_password_alone_cannot_enrol_a_second_authenticator(signed_in):
    c = signed_in(Role.SUPERVISOR)
    confirmed_device(c.user)
    response = c.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=c.user, confirmed=False).exists()


def test_setup_once_verified_says_it_is_already_set_up(client_for):
    c = client_for(Role.SUPERVISOR)
    response = c.get(SETUP, follow=True)
    assert b"Two-factor authentication is already set up" in response.content


# Verifying ---------------------------------------------------------------------------


def test_verifying_with_the_right_code_returns_to_the_page_asked_for(signed_in):
    c = signed_in(Role.SUPERVISOR)
    device = confirmed_device(c.user)
    response = c.post(f"{VERIFY}?next=/access-log/", {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/access-log/"
    assert c.get("/access-log/").status_code == 200


def test_verifying_with_a_wrong_code_says_so(signed_in):
    c = signed_in(Role.SUPERVISOR)
    device = confirmed_device(c.user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = c.post(VERIFY, {"token": wrong})
    assert response.status_code == 400
    assert b"The security code is not right" in response.content
    assert c.get("/").status_code == 302


def test_verify_asks_for_six_digits(signed_in):
    c = signed_in(Role.SUPERVISOR)
    confirmed_device(c.user)
    response = c.post(VERIFY, {"token": "12ab"})
    assert response.status_code == 400
    assert b"Enter the 6-digit security code" in response.content


def test_verify_refuses_to_send_the_user_to_another_site(signed_in):
    c = signed_in(Role.SUPERVISOR)
    device = confirmed_device(c.user)
    response = c.post(f"{VERIFY}?next=https://evil.example/", {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_repeated_wrong_codes_slow_down_guessing(signed_in):
    c = signed_in(Role.SUPERVISOR)
    device = confirmed_device(c.user)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
        for _ in range(3):
            c.post(VERIFY, {"token": wrong})
        device.refresh_from_db()
        assert c.post(VERIFY, {"token": current_code(device)}).status_code == 400
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        device.refresh_from_db()
        assert c.post(VERIFY, {"token": current_code(device)}).status_code == 302


def test_verify_without_an_authenticator_goes_to_setup(signed_in):
    c = signed_in(Role.SUPERVISOR)
    response = c.get(f"{VERIFY}?next=/people/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fpeople%2F"


# The API -------------------------------------------------------------------------------


def test_api_token_requests_are_not_asked_for_two_factor(persona):
    from rest_framework.authtoken.models import Token

    user = persona(Role.SUPERVISOR)
    token = Token.objects.get(user=user)
    response = Client().get("/api/v1/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200


def test_api_with_an_unverified_session_is_refused_in_the_error_shape(signed_in):
    c = signed_in(Role.SUPERVISOR)
    response = c.get("/api/v1/")
    assert response.status_code == 403
    body = response.json()
    assert body["status"] == 403
    assert "two-factor security code" in body["message"]


def test_api_with_a_verified_session_works(signed_in):
    c = signed_in(Role.SUPERVISOR)
    verify_two_factor(c, c.user)
    assert c.get("/api/v1/").status_code == 200


@pytest.mark.parametrize("kind", ["totp", "static", None])
@pytest.mark.django_db
def test_the_device_check_finds_a_confirmed_device_of_any_kind_in_one_query(
    kind, django_assert_num_queries
):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dasapp.middleware import has_confirmed_device
    from dasapp.models import User

    user = User.objects.create_user("device-owner", password="x-Password-2026")
    TOTPDevice.objects.create(user=user, name="unconfirmed", confirmed=False)
    if kind == "totp":
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    elif kind == "static":
        StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    with django_assert_num_queries(1):
        assert has_confirmed_device(user) is (kind is not None)


@pytest.mark.django_db
def test_enrolment_follows_every_device_saved_or_deleted():
    from django_otp.plugins.otp_static.models import StaticDevice

    from dasapp.models import User

    def enrolled(user) -> bool:
        return User.objects.get(pk=user.pk).two_factor_enrolled

    user = User.objects.create_user("enrolling", password="x-Password-2026")
    phone = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    assert not enrolled(user)
    phone.confirmed = True
    phone.save()
    assert enrolled(user)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    phone.delete()
    assert enrolled(user)  # the backup codes still count
    backup.delete()
    assert not enrolled(user)


def test_a_user_who_enrolled_of_their_own_accord_must_verify_without_a_query_for_devices(
    client, persona, django_assert_max_num_queries
):
    user = persona(Role.CALL_TAKER, team="control-room")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and "two-factor" in response["Location"]
    TOTPDevice.objects.filter(user=user).delete()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/people/").status_code == 200
    assert not [q for q in captured.captured_queries if "otp_" in q["sql"]]


# Before the second factor: no way into the service but the two-factor step ------------


def _links(page: str) -> set[str]:
    import re

    return set(re.findall(r'<a [^>]*href="([^"]+)"', page))


@pytest.mark.parametrize("enrolled", [False, True], ids=["setup", "verify"])
def test_two_factor_pages_offer_no_navigation_before_the_code_is_verified(signed_in, enrolled):
    c = signed_in(Role.SUPERVISOR)
    if enrolled:
        confirmed_device(c.user)
    response = c.get(VERIFY if enrolled else SETUP)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Primary navigation" not in page
    assert "moj-primary-navigation__link" not in page
    assert "System status" not in page
    # Only the skip link is left, and Sign out (a form button).
    assert _links(page) == {"#main-content"}
    assert 'action="/account/sign-out/"' in page


def test_navigation_returns_once_the_code_is_verified(signed_in):
    c = signed_in(Role.SUPERVISOR)
    verify_two_factor(c, c.user)
    page = c.get("/").content.decode()
    assert "Primary navigation" in page
    assert "/access-log/" in _links(page)
    assert "/health/" in _links(page)
