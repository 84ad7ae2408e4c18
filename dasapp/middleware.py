"""Session lifetime and two-factor enforcement."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from dasapp.roles import role_names

SESSION_STARTED = "auth_started_at"
SESSION_ACTIVE = "last_active_at"
# Requests that ask about the session without being activity by the user.
PASSIVE_PATHS = {"/account/session/"}
# Activity is written to the session at most this often: a write costs every request
# three statements (BEGIN, UPDATE, COMMIT). The idle clock may so start up to this long
# early, never late: a session ends at most this much before 15 minutes idle.
ACTIVITY_RECORD_SECONDS = 30


def _is_htmx(request) -> bool:
    # HtmxMiddleware runs later in the chain, so read the header itself.
    return request.headers.get("HX-Request") == "true"


def _redirect(request, url: str):
    """A redirect that htmx follows with a full page load (HX-Redirect) rather than
    swapping the sign-in page into a fragment. A script asking for JSON (the session
    warning) gets a plain redirect, which fetch follows and recognises."""
    if _is_htmx(request) and "application/json" not in request.headers.get("Accept", ""):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def session_seconds_left(session, now: float | None = None) -> int:
    """Seconds before the session ends: idle limit or absolute lifetime, whichever is first."""
    now = time.time() if now is None else now
    last = session.get(SESSION_ACTIVE, now)
    started = session.get(SESSION_STARTED, now)
    left = min(
        settings.SESSION_IDLE_TIMEOUT_SECONDS - (now - last),
        settings.SESSION_ABSOLUTE_SECONDS - (now - started),
    )
    return max(0, int(left))


class SessionTimeoutMiddleware:
    """Sign out after 15 minutes idle or 12 hours in all (both configurable).

    Token-authenticated API calls carry no session and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            recorded = request.session.get(SESSION_ACTIVE)
            last = now if recorded is None else recorded
            if started is None:
                request.session[SESSION_STARTED] = started = now
            idle = now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS
            too_old = now - started > settings.SESSION_ABSOLUTE_SECONDS
            if idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    # Carry on as an anonymous caller: the API answers 401.
                    return self.get_response(request)
                return _redirect(request, f"{reverse('login')}?timeout=1")
            stale = recorded is None or now - recorded >= ACTIVITY_RECORD_SECONDS
            if request.path not in PASSIVE_PATHS and stale:
                request.session[SESSION_ACTIVE] = now
        return self.get_response(request)


def has_confirmed_device(user) -> bool:
    """`django_otp.user_has_device(user, confirmed=True)` in one query rather than one
    per kind of device: it runs on every request of a signed-in, unverified user."""
    from django_otp import device_classes

    kinds = [
        kind.objects.filter(user=user, confirmed=True).values("pk").order_by()
        for kind in device_classes()
    ]
    if not kinds:
        return False
    return kinds[0].union(*kinds[1:], all=True).exists()


def needs_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool(role_names(user) & required)


def two_factor_pending(user) -> str:
    """The two-factor step a signed-in user has still to take before anything else:
    "two_factor_verify" (an enrolled user), "two_factor_setup" (one who must use it), or
    "" (none: verified, or not required)."""
    if not user.is_authenticated:
        return ""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return ""
    if user.two_factor_enrolled:
        return "two_factor_verify"
    if needs_two_factor(user):
        return "two_factor_setup"
    return ""


class TwoFactorRequiredMiddleware:
    """A user who must use two-factor, or has set it up, verifies before anything else.

    Applies to everything reached with a session, the API included. API calls with a
    token carry no session user here, so integrations are not affected.
    """

    ALLOWED_PREFIXES = (
        "/account/two-factor/",
        "/account/sign-out/",
        "/static/",
        "/healthz",
        "/favicon.ico",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.ALLOWED_PREFIXES):
            step = two_factor_pending(request.user)
            if step:
                return self._refuse(request, step)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, url_name: str):
        if request.path.startswith("/api/"):
            from dasapp.api import error_body

            message = (
                "Enter your two-factor security code in the browser first, "
                "or call the API with a token."
            )
            return JsonResponse(error_body(message, {}, 403), status=403)
        url = reverse(url_name)
        if request.method == "GET" and not _is_htmx(request):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return _redirect(request, url)
