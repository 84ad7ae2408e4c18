"""Load the organisation defaults (force, districts, shift patterns, teams, and what
other apps load with them: `org.loader`). Idempotent: rows are matched by code (shift
patterns by name) and brought up to date; nothing else is touched."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from org.loader import OrgFileError, load_catalogues, load_org

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "org_defaults.yaml"


class Command(BaseCommand):
    help = (
        "Load the organisation (force, districts, shift patterns, teams) from a YAML file. "
        "Safe to run again: rows are matched by code (shift patterns by name), missing ones "
        "are created, and the fields the file sets are put back to the file's values, so an "
        "edit made in the admin to one of those fields (a district's name, say) is undone. "
        "Rows the file does not name, and fields it does not set, are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(DEFAULT_FILE), help="The YAML file (default: the demo force)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No organisation file at {path}.")
        try:
            counts = load_org(path)
        except OrgFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            "Organisation loaded: " + ", ".join(f"{count} {name}" for name, count in counts.items())
        )
        for line in load_catalogues():
            self.stdout.write(line)
