"""Demo data: the organisation defaults, a demo user for every role and fictional
households. Idempotent: run it as often as you like.

Every person, address and number here is invented. Phone numbers are in Ofcom's
ranges reserved for drama, so none can belong to a real person.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import services
from cases.choices import (
    AddressKind,
    Gender,
    IncidentRole,
    IncidentStatus,
    LocationType,
    NameKind,
    RelationshipKind,
)
from cases.flag_services import flag_raise
from cases.models import Incident, IncidentPerson, Person, QuestionSet
from cases.question_sets import load_bundled_question_sets
from dasapp.middleware import needs_two_factor
from dasapp.models import User
from dasapp.roles import Role
from dasapp.users import user_provision

DEMO_PASSWORD = "Demo-Password-2026"

# username, roles, team, first, last, rank, supervisor username
DEMO_USERS = [
    ("supervisor", [Role.SUPERVISOR], "cru", "Helen", "Marsh", "Detective Inspector", None),
    ("calltaker", [Role.CALL_TAKER], "control-room", "Ravi", "Okafor", "Call-taker", "supervisor"),
    (
        "intel",
        [Role.INTELLIGENCE],
        "control-intelligence",
        "Bethan",
        "Lowe",
        "Researcher",
        "supervisor",
    ),
    ("officer", [Role.OFFICER], "response", "Tom", "Adeyemi", "PC", "supervisor"),
    ("researcher", [Role.RESEARCHER], "cru", "Nadia", "Quinn", "Researcher", "supervisor"),
    ("daso", [Role.DASO], "cru", "Claire", "Whitmore", "DC", "supervisor"),
    ("daso.colchester", [Role.DASO], "hub-colchester", "Sam", "Reeve", "DC", "supervisor"),
    ("daso.laindon", [Role.DASO], "hub-laindon", "Grace", "Obi", "DC", "supervisor"),
    ("daso.brentwood", [Role.DASO], "hub-brentwood", "Imran", "Shah", "DC", "supervisor"),
    ("investigator", [Role.INVESTIGATOR], "cid", "Paul", "Derwent", "DS", "supervisor"),
    ("marac", [Role.MARAC_COORDINATOR], "marac-unit", "Fiona", "Tait", "MARAC coordinator", None),
    ("idva", [Role.IDVA], "idva-service", "Alys", "Penrose", "IDVA", None),
    ("partner", [Role.PARTNER], "victim-support", "Kemi", "Adebayo", "Case worker", None),
    # Two response inspectors for the safety-plan walkthrough (issue 5): Fenwick is on
    # annual leave, so patrols given to him move to Price, on duty, at the next sweep.
    ("inspector.fenwick", [Role.OFFICER], "response", "Mark", "Fenwick", "Inspector", "supervisor"),
    ("inspector.price", [Role.OFFICER], "response", "Joanna", "Price", "Inspector", "supervisor"),
    # The out-of-hours list (organisation defaults): the duty inspector and the control
    # room's sergeant, both on the round-the-clock rota of their teams, are told at once
    # of a high-risk DV1 submitted while nobody in the central unit or a hub is at work.
    ("inspector.duty", [Role.SUPERVISOR], "response", "Ruth", "Calder", "Inspector", None),
    (
        "sergeant.control",
        [Role.SUPERVISOR],
        "control-room",
        "Dev",
        "Malik",
        "Sergeant",
        "inspector.duty",
    ),
]

# Each household: people (key, given, family, dob, gender, extra), ties, address, phones.
HOUSEHOLDS = [
    {
        "address": ("14 Larkspur Close", "Colchester", "CO4 9QX", LocationType.URBAN),
        "people": [
            (
                "leah",
                "Leah",
                "Hartwell",
                "1991-04-12",
                Gender.FEMALE,
                {
                    "safe_contact_instructions": "Call the safe number only. If a man answers, say it is the GP surgery.",
                    "safe_times": "Weekdays 09:30 to 14:30",
                    "no_voicemail": True,
                },
            ),
            ("darren", "Darren", "Pike", "1987-11-03", Gender.MALE, {}),
            ("mia", "Mia", "Hartwell", "2018-06-21", Gender.FEMALE, {}),
            ("josh", "Josh", "Hartwell", "2020-09-02", Gender.MALE, {}),
        ],
        "aliases": [("darren", "Daz", "Pike")],
        "phones": [
            ("leah", "07700 900123", True),
            ("leah", "07700 900124", False),
            ("darren", "07700 900125", False),
        ],
        "ties": [
            ("leah", "darren", RelationshipKind.EX_PARTNER),
            ("leah", "mia", RelationshipKind.PARENT_OF),
            ("leah", "josh", RelationshipKind.PARENT_OF),
            ("darren", "josh", RelationshipKind.PARENT_OF),
        ],
        "not_at_address": ["darren"],
    },
    {
        "address": ("Flat 3, 27 Mayflower Road", "Basildon", "SS14 2LP", LocationType.URBAN),
        "people": [
            (
                "priya",
                "Priya",
                "Sandhu",
                "1995-02-17",
                Gender.FEMALE,
                {"safe_times": "After 18:00", "language": "Punjabi", "interpreter_needed": True},
            ),
            ("gareth", "Gareth", "Moyle", "1990-08-30", Gender.MALE, {}),
        ],
        "phones": [("priya", "07700 900201", True), ("gareth", "07700 900202", False)],
        "ties": [("priya", "gareth", RelationshipKind.PARTNER)],
    },
    {
        "address": ("8 Seabrook Terrace", "Southend-on-Sea", "SS1 2XT", LocationType.URBAN),
        "people": [
            ("kerry", "Kerry", "Ashdown", "1984-12-09", Gender.FEMALE, {"no_voicemail": True}),
            ("lee", "Lee", "Brannigan", "1982-05-14", Gender.MALE, {}),
            ("ruby", "Ruby", "Ashdown", "2013-03-28", Gender.FEMALE, {}),
        ],
        "phones": [("kerry", "01632 960301", True), ("lee", "07700 900302", False)],
        "ties": [
            ("kerry", "lee", RelationshipKind.PARTNER),
            ("kerry", "ruby", RelationshipKind.PARENT_OF),
        ],
    },
    {
        "address": ("2 Quarry Cottages, Mill Lane", "Dunmow", "CM6 3BT", LocationType.RURAL),
        "people": [
            ("sophie", "Sophie", "Kettering", "1993-07-01", Gender.FEMALE, {}),
        ],
        "phones": [("sophie", "07700 900401", True)],
        "ties": [],
        "external_ties": [
            ("sophie", ("Lee", "Brannigan", "1982-05-14"), RelationshipKind.EX_PARTNER)
        ],
    },
    {
        "address": ("41 Beech Avenue", "Harlow", "CM20 1HX", LocationType.URBAN),
        "people": [
            ("owen", "Owen", "Fairley", "1979-10-22", Gender.MALE, {}),
            ("natalie", "Natalie", "Fairley", "1981-01-15", Gender.FEMALE, {}),
        ],
        "phones": [("owen", "07700 900501", True), ("natalie", "07700 900502", False)],
        "ties": [("owen", "natalie", RelationshipKind.PARTNER)],
    },
    {
        "address": ("6 Kingfisher Way", "Chelmsford", "CM2 6TR", LocationType.URBAN),
        "people": [
            ("joanne", "Joanne", "Smith", "1988-03-05", Gender.FEMALE, {}),
            ("craig", "Craig", "Smith", "1986-09-19", Gender.MALE, {}),
            ("alfie", "Alfie", "Smith", "2016-11-11", Gender.MALE, {}),
        ],
        "phones": [("joanne", "020 7946 0601", True), ("craig", "07700 900602", False)],
        "ties": [
            ("joanne", "craig", RelationshipKind.PARTNER),
            ("joanne", "alfie", RelationshipKind.PARENT_OF),
            ("craig", "alfie", RelationshipKind.PARENT_OF),
        ],
    },
    {
        "address": ("19 Thames View", "Grays", "RM17 5AB", LocationType.URBAN),
        "people": [
            (
                "amira",
                "Amira",
                "Haddad",
                "1997-05-25",
                Gender.FEMALE,
                {
                    "language": "Arabic",
                    "interpreter_needed": True,
                    "safe_contact_instructions": "Use a female interpreter. Never call when her husband's brother is visiting (Sundays).",
                },
            ),
            ("sami", "Sami", "Haddad", "1992-02-02", Gender.MALE, {}),
        ],
        "phones": [("amira", "07700 900701", True), ("sami", "07700 900702", False)],
        "ties": [("amira", "sami", RelationshipKind.PARTNER)],
    },
]


LEAH = ("Leah", "Hartwell", "1991-04-12")
DARREN = ("Darren", "Pike", "1987-11-03")
KERRY = ("Kerry", "Ashdown", "1984-12-09")
LEE = ("Lee", "Brannigan", "1982-05-14")
SOPHIE = ("Sophie", "Kettering", "1993-07-01")
PRIYA = ("Priya", "Sandhu", "1995-02-17")
GARETH = ("Gareth", "Moyle", "1990-08-30")

# The agencies working with Leah (team code, reason), recorded by her DASO.
DEMO_INVOLVEMENTS = [
    ("idva-service", "Demo: Leah agreed to an IDVA at the DASO's call after the last incident."),
    ("victim-support", "Demo: Leah asked for victim support's help with the court case."),
]

# key, victim, suspect, days ago, grade, answers
DEMO_INCIDENTS = [
    (
        "leah-1",
        LEAH,
        DARREN,
        200,
        "priority",
        {"injuries": "minor", "fear_level": "3", "weapons": "no"},
    ),
    (
        "leah-2",
        LEAH,
        DARREN,
        95,
        "emergency",
        {"injuries": "minor", "weapons": "yes", "fear_level": "4"},
    ),
    ("leah-3", LEAH, DARREN, 21, "emergency", {"injuries": "serious", "fear_level": "4"}),
    ("kerry-1", KERRY, LEE, 60, "priority", {"fear_level": "2", "weapons": "yes"}),
    ("sophie-1", SOPHIE, LEE, 400, "priority", {"fear_level": "3"}),
    ("sophie-2", SOPHIE, LEE, 150, "scheduled", {"fear_level": "2"}),
    ("priya-1", PRIYA, GARETH, 30, "scheduled", {"fear_level": "1"}),
]

# How each past call ended (all were attended and closed long ago): outcome, note.
DEMO_OUTCOMES = {
    "leah-1": ("safeguarding", "Demo: officers attended; Leah safe at her sister's, DV1 done."),
    "leah-2": ("investigation", "Demo: knife reported; Darren Pike arrested, passed to CID."),
    "leah-3": ("investigation", "Demo: serious injuries; Darren Pike arrested, passed to CID."),
    "kerry-1": ("safeguarding", "Demo: officers attended; Lee Brannigan left before arrival."),
    "sophie-1": ("no_further_action", "Demo: Sophie did not want police action; advice given."),
    "sophie-2": ("safeguarding", "Demo: visit by appointment; safety advice and DV1 done."),
    "priya-1": ("safeguarding", "Demo: visit by appointment with a Punjabi interpreter."),
}
# Minutes from logging to the officer's arrival on the past calls, by grade.
DEMO_ARRIVAL_MINUTES = {"emergency": 12, "priority": 41, "scheduled": 0}

JOANNE = ("Joanne", "Smith", "1988-03-05")
CRAIG = ("Craig", "Smith", "1986-09-19")
AMIRA = ("Amira", "Haddad", "1997-05-25")
SAMI = ("Sami", "Haddad", "1992-02-02")

# The live dispatch board, timed from now each time seed_demo runs (while still open):
# key, victim, suspect, minutes since logged, grade, answers, minutes since the officer
# arrived (None: still waiting). Sophie's is rural (20 minutes for an emergency), so it
# is 4 minutes overdue; Amira's officer arrived 3 minutes late.
LIVE_INCIDENTS = [
    (
        "live-kerry",
        KERRY,
        LEE,
        6,
        "emergency",
        {
            "injuries": "minor",
            "suspect_location": "present",
            "weapons": "yes",
            "children_present": "yes",
            "fear_level": "4",
            "afraid_of": ["being_killed"],
            "demeanour": "distressed",
        },
        None,
    ),
    (
        "live-leah",
        LEAH,
        DARREN,
        22,
        "priority",
        {
            "injuries": "none",
            "suspect_location": "nearby",
            "weapons": "no",
            "fear_level": "3",
            "afraid_of": ["further_injury"],
            "demeanour": "whispering",
        },
        None,
    ),
    (
        "live-sophie",
        SOPHIE,
        LEE,
        24,
        "emergency",
        {
            "injuries": "minor",
            "suspect_location": "present",
            "weapons": "not_known",
            "fear_level": "4",
            "demeanour": "distressed",
        },
        None,
    ),
    (
        "live-priya",
        PRIYA,
        GARETH,
        50,
        "scheduled",
        {"injuries": "none", "suspect_location": "elsewhere", "fear_level": "1"},
        None,
    ),
    (
        "live-joanne",
        JOANNE,
        CRAIG,
        55,
        "priority",
        {"injuries": "minor", "suspect_location": "elsewhere", "weapons": "no", "fear_level": "2"},
        18,
    ),
    (
        "live-amira",
        AMIRA,
        SAMI,
        40,
        "emergency",
        {"injuries": "minor", "suspect_location": "present", "fear_level": "3"},
        22,
    ),
]

# victim, kind, summary, on (person, address, phones), days until it ends (None: open)
DEMO_FLAGS = [
    (
        LEAH,
        "high_risk_victim",
        "High-risk domestic abuse victim (demo case)",
        ("person", "address", "phones"),
        None,
    ),
    (
        DARREN,
        "bail_conditions",
        "Bail: not to contact Leah Hartwell or enter Larkspur Close, Colchester",
        ("person",),
        28,
    ),
    (
        LEAH,
        "bail_conditions",
        "Suspect on bail not to contact her or come to this address",
        ("address", "phones"),
        28,
    ),
    (LEE, "weapons", "Has used a knife in a previous domestic incident", ("person",), None),
]


def _person(given: str, family: str, dob: str) -> Person | None:
    return Person.objects.filter(
        given_name=given, family_name=family, date_of_birth=dt.date.fromisoformat(dob)
    ).first()


def demo_totp_key(username: str) -> str:
    """A fixed TOTP key per demo user, so the demo is reproducible (never in production)."""
    return hashlib.sha256(f"dasapp-demo-totp:{username}".encode()).hexdigest()[:40]


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


class Command(BaseCommand):
    help = "Load organisation defaults, demo users for every role and fictional demo people."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            self.stderr.write("seed_demo refuses to run with DJANGO_ENV=production.")
            return
        call_command("load_org_defaults", stdout=self.stdout)
        load_bundled_question_sets()
        with transaction.atomic():
            users = self._users()
            people = self._people()
            incidents = self._incidents(users)
            flags = self._flags()
            self._live_incidents(users)  # the dispatch board, timed from now
            self._marac_referrals(users)
            self._contacts(users)  # victim contact timeline (issue 5)
            self._safety_plan(users)  # safety plan and follow-up walkthrough (issue 5)
            self._involvements(users)  # the IDVA and victim support work with Leah
        self.stdout.write(
            f"Demo data ready: {len(users)} users, {people} people, {incidents} past incidents, "
            f"{flags} flags."
        )
        if not options["quiet_logins"]:
            self._print_logins(users)

    def _users(self) -> list[User]:
        made: dict[str, User] = {}
        for username, roles, team, first, last, rank, supervisor in DEMO_USERS:
            user, _ = user_provision(
                username=username,
                roles=roles,
                team_code=team,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                rank=rank,
                email=f"{username}@dasapp.invalid",
                supervisor=made.get(supervisor) if supervisor else None,
            )
            made[username] = user
        admin, _ = User.objects.get_or_create(username="admin")
        admin.first_name, admin.last_name = "Demo", "Administrator"
        admin.is_staff = admin.is_superuser = True
        admin.email = "admin@dasapp.invalid"
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        made["admin"] = admin
        for user in made.values():
            if needs_two_factor(user):
                TOTPDevice.objects.update_or_create(
                    user=user,
                    name="Demo authenticator",
                    defaults={"key": demo_totp_key(user.username), "confirmed": True},
                )
        return list(made.values())

    def _people(self) -> int:
        count = 0
        for household in HOUSEHOLDS:
            line1, town, postcode, area = household["address"]
            address, _ = services.address_get_or_create(
                line1=line1, town=town, postcode=postcode, location_type=area
            )
            keyed: dict[str, Person] = {}
            for key, given, family, dob, gender, extra in household["people"]:
                born = dt.date.fromisoformat(dob)
                person = Person.objects.filter(
                    given_name=given, family_name=family, date_of_birth=born
                ).first()
                if person is None:
                    person = services.person_create(
                        data=services.PersonInput(
                            given_name=given,
                            family_name=family,
                            date_of_birth=born,
                            gender=gender,
                            **extra,
                        )
                    )
                keyed[key] = person
                count += 1
                if key not in household.get("not_at_address", []):
                    services.person_address_link(
                        person=person, address=address, kind=AddressKind.HOME
                    )
            for key, given, family in household.get("aliases", []):
                services.person_name_add(
                    person=keyed[key], given_name=given, family_name=family, kind=NameKind.ALIAS
                )
            for key, number, safe in household["phones"]:
                phone, _ = services.phone_get_or_create(number=number)
                services.person_phone_link(person=keyed[key], phone=phone, is_safe=safe)
            for a, b, kind in household["ties"]:
                services.relationship_link(person=keyed[a], other=keyed[b], kind=kind)
            for a, (given, family, dob), kind in household.get("external_ties", []):
                other = Person.objects.filter(
                    given_name=given, family_name=family, date_of_birth=dt.date.fromisoformat(dob)
                ).first()
                if other:
                    services.relationship_link(person=keyed[a], other=other, kind=kind)
        return count

    def _incidents(self, users: list[User]) -> int:
        """Past calls for the repeat victims, so the look-up has history to show."""
        calltaker = next(u for u in users if u.username == "calltaker")
        officer = next(u for u in users if u.username == "officer")
        qset = QuestionSet.objects.get(code="control-room-call", is_current=True)
        now = timezone.now()
        made = 0
        for key, victim, suspect, days_ago, grade, answers in DEMO_INCIDENTS:
            v = _person(*victim)
            sus = _person(*suspect)
            if v is None or sus is None:
                continue
            home = v.address_links.filter(is_current=True).select_related("address").first()
            phone = v.phone_links.filter(is_safe=False).first() or v.phone_links.first()
            at = now - dt.timedelta(days=days_ago)
            incident, created = Incident.objects.get_or_create(
                idempotency_key=f"demo:{key}",
                defaults={
                    "status": IncidentStatus.GRADED,
                    "created_by": calltaker,
                    "created_at": at,
                    "question_set": qset,
                    "answers": answers,
                    "grade": grade,
                    "suggested_grade": grade,
                    "graded_by": calltaker,
                    "graded_at": at,
                    "attend_by": at + dt.timedelta(minutes=60),
                    "address": home.address if home else None,
                    "district": home.address.district if home else None,
                    "caller_phone": phone.phone if phone else None,
                    "narrative": "Demo call: argument escalated, caller asked for police.",
                },
            )
            if created:
                IncidentPerson.objects.bulk_create(
                    [
                        IncidentPerson(incident=incident, person=v, role=IncidentRole.VICTIM),
                        IncidentPerson(incident=incident, person=sus, role=IncidentRole.SUSPECT),
                    ]
                )
            self._close_past(incident, key=key, officer=officer, calltaker=calltaker)
            made += 1
        return made

    def _close_past(self, incident: Incident, *, key: str, officer, calltaker) -> None:
        """A past call was attended and closed long ago: say so, with times from when it
        was logged (a demo database made before calls were closed is put right here)."""
        from dasapp.history import audited_save

        if incident.status != IncidentStatus.GRADED:
            return
        logged = incident.logged_at or incident.graded_at or incident.created_at
        arrived = logged + dt.timedelta(minutes=DEMO_ARRIVAL_MINUTES.get(incident.grade, 30))
        if incident.grade == "scheduled" and incident.attend_by:
            arrived = incident.attend_by - dt.timedelta(minutes=5)
        outcome, note = DEMO_OUTCOMES.get(key, ("safeguarding", "Demo: officers attended."))
        incident.status = IncidentStatus.CLOSED
        incident.attended_at = arrived
        incident.attended_by = officer
        incident.closed_at = arrived + dt.timedelta(hours=2)
        incident.closed_by = calltaker
        incident.outcome = outcome
        incident.outcome_note = note
        incident.version += 1
        audited_save(incident, user=calltaker, reason="Demo: attended and closed")

    def _live_incidents(self, users: list[User]) -> int:
        """A realistic dispatch board: a handful of calls logged in the last hour, most
        waiting for an officer (one overdue), two attended and not yet closed, each with
        the look-up taken when it was logged. Made once; each run times them from now
        again while they are still as seeded (a call a demo user attended or closed is
        left as it is)."""
        from cases import call_services, dispatch_services, grading, intelligence
        from cases.choices import Grade
        from dasapp.history import audited_save

        named = {user.username: user for user in users}
        calltaker, officer = named["calltaker"], named["officer"]
        qset = QuestionSet.objects.get(code="control-room-call", is_current=True)
        rs = call_services.response_settings()
        now = timezone.now()
        made = 0
        for key, victim, suspect, minutes_ago, grade, answers, arrived_ago in LIVE_INCIDENTS:
            v, sus = _person(*victim), _person(*suspect)
            if v is None or sus is None:
                continue
            home = v.address_links.filter(is_current=True).select_related("address").first()
            address = home.address if home else None
            rural = address is not None and address.location_type == LocationType.RURAL
            logged = now - dt.timedelta(minutes=minutes_ago)
            appointment = None
            if grade == Grade.SCHEDULED:
                tomorrow = timezone.localtime(now) + dt.timedelta(days=1)
                appointment = tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)
            times = {
                "created_at": logged,
                "logged_at": logged,
                "graded_at": logged,
                "intelligence_at": logged,
                "appointment_at": appointment,
                "attend_by": grading.attend_by(
                    grade=grade,
                    graded_at=logged,
                    rural=rural,
                    emergency_urban=rs.emergency_urban_minutes,
                    emergency_rural=rs.emergency_rural_minutes,
                    priority=rs.priority_minutes,
                    appointment=appointment,
                ),
            }
            seeded = IncidentStatus.GRADED if arrived_ago is None else IncidentStatus.ATTENDED
            incident = Incident.objects.filter(idempotency_key=f"demo:{key}").first()
            if incident is not None:
                if incident.status == seeded:
                    for field, value in times.items():
                        setattr(incident, field, value)
                    if arrived_ago is not None:
                        incident.attended_at = now - dt.timedelta(minutes=arrived_ago)
                    incident.version += 1
                    audited_save(incident, user=calltaker, reason="Demo: timed from now")
                continue
            phone = v.phone_links.filter(is_safe=False).first() or v.phone_links.first()
            package, _ = intelligence.lookup(
                intelligence.LookupQuery(
                    phone=phone.phone.e164 if phone else "",
                    address_id=address.pk if address else None,
                    person_ids=[v.pk, sus.pk],
                )
            )
            incident = Incident(
                idempotency_key=f"demo:{key}",
                status=IncidentStatus.GRADED,
                created_by=calltaker,
                logged_by=calltaker,
                graded_by=calltaker,
                question_set=qset,
                answers=answers,
                grade=grade,
                suggested_grade=grade,
                address=address,
                district=address.district if address else None,
                location_type=LocationType.RURAL if rural else LocationType.URBAN,
                caller_phone=phone.phone if phone else None,
                narrative="Demo call: shouting heard, caller asked for police to come now.",
                intelligence=package.as_json(),
                **times,
            )
            audited_save(incident, user=calltaker, reason="Demo: call logged")
            IncidentPerson.objects.bulk_create(
                [
                    IncidentPerson(incident=incident, person=v, role=IncidentRole.VICTIM),
                    IncidentPerson(incident=incident, person=sus, role=IncidentRole.SUSPECT),
                ]
            )
            if arrived_ago is not None:
                dispatch_services.incident_attended(
                    incident=incident, user=officer, at=now - dt.timedelta(minutes=arrived_ago)
                )
            made += 1
        return made

    def _flags(self) -> int:
        count = 0
        for victim, kind, summary, on, days in DEMO_FLAGS:
            person = _person(*victim)
            if person is None:
                continue
            ends = timezone.now() + dt.timedelta(days=days) if days else None
            targets = []
            if "person" in on:
                targets.append({"person": person})
            if "address" in on:
                link = person.address_links.filter(is_current=True).first()
                if link:
                    targets.append({"address": link.address})
            if "phones" in on:
                targets.extend({"phone": link.phone} for link in person.phone_links.all())
            for target in targets:
                flag_raise(kind=kind, summary=summary, source="demo", ends_at=ends, **target)
                count += 1
        return count

    def _marac_referrals(self, users: list[User]) -> int:
        """Kerry was referred to MARAC last month, which flags her "on a MARAC list" for
        the call-taker. Added once."""
        from marac.models import Referral
        from marac.services import referral_record

        coordinator = next((u for u in users if u.username == "marac"), None)
        kerry = _person(*KERRY)
        if kerry is None or Referral.objects.filter(victim=kerry).exists():
            return 0
        referral_record(
            victim=kerry,
            user=coordinator,
            referred_at=timezone.now() - dt.timedelta(days=35),
            criteria=["visible_high_risk"],
        )
        return 1

    def _contacts(self, users: list[User]) -> int:
        """Victim support spoke with Leah (a high-risk victim) yesterday, so a DASO opening
        her record sees the other-agency warning before calling. Added once."""
        from cases.choices import ContactChannel, ContactOutcome
        from cases.contact_services import contact_record
        from cases.models import Contact

        by = next((u for u in users if u.username == "partner"), None)
        leah = _person(*LEAH)
        if by is None or leah is None or Contact.objects.filter(victim=leah, by=by).exists():
            return 0
        contact_record(
            victim=leah,
            user=by,
            channel=ContactChannel.PHONE,
            outcome=ContactOutcome.SPOKE,
            at=timezone.now() - dt.timedelta(days=1),
            note="Demo: called on the safe number; she is staying with her sister this week.",
        )
        return 1

    def _safety_plan(self, users: list[User]) -> int:
        """Leah's high-risk case has a safety plan agreed with her today, with patrols past
        the address given to Inspector Fenwick, who is on annual leave: the first sweep
        moves it to Inspector Price, on duty, and tells her. Added once."""
        from cases import case_services, safety_services
        from cases.choices import CaseStatus, RiskLevel
        from cases.models import Absence, Case, SafetyActionType

        named = {user.username: user for user in users}
        daso, fenwick = named.get("daso"), named.get("inspector.fenwick")
        supervisor = named.get("supervisor")
        leah, darren = _person(*LEAH), _person(*DARREN)
        if None in (daso, fenwick, supervisor, leah, darren):
            return 0
        now = timezone.now()
        leave_note = "Demo: annual leave"
        if (
            not Absence.objects.in_force()
            .filter(user=fenwick, note=leave_note, ends_at__gt=now)
            .exists()
        ):
            safety_services.absence_record(
                user=supervisor,
                person=fenwick,
                kind="annual_leave",
                starts_at=now - dt.timedelta(days=3),
                ends_at=now + dt.timedelta(days=11),
                note=leave_note,
            )
        case = Case.objects.filter(victim=leah, perpetrator=darren, status=CaseStatus.OPEN).first()
        if case is None:
            home = leah.address_links.filter(is_current=True).select_related("address").first()
            case, _ = case_services.case_open_or_join(
                victim=leah,
                perpetrator=darren,
                level=RiskLevel.HIGH,
                user=daso,
                district=home.address.district if home else None,
            )
            case_services.case_route(case=case, user=daso)
        plan = safety_services.plan_get_or_create(case=case, user=daso)
        if plan.agreed_with_victim_at is None:
            plan = safety_services.plan_agree(
                plan=plan, user=daso, agreed_at=timezone.localdate(now)
            )
        if plan.actions.exists():
            return 0
        safety_services.action_add(
            plan=plan,
            user=daso,
            action_type=SafetyActionType.objects.get(code="patrols"),
            description="Evenings, 18:00 to 23:00, until the bail hearing",
            owner=fenwick,
            due_at=now + dt.timedelta(minutes=45),
        )
        return 1

    def _involvements(self, users: list[User]) -> int:
        """The IDVA service and victim support work with Leah (recorded by her DASO), so
        the `idva` and `partner` demo users find her under My agency's victims and read
        and add to her contact timeline. Added once."""
        from cases import involvement_services
        from cases.choices import CaseStatus
        from cases.models import Case, Team

        named = {user.username: user for user in users}
        daso, leah = named.get("daso"), _person(*LEAH)
        if daso is None or leah is None:
            return 0
        case = Case.objects.filter(victim=leah, status=CaseStatus.OPEN).order_by("pk").first()
        made = 0
        for code, reason in DEMO_INVOLVEMENTS:
            agency = Team.objects.filter(code=code).first()
            if agency is None or involvement_services.open_involvement(victim=leah, agency=agency):
                continue
            involvement_services.involvement_start(
                victim=leah, agency=agency, user=daso, reason=reason, case=case
            )
            made += 1
        return made

    def _print_logins(self, users: list[User]) -> None:
        from cases.involvement_selectors import agency_victims
        from dasapp.roles import primary_role, role_label

        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for user in users:
            label = role_label(primary_role(user))
            line = f"  {user.username:<18} {label}"
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                line += "  (two-factor: run `make totp USER=" + user.username + "` for the code)"
            victims = agency_victims(user=user).count()
            if victims:
                plural = "s" if victims != 1 else ""
                line += f"  (agency works with {victims} victim{plural}: My agency's victims)"
            self.stdout.write(line)
        self.stdout.write("")
