"""The verbs of partners' domain events (contacts with the victim, agencies starting and
stopping work with her) and how the case history reads them. `dasapp.events` finds this
module on first use; a new partners verb goes here (see that module's docstring)."""

from __future__ import annotations

from django.db import models

from dasapp.events import by, entry, register_verbs, verb_formatter, why


@register_verbs
class EventVerb(models.TextChoices):
    CONTACT_RECORDED = "contact_recorded", "Contact with the victim recorded"
    INVOLVEMENT_STARTED = "involvement_started", "Agency started working with the victim"
    INVOLVEMENT_ENDED = "involvement_ended", "Agency stopped working with the victim"


def _involvement(event, did: str):
    agency = (event.new or {}).get("agency_name") or "An agency"
    sentence = f"{agency} {did} working with the victim, recorded {by(event)}{why(event)}"
    return entry(event, sentence)


@verb_formatter(EventVerb.INVOLVEMENT_STARTED)
def _involvement_started(event, names):
    return _involvement(event, "started")


@verb_formatter(EventVerb.INVOLVEMENT_ENDED)
def _involvement_ended(event, names):
    return _involvement(event, "stopped")
