"""Load the organisation defaults (force, districts, shift patterns, teams). Idempotent:
rows are matched by code or name and brought up to date; nothing else is touched."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from cases.org_loader import load_org

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "org_defaults.yaml"


class Command(BaseCommand):
    help = "Load the organisation defaults from a YAML file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE))

    def handle(self, *args, **options):
        counts = load_org(Path(options["file"]))
        self.stdout.write(
            "Organisation loaded: " + ", ".join(f"{count} {name}" for name, count in counts.items())
        )
