from django.conf import settings
from django.utils.functional import SimpleLazyObject

from dasapp.middleware import two_factor_pending
from dasapp.navigation import nav_for
from dasapp.roles import primary_role, role_label
from dasapp.selectors import unread_count

SERVICE_NAME = "Domestic abuse case management"


def shell(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"service_name": SERVICE_NAME}
    if two_factor_pending(user):
        # Until the second factor is verified every page but the two-factor ones and
        # sign-out leads back here: offer no navigation into the service at all.
        return {
            "service_name": SERVICE_NAME,
            "two_factor_pending": True,
            "role_label": role_label(primary_role(user)),
            "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
            "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        }
    return {
        "service_name": SERVICE_NAME,
        "nav_items": nav_for(user, request.path),
        "role_label": role_label(primary_role(user)),
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "unread_notifications": unread_notifications(user),
    }


def unread_notifications(user):
    """The user's unread count, counted only if a template shows it."""
    return SimpleLazyObject(lambda: unread_count(user=user))
