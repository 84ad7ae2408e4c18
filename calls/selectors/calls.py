"""Reads for call handling: my calls, the dispatch board, known details to confirm."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, QuerySet, Value, When
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from calls import intelligence
from calls import rules as call_rules
from calls.choices import AbandonReason, Grade, IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb
from calls.models import Incident, IncidentPerson, IncidentResearch
from dasapp.events import verb_label
from dasapp.models import Event
from people.choices import FlagKind, RelationshipKind
from people.models import Person, PersonPhone


def calls_in_progress(*, user) -> QuerySet[Incident]:
    """The user's calls still being taken, newest first, with the caller's number each
    shows (one query whatever their number)."""
    return (
        Incident.objects.filter(status=IncidentStatus.DRAFT, created_by=user)
        .select_related("caller_phone")
        .order_by("-created_at")
    )


REFERENCE_RE = re.compile(r"^DA-(\d{6})-(\d{1,12})$")


def incident_by_reference(*, reference: str, user) -> Incident | None:
    """The call a reference ("DA-250314-42") names, among the calls `user` may see;
    None if the reference is malformed, names no call, or one they may not see."""
    match = REFERENCE_RE.match((reference or "").strip().upper())
    if match is None:
        return None
    incident = (
        call_rules.incidents_visible_to(user, Incident.objects.filter(pk=int(match.group(2))))
        .only("id", "created_at", "status", "created_by")
        .first()
    )
    if incident is None or incident.reference != match.group(0):
        return None
    return incident


# Fields the list of abandoned calls never shows, on the call and on the call it repeats.
ABANDONED_UNREAD = (
    "answers",
    "skipped",
    "prefill",
    "intelligence",
    "regrade_intelligence",
    "suggestion_reasons",
    "address_raw",
    "narrative",
)
ABANDONED_LIMIT = 50


@dataclass
class AbandonedCalls:
    """The most recently abandoned calls, and whether there are more."""

    calls: list[Incident]
    more: bool = False


def recent_abandoned_calls(*, limit: int = ABANDONED_LIMIT) -> AbandonedCalls:
    """Calls abandoned before they were logged, the latest first, with who started and
    abandoned each and why: for supervisors' call-quality review. One query."""
    calls = list(
        Incident.objects.filter(status=IncidentStatus.ABANDONED)
        .select_related("created_by", "abandoned_by", "duplicate_of")
        .defer(*ABANDONED_UNREAD, *(f"duplicate_of__{name}" for name in ABANDONED_UNREAD))
        .order_by("-abandoned_at", "-pk")[: limit + 1]
    )
    return AbandonedCalls(calls=calls[:limit], more=len(calls) > limit)


def dispatch_board() -> QuerySet[Incident]:
    """Open incidents, most urgent grade first, then least time left."""
    grade_rank = Case(
        *[When(grade=value, then=Value(i)) for i, value in enumerate(Grade.values)],
        output_field=IntegerField(),
    )
    return (
        Incident.objects.filter(status=IncidentStatus.GRADED)
        .exclude(grade=Grade.TELEPHONE)
        .select_related("address", "district")
        .annotate(grade_rank=grade_rank)
        .order_by("grade_rank", "attend_by", "created_at")
    )


@dataclass
class BoardRow:
    incident: Incident
    seconds_left: int | None

    @property
    def breached(self) -> bool:
        return self.seconds_left is not None and self.seconds_left < 0

    @property
    def time_left_text(self) -> str:
        if self.seconds_left is None:
            return "No deadline"
        minutes = abs(self.seconds_left) // 60
        if minutes == 0:  # "0 min overdue" beside "Breached" reads as a contradiction
            return "under 1 min overdue" if self.breached else "under 1 min left"
        text = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
        return f"{text} overdue" if self.breached else f"{text} left"


def incident_events(*, incident: Incident) -> QuerySet[Event]:
    return incident.events.select_related("actor").order_by("at", "id")


PREFILL_STATUS = {"confirmed": "confirmed", "changed": "changed", "not_asked": "not asked"}


@dataclass
class TimelineEntry:
    """An incident event as the supervisor's history shows it: values in words and
    times as datetimes (shown in Europe/London), read from the event's data."""

    event: Event
    title: str = ""
    grade: str = ""
    previous_grade: str = ""
    suggested: str = ""
    attend_by: dt.datetime | None = None
    previous_attend_by: dt.datetime | None = None
    items: list[dict] | None = None
    abandoned_why: str = ""


def _abandoned_why(new: dict) -> str:
    """Why an abandoned call was abandoned, in words (with the call it duplicates)."""
    reason = new.get("reason")
    if reason not in AbandonReason.values:
        return ""
    duplicate = new.get("duplicate_of")
    return f"Duplicate of {duplicate}" if duplicate else AbandonReason(reason).label


def _grade_label(value) -> str:
    return Grade(value).label if value in Grade.values else ""


def _when(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def incident_timeline(*, incident: Incident) -> list[TimelineEntry]:
    """The incident's events for its history page, oldest first."""
    entries = []
    for event in incident_events(incident=incident):
        old = event.old if isinstance(event.old, dict) else {}
        new = event.new if isinstance(event.new, dict) else {}
        raw_items = new.get("items")
        items = None
        if isinstance(raw_items, list):
            items = [
                {
                    "label": item.get("label", ""),
                    "value": item.get("value", ""),
                    "status": PREFILL_STATUS.get(item.get("status", ""), "not marked"),
                    "change": item.get("change", ""),
                }
                for item in raw_items
                if isinstance(item, dict)
            ]
        entries.append(
            TimelineEntry(
                event=event,
                title=verb_label(event.verb),
                grade=_grade_label(new.get("grade")),
                previous_grade=_grade_label(old.get("grade")),
                suggested=_grade_label(new.get("suggested")),
                attend_by=_when(new.get("attend_by")),
                previous_attend_by=_when(old.get("attend_by")),
                items=items,
                abandoned_why=_abandoned_why(new)
                if event.verb == EventVerb.INCIDENT_ABANDONED
                else "",
            )
        )
    return entries


def prefill_items(*, person: Person) -> list[dict]:
    """What is already known about a repeat victim, for the call-taker to confirm rather
    than ask again."""
    items: list[dict] = []
    for link in person.address_links.filter(is_current=True).select_related("address"):
        items.append(
            {
                "key": f"address:{link.address_id}",
                "label": f"{link.get_kind_display()} address",
                "value": str(link.address),
            }
        )
    for link in person.phone_links.filter(is_current=True).select_related("phone"):
        label = "Safe number" if link.is_safe else "Phone number"
        items.append(
            {"key": f"phone:{link.phone_id}", "label": label, "value": link.phone.national}
        )
    rels = list(
        person.relationships_from.filter(ended__isnull=True).select_related("other")
    ) + list(person.relationships_to.filter(ended__isnull=True).select_related("person"))
    for rel in rels:
        other = rel.other if rel.person_id == person.pk else rel.person
        if rel.kind == RelationshipKind.PARENT_OF and rel.person_id == person.pk:
            label = "Child"
        elif rel.kind == RelationshipKind.PARENT_OF:
            label = "Parent"
        else:
            label = rel.get_kind_display()
        born = f", born {other.date_of_birth:%-d %B %Y}" if other.date_of_birth else ""
        items.append(
            {"key": f"person:{other.pk}", "label": label, "value": f"{other.full_name}{born}"}
        )
    if person.safe_contact_instructions:
        items.append(
            {
                "key": "safe_contact",
                "label": "Safe contact instructions",
                "value": person.safe_contact_instructions,
            }
        )
    if person.safe_times:
        items.append(
            {"key": "safe_times", "label": "Safe times to call", "value": person.safe_times}
        )
    if person.no_voicemail:
        items.append(
            {"key": "no_voicemail", "label": "Voicemail", "value": "Never leave a voicemail"}
        )
    if person.interpreter_needed:
        items.append(
            {
                "key": "interpreter",
                "label": "Interpreter",
                "value": f"Needs an interpreter ({person.language})",
            }
        )
    return items


# The caller's number: who it belongs to, and whether it is a victim's safe number ------

# The parts a known person on the caller's number may be added to the call as, with the
# words on the buttons ("Add to call as victim").
OFFER_ROLES = ((IncidentRole.VICTIM.value, "victim"), (IncidentRole.CALLER.value, "caller"))
# For a person known only as a suspect (in an earlier incident, never as its victim):
# the part he is known in first, the others still possible.
SUSPECT_OFFER_ROLES = ((IncidentRole.SUSPECT.value, "suspect"), *OFFER_ROLES)


@dataclass
class NumberOffer:
    """A known person whose current number the caller is ringing from, not yet on the
    call: offered to the call-taker to add (never added by itself)."""

    person_id: int
    name: str
    date_of_birth: dt.date | None
    # Their part in earlier calls, e.g. ["victim in 3 incidents"]; [] if none.
    history: list[str]
    roles: list[tuple[str, str]]  # (role, "victim") for each button


@dataclass
class SafeNumberCheck:
    """Whether the caller's number is a victim's recorded safe number."""

    person_id: int
    name: str
    is_safe_number: bool
    safe_numbers: list[str]  # the recorded safe numbers, as shown (national format)


def _incidents_text(count: int) -> str:
    return f"{count} incident{'s' if count != 1 else ''}"


def number_offers(*, incident: Incident, package, on_call: set[int]) -> list[NumberOffer]:
    """The people the look-up found on the caller's number (a current link to it) who are
    not on the call yet, with their part in earlier calls. Read from the look-up's own
    people (so the access log row of the look-up already names them): nothing when the
    look-up was unavailable or found no number. At most two queries."""
    phone = getattr(package, "phone", None)
    if getattr(package, "unavailable", False) or not phone:
        return []
    found = {p["id"]: p for p in package.people if p.get("direct") and p["id"] not in on_call}
    if not found:
        return []
    on_number = list(
        PersonPhone.objects.filter(phone_id=phone["id"], is_current=True, person_id__in=list(found))
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    if not on_number:
        return []
    counts: dict[int, dict[str, int]] = {}
    rows = (
        IncidentPerson.objects.filter(person_id__in=on_number)
        .exclude(incident__status__in=[IncidentStatus.DRAFT, IncidentStatus.ABANDONED])
        .exclude(incident_id=incident.pk)
        .values("person_id", "role")
        .annotate(incidents=Count("incident_id", distinct=True))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["person_id"], {})[row["role"]] = row["incidents"]
    offers = []
    for person_id in on_number:
        person = found[person_id]
        roles = counts.get(person_id, {})
        born = person.get("date_of_birth")
        offers.append(
            NumberOffer(
                person_id=person_id,
                name=person["name"],
                date_of_birth=dt.date.fromisoformat(born) if born else None,
                history=[
                    f"{label.lower()} in {_incidents_text(roles[value])}"
                    for value, label in IncidentRole.choices
                    if roles.get(value)
                ],
                roles=list(
                    SUSPECT_OFFER_ROLES
                    if roles.get(IncidentRole.SUSPECT) and not roles.get(IncidentRole.VICTIM)
                    else OFFER_ROLES
                ),
            )
        )
    return offers


def safe_number_checks(*, incident: Incident, victims: list[Person]) -> list[SafeNumberCheck]:
    """For each victim on the call with a recorded safe number (current), whether the
    caller's number is one of them. Nothing until the caller's number is a real number.
    One query."""
    if not victims or incident.caller_phone_id is None:
        return []
    safe: dict[int, list[PersonPhone]] = {}
    links = (
        PersonPhone.objects.filter(
            person_id__in=[victim.pk for victim in victims], is_safe=True, is_current=True
        )
        .select_related("phone")
        .order_by("pk")
    )
    for link in links:
        safe.setdefault(link.person_id, []).append(link)
    return [
        SafeNumberCheck(
            person_id=victim.pk,
            name=victim.full_name,
            is_safe_number=any(
                link.phone_id == incident.caller_phone_id for link in safe[victim.pk]
            ),
            safe_numbers=[link.phone.national for link in safe[victim.pk]],
        )
        for victim in victims
        if victim.pk in safe
    ]


def incidents_in_board_order(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """Open calls first as on the dispatch board (most urgent grade, then least time
    left), then drafts and closed calls, newest first."""
    open_first = Case(
        When(status=IncidentStatus.GRADED, then=Value(0)),
        When(status=IncidentStatus.DRAFT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    grade_rank = Case(
        *[
            When(status=IncidentStatus.GRADED, grade=value, then=Value(i))
            for i, value in enumerate(Grade.values)
        ],
        default=Value(len(Grade.values)),
        output_field=IntegerField(),
    )
    open_attend_by = Case(When(status=IncidentStatus.GRADED, then=F("attend_by")), default=None)
    return queryset.annotate(
        open_first=open_first, grade_rank=grade_rank, open_attend_by=open_attend_by
    ).order_by(
        "open_first",
        "grade_rank",
        F("open_attend_by").asc(nulls_last=True),
        "-created_at",
        "-id",
    )


# Live incidents needing research: the control-room intelligence desk's list ----------------

RESEARCH_WINDOW = dt.timedelta(hours=24)
RESEARCH_GRADES = (Grade.EMERGENCY, Grade.PRIORITY)
# Flags in a snapshot that bear on the attending officer's safety, in the order their
# reason is worded.
RESEARCH_FLAGS = {
    FlagKind.WEAPONS: "Weapons",
    FlagKind.OFFICER_SAFETY: "Officer safety",
    FlagKind.HIGH_RISK_VICTIM: "High-risk victim",
    FlagKind.BAIL_CONDITIONS: "Bail conditions",
    FlagKind.COURT_ORDER: "Court order",
}
LOOKUP_UNAVAILABLE_REASON = "Look-up was unavailable when the call was logged"


@dataclass
class ResearchRow(BoardRow):
    """An incident on the research list, with why it is there in words."""

    reasons: list[str]

    @property
    def location(self) -> str:
        if self.incident.address_id:
            return str(self.incident.address)
        return self.incident.location_note or "Not known"


def _flags_reason(kinds: set[str]) -> str:
    labels = [label for kind, label in RESEARCH_FLAGS.items() if kind in kinds]
    if not labels:
        return ""
    words = [labels[0], *(label.lower() for label in labels[1:])]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"{listed} flag{'s' if len(words) > 1 else ''}, not yet researched"


def _flag_kinds(*snapshots) -> set[str]:
    return {
        flag.get("kind")
        for flags in snapshots
        if isinstance(flags, list)
        for flag in flags
        if isinstance(flag, dict)
    }


def research_reasons(*, grade: str, unavailable: bool, flag_kinds: set[str]) -> list[str]:
    """Why a logged call with no research note yet needs the intelligence desk, in
    words; [] when it does not. (A research note answers every reason.)"""
    reasons = []
    if unavailable:
        reasons.append(LOOKUP_UNAVAILABLE_REASON)
    if grade in RESEARCH_GRADES:
        reasons.append(f"{Grade(grade).label} call, not yet researched")
    flags = _flags_reason(flag_kinds)
    if flags:
        reasons.append(flags)
    return reasons


def incidents_needing_research(*, now: dt.datetime) -> list[ResearchRow]:
    """Logged, not closed calls of the last 24 hours that the intelligence desk should
    research for the attending officer: the look-up was unavailable when the call was
    logged, or an emergency or priority call, or officer-safety flags in its snapshot
    (at logging or at a regrade), with no research note yet. Most urgent grade first,
    then the least time left. One query: only the flags of each snapshot are read, not
    the whole package."""
    grade_rank = Case(
        *[When(grade=value, then=Value(i)) for i, value in enumerate(Grade.values)],
        default=Value(len(Grade.values)),
        output_field=IntegerField(),
    )
    incidents = (
        Incident.objects.filter(
            status__in=[IncidentStatus.GRADED, IncidentStatus.ATTENDED],
            created_at__gte=now - RESEARCH_WINDOW,
        )
        .exclude(Exists(IncidentResearch.objects.filter(incident=OuterRef("pk"))))
        .select_related("address")
        .defer(
            "intelligence",
            "regrade_intelligence",
            "answers",
            "skipped",
            "prefill",
            "narrative",
            "suggestion_reasons",
            "grade_reason",
        )
        .annotate(
            grade_rank=grade_rank,
            lookup_unavailable=KeyTransform("unavailable", "intelligence"),
            snapshot_flags=KeyTransform("flags", "intelligence"),
            regrade_flags=KeyTransform("flags", "regrade_intelligence"),
        )
        .order_by("grade_rank", F("attend_by").asc(nulls_last=True), "created_at", "pk")
    )
    rows = []
    for incident in incidents:
        reasons = research_reasons(
            grade=incident.grade,
            unavailable=incident.lookup_unavailable is True,
            flag_kinds=_flag_kinds(incident.snapshot_flags, incident.regrade_flags),
        )
        if reasons:
            seconds = (
                int((incident.attend_by - now).total_seconds()) if incident.attend_by else None
            )
            rows.append(ResearchRow(incident, seconds, reasons))
    return rows


# The attending officer's current intelligence ------------------------------------------


@dataclass
class LiveIntelligence:
    """The look-up for a logged call as it stands now, beside the snapshot taken when
    the call was logged: what is new since (ids of flags, incidents, open cases, people
    and suspects not in the snapshot) and the snapshot's flags no longer current.
    Without a usable snapshot (none captured, or the look-up was unavailable then)
    everything found now is new to the officer."""

    package: intelligence.Package
    compared: bool  # a usable snapshot was there to compare with
    searched: bool = True  # the call has a number, an address or people to look up
    new_flag_ids: set[int] = field(default_factory=set)
    new_incident_ids: set[int] = field(default_factory=set)
    new_case_ids: set[int] = field(default_factory=set)
    new_people_ids: set[int] = field(default_factory=set)
    new_suspect_ids: set[int] = field(default_factory=set)
    lifted_flags: list[dict] = field(default_factory=list)

    @property
    def new_flags(self) -> list[dict]:
        return [f for f in self.package.flags if f["id"] in self.new_flag_ids]

    @property
    def new_incidents(self) -> list[dict]:
        return [i for i in self.package.incidents if i["id"] in self.new_incident_ids]

    @property
    def new_cases(self) -> list[dict]:
        return [c for c in self.package.open_cases if c["id"] in self.new_case_ids]

    @property
    def new_people(self) -> list[dict]:
        return [p for p in self.package.people if p["id"] in self.new_people_ids]

    @property
    def new_suspects(self) -> list[dict]:
        return [s for s in self.package.suspects if s["id"] in self.new_suspect_ids]

    @property
    def anything_changed(self) -> bool:
        return bool(
            self.new_flag_ids
            or self.new_incident_ids
            or self.new_case_ids
            or self.new_people_ids
            or self.new_suspect_ids
            or self.lifted_flags
        )

    @property
    def announcement(self) -> str:
        """What is new, in a few words for a screen reader ("New since the call was
        logged: 1 flag, 2 incidents."); empty when nothing is. No names."""
        counts = [
            (len(self.new_flag_ids), "flag", "flags"),
            (len(self.lifted_flags), "flag no longer current", "flags no longer current"),
            (len(self.new_incident_ids), "incident", "incidents"),
            (len(self.new_case_ids), "open case", "open cases"),
            (len(self.new_suspect_ids), "suspect history", "suspect histories"),
            (len(self.new_people_ids), "person linked", "people linked"),
        ]
        parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
        return f"New since the call was logged: {', '.join(parts)}." if parts else ""


def _snapshot_ids(snapshot: dict, key: str) -> set:
    items = snapshot.get(key) if isinstance(snapshot, dict) else None
    return {item.get("id") for item in items or [] if isinstance(item, dict)}


def live_intelligence(*, incident: Incident, now: dt.datetime | None = None) -> LiveIntelligence:
    """The current look-up for a call's number, address and people, compared with the
    snapshot taken when it was logged. The look-up's own fixed number of queries, and
    one for the people on the call; none when the call has nothing to look up."""
    from calls.services.calls import call_lookup, lookup_query_for

    query = lookup_query_for(incident)
    if not (
        query.phone or query.address_id or query.address_line1 or query.postcode or query.person_ids
    ):
        return LiveIntelligence(
            package=intelligence.Package(searched_at=(now or timezone.now()).isoformat()),
            compared=False,
            searched=False,
        )
    package, _ = call_lookup(incident, query=query, now=now)
    if package.unavailable:
        return LiveIntelligence(package=package, compared=False)
    snapshot = incident.intelligence if isinstance(incident.intelligence, dict) else {}
    compared = bool(snapshot) and not snapshot.get("unavailable")
    if not compared:
        snapshot = {}

    def new(items: list[dict], key: str) -> set[int]:
        return {item["id"] for item in items} - _snapshot_ids(snapshot, key)

    current_flags = {f["id"] for f in package.flags}
    return LiveIntelligence(
        package=package,
        compared=compared,
        new_flag_ids=new(package.flags, "flags"),
        new_incident_ids=new(package.incidents, "incidents") - {incident.pk},
        new_case_ids=new(package.open_cases, "open_cases"),
        new_people_ids=new(package.people, "people"),
        new_suspect_ids=new(package.suspects, "suspects"),
        lifted_flags=[
            flag
            for flag in snapshot.get("flags") or []
            if isinstance(flag, dict) and flag.get("id") not in current_flags
        ],
    )
