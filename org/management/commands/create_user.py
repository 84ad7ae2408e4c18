"""`manage.py create_user USERNAME --role ROLE [--team CODE]`: provision an account for
a script or integration and print its API token."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dasapp.roles import ALL_ROLES
from org.services import user_provision


class Command(BaseCommand):
    help = "Create or update an account with a role and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            choices=sorted(ALL_ROLES),
            help="A role (Django group). Repeat for more than one.",
        )
        parser.add_argument("--team", help="The code of the user's team, e.g. cru.")
        parser.add_argument("--password", help="Also set a password for signing in.")

    def handle(self, *args, **options):
        try:
            user, token = user_provision(
                username=options["username"],
                roles=options["role"],
                team_code=options.get("team"),
                password=options.get("password"),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(token.key)
