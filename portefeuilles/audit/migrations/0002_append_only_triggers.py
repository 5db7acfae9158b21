"""Make the journal append-only in the database itself.

Triggers reject every UPDATE, and every DELETE except during the retention
purge (``JournalQuerySet.purge_before``), which opens the way for its own
transaction only:
- on PostgreSQL with ``SET LOCAL portefeuilles.journal_purge = 'on'``, read by
  the trigger with ``current_setting(..., true)`` (NULL when never set);
- on SQLite, which has no session settings, with a row in ``audit_purge_permit``
  inserted and deleted again inside the purge's transaction.

TRUNCATE and DROP are not covered: they need table ownership or the TRUNCATE
privilege, which the application's database role should not hold in production.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION audit_journalentry_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('portefeuilles.journal_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_journalentry is append-only: % rejected', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_journalentry_append_only
    BEFORE UPDATE OR DELETE ON audit_journalentry
    FOR EACH ROW EXECUTE FUNCTION audit_journalentry_reject_change()
    """,
]

POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_journalentry_append_only ON audit_journalentry",
    "DROP FUNCTION IF EXISTS audit_journalentry_reject_change()",
]

SQLITE_FORWARD = [
    # At most one row (id 1); it exists only inside a purge's transaction.
    "CREATE TABLE audit_purge_permit (id INTEGER PRIMARY KEY CHECK (id = 1))",
    """
    CREATE TRIGGER audit_journalentry_no_update
    BEFORE UPDATE ON audit_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'audit_journalentry is append-only: UPDATE rejected');
    END
    """,
    """
    CREATE TRIGGER audit_journalentry_no_delete
    BEFORE DELETE ON audit_journalentry
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
    BEGIN
        SELECT RAISE(ABORT, 'audit_journalentry is append-only: DELETE rejected');
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_journalentry_no_delete",
    "DROP TRIGGER IF EXISTS audit_journalentry_no_update",
    "DROP TABLE IF EXISTS audit_purge_permit",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise NotImplementedError(
            f"The journal's append-only triggers exist for PostgreSQL and SQLite, not {vendor}."
        )
    for statement in statements_by_vendor[vendor]:
        # No parameters, so that "%" in the SQL is not read as a placeholder.
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
