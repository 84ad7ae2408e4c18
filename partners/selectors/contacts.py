"""Reads for the one contact timeline per victim: every contact by any agency, the last
contact, and whether another agency contacted her so recently that staff must check
with them before contacting her again (uncoordinated contact makes victims withdraw)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from calls.choices import IncidentRole
from calls.models import IncidentPerson
from cases import rules
from cases.models import Case, CaseworkSettings
from org.models import Force
from partners import rules as partner_rules
from partners.models import AgencyInvolvement, Contact
from people.choices import Gender
from people.models import Person, PersonPhone

DEFAULT_WARNING_DAYS = CaseworkSettings._meta.get_field("contact_warning_days").default


def _team(user):
    profile = getattr(user, "profile", None)
    return profile.team if profile and profile.team_id else None


def contact_victim(*, user, pk: int) -> Person | None:
    """The person whose contact timeline `user` may read, or None."""
    return (
        partner_rules.contact_victims_visible_to(user, Person.objects.all())
        .prefetch_related(
            # Safe numbers first, then the current ones: what the contact panel lists.
            "phone_links__phone"
        )
        .filter(pk=pk)
        .first()
    )


def contact_timeline(*, victim: Person) -> QuerySet[Contact]:
    """Every contact with the victim by any agency, newest first, with who and which
    agency on the same row."""
    return (
        Contact.objects.filter(victim=victim)
        .select_related("by", "agency", "case")
        .order_by("-at", "-id")
    )


def readable_case_ids(*, user, victim: Person) -> set[int]:
    """The ids of her cases `user` may read: a contact filed under any other case shows
    no case (an agency's staff read none)."""
    return set(
        rules.cases_visible_to(user, Case.objects.filter(victim=victim)).values_list(
            "pk", flat=True
        )
    )


def contact_last(*, victim: Person) -> Contact | None:
    """The most recent contact with the victim, by anyone."""
    return contact_timeline(victim=victim).first()


def contact_warning_days(*, user) -> int:
    """How many days back another agency's contact warns: the force's setting (its row
    is created with the default the first time it is needed)."""
    team = _team(user)
    force = team.force if team else Force.objects.order_by("pk").first()
    if force is None:
        return DEFAULT_WARNING_DAYS
    settings_row, _ = CaseworkSettings.objects.get_or_create(force=force)
    return settings_row.contact_warning_days


def recent_other_agency_contact(
    *, victim: Person, user, now: dt.datetime | None = None, days: int | None = None
) -> Contact | None:
    """The most recent contact with the victim by an agency other than `user`'s within
    the force's warning window, or None. A user with no team counts every agency as
    another."""
    now = now or timezone.now()
    days = contact_warning_days(user=user) if days is None else days
    since = now - dt.timedelta(days=days)
    contacts = contact_timeline(victim=victim).filter(at__gte=since, at__lte=now)
    team = _team(user)
    if team is not None:
        contacts = contacts.exclude(agency=team)
    return contacts.first()


def is_victim(*, person: Person) -> bool:
    """Whether the person is a victim on a case or a call, or already has contacts."""
    return (
        Case.objects.filter(victim=person).exists()
        or IncidentPerson.objects.filter(person=person, role=IncidentRole.VICTIM).exists()
        or Contact.objects.filter(victim=person).exists()
    )


def safe_numbers(*, victim: Person) -> list[PersonPhone]:
    """The victim's current numbers marked safe to call (uses a prefetch when present)."""
    return [link for link in victim.phone_links.all() if link.is_safe and link.is_current]


# What staff read before contacting her --------------------------------------------------


def pronoun(victim: Person) -> str:
    return {Gender.FEMALE: "her", Gender.MALE: "him"}.get(victim.gender, "them")


def when_words(at: dt.datetime, now: dt.datetime | None = None) -> str:
    """ "today", "yesterday", "3 days ago" (local calendar days), else "on 3 March 2026"."""
    today = timezone.localdate(now or timezone.now())
    days = (today - timezone.localdate(at)).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return f"on {long_date(at)}"


def long_date(at: dt.datetime, *, time: bool = False) -> str:
    """3 March 2026 (or 3 March 2026 at 14:05), in local time."""
    local = timezone.localtime(at)
    text = f"{local.day} {local:%B %Y}"
    return f"{text} at {local:%H:%M}" if time else text


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class ContactSummary:
    """The last contact and the other-agency warning, as sentences for the pages."""

    victim: Person
    last: Contact | None
    recent_other: Contact | None
    warning_days: int
    now: dt.datetime
    agencies: tuple[str, ...] = ()

    @property
    def agencies_text(self) -> str:
        """The agencies outside the police working with her now, as a sentence."""
        if not self.agencies:
            return ""
        return f"Also working with {pronoun(self.victim)}: {', '.join(self.agencies)}."

    @property
    def last_text(self) -> str:
        if self.last is None:
            return "No contact with the victim has been recorded."
        c = self.last
        return (
            f"Last contacted by {c.agency.name} ({person_name(c.by)}) on "
            f"{long_date(c.at, time=True)}, {_lower_first(c.get_outcome_display())}."
        )

    @property
    def warning_text(self) -> str:
        if self.recent_other is None:
            return ""
        c = self.recent_other
        return (
            f"{c.agency.name} contacted {pronoun(self.victim)} {when_words(c.at, self.now)} "
            f"({_lower_first(c.get_outcome_display())}). Check with them before you call: "
            "uncoordinated contact makes victims withdraw."
        )


def contact_summary(*, victim: Person, user, now: dt.datetime | None = None) -> ContactSummary:
    """What anyone about to contact the victim must see first."""
    now = now or timezone.now()
    days = contact_warning_days(user=user)
    return ContactSummary(
        victim=victim,
        last=contact_last(victim=victim),
        recent_other=recent_other_agency_contact(victim=victim, user=user, now=now, days=days),
        warning_days=days,
        now=now,
        agencies=working_agencies(victim=victim),
    )


def working_agencies(*, victim: Person) -> tuple[str, ...]:
    """The names of the agencies outside the police working with her now (the IDVA
    service, victim support …), by name."""
    return tuple(
        AgencyInvolvement.objects.filter(victim=victim, ended_at__isnull=True)
        .order_by("agency__name")
        .values_list("agency__name", flat=True)
    )
