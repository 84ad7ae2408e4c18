"""Synthetic volume data for load tests and benchmarks: `manage.py generate_volume
--incidents 1000000`. See `demo.volume` for its shape.

Rows are bulk-loaded (COPY on PostgreSQL) without simple-history rows: volume data is
synthetic and has no audit trail. Refuses to run twice unless `--append`, and never in
production.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from calls.models import QuestionSet
from calls.question_sets import load_bundled_question_sets
from demo import volume
from org.models import District

REBUILD_FROM = 50_000


class Command(BaseCommand):
    help = (
        "Generate synthetic incidents with their victims, suspects, children, households, "
        "addresses, phone numbers (Ofcom drama ranges only) and flags, in bulk. No history "
        "rows are written for them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, required=True, help="How many incidents.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch", type=int, default=20_000, help="Incidents per transaction (default 20000)."
        )
        parser.add_argument(
            "--append", action="store_true", help="Add to volume data that already exists."
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help=(
                "On PostgreSQL, keep indexes and constraints in place and commit each batch "
                f"(the default below {REBUILD_FROM:,} incidents). From there on, the load is "
                "one transaction that drops the tables' secondary indexes, unique constraints "
                "and foreign keys and rebuilds them at the end: other sessions wait for it."
            ),
        )
        parser.add_argument(
            "--no-analyse",
            action="store_true",
            help="Skip VACUUM ANALYZE at the end (PostgreSQL).",
        )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("generate_volume refuses to run with DJANGO_ENV=production.")
        incidents = options["incidents"]
        if incidents < 1:
            raise CommandError("--incidents must be 1 or more.")
        existing = volume.volume_incident_count()
        if existing and not options["append"]:
            raise CommandError(
                f"Volume data already exists ({existing:,} incidents). "
                "Use --append to add more, or use a fresh database."
            )
        if not District.objects.exclude(postcode_prefixes="").exists():
            self.stdout.write("No districts yet: loading the organisation defaults.")
            call_command("load_org_defaults", stdout=self.stdout)
        if not QuestionSet.objects.filter(is_current=True).exists():
            load_bundled_question_sets()
        verbose = options["verbosity"] >= 1
        self.stdout.write(
            f"Generating {incidents:,} incidents on {connection.vendor} "
            f"(seed {options['seed']}, batches of {options['batch']:,})"
        )
        rebuild = (
            connection.vendor == "postgresql"
            and incidents >= REBUILD_FROM
            and not options["keep_indexes"]
        )
        if rebuild:
            self.stdout.write("One transaction; indexes and constraints rebuilt at the end.")
        generator = volume.VolumeGenerator(
            incidents=incidents,
            seed=options["seed"],
            batch=options["batch"],
            progress=(lambda line: self.stdout.write(line)) if verbose else None,
            rebuild_indexes=rebuild,
        )
        result = generator.run()
        for label, count in sorted(result.rows.items()):
            self.stdout.write(f"  {label:<24} {count:>12,}")
        self.stdout.write(
            f"Wrote {result.total_rows:,} rows for {result.incidents:,} incidents in "
            f"{result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s, "
            f"{result.incidents / result.seconds:,.0f} incidents/s)"
        )
        if connection.vendor == "postgresql" and not options["no_analyse"]:
            self.stdout.write("Refreshing the planner's statistics (VACUUM ANALYZE)…")
            analysed = volume.analyse_tables()
            self.stdout.write(f"  done in {analysed:.1f} s")
        self.stdout.write(self.style.SUCCESS("Volume data ready."))
