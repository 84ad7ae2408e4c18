"""Writes for the one contact timeline per victim. Agency-agnostic: a DASO, an IDVA or
victim support records a contact the same way, and it is kept against the agency (team)
of the person recording it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases.models import Case
from dasapp.api import DomainError
from dasapp.events import event_record
from dasapp.history import audited_save
from partners.choices import ContactChannel, ContactOutcome
from partners.event_verbs import EventVerb
from partners.models import Contact
from people.models import Person

NOTE_MAX = 4000
# Clocks of integrated systems drift a little: a contact stamped this far ahead of ours
# is taken as "now", anything later is refused.
CLOCK_SKEW = dt.timedelta(seconds=60)
NO_TEAM = (
    "Your account is not in a team, so the contact cannot be recorded against an agency. "
    "Ask an administrator to add you to your team."
)


def _agency(user):
    profile = getattr(user, "profile", None)
    return profile.team if profile and profile.team_id else None


@transaction.atomic
def contact_record(
    *,
    victim: Person,
    user,
    channel: str,
    outcome: str,
    at: dt.datetime | None,
    note: str = "",
    case: Case | None = None,
) -> Contact:
    """Record one contact with the victim on her timeline, against the agency (team) of
    `user`. The time must not be in the future; the note is optional."""
    agency = _agency(user)
    if agency is None:
        raise DomainError(NO_TEAM, {"non_field_errors": [NO_TEAM]})
    errors: dict[str, list[str]] = {}
    if channel not in ContactChannel.values:
        errors["channel"] = ["Choose how the victim was contacted"]
    if outcome not in ContactOutcome.values:
        errors["outcome"] = ["Choose the outcome of the contact"]
    now = timezone.now()
    if at is None:
        errors["at"] = ["Enter the date and time of the contact"]
    else:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now + CLOCK_SKEW:
            errors["at"] = ["The date and time of the contact must be now or in the past"]
        elif at > now:
            at = now
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"The note must be {NOTE_MAX} characters or fewer"]
    if case is not None and case.victim_id != victim.pk:
        errors["case"] = ["Choose one of this victim's cases"]
    if errors:
        raise DomainError("There is a problem with the contact.", errors)

    contact = Contact(
        victim=victim,
        case=case,
        at=at,
        by=user,
        agency=agency,
        channel=channel,
        outcome=outcome,
        note=note,
        created_at=now,
    )
    audited_save(contact, user=user, reason="Contact with the victim recorded")
    event_record(
        verb=EventVerb.CONTACT_RECORDED,
        actor=user,
        case=case,
        new={
            "contact": contact.pk,
            "victim": victim.pk,
            "agency": agency.pk,
            "channel": channel,
            "outcome": outcome,
            "at": at.isoformat(),
        },
    )
    return contact
