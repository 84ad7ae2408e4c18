"""The verbs of risk's domain events (DV1 and DASH assessments and supervisor
reviews) and how the case history reads them. `dasapp.events` finds
this module on first use; a new risk verb goes here (see that module's docstring)."""

from __future__ import annotations

from django.db import models

from cases.event_verbs import risk_level_text
from dasapp.events import by, entry, numbered, register_verbs, verb_formatter, why


@register_verbs
class EventVerb(models.TextChoices):
    ASSESSMENT_SUBMITTED = "assessment_submitted", "DV1 and DASH submitted"
    ASSESSMENT_AMENDED = "assessment_amended", "DV1 amended"
    SUPERVISOR_REVIEW_REQUESTED = "supervisor_review_requested", "Supervisor review requested"


def _dv1(pk) -> str:
    return numbered("DV1", pk, "a DV1")


@verb_formatter(EventVerb.ASSESSMENT_SUBMITTED)
def _assessment_submitted(event, names):
    new, reason = event.new or {}, event.reason.strip()
    ref = _dv1(new.get("assessment"))
    sentence = (
        f"{ref} submitted {by(event)}: {new.get('yes_count', 0)} yes answers, suggested "
        f"{risk_level_text(new.get('suggested'))}, level recorded "
        f"{risk_level_text(new.get('level'))}"
    )
    details = []
    criteria = new.get("criteria") or []
    if criteria:
        labels = [c.replace("_", " ") for c in criteria]
        details.append(f"MARAC criteria met: {', '.join(labels)}")
    if new.get("red_flags"):
        details.append(f"Red flags: {'; '.join(new['red_flags'])}")
    if reason:
        details.append(f"Reason for the level: {reason}")
    if new.get("assessment"):
        return entry(
            event, sentence, details, link=f"/dv1/{new['assessment']}/", link_text=f"Open {ref}"
        )
    return entry(event, sentence, details)


@verb_formatter(EventVerb.ASSESSMENT_AMENDED)
def _assessment_amended(event, names):
    new = event.new or {}
    amended = f"{_dv1(new.get('amends'))} amended as {_dv1(new.get('assessment'))}"
    return entry(event, f"{amended} {by(event)}")


@verb_formatter(EventVerb.SUPERVISOR_REVIEW_REQUESTED)
def _supervisor_review_requested(event, names):
    sentence = f"Supervisor review of a lowered risk level requested {by(event)}{why(event)}"
    return entry(event, sentence)
