"""Demo data: the organisation defaults, a demo user for every role and fictional
households. Idempotent: run it as often as you like.

The demo data itself is in `_demo_data`: every person, address and number there is
invented.
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

from calls.choices import IncidentRole, IncidentStatus
from calls.models import Incident, IncidentPerson, QuestionSet
from calls.question_sets import load_bundled_question_sets
from dasapp.middleware import needs_two_factor
from dasapp.models import User
from demo.management.commands._demo_data import (
    DARREN,
    DEMO_ARRIVAL_MINUTES,
    DEMO_FLAGS,
    DEMO_INCIDENTS,
    DEMO_INVOLVEMENTS,
    DEMO_OUTCOMES,
    DEMO_USERS,
    HOUSEHOLDS,
    KERRY,
    LEAH,
    LIVE_INCIDENTS,
)
from org.services import user_provision
from people import services
from people.choices import AddressKind, LocationType, NameKind
from people.flag_services import flag_raise
from people.models import Person

DEMO_PASSWORD = "Demo-Password-2026"


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
        from calls import grading, intelligence
        from calls.choices import Grade
        from calls.services import calls as call_services
        from calls.services import dispatch as dispatch_services
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
        from partners.choices import ContactChannel, ContactOutcome
        from partners.models import Contact
        from partners.services.contacts import contact_record

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
        from cases.choices import CaseStatus
        from cases.models import Case, SafetyActionType
        from dasapp.choices import RiskLevel
        from org.models import Absence

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
        from cases.choices import CaseStatus
        from cases.models import Case
        from org.models import Team
        from partners.services import involvements as involvement_services

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
        from dasapp.roles import primary_role, role_label
        from partners.selectors.involvements import agency_victims

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
