"""Platform writes: the access log and the heartbeat."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dasapp.models import AccessLog, Heartbeat


def heartbeat_record(*, name: str, hostname: str = "") -> Heartbeat:
    """Record one beat. Safe to run concurrently: the row is created once, then bumped."""
    now = timezone.now()
    with transaction.atomic():
        beat, created = Heartbeat.objects.get_or_create(
            name=name, defaults={"beat_at": now, "count": 1, "hostname": hostname}
        )
        if not created:
            Heartbeat.objects.filter(pk=beat.pk).update(
                beat_at=now, count=F("count") + 1, hostname=hostname
            )
            beat.refresh_from_db()
    return beat


def access_record(
    *,
    user,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    person_id: int | None = None,
    purpose: str = "",
    work_item: str = "",
    recipient: str = "",
    channel: str = AccessLog.Channel.WEB,
    detail: dict | None = None,
    reason: str = "",
) -> AccessLog:
    """Append one row to the access log (DPA 2018 s.62). Every view of a person or case
    calls this, through `dasapp.access` in views and API views. `purpose` is only ever
    what the user stated; `reason` is what the system knows happened ("Opened the
    call's page"), kept in `detail` and never shown as a purpose given."""
    if reason:
        detail = {**(detail or {}), "reason": reason[:500]}
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        channel=channel,
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        purpose=purpose[:500],
        work_item=work_item[:100],
        recipient=recipient[:200],
        detail=detail or {},
    )
