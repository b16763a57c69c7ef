"""Audit events are append-only in the database itself, not only in AuditEvent.save().

On PostgreSQL a trigger refuses every UPDATE of audit_auditevent, whoever sends it (a queryset's update(), raw
SQL, a console), with one exception: setting actor_id to NULL and nothing else, which is how the database keeps
the rows of a person whose account is deleted (the foreign key's SET_NULL); actor_label still names them.
DELETE stays allowed: retention prunes old events (audit.retention) and a deleted workspace takes its events.
SQLite (the embedded default) has no such trigger; the model's save() refuses updates there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_refuse_update() RETURNS trigger AS $$
BEGIN
    IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: UPDATE of audit_auditevent % refused', OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_update();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_refuse_update();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
