"""Print the current two-factor code of a demo account (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.management.commands.seed_demo import current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user's authenticator (not in production)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_totp is not available in production.")
        device = TOTPDevice.objects.filter(
            user__username=options["username"], name="Demo authenticator", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{options['username']} has no demo authenticator.")
        self.stdout.write(current_code(device))
