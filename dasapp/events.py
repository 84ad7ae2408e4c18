"""Domain events: what happened to a work item, by verb. Only services write them;
timelines and reports read them rather than rebuilding meaning from history diffs."""

from __future__ import annotations

from django.utils import timezone

from dasapp.models import Event


def event_record(
    *,
    verb: str,
    actor,
    incident=None,
    case=None,
    old=None,
    new=None,
    reason: str = "",
) -> Event:
    """Append a domain event. Only services call this."""
    return Event.objects.create(
        at=timezone.now(),
        verb=verb,
        actor=actor if getattr(actor, "pk", None) else None,
        incident=incident,
        case=case,
        old=old or {},
        new=new or {},
        reason=reason,
    )
