"""Queues named by the old rule repeated their team ("<hub>: hub high-risk
queue") and lowered "DASO" ("central referral unit daso queue"): rename them as new
queues are named (cases.case_services.queue_name). A queue renamed by hand since keeps
its name. Queue has no history table. DV1s and notifications keep the name they were
sent with, as the record of that time."""

from django.db import migrations

# The old rule: the kind's label up to " (", in lower case, after the team's name.
OLD = {
    "hub_high": "hub high-risk queue",
    "cru_high": "central referral unit high-risk queue",
    "cru_medium": "central referral unit daso queue",
    "researchers": "researchers' queue",
}
NEW = {
    "hub_high": "high-risk queue",
    "cru_high": "high-risk queue",
    "cru_medium": "DASO queue (medium risk)",
    "researchers": "researchers' queue (standard risk)",
}


def rename(apps, schema_editor, *, old, new):
    Queue = apps.get_model("cases", "Queue")
    for queue in Queue.objects.select_related("team").filter(kind__in=old):
        if queue.name == f"{queue.team.name}: {old[queue.kind]}":
            queue.name = f"{queue.team.name}: {new[queue.kind]}"
            queue.save(update_fields=["name"])


def forwards(apps, schema_editor):
    rename(apps, schema_editor, old=OLD, new=NEW)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_sweep_escalation_absence_cancel")]

    operations = [migrations.RunPython(forwards, backwards)]
