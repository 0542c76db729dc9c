"""PostgreSQL: accent-insensitive French and English text search configurations, and GIN indexes on the vectors.

A no-op on SQLite (development), whose search is a containment on the folded `plain` text.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'fr_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION fr_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'en_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION en_unaccent (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION en_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS search_entry_vector ON search_searchentry USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS search_entry_extra_vector ON search_searchentry USING gin (extra_vector)",
]
DROP = [
    "DROP INDEX IF EXISTS search_entry_extra_vector",
    "DROP INDEX IF EXISTS search_entry_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS en_unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
