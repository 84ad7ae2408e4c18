"""Deny by default: who may reach what, for pages and the API alike.

Views name the roles that may use them; per-object rules live in each app's
`rules.py` and are applied by its selectors, so pages and API share them.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from dasapp.roles import has_role, role_names


def role_required(*roles: str):
    """Allow a view only to signed-in users holding one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def signed_in(view):
    """Allow a view to any signed-in user (their own account pages, the home page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


class HasAnyRole(BasePermission):
    """The API default: signed in and holding at least one role."""

    message = "Your account has no role that may use this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        allowed = getattr(view, "allowed_roles", None)
        if allowed is None:
            return bool(role_names(user))
        return has_role(user, *allowed)
