"""Synthetic volume data for load tests and benchmarks (`manage.py generate_volume`).

Fictional households (a victim, a suspect, sometimes children), their names, addresses
and numbers, flags, and incidents over three years, written in bulk: COPY on PostgreSQL,
batched INSERTs elsewhere (SQLite, for tests). Rows go straight into the tables: no
model `save()`, no signals and no simple-history rows. Volume data is synthetic; it has
no audit trail to keep.

Shape, per victim: 55% have one incident, the rest two to twenty (repeat victims); about
one household in ten shares its suspect with other victims (serial perpetrators); 45%
have children. Every phone number is in one of Ofcom's 18 drama ranges (18,000 numbers
in all), so at volume one number is shared by several unrelated people (about three at a
million incidents). Only a minority of people have a number.

Every generated incident carries an idempotency key starting `volume:`: that is how
volume data is recognised (`volume_incident_count`).

The package: `words` (names, streets, narratives, drama-range numbers), `writers` (COPY
and INSERT table writers, id blocks), `generator` (`VolumeGenerator`), `bulk` (index
suspension and ANALYZE for PostgreSQL loads).
"""

from demo.volume.bulk import analyse_tables
from demo.volume.generator import (
    VOLUME_KEY_PREFIX,
    VolumeGenerator,
    VolumeResult,
    volume_incident_count,
    volume_incidents,
)
from demo.volume.words import FAMILY_NAMES, FEMALE_GIVEN, MALE_GIVEN, NICKNAMES, drama_numbers
from demo.volume.writers import InsertWriter, PostgresCopyWriter

__all__ = [
    "FAMILY_NAMES",
    "FEMALE_GIVEN",
    "MALE_GIVEN",
    "NICKNAMES",
    "VOLUME_KEY_PREFIX",
    "InsertWriter",
    "PostgresCopyWriter",
    "VolumeGenerator",
    "VolumeResult",
    "analyse_tables",
    "drama_numbers",
    "volume_incident_count",
    "volume_incidents",
]
