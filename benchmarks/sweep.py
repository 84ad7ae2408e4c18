"""The safety-action sweep (issue 5): 100,000 open actions, one full sweep, under 30 s.

    python -m benchmarks.sweep [--actions 100000] [--batch-size 500]
    SWEEP_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dasapp_sweepbench (default)

`run(args) -> list[dict]` is what `benchmarks.run` calls (rows of name, value, target,
pass). It replaces the sweep's own generated rows (people and staff named `Sweepbench`,
plans noted `sweepbench`) with fresh ones, written in bulk: no `save()`, no history, as
volume data has no audit trail. The mix, at the moment of the sweep:

- staff: 12 police teams of 25 (their shift patterns apply: hub staff on rest days or off
  shift, office teams out of hours), one supervisor per team and a chief over them;
  10% of staff on annual leave and 2% off sick now;
- actions: 85% owned by a person, 15% by a team; 5% overdue (up to a week) and none of
  them followed up yet, 1% falling due within the look-ahead (the next hour: about seven
  times the 0.15% an hour of actions spread evenly over four weeks), the rest due later
  (up to four weeks). Those of the later ones whose owner is away when they fall due
  (within the absence look-ahead, 14 days) are followed up too: the sweep's second
  pass, over the absent owners' actions only.

Then one sweep is timed: the catch-up after, say, the queue was down (every overdue
action and every action whose owner will be away gets its follow-up, move, history
row, event and notifications: whom it went to, whom it was taken from, the case's
owner), and a second one, the steady state every five minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from contextlib import contextmanager

TARGET_SECONDS = 30.0
MARK = "sweepbench"
EVENT_TRIGGER = "dasapp_event_append_only"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dasapp_sweepbench"
TEAMS = [
    "response",
    "cid",
    "cru",
    "hub-colchester",
    "hub-laindon",
    "hub-brentwood",
    "nct-north",
    "ppt-south",
    "control-room",
    "marac-unit",
    "idva-service",
    "control-intelligence",
]
ROLE_OF_TEAM = {
    "cru": "daso",
    "hub-colchester": "daso",
    "hub-laindon": "daso",
    "hub-brentwood": "daso",
    "cid": "investigator",
    "marac-unit": "marac_coordinator",
    "idva-service": "idva",
    "control-room": "call_taker",
    "control-intelligence": "intelligence",
}
PER_TEAM = 25
ACTIONS_PER_CASE = 10


@contextmanager
def _events_deletable():
    """Events are append-only: on PostgreSQL a trigger refuses to delete one (dasapp
    migration 0010). The sweep's generated events are volume data with no audit trail,
    so in a benchmark database only, and only inside the wipe's transaction (a failure
    rolls the suspension back with the rest), the trigger is suspended."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"Refusing to delete events from {name!r}: not a benchmark database.")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE dasapp_event DISABLE TRIGGER {EVENT_TRIGGER}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE dasapp_event ENABLE TRIGGER {EVENT_TRIGGER}")


def _delete_previous() -> None:
    """Remove the rows an earlier run generated: plain DELETEs (no signals, so no history
    rows are written for them), children first."""
    from django.db import transaction

    from cases.models import Case, FollowUp, SafetyAction, SafetyPlan
    from dasapp.models import Event, Notification, User
    from org.models import Absence, StaffProfile
    from people.models import Person

    def wipe(queryset) -> None:
        queryset._raw_delete(queryset.db)

    ours = {"user__username__startswith": f"{MARK}-"}
    _analyse()  # fresh statistics, or the planner nests loops over the last run's rows
    with transaction.atomic(), _events_deletable():
        wipe(FollowUp.objects.filter(action__plan__notes=MARK))
        wipe(SafetyAction.history.filter(plan__notes=MARK))
        wipe(SafetyAction.objects.filter(plan__notes=MARK))
        wipe(Event.objects.filter(case__victim__family_name="Sweepbench"))
        wipe(SafetyPlan.objects.filter(notes=MARK))
        wipe(Case.objects.filter(victim__family_name="Sweepbench"))
        wipe(Person.objects.filter(family_name="Sweepbench"))
        wipe(Notification.objects.filter(**ours))
        wipe(Absence.history.filter(**ours))
        wipe(Absence.objects.filter(**ours))
        wipe(StaffProfile.objects.filter(**ours))
        wipe(User.groups.through.objects.filter(**ours))
        wipe(User.objects.filter(username__startswith=f"{MARK}-"))


def _staff(rng: random.Random, now: dt.datetime) -> tuple[list[int], dict[str, int]]:
    """Users, profiles, roles and absences. Returns the staff ids and team ids by code."""
    from django.contrib.auth.models import Group

    from dasapp.models import User
    from dasapp.users import roles_ensure
    from org.choices import AbsenceKind
    from org.models import Absence, StaffProfile, Team

    roles_ensure()
    groups = {g.name: g for g in Group.objects.all()}
    teams = {t.code: t for t in Team.objects.filter(code__in=TEAMS)}
    chief = User(username=f"{MARK}-chief", first_name="Chief", last_name="Sweepbench")
    leads = [
        User(username=f"{MARK}-{code}-lead", first_name="Lead", last_name=f"Sweepbench {code}")
        for code in teams
    ]
    members = [
        User(
            username=f"{MARK}-{code}-{n:02d}",
            first_name=f"Officer {n}",
            last_name=f"Sweepbench {code}",
        )
        for code in teams
        for n in range(PER_TEAM)
    ]
    everyone = [chief, *leads, *members]
    for user in everyone:
        user.password = "!"  # unusable: these accounts never sign in
    User.objects.bulk_create(everyone, batch_size=1000)
    saved = {u.username: u for u in User.objects.filter(username__startswith=f"{MARK}-")}
    chief = saved[chief.username]
    profiles, memberships = [], []
    through = User.groups.through
    for code, team in teams.items():
        lead = saved[f"{MARK}-{code}-lead"]
        profiles.append(StaffProfile(user=lead, team=team, supervisor=chief, rank="Inspector"))
        memberships.append(through(user_id=lead.pk, group_id=groups["supervisor"].pk))
        for n in range(PER_TEAM):
            user = saved[f"{MARK}-{code}-{n:02d}"]
            rank = "Sergeant" if n < 3 else "Constable"
            profiles.append(StaffProfile(user=user, team=team, supervisor=lead, rank=rank))
            role = ROLE_OF_TEAM.get(code, "officer")
            memberships.append(through(user_id=user.pk, group_id=groups[role].pk))
    profiles.append(StaffProfile(user=chief, team=teams["cru"], rank="Superintendent"))
    memberships.append(through(user_id=chief.pk, group_id=groups["supervisor"].pk))
    StaffProfile.objects.bulk_create(profiles, batch_size=1000)
    through.objects.bulk_create(memberships, batch_size=1000)
    staff_ids = [saved[u.username].pk for u in members]
    absences = []
    for user_id in staff_ids:
        roll = rng.random()
        if roll < 0.12:
            kind = AbsenceKind.ANNUAL_LEAVE if roll < 0.10 else AbsenceKind.SICKNESS
            absences.append(
                Absence(
                    user_id=user_id,
                    kind=kind,
                    starts_at=now - dt.timedelta(days=rng.randint(1, 5)),
                    ends_at=now + dt.timedelta(days=rng.randint(2, 14)),
                )
            )
    Absence.objects.bulk_create(absences, batch_size=1000)
    return staff_ids, {code: team.pk for code, team in teams.items()}


def _actions(
    count: int,
    rng: random.Random,
    now: dt.datetime,
    staff_ids,
    team_ids,
    *,
    overdue: float = 0.05,
    due_soon: float = 0.01,
) -> dict:
    """People, cases, plans and `count` open actions in the mix above."""
    from cases.models import Case, SafetyAction, SafetyActionType, SafetyPlan
    from people.models import Person

    types = list(SafetyActionType.objects.values_list("pk", flat=True))
    n_cases = max(1, count // ACTIONS_PER_CASE)
    people = [Person(given_name=f"Victim {n}", family_name="Sweepbench") for n in range(n_cases)]
    Person.objects.bulk_create(people, batch_size=5000)
    person_ids = list(
        Person.objects.filter(family_name="Sweepbench").order_by("pk").values_list("pk", flat=True)
    )
    opened = now - dt.timedelta(days=30)
    Case.objects.bulk_create(
        [Case(victim_id=pk, risk_level="high", opened_at=opened) for pk in person_ids],
        batch_size=5000,
    )
    case_ids = list(
        Case.objects.filter(victim_id__in=person_ids).order_by("pk").values_list("pk", flat=True)
    )
    SafetyPlan.objects.bulk_create(
        [SafetyPlan(case_id=pk, created_at=opened, notes=MARK) for pk in case_ids],
        batch_size=5000,
    )
    plan_ids = list(SafetyPlan.objects.filter(notes=MARK).values_list("pk", flat=True))
    team_list = list(team_ids.values())
    mix = {"overdue": 0, "due within the hour": 0, "due later": 0, "team-owned": 0}
    batch: list[SafetyAction] = []
    for n in range(count):
        roll = rng.random()
        if roll < overdue:
            due = now - dt.timedelta(minutes=rng.randint(1, 7 * 24 * 60))
            mix["overdue"] += 1
        elif roll < overdue + due_soon:
            due = now + dt.timedelta(seconds=rng.randint(60, 3600))
            mix["due within the hour"] += 1
        else:
            due = now + dt.timedelta(minutes=rng.randint(61, 28 * 24 * 60))
            mix["due later"] += 1
        team_owned = rng.random() < 0.15
        mix["team-owned"] += team_owned
        batch.append(
            SafetyAction(
                plan_id=plan_ids[n % len(plan_ids)],
                action_type_id=rng.choice(types),
                owner_id=None if team_owned else rng.choice(staff_ids),
                owner_team_id=rng.choice(team_list) if team_owned else None,
                due_at=due,
                created_at=now - dt.timedelta(days=rng.randint(1, 20)),
            )
        )
        if len(batch) == 5000:
            SafetyAction.objects.bulk_create(batch)
            batch = []
    SafetyAction.objects.bulk_create(batch)
    return mix


def _away_later(now: dt.datetime) -> int:
    """Actions due after the short look-ahead and within the absence one whose owner is
    away when they fall due: what the sweep's second pass follows up."""
    from django.db.models import Exists, OuterRef

    from cases.models import SafetyAction
    from cases.safety_services.sweeping import sweep_absence_lookahead, sweep_lookahead
    from org.models import Absence

    covering = Absence.objects.in_force().filter(
        user_id=OuterRef("owner_id"),
        starts_at__lte=OuterRef("due_at"),
        ends_at__gt=OuterRef("due_at"),
    )
    return (
        SafetyAction.objects.filter(
            plan__notes=MARK,
            due_at__gt=now + sweep_lookahead(),
            due_at__lte=now + sweep_absence_lookahead(),
        )
        .filter(Exists(covering))
        .count()
    )


def _analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "cases_safetyaction",
                "cases_safetyplan",
                "cases_case",
                "dasapp_event",
                "people_person",
                "cases_historicalsafetyaction",
                "cases_followup",
                "org_absence",
                "org_staffprofile",
                "dasapp_user",
                "dasapp_notification",
            ):
                cursor.execute(f"ANALYZE {table}")


def run(args) -> list[dict]:
    """Generate the actions, time a full sweep and a second one; rows for the report."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cases import safety_services
    from cases.models import FollowUp, SafetyAction

    count = int(getattr(args, "actions", None) or 100_000)
    batch_size = int(getattr(args, "sweep_batch_size", None) or 500)
    rng = random.Random(getattr(args, "seed", 1))
    # The teams and the catalogue the rows use (idempotent: matched by code).
    call_command("load_org_defaults", stdout=io.StringIO())
    started = time.monotonic()
    _delete_previous()
    now = timezone.now()
    staff_ids, team_ids = _staff(rng, now)
    mix = _actions(
        count,
        rng,
        now,
        staff_ids,
        team_ids,
        overdue=float(getattr(args, "overdue_percent", None) or 5) / 100,
        due_soon=float(getattr(args, "due_soon_percent", None) or 1) / 100,
    )
    _analyse()
    generated = time.monotonic() - started
    mix["owner away when due later"] = _away_later(now)
    open_total = SafetyAction.objects.filter(status="open").count()
    print(
        f"sweep benchmark on {connection.vendor} {connection.settings_dict['NAME']}: "
        f"{count:,} actions generated in {generated:.1f} s ({open_total:,} open in all); "
        + ", ".join(f"{v:,} {k}" for k, v in mix.items())
    )

    at = timezone.now()
    first = safety_services.sweep_run(now=at, batch_size=batch_size)
    # The same moment again: what a second worker, or the task delivered twice, would do.
    second = safety_services.sweep_run(now=at, batch_size=batch_size)
    raised = FollowUp.objects.filter(action__plan__notes=MARK).count()
    print(
        f"first sweep: {first.seconds:.2f} s: scanned {first.scanned:,}, followed up "
        f"{first.followed_up:,} (moved {first.moved:,}, escalated {first.escalated:,}, kept "
        f"{first.kept:,}), skipped {first.skipped:,}, failed {first.failed:,}"
    )
    print(
        f"second sweep: {second.seconds:.2f} s: scanned {second.scanned:,}, followed up "
        f"{second.followed_up:,} (the same moment again adds nothing)"
    )
    target = f"< {TARGET_SECONDS:.0f} s"
    share = f"{float(getattr(args, 'overdue_percent', None) or 5):g}% overdue"
    return [
        {
            "name": f"sweep of {count:,} open actions ({share}), first run "
            f"({first.followed_up:,} follow-ups), s",
            "value": round(first.seconds, 2),
            "target": target,
            "pass": first.seconds < TARGET_SECONDS,
        },
        {
            "name": f"sweep of {count:,} open actions ({share}), run again (nothing new), s",
            "value": round(second.seconds, 2),
            "target": target,
            "pass": second.seconds < TARGET_SECONDS,
        },
        {
            "name": f"follow-ups after two sweeps equal the first's ({share}, no duplicates)",
            "value": raised,
            "target": f"= {first.followed_up:,}",
            "pass": raised == first.followed_up and second.followed_up == 0,
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep", description=__doc__)
    parser.add_argument("--actions", type=int, default=100_000, help="Open actions (100,000).")
    parser.add_argument(
        "--batch-size", dest="sweep_batch_size", type=int, default=500, help="Sweep batch (500)."
    )
    parser.add_argument(
        "--overdue-percent", type=float, default=5, help="Overdue, none followed up yet (5)."
    )
    parser.add_argument(
        "--due-soon-percent", type=float, default=1, help="Due within the look-ahead (1)."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="Drop and recreate the database.")
    args = parser.parse_args(argv)

    from benchmarks import database

    url = os.environ.get("SWEEP_BENCH_DATABASE_URL") or DEFAULT_URL
    config = database.use(url)
    database.prepare(config, fresh=args.fresh)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    rows = run(args)
    print()
    for row in rows:
        print(
            f"{row['name']:<78} {row['value']:>10} {row['target']:>10}  "
            f"{'PASS' if row['pass'] else 'FAIL'}"
        )
    return 0 if all(row["pass"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
