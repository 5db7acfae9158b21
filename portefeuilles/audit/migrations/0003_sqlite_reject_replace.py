"""Reject ``INSERT OR REPLACE`` on the journal in SQLite.

SQLite's REPLACE conflict resolution deletes the row that has the same id
before it inserts the new one, and that deletion fires DELETE triggers only
when ``PRAGMA recursive_triggers`` is on, which it is not by default. So
``INSERT OR REPLACE INTO audit_journalentry`` (or ``REPLACE INTO``) could
rewrite any entry past the triggers of migration 0002. This trigger rejects
an insert whose id already exists, whatever the connection's settings.

PostgreSQL has no REPLACE; its ``INSERT ... ON CONFLICT DO UPDATE`` fires the
UPDATE trigger of migration 0002.
"""

from django.db import migrations

SQLITE_FORWARD = """
    CREATE TRIGGER audit_journalentry_no_replace
    BEFORE INSERT ON audit_journalentry
    WHEN EXISTS (SELECT 1 FROM audit_journalentry WHERE id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'audit_journalentry is append-only: REPLACE rejected');
    END
"""

SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_journalentry_no_replace"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
