# Fragments of message text: CJK text, identifiers, prefixes, words inside longer words.
#
# On PostgreSQL, the pg_trgm extension and a GIN trigram index on the text, which serves
# `text ILIKE '%fragment%'` (chat.search.postgres). The index is built CONCURRENTLY, outside a
# transaction, so a big install keeps taking messages while it builds (docs/performance.md has
# the build time at 10 million messages). A build that failed half-way leaves an invalid index
# behind; it is dropped and built again. SQLite has no pg_trgm: there chat.search.fallback
# matches substrings with LIKE, and this migration does nothing.

from django.db import migrations

INDEX = "message_text_trgm"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
            [INDEX],
        )
        row = cursor.fetchone()
    if row and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON chat_message USING gin (text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("chat", "0012_thread_follows"),
    ]

    operations = [
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
