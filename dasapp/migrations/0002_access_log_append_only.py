"""PostgreSQL only: the database itself refuses to update or delete access-log rows."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION dasapp_accesslog_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER dasapp_accesslog_append_only
BEFORE UPDATE OR DELETE ON dasapp_accesslog
FOR EACH ROW EXECUTE FUNCTION dasapp_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS dasapp_accesslog_append_only ON dasapp_accesslog")
    schema_editor.execute("DROP FUNCTION IF EXISTS dasapp_accesslog_append_only()")


class Migration(migrations.Migration):
    dependencies = [("dasapp", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
