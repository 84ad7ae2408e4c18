"""Idle timeout (15 minutes, warned before it) and absolute session lifetime (12 hours)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dasapp.roles import Role

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
TIMED_OUT = "/account/sign-in/?timeout=1"


def at(minutes: float):
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def daso(client_for):
    """A DASO whose session starts at START."""
    with at(0):
        c = client_for(Role.DASO)
        assert c.get("/").status_code == 200
    return c


def test_policy_is_15_minutes_idle_warned_2_minutes_before_and_12_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 15 * 60
    assert settings.SESSION_WARNING_SECONDS == 2 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_SECONDS


def test_idle_for_more_than_15_minutes_signs_out_and_says_why(daso):
    with at(15.5):
        response = daso.get("/people/")
        assert response.status_code == 302
        assert response["Location"] == TIMED_OUT
        assert daso.get("/").status_code == 302
        page = daso.get(TIMED_OUT).content.decode()
    assert "You were signed out because you had not done anything for a while" in page


def test_activity_within_15_minutes_keeps_the_session(daso):
    for minute in (14, 28, 42):
        with at(minute):
            assert daso.get("/").status_code == 200, minute


def test_polling_session_status_is_not_activity(daso):
    with at(10):
        response = daso.get("/account/session/")
        assert response.json() == {"seconds_left": 5 * 60}
    with at(15.5):
        assert daso.get("/").status_code == 302


def test_session_status_counts_down_from_the_last_activity(daso):
    with at(3):
        daso.get("/people/")
    with at(13):
        assert daso.get("/account/session/").json() == {"seconds_left": 5 * 60}


def test_stay_signed_in_counts_as_activity(daso):
    with at(14):
        response = daso.post("/account/session/extend/", headers={"HX-Request": "true"})
        assert response.json() == {"seconds_left": 15 * 60}
    with at(28):
        assert daso.get("/").status_code == 200


def test_stay_signed_in_without_script_returns_to_a_page_on_this_site_only(daso):
    with at(1):
        response = daso.post("/account/session/extend/", {"next": "/people/"})
        assert response["Location"] == "/people/"
        response = daso.post("/account/session/extend/", {"next": "https://evil.example/"})
        assert response["Location"] == "/"


def test_session_ends_after_12_hours_however_active(daso):
    minute = 0
    while minute < 12 * 60 - 10:
        minute += 10
        with at(minute):
            assert daso.get("/").status_code == 200, minute
    with at(12 * 60 + 1):
        response = daso.get("/")
        assert response.status_code == 302
        assert response["Location"] == TIMED_OUT


def test_session_status_shows_the_absolute_limit_when_it_comes_first(daso):
    last = 12 * 60 - 5
    for minute in [*range(14, last, 14), last]:
        with at(minute):
            assert daso.get("/").status_code == 200, minute
    with at(last):
        assert daso.get("/account/session/").json() == {"seconds_left": 5 * 60}


def test_htmx_request_after_timeout_gets_a_full_page_redirect(daso):
    with at(16):
        response = daso.get("/people/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == TIMED_OUT


def test_session_warning_script_gets_a_plain_redirect_it_can_follow(daso):
    with at(16):
        response = daso.post(
            "/account/session/extend/",
            headers={"HX-Request": "true", "Accept": "application/json"},
        )
    assert response.status_code == 302
    assert response["Location"] == TIMED_OUT


def test_api_call_with_a_timed_out_session_is_refused(daso):
    with at(16):
        response = daso.get("/api/v1/")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_signed_in_pages_carry_the_warning_settings(daso):
    with at(1):
        page = daso.get("/").content.decode()
    assert 'id="session-timeout"' in page
    assert 'data-idle-seconds="900"' in page
    assert 'data-warning-seconds="120"' in page
    assert 'data-status-url="/account/session/"' in page


def test_sign_in_starts_the_clocks(client, persona):
    persona(Role.DASO, username="dora")
    with at(0):
        client.post(
            "/account/sign-in/", {"username": "dora", "password": "Correct-Horse-Battery-9"}
        )
        assert client.get("/account/session/").json() == {"seconds_left": 15 * 60}
    with at(16):
        assert client.get("/").status_code == 302


def test_activity_is_written_at_most_every_30_seconds_and_never_lengthens_the_session(daso):
    with at(5):
        daso.get("/people/")  # written: 5 minutes since the last
    with at(5.25):
        with CaptureQueriesContext(connection) as captured:
            daso.get("/people/")
        assert not [
            q
            for q in captured.captured_queries
            if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")
        ], "a session write 15 s after the last"
        # Counted from the write at 5 minutes: the clock never runs past 15 minutes idle.
        assert daso.get("/account/session/").json() == {"seconds_left": 15 * 60 - 15}
    with at(5.75):
        daso.get("/people/")  # 45 s since the last write: written
        assert daso.get("/account/session/").json() == {"seconds_left": 15 * 60}
    with at(20.5):
        assert daso.get("/account/session/").json() == {"seconds_left": 15}
    with at(21):
        assert daso.get("/").status_code == 302
