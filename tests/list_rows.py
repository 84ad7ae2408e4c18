"""Rows for the list query-count tests (`tests/test_list_query_counts.py`), made in bulk.

Each maker adds the rows `start` to `stop` of one list and returns a marker for each:
text its page shows once per row, or, for an API list, the row's id. Rows go straight
into the tables (`bulk_create`, no history rows, no events), except safety plans (their
service starts them) and a call's saved versions (its history page lists them). Every
foreign key a list shows is filled, so that a list reading one per row is caught. Names
and numbers are fictional (numbers from Ofcom's drama range).
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from calls.choices import AbandonReason, Grade, IncidentRole, IncidentStatus
from calls.event_verbs import EventVerb as CallVerb
from calls.models import Incident, IncidentPerson
from cases import safety_services
from cases.choices import (
    ActionStatus,
    FollowUpReason,
    QueueKind,
)
from cases.event_verbs import EventVerb as CaseVerb
from cases.models import Case, FollowUp, Queue, SafetyAction, SafetyActionType, SafetyPlan
from dasapp.choices import RiskLevel
from dasapp.models import AccessLog, Event, Notification, User
from dasapp.users import roles_ensure
from org.choices import AbsenceKind, TeamKind
from org.models import Absence, District, StaffProfile, Team
from partners.choices import ContactChannel, ContactOutcome
from partners.event_verbs import EventVerb as PartnerVerb
from partners.models import AgencyInvolvement, Contact
from people import matching
from people.choices import NameKind
from people.event_verbs import EventVerb as PeopleVerb
from people.models import (
    Address,
    GivenName,
    NameKey,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PhoneNumber,
)
from risk.choices import AssessmentStatus
from risk.event_verbs import EventVerb as RiskVerb
from risk.models import Assessment
from risk.question_sets import current_set

LONDON = ZoneInfo("Europe/London")
# A Wednesday morning: the central referral unit and hub rota A are at work.
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
POSTCODE = "CO1 1AA"
# Numbers and house numbers are unique across a test, whichever lists make them.
_serial = itertools.count(1)


def team(code: str) -> Team:
    return Team.objects.get(code=code)


def colchester() -> District:
    return District.objects.get(code="colchester")


# People, places and staff ------------------------------------------------------------


def people(prefix: str, start: int, stop: int) -> list[Person]:
    """Bare people named `<prefix><nnn>` (no search names, addresses or numbers)."""
    return Person.objects.bulk_create(
        Person(
            given_name="Rowan",
            family_name=f"{prefix}{i:03d}",
            date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=i),
            gender="female",
        )
        for i in range(start, stop)
    )


def searchable_people(prefix: str, start: int, stop: int) -> list[Person]:
    """People as a search finds and shows them: named `Rowan <prefix><nnn>` and known as
    `Ro <prefix>alias<nnn>`, both indexed for search, with a current address at
    `POSTCODE` and a number (every other one safe)."""
    made = people(prefix, start, stop)
    names = [
        (person, given, family, kind)
        for person in made
        for given, family, kind in (
            (person.given_name, person.family_name, NameKind.PRIMARY),
            ("Ro", person.family_name.replace(prefix, f"{prefix}alias"), NameKind.ALIAS),
        )
    ]
    keys = NameKey.objects.bulk_create(
        NameKey(text=matching.normalise_name(given, family), family_key=matching.family_key(family))
        for _, given, family, _ in names
    )
    GivenName.objects.bulk_create(
        [GivenName(text=word, sound_key=matching.soundex(word)) for word in ("rowan", "ro")],
        ignore_conflicts=True,
    )
    PersonName.objects.bulk_create(
        PersonName(person=person, given_name=given, family_name=family, kind=kind, key=key)
        for (person, given, family, kind), key in zip(names, keys, strict=True)
    )
    homes = addresses(start, stop, residents=made)
    numbers = phones(start, stop)
    PersonPhone.objects.bulk_create(
        PersonPhone(person=person, phone=phone, is_safe=n % 2 == 0)
        for n, (person, phone) in enumerate(zip(made, numbers, strict=True))
    )
    assert len(homes) == len(made)
    return made


def addresses(start: int, stop: int, *, residents: list[Person] | None = None) -> list[Address]:
    """Addresses at `POSTCODE` in Colchester, each with someone living there."""
    postcode = matching.normalise_postcode(POSTCODE)
    lines = [f"{next(_serial)} Querycount Lane" for _ in range(start, stop)]
    made = Address.objects.bulk_create(
        Address(
            line1=line,
            town="Colchester",
            postcode=postcode,
            district=colchester(),
            match_key=matching.address_match_key(line, postcode),
        )
        for line in lines
    )
    residents = residents or people("Qcresident", start, stop)
    PersonAddress.objects.bulk_create(
        PersonAddress(person=person, address=address)
        for person, address in zip(residents, made, strict=True)
    )
    return made


def phones(start: int, stop: int) -> list[PhoneNumber]:
    """Numbers in Ofcom's drama range (07700 900000 to 900999)."""
    return PhoneNumber.objects.bulk_create(
        PhoneNumber(e164=f"+447700900{next(_serial) % 1000:03d}") for _ in range(start, stop)
    )


def staff(prefix: str, start: int, stop: int, *, role: str, team_code: str, supervisor=None):
    """Active staff `<prefix><nnn>` holding `role` in the team, with their profiles."""
    users = User.objects.bulk_create(
        User(
            username=f"{prefix}{i:03d}",
            first_name="Sam",
            last_name=f"{prefix.capitalize()}{i:03d}",
            password="!",  # no usable password
        )
        for i in range(start, stop)
    )
    group = roles_ensure()[role]
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
    )
    the_team = team(team_code)
    StaffProfile.objects.bulk_create(
        StaffProfile(user=user, team=the_team, supervisor=supervisor, rank="PC") for user in users
    )
    return users


def agencies(start: int, stop: int) -> list[Team]:
    """Partner agencies beyond the organisation defaults."""
    force = team("victim-support").force
    return Team.objects.bulk_create(
        Team(
            force=force,
            code=f"qc-agency-{i:03d}",
            name=f"Qcagency{i:03d}",
            kind=TeamKind.PARTNER_AGENCY,
        )
        for i in range(start, stop)
    )


# Cases ---------------------------------------------------------------------------------


def cases(
    prefix: str,
    start: int,
    stop: int,
    *,
    queue: Queue,
    owners: list | None = None,
    level: str = RiskLevel.MEDIUM,
) -> list[Case]:
    """Open cases in `queue`, victims `<prefix><nnn>` with a perpetrator each, held in
    turn by `owners` (None: not held), every third past its review target."""
    victims = people(prefix, start, stop)
    perpetrators = people(f"{prefix}perp", start, stop)
    owners = owners or [None]
    return Case.objects.bulk_create(
        Case(
            victim=victim,
            perpetrator=perpetrator,
            risk_level=level,
            queue=queue,
            assigned_to=owners[i % len(owners)],
            district=colchester(),
            opened_at=T0 - DAY - i * MIN,
            routed_at=T0 - DAY - i * MIN,
            review_due_at=T0 - HOUR if i % 3 == 0 else T0 + DAY - i * MIN,
        )
        for i, victim, perpetrator in zip(range(start, stop), victims, perpetrators, strict=True)
    )


def also_open(listed: list[Case], *, queue: Queue) -> list[Case]:
    """For every other listed case, another open case of the same victim (with someone
    else) in `queue`: the lists say she "also has" it."""
    others = people("Qcother", listed[0].pk, listed[0].pk + len(listed))
    return Case.objects.bulk_create(
        Case(
            victim_id=case.victim_id,
            perpetrator=other,
            risk_level=RiskLevel.HIGH,
            queue=queue,
            district=case.district,
            opened_at=case.opened_at - HOUR,
            opened_alongside_reason="",
        )
        for case, other in zip(listed, others, strict=True)
        if case.pk % 2
    )


def one_case(owner, *, queue: Queue, prefix: str = "Qcvictim") -> Case:
    return cases(prefix, 0, 1, queue=queue, owners=[owner])[0]


def queues(start: int, stop: int) -> list[Queue]:
    """A hub per queue (`Qcqueue<nnn>`), each with an open case past target and one not."""
    force = team("cru").force
    hubs = Team.objects.bulk_create(
        Team(force=force, code=f"qc-hub-{i:03d}", name=f"Qchub{i:03d}", kind=TeamKind.HUB)
        for i in range(start, stop)
    )
    made = Queue.objects.bulk_create(
        Queue(team=hub, kind=QueueKind.HUB_HIGH, name=f"Qcqueue{i:03d}", review_target_hours=24)
        for i, hub in zip(range(start, stop), hubs, strict=True)
    )
    victims = people("Qcqueuevictim", 2 * start, 2 * stop)
    Case.objects.bulk_create(
        Case(
            victim=victim,
            risk_level=RiskLevel.HIGH,
            queue=made[n // 2],
            district=colchester(),
            opened_at=T0 - DAY,
            routed_at=T0 - DAY,
            review_due_at=T0 - HOUR if n % 2 else T0 + HOUR,
        )
        for n, victim in enumerate(victims)
    )
    return made


def case_events(case: Case, actors: list, start: int, stop: int) -> list[Event]:
    """Events on the case by turns of `actors`, of verbs whose line in the history gives
    the reason (`Qcreason<nnn>`): risk changes and reviews, a challenge naming the
    officer, a release and a reassignment naming people, a submitted DV1 with its link,
    a contact."""
    officer = actors[-1]
    kinds = [
        (CaseVerb.RISK_LEVEL_CHANGED, {"risk_level": "medium"}, {"risk_level": "high"}),
        (CaseVerb.RISK_LEVEL_AGREED, {}, {"risk_level": "high"}),
        (CaseVerb.GRADING_CHALLENGED, {}, {"officer": officer.pk}),
        (CaseVerb.CHALLENGE_ANSWERED, {}, {}),
        (CaseVerb.CASE_RELEASED, {"name": "Sam Owner"}, {}),
        (
            CaseVerb.CASE_REASSIGNED,
            {"name": "Sam Owner", "queue": "Old queue"},
            {"name": "Kim Cover", "queue": "New queue", "team": "Colchester hub"},
        ),
        (
            RiskVerb.ASSESSMENT_SUBMITTED,
            {},
            {"assessment": 1, "yes_count": 15, "suggested": "high", "level": "high"},
        ),
        (PartnerVerb.CONTACT_RECORDED, {}, {"channel": "phone", "outcome": "spoke"}),
    ]
    return Event.objects.bulk_create(
        Event(
            at=T0 - DAY + i * MIN,
            verb=kinds[i % len(kinds)][0],
            actor=actors[i % len(actors)],
            case=case,
            old=kinds[i % len(kinds)][1],
            new=kinds[i % len(kinds)][2],
            reason=f"Qcreason{i:03d}",
        )
        for i in range(start, stop)
    )


# Calls -----------------------------------------------------------------------------------

SNAPSHOT = {
    "flags": [{"kind": "weapons", "summary": "Knife"}, {"kind": "bail_conditions"}],
    "suspects": [{"weapons": True}],
}


def incidents(start: int, stop: int, *, status: str, **fields) -> list[Incident]:
    """Calls with an address, a caller's number and a district; graded ones waiting for
    an officer (every other one attended when `status` is attended)."""
    places = addresses(start, stop)
    numbers = phones(start, stop)
    grades = [Grade.EMERGENCY, Grade.PRIORITY, Grade.SCHEDULED]
    logged = status != IncidentStatus.DRAFT and status != IncidentStatus.ABANDONED
    made = Incident.objects.bulk_create(
        Incident(
            status=status,
            address=places[n],
            caller_phone=numbers[n],
            district=colchester(),
            grade=grades[i % 3] if logged else "",
            created_at=T0 - HOUR - i * MIN,
            logged_at=T0 - HOUR - i * MIN if logged else None,
            attend_by=T0 + (15 - i) * MIN if logged else None,
            location_note="Outside the station",
            intelligence=SNAPSHOT if logged else {},
            answers={"weapons": "yes"},
            **fields,
        )
        for n, i in enumerate(range(start, stop))
    )
    return made


def incident_people(made: list[Incident], prefix: str) -> None:
    """A victim and a suspect on each call."""
    victims = people(prefix, made[0].pk, made[0].pk + len(made))
    suspects = people(f"{prefix}s", made[0].pk, made[0].pk + len(made))
    IncidentPerson.objects.bulk_create(
        link
        for incident, victim, suspect in zip(made, victims, suspects, strict=True)
        for link in (
            IncidentPerson(incident=incident, person=victim, role=IncidentRole.VICTIM),
            IncidentPerson(incident=incident, person=suspect, role=IncidentRole.SUSPECT),
        )
    )


def abandoned(start: int, stop: int, *, by, kept: Incident) -> list[Incident]:
    """Calls abandoned before they were logged; every other one a duplicate of `kept`."""
    reasons = [AbandonReason.DUPLICATE, AbandonReason.NO_CONTACT]
    made = incidents(start, stop, status=IncidentStatus.DRAFT, created_by=by)
    for n, incident in enumerate(made):
        incident.status = IncidentStatus.ABANDONED
        incident.abandoned_at = T0 - (start + n) * MIN
        incident.abandoned_by = by
        incident.abandon_reason = reasons[n % 2]
        incident.duplicate_of = kept if n % 2 == 0 else None
        incident.abandon_note = f"Rang back {start + n}"
    Incident.objects.bulk_update(
        made,
        [
            "status",
            "abandoned_at",
            "abandoned_by",
            "abandon_reason",
            "duplicate_of",
            "abandon_note",
        ],
    )
    return made


def incident_events(incident: Incident, actors: list, start: int, stop: int) -> list[Event]:
    """Events on a call by turns of `actors`, and a saved version of the call for each
    (the call's history page lists both), each event with the reason `Qcreason<nnn>`."""
    kinds = [
        (CallVerb.INCIDENT_REGRADED, {"grade": "priority"}, {"grade": "emergency"}),
        (CallVerb.RESEARCH_ADDED, {}, {}),
        (PeopleVerb.FLAG_RAISED, {}, {"kind": "weapons"}),
    ]
    for i in range(start, stop):
        incident.version += 1
        incident._history_user = actors[i % len(actors)]
        incident.save()
    return Event.objects.bulk_create(
        Event(
            at=T0 - HOUR + i * MIN,
            verb=kinds[i % len(kinds)][0],
            actor=actors[i % len(actors)],
            incident=incident,
            old=kinds[i % len(kinds)][1],
            new=kinds[i % len(kinds)][2],
            reason=f"Qcreason{i:03d}",
        )
        for i in range(start, stop)
    )


# DV1s --------------------------------------------------------------------------------------


def assessments(start: int, stop: int, *, officer) -> list[Assessment]:
    """The officer's DV1s on calls of their own: even rows drafts, odd rows submitted."""
    calls = incidents(start, stop, status=IncidentStatus.GRADED)
    victims = people("Qcdv1victim", start, stop)
    perpetrators = people("Qcdv1perp", start, stop)
    dash = current_set("dash-police")
    submitted = [i % 2 == 1 for i in range(start, stop)]
    return Assessment.objects.bulk_create(
        Assessment(
            incident=call,
            victim=victim,
            perpetrator=perpetrator,
            question_set=dash,
            created_by=officer,
            created_at=T0 - HOUR - n * MIN,
            status=AssessmentStatus.SUBMITTED if done else AssessmentStatus.DRAFT,
            submitted_by=officer if done else None,
            submitted_at=T0 - HOUR + n * MIN if done else None,
            yes_count=n % 20,
            officer_level=RiskLevel.MEDIUM if done else "",
            suggested_level=RiskLevel.MEDIUM if done else "",
            routed_to="Central referral unit" if done else "",
        )
        for n, call, victim, perpetrator, done in zip(
            range(start, stop), calls, victims, perpetrators, submitted, strict=True
        )
    )


# Safety plans ------------------------------------------------------------------------------


def plans(cases_: list[Case], *, by) -> list[SafetyPlan]:
    return [safety_services.plan_get_or_create(case=case, user=by) for case in cases_]


def actions(
    start: int,
    stop: int,
    *,
    plans_: list[SafetyPlan],
    owners: list,
    by,
    due_from: dt.datetime,
    owner_team: Team | None = None,
) -> list[SafetyAction]:
    """Open actions over `plans_` held in turn by `owners`, a minute apart from
    `due_from`: every third in free text, every other one with a follow-up (every
    fourth of those escalated)."""
    patrols = SafetyActionType.objects.get(code="patrols")
    made = SafetyAction.objects.bulk_create(
        SafetyAction(
            plan=plans_[i % len(plans_)],
            action_type=None if i % 3 == 0 else patrols,
            description="Ring her sister" if i % 3 == 0 else "",
            owner=owners[i % len(owners)],
            owner_team=owner_team if owners[i % len(owners)] is None else None,
            due_at=due_from + i * MIN,
            status=ActionStatus.OPEN,
            created_by=by,
            created_at=T0 - DAY,
        )
        for i in range(start, stop)
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            action=action,
            reason=FollowUpReason.OVERDUE,
            due_at=action.due_at,
            raised_at=T0 - HOUR,
            escalated=i % 4 == 0,
            from_user=action.owner,
            to_user=action.owner,
            owner_key=f"user:{action.owner_id}",
            note="Overdue: kept",
        )
        for i, action in zip(range(start, stop), made, strict=True)
        if i % 2 == 0 and action.owner_id
    )
    return made


# Partners ----------------------------------------------------------------------------------


def contacts(victim: Person, case: Case, start: int, stop: int, *, by: list) -> list[Contact]:
    """Contacts with the victim by turns of `by` (each for their own team), every other
    one filed under her case, with the note `Qcnote<nnn>`."""
    channels, outcomes = ContactChannel.values, ContactOutcome.values
    return Contact.objects.bulk_create(
        Contact(
            victim=victim,
            case=case if i % 2 else None,
            at=T0 - DAY + i * MIN,
            by=by[i % len(by)],
            agency_id=by[i % len(by)].profile.team_id,
            channel=channels[i % len(channels)],
            outcome=outcomes[i % len(outcomes)],
            note=f"Qcnote{i:03d}",
            created_at=T0 - DAY + i * MIN,
        )
        for i in range(start, stop)
    )


def involvements(
    victims: list[Person],
    agencies_: list[Team],
    start: int,
    stop: int,
    *,
    by,
    case=None,
    some_ended: bool = False,
) -> list[AgencyInvolvement]:
    """Agencies working with victims, victims and agencies taken in turn, started from
    `case` if given (with `some_ended`, every third one is over), and a contact with the
    victim of every other one."""
    ended = [some_ended and i % 3 == 2 for i in range(start, stop)]
    made = AgencyInvolvement.objects.bulk_create(
        AgencyInvolvement(
            victim=victims[n % len(victims)],
            agency=agencies_[n % len(agencies_)],
            case=case,
            started_at=T0 - 10 * DAY + i * MIN,
            started_by=by,
            reason=f"Qcinvolved{i:03d}",
            ended_at=T0 - DAY if over else None,
            ended_by=by if over else None,
            end_reason="Support finished" if over else "",
        )
        for n, (i, over) in enumerate(zip(range(start, stop), ended, strict=True))
    )
    Contact.objects.bulk_create(
        Contact(
            victim=involvement.victim,
            at=T0 - HOUR,
            by=by,
            agency_id=by.profile.team_id,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.SPOKE,
            created_at=T0 - HOUR,
        )
        for involvement in made[::2]
    )
    return made


# Kernel --------------------------------------------------------------------------------------


def notifications(user, start: int, stop: int) -> list[Notification]:
    """Notifications for `user` titled `Qcnote<nnn>`, every other one read."""
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            title=f"Qcnote{i:03d}",
            body="A case in your queue changed",
            url=f"/cases/{i + 1}/",
            created_at=T0 - i * MIN,
            read_at=T0 if i % 2 else None,
        )
        for i in range(start, stop)
    )


def access_log(users: list, refs: dict, start: int, stop: int) -> list[AccessLog]:
    """Access-log rows by turns of `users`, of the kinds the log names in words (a case,
    a person, a call, a search), each with the purpose `Qcpurpose<nnn>`. Newer than
    anything else in the log, so that they come first."""
    kinds = [
        (
            "consult",
            "cases.case",
            str(refs["case"].pk),
            refs["case"].victim_id,
            f"case:{refs['case'].pk}",
        ),
        ("consult", "people.person", str(refs["case"].victim_id), refs["case"].victim_id, ""),
        (
            "consult",
            "calls.incident",
            str(refs["incident"].pk),
            None,
            f"incident:{refs['incident'].pk}",
        ),
        ("search", "people.person", "", None, f"queue:{refs['case'].queue_id}"),
    ]
    return AccessLog.objects.bulk_create(
        AccessLog(
            at=T0 + DAY - i * MIN,
            user=users[i % len(users)],
            action=kinds[i % len(kinds)][0],
            object_type=kinds[i % len(kinds)][1],
            object_id=kinds[i % len(kinds)][2],
            person_id=kinds[i % len(kinds)][3],
            work_item=kinds[i % len(kinds)][4],
            purpose=f"Qcpurpose{i:03d}",
            detail={"results": [1, 2]} if kinds[i % len(kinds)][0] == "search" else {},
        )
        for i in range(start, stop)
    )


def absences(people_: list, start: int, stop: int, *, by) -> list[Absence]:
    """Absences in force now of `people_` in turn, recorded by `by`."""
    kinds = AbsenceKind.values
    return Absence.objects.bulk_create(
        Absence(
            user=people_[n % len(people_)],
            kind=kinds[i % len(kinds)],
            starts_at=T0 - DAY + i * MIN,
            ends_at=T0 + 10 * DAY,
            recorded_by=by,
        )
        for n, i in enumerate(range(start, stop))
    )
