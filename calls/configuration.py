"""The force's call-handling configuration, read by the rules and the services alike."""

from __future__ import annotations

from calls.models import ResponseSettings
from org.models import Force


def response_settings() -> ResponseSettings:
    """The force's response settings, created with defaults when missing."""
    force = Force.objects.order_by("pk").first()
    if force is None:
        return ResponseSettings()  # unsaved defaults: no organisation loaded yet
    settings_row, _ = ResponseSettings.objects.get_or_create(force=force)
    return settings_row
