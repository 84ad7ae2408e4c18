"""Distinct given names, so that a misspelt first name typed alone is found.

Filled from the distinct-name table in one set-based statement on PostgreSQL (a million
people share some 355,000 names, and far fewer first names), with the same Soundex as
`cases.matching.soundex` written as a temporary SQL function, and a trigram index as on
`cases_namekey` (0003). SQLite (development and tests only) is filled in Python.
"""

from django.db import migrations, models

# `cases.matching.soundex` for an already folded name (lower case, a-z and digits):
# American Soundex, letters a-z coded by position in CODES, "0" for no code; h and w do
# not separate two letters with the same code, vowels do.
SOUNDEX_FUNCTION_SQL = """
CREATE FUNCTION pg_temp.cases_soundex(word text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    codes constant text := '01230120022455012623010202';
    letters text := regexp_replace(lower(word), '[^a-z]', '', 'g');
    result text;
    previous text;
    code text;
    ch text;
BEGIN
    IF letters = '' THEN
        RETURN '';
    END IF;
    result := upper(left(letters, 1));
    previous := substr(codes, ascii(left(letters, 1)) - 96, 1);
    FOR i IN 2..length(letters) LOOP
        EXIT WHEN length(result) = 4;
        ch := substr(letters, i, 1);
        code := substr(codes, ascii(ch) - 96, 1);
        IF code <> '0' AND code <> previous THEN
            result := result || code;
        END IF;
        IF ch NOT IN ('h', 'w') THEN
            previous := code;
        END IF;
    END LOOP;
    RETURN rpad(result, 4, '0');
END
$$
"""

FILL_SQL = """
INSERT INTO cases_givenname (text, sound_key)
SELECT given, pg_temp.cases_soundex(given)
FROM (
    SELECT DISTINCT left(split_part(text, ' ', 1), 100) AS given
    FROM cases_namekey
    WHERE position(' ' in text) > 0
) AS distinct_given
ON CONFLICT (text) DO NOTHING
"""


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SOUNDEX_FUNCTION_SQL)
        schema_editor.execute(FILL_SQL)
        schema_editor.execute("DROP FUNCTION pg_temp.cases_soundex(text)")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS cases_givenname_text_trgm "
            "ON cases_givenname USING gin (text gin_trgm_ops)"
        )
        return
    from cases import matching

    NameKey = apps.get_model("cases", "NameKey")
    GivenName = apps.get_model("cases", "GivenName")
    given = {matching.given_word(text) for text in NameKey.objects.values_list("text", flat=True)}
    given.discard("")
    GivenName.objects.bulk_create(
        [GivenName(text=g, sound_key=matching.soundex(g)) for g in sorted(given)],
        batch_size=500,
        ignore_conflicts=True,
    )


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_givenname_text_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_event_verb_absence_cancelled"),
    ]

    operations = [
        migrations.CreateModel(
            name="GivenName",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=100, unique=True)),
                (
                    "sound_key",
                    models.CharField(db_index=True, help_text="Soundex of the name.", max_length=8),
                ),
            ],
        ),
        migrations.RunPython(fill, unfill),
    ]
