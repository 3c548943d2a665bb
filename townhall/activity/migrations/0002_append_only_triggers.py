"""The database itself refuses to change the activity log.

PostgreSQL: row triggers reject UPDATE and DELETE. SQLite: a trigger rejects UPDATE
(deletes stay possible there so the test runner can empty tables between tests; the
application refuses them in code on every database).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'activity_activity is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity_activity
    FOR EACH ROW EXECUTE FUNCTION activity_is_append_only();
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity_activity
    FOR EACH ROW EXECUTE FUNCTION activity_is_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS activity_no_update ON activity_activity;
DROP TRIGGER IF EXISTS activity_no_delete ON activity_activity;
DROP FUNCTION IF EXISTS activity_is_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity_activity
BEGIN
    SELECT RAISE(ABORT, 'activity_activity is append-only');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS activity_no_update;"


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial")]
    operations = [migrations.RunPython(add_triggers, drop_triggers)]
