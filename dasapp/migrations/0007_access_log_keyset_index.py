"""The access log is read a page at a time by keyset on (at, id): one index on both
replaces the index on `at` alone (added first, so the log is never without one)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dasapp", "0006_user_two_factor_enrolled"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(fields=["at", "id"], name="accesslog_at_id"),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
