# Full-text search of messages.
#
# On PostgreSQL a stored generated column holds each message's tsvector (English stemming),
# kept current by the database on every insert and edit, with a GIN index over it. The model
# does not declare the column: Django never writes it, and chat.search reads it in SQL.
# SQLite has no tsvector; there chat.search falls back to substring matching, so this
# migration only adds the (created_at, id) index that orders results newest first.

from django.db import migrations, models

SEARCH_SQL = [
    "ALTER TABLE chat_message ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(text, ''))) STORED",
    "CREATE INDEX message_search_gin ON chat_message USING gin (search_vector)",
]
REVERSE_SQL = [
    "DROP INDEX IF EXISTS message_search_gin",
    "ALTER TABLE chat_message DROP COLUMN IF EXISTS search_vector",
]


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in SEARCH_SQL:
            schema_editor.execute(statement)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["created_at", "id"], name="message_created"),
        ),
        migrations.RunPython(add_search_vector, drop_search_vector),
    ]
