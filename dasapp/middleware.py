"""Session lifetime and two-factor enforcement."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from dasapp.roles import role_names

SESSION_STARTED = "auth_started_at"
SESSION_ACTIVE = "last_active_at"
# Requests that ask about the session without being activity by the user.
PASSIVE_PATHS = {"/account/session/"}


class SessionTimeoutMiddleware:
    """Sign out after 15 minutes idle or 12 hours in all (both configurable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            last = request.session.get(SESSION_ACTIVE, now)
            if started is None:
                request.session[SESSION_STARTED] = started = now
            idle = now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS
            too_old = now - started > settings.SESSION_ABSOLUTE_SECONDS
            if idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                response = redirect(f"{reverse('login')}?timeout=1")
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = response["Location"]
                return response
            if request.path not in PASSIVE_PATHS:
                request.session[SESSION_ACTIVE] = now
        return self.get_response(request)


def needs_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool(role_names(user) & required)


class TwoFactorRequiredMiddleware:
    """A user who must use two-factor, or has set it up, verifies before anything else."""

    ALLOWED_PREFIXES = ("/account/two-factor/", "/account/sign-out/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not request.path.startswith("/api/")
        ):
            from django_otp import user_has_device

            if user_has_device(user, confirmed=True):
                return redirect(f"{reverse('two_factor_verify')}")
            if needs_two_factor(user):
                return redirect(reverse("two_factor_setup"))
        return self.get_response(request)
