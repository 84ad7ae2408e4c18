"""The test app's one verb, declared as any app declares its verbs (see dasapp.events)."""

from __future__ import annotations

from django.db import models

from dasapp.events import by, entry, register_verbs, verb_formatter, why


@register_verbs
class EventVerb(models.TextChoices):
    PARCEL_SENT = "parcel_sent", "Parcel sent to the refuge"


def _courier(event) -> list[object]:
    return [(event.new or {}).get("courier")]


@verb_formatter(EventVerb.PARCEL_SENT, mentions=_courier)
def _parcel_sent(event, names):
    new = event.new or {}
    courier = names.get(new.get("courier"), "a courier")
    return entry(
        event,
        f"Parcel sent with {courier} {by(event)}{why(event)}",
        [f"{new.get('items', 0)} items"],
    )
