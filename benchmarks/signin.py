"""Sign-in benchmark (issue 10, item 15): how long the password step takes, against a
trivial view measured in the same run.

    python -m benchmarks.signin [--requests 100] [--fresh]

Runs on the benchmark database (BENCH_DATABASE_URL, as `benchmarks.run`); it needs no
volume data, only the organisation and a few users of its own (`bench-signin-*`).
`benchmarks.run` runs it too, after the other suites.

Every sign-in is a real `POST /account/sign-in/` through the whole middleware stack
with a fresh client: django-axes, the authentication backends, the Argon2 check of the
password, a new session and the redirect. Rows, all in one shuffled order:

- the floor: `GET /healthz` by a signed-in client (middleware, session, one query);
- sign-in with the configured hasher (`dasapp.hashers.OwaspArgon2PasswordHasher`);
- the same with django-axes switched off (what axes adds);
- a supervisor with an authenticator (what two-factor adds to the password step: the
  code is its own page, after it);
- the hasher alone (`check_password` on the stored hash), and Django's own Argon2
  defaults for comparison (m=102,400 KiB, t=2, p=8: the cost before item 15).

Target: sign-in p95 under 300 ms. Reported beside it: p50 and p95 as multiples of the
floor's, which say more than the absolute figure on a busy machine.
"""

from __future__ import annotations

import argparse
import random
import sys

SIGN_IN_P95_LIMIT_MS = 300
PASSWORD = "Correct-Horse-Battery-9"
USERS = {
    "daso": "bench-signin-daso",
    "supervisor": "bench-signin-supervisor",
    "old-hash": "bench-signin-old-hash",
}
WARM_UP = 5


def _users():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dasapp.roles import Role
    from org.services import user_provision

    daso, _ = user_provision(username=USERS["daso"], roles=[Role.DASO], password=PASSWORD)
    supervisor, _ = user_provision(
        username=USERS["supervisor"], roles=[Role.SUPERVISOR], password=PASSWORD
    )
    TOTPDevice.objects.get_or_create(user=supervisor, name="Bench", defaults={"confirmed": True})
    old, _ = user_provision(username=USERS["old-hash"], roles=[Role.DASO], password=PASSWORD)
    for user in (daso, supervisor, old):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return daso, supervisor, old


def run(ctx) -> tuple[list, list, list[str]]:
    """Measure; return (rows, targets, notes) for `benchmarks.run`'s report."""
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, get_hasher
    from django.test import Client, override_settings

    from benchmarks.timing import Row, Target, measure_shuffled

    rng = random.Random(ctx.seed)
    n = ctx.requests
    daso, supervisor, old = _users()
    floor_client = Client()
    floor_client.force_login(daso)
    django_default = Argon2PasswordHasher()
    old_hash = django_default.encode(PASSWORD, django_default.salt())
    stored = type(daso).objects.get(pk=daso.pk).password

    def sign_in(username: str):
        def call():
            response = Client().post(
                "/account/sign-in/", {"username": username, "password": PASSWORD}
            )
            if response.status_code != 302:
                raise RuntimeError(f"sign-in failed for {username}: {response.status_code}")

        return call

    def without_axes():
        with override_settings(AXES_ENABLED=False):
            sign_in(USERS["daso"])()

    def reset_old_hash():
        type(old).objects.filter(pk=old.pk).update(password=old_hash)

    def floor():
        floor_client.get("/healthz")

    plan = {
        "trivial view GET /healthz (floor)": [(floor, None)] * (n + WARM_UP),
        "sign-in (password step)": [(sign_in(USERS["daso"]), None)] * (n + WARM_UP),
        "sign-in, django-axes off": [(without_axes, None)] * (n + WARM_UP),
        "sign-in, supervisor with two-factor": [(sign_in(USERS["supervisor"]), None)]
        * (n + WARM_UP),
        "hasher alone: check_password": [(lambda: check_password(PASSWORD, stored), None)]
        * (n + WARM_UP),
        "before: Django's Argon2 defaults, check": [
            (lambda: django_default.verify(PASSWORD, old_hash), None)
        ]
        * (n + WARM_UP),
        "before: sign-in with an old hash (upgraded)": [
            (sign_in(USERS["old-hash"]), reset_old_hash)
        ]
        * (n + WARM_UP),
    }
    durations = measure_shuffled(rng, plan, warm_up=WARM_UP)
    rows = {name: Row(name, ms) for name, ms in durations.items()}
    hasher = get_hasher("default")
    notes = [
        f"hasher: {type(hasher).__module__}.{type(hasher).__name__} "
        f"(Argon2id m={hasher.memory_cost} KiB, t={hasher.time_cost}, p={hasher.parallelism}); "
        f"AXES_ENABLED={getattr(settings, 'AXES_ENABLED', True)}",
    ]
    floor_row = rows["trivial view GET /healthz (floor)"]
    signin_row = rows["sign-in (password step)"]
    axes_cost = signin_row.p50 - rows["sign-in, django-axes off"].p50
    two_factor_cost = rows["sign-in, supervisor with two-factor"].p50 - signin_row.p50
    notes.append(
        f"django-axes adds {axes_cost:+.1f} ms at p50; a supervisor with two-factor "
        f"{two_factor_cost:+.1f} ms at p50 (the code is its own page, after this step)"
    )
    targets = [
        Target("sign-in p95 (absolute)", signin_row.p95, SIGN_IN_P95_LIMIT_MS),
        Target(
            "sign-in p50 / floor p50",
            signin_row.p50 / floor_row.p50,
            float("inf"),
            unit="x",
            limit_text="reported",
            ok=True,
        ),
        Target(
            "sign-in p95 / floor p95",
            signin_row.p95 / floor_row.p95,
            float("inf"),
            unit="x",
            limit_text="reported",
            ok=True,
        ),
    ]
    return list(rows.values()), targets, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signin", description=__doc__)
    parser.add_argument("--requests", type=int, default=100, help="Timed calls per row (100).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="Drop and recreate the database.")
    args = parser.parse_args(argv)

    from benchmarks import database

    config = database.use(database.bench_url())
    database.prepare(config, fresh=args.fresh)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.run import describe_machine
    from benchmarks.timing import print_rows, print_targets

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_org_defaults", verbosity=0)
    rows, targets, notes = run(argparse.Namespace(requests=args.requests, seed=args.seed))
    print()
    print(describe_machine())
    print_rows(rows)
    for note in notes:
        print(f"  {note}")
    print()
    print_targets(targets)
    return 0 if all(t.passed for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
