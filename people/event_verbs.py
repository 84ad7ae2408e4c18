"""The verbs of events about warning flags on people, addresses and numbers, recorded on
the case that raised or lifted them (a safety plan, a MARAC listing). Each reads
"<label> by <who>, <when>: <reason>". `dasapp.events` finds this module on first use; a
new verb about people goes here (see that module's docstring)."""

from __future__ import annotations

from django.db import models

from dasapp.events import register_verbs


@register_verbs
class EventVerb(models.TextChoices):
    FLAG_RAISED = "flag_raised", "Flag raised"
    FLAG_LIFTED = "flag_lifted", "Flag lifted"
