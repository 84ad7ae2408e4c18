"""The verbs of calls' domain events (logging, grading, attending, closing and abandoning
a call, research and the known details confirmed). The call's history page shows their
data itself (`calls.selectors.calls.incident_timeline`); elsewhere each reads "<label>
by <who>, <when>: <reason>". `dasapp.events` finds this module on first use; a new call
verb goes here (see that module's docstring)."""

from __future__ import annotations

from django.db import models

from dasapp.events import register_verbs


@register_verbs
class EventVerb(models.TextChoices):
    INCIDENT_LOGGED = "incident_logged", "Call logged"
    INCIDENT_GRADED = "incident_graded", "Response graded"
    INCIDENT_REGRADED = "incident_regraded", "Response regraded"
    INCIDENT_ATTENDED = "incident_attended", "Attended"
    INCIDENT_CLOSED = "incident_closed", "Incident closed"
    INCIDENT_ABANDONED = "incident_abandoned", "Call abandoned"
    RESEARCH_ADDED = "research_added", "Research added"
    PREFILL_CONFIRMED = "prefill_confirmed", "Known details confirmed"
