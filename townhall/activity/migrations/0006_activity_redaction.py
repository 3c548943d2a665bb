"""Redactions: the one change the activity log allows (activity/redaction.py).

The triggers of 0002 are replaced: an UPDATE of an entry passes only when every column
but `summary` is unchanged and the new summary is recorded in activity_activityredaction
for that entry; DELETE stays refused (PostgreSQL; SQLite refuses it in code, as before).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

COLUMNS = (
    "occurred_at",
    "actor_id",
    "persona_id",
    "verb",
    "agency_id",
    "citizen_id",
    "target_type_id",
    "target_id",
    "visibility",
)

POSTGRES_UP = (
    """
CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id
       AND """
    + "\n       AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in COLUMNS)
    + """
       AND EXISTS (SELECT 1 FROM activity_activityredaction r
                   WHERE r.activity_id = OLD.id AND r.summary = NEW.summary) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'activity_activity is append-only';
END;
$$ LANGUAGE plpgsql;
"""
)
POSTGRES_DOWN = """
CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'activity_activity is append-only';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_UP = (
    """
CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity_activity
WHEN NOT (
    NEW.id = OLD.id
    AND """
    + "\n    AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS)
    + """
    AND EXISTS (SELECT 1 FROM activity_activityredaction r
                WHERE r.activity_id = OLD.id AND r.summary = NEW.summary)
)
BEGIN
    SELECT RAISE(ABORT, 'activity_activity is append-only');
END;
"""
)
SQLITE_DOWN = """
CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity_activity
BEGIN
    SELECT RAISE(ABORT, 'activity_activity is append-only');
END;
"""


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":  # a trigger is replaced whole
            schema_editor.execute("DROP TRIGGER IF EXISTS activity_no_update;")
        if vendor in sql_by_vendor:
            schema_editor.execute(sql_by_vendor[vendor])

    return run


class Migration(migrations.Migration):
    dependencies = [("activity", "0005_inbound_email")]

    operations = [
        migrations.CreateModel(
            name="ActivityRedaction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("summary", models.CharField(max_length=500, verbose_name="summary")),
                ("redacted_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="redacted")),
                ("reason", models.CharField(default="account erased", max_length=100, verbose_name="reason")),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="redactions",
                        to="activity.activity",
                    ),
                ),
            ],
            options={
                "verbose_name": "redaction of an activity",
                "ordering": ["-redacted_at", "-pk"],
            },
        ),
        migrations.RunPython(_run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}), _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})),
    ]
