# The trigram index on the text with "_" and "." mapped to a letter (chat.search.postgres.TRIGRAM_TEXT).
#
# pg_trgm takes trigrams only from letters and digits, so on the plain text an identifier's
# punctuation splits it: `deploy_scr` was looked up as `deploy` and `scr`, and every message holding
# two such common words was read and rechecked. On the mapped text the trigrams span the "_" and
# the ".", and an identifier is as selective as any rare fragment. The new index replaces the old
# one (message_text_trgm), which nothing queries any more; both are built and dropped CONCURRENTLY,
# outside a transaction, as in 0013. SQLite has no pg_trgm: this migration does nothing there.

from django.db import migrations

INDEX = "message_text_trgm_spanned"
OLD_INDEX = "message_text_trgm"
EXPRESSION = "translate(text, '_.', 'qq')"


def _drop_if_invalid(schema_editor, name):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
        row = cursor.fetchone()
    if row and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def span_punctuation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _drop_if_invalid(schema_editor, INDEX)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON chat_message USING gin (({EXPRESSION}) gin_trgm_ops)"
    )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_INDEX}")


def back_to_the_plain_text(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _drop_if_invalid(schema_editor, OLD_INDEX)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD_INDEX} ON chat_message USING gin (text gin_trgm_ops)"
    )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("chat", "0013_search_trigram"),
    ]

    operations = [
        migrations.RunPython(span_punctuation, back_to_the_plain_text),
    ]
