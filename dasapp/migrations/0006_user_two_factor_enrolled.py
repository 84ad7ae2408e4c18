from django.db import migrations, models


def enrolled_from_devices(apps, schema_editor):
    """Users who already have a confirmed device of any kind are enrolled."""
    User = apps.get_model("dasapp", "User")
    enrolled = set()
    for label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
        try:
            Device = apps.get_model(label)
        except LookupError:
            continue
        enrolled |= set(Device.objects.filter(confirmed=True).values_list("user_id", flat=True))
    User.objects.filter(pk__in=enrolled).update(two_factor_enrolled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("dasapp", "0005_notification_email_claim"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="two_factor_enrolled",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Has a confirmed two-factor device, so must verify at sign-in. Kept "
                "by signals on every kind of device (dasapp.signals): the check on every "
                "request costs no query.",
            ),
        ),
        migrations.RunPython(enrolled_from_devices, migrations.RunPython.noop),
    ]
