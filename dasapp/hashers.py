"""The password hasher: Argon2id at OWASP's recommended cost.

Django's own Argon2 defaults (102,400 KiB, 2 passes, 8 lanes) took about 0.5 s per
sign-in on a two-core server, and most of that time went on lanes the machine cannot
run side by side. OWASP's Password Storage Cheat Sheet lists equivalent minimum
configurations for Argon2id (m=47104 KiB t=1, m=19456 KiB t=2, m=12288 KiB t=3,
m=9216 KiB t=4, m=7168 KiB t=5, all with p=1). We use m=19456 KiB (19 MiB), t=2, p=1:
its first-named configuration, which measured about 60 to 90 ms here
(`benchmarks/README.md`, "Sign-in").

A stored hash made with other parameters is checked as before and re-hashed with these
on the user's next successful sign-in (Django's `must_update`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id: the minimum configurations, each as
# strong as the others (memory in KiB, passes). Every one uses a single lane.
OWASP_ARGON2ID_MINIMUMS: tuple[tuple[int, int], ...] = (
    (47104, 1),
    (19456, 2),
    (12288, 3),
    (9216, 4),
    (7168, 5),
)


def meets_owasp_minimum(*, memory_cost: int, time_cost: int) -> bool:
    """Whether Argon2id with this memory (KiB) and passes is at least one of OWASP's
    minimum configurations."""
    return any(
        memory_cost >= memory and time_cost >= passes for memory, passes in OWASP_ARGON2ID_MINIMUMS
    )


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane (OWASP's recommendation).

    The algorithm name stays "argon2", so hashes made by Django's own Argon2 hasher are
    read by this one, and upgraded to these parameters on the next sign-in."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
