"""Journal entries cannot be changed or deleted, by the ORM or by SQL, except by the purge."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from portefeuilles.audit import journal
from portefeuilles.audit.models import JournalEntry, JournalIsAppendOnly

pytestmark = pytest.mark.django_db

TABLE = JournalEntry._meta.db_table
START = datetime.datetime(2025, 1, 15, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def entry(admin):
    return journal.user_deactivated(admin, admin)


def run_sql(sql, params=()):
    # The savepoint keeps the test's transaction usable after the trigger's error.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_sql_update_rejected(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(f"UPDATE {TABLE} SET actor_email = %s WHERE id = %s", ["x@y.example", entry.pk])

    entry.refresh_from_db()
    assert entry.actor_email == "admin@dupont.example"


def test_sql_delete_rejected(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])

    assert JournalEntry.objects.filter(pk=entry.pk).exists()


def test_sql_delete_all_rejected(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(f"DELETE FROM {TABLE}")

    assert JournalEntry.objects.count() == 1


# Every column, so that the statement replaces the whole row.
COLUMNS = (
    "id, created_at, firm_id, actor_id, actor_email, action, object_kind, object_id, "
    "object_label, portfolio_id, siret, account_number, details, client_address, request_id"
)
FORGED_ROW = (
    "%s, %s, NULL, NULL, 'forged@x.example', 'user_deactivated', '', '', '', NULL, '', '', "
    "'{}', NULL, NULL"
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's REPLACE")
@pytest.mark.parametrize("statement", ["INSERT OR REPLACE INTO", "REPLACE INTO"])
def test_sqlite_replace_rejected(entry, statement):
    # REPLACE deletes the old row without firing DELETE triggers.
    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(
            f"{statement} {TABLE} ({COLUMNS}) VALUES ({FORGED_ROW})", [entry.pk, entry.created_at]
        )

    entry.refresh_from_db()
    assert entry.actor_email == "admin@dupont.example"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's upsert")
def test_postgresql_upsert_rejected(entry):
    sql = (
        f"INSERT INTO {TABLE} ({COLUMNS}) VALUES ({FORGED_ROW}) "
        "ON CONFLICT (id) DO UPDATE SET actor_email = EXCLUDED.actor_email"
    )

    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(sql, [entry.pk, entry.created_at])

    entry.refresh_from_db()
    assert entry.actor_email == "admin@dupont.example"


def test_new_entries_still_inserted(entry, admin):
    second = journal.user_reactivated(admin, admin)

    assert JournalEntry.objects.filter(pk__in=[entry.pk, second.pk]).count() == 2


def test_orm_save_rejected(entry):
    entry.actor_email = "x@y.example"

    with pytest.raises(JournalIsAppendOnly):
        entry.save()


def test_orm_delete_rejected(entry):
    with pytest.raises(JournalIsAppendOnly):
        entry.delete()


def test_orm_queryset_update_rejected(entry):
    with pytest.raises(JournalIsAppendOnly):
        JournalEntry.objects.filter(pk=entry.pk).update(actor_email="x@y.example")


def test_orm_queryset_delete_rejected(entry):
    with pytest.raises(JournalIsAppendOnly):
        JournalEntry.objects.all().delete()


def test_entries_outlive_their_objects(admin, portfolio, journal_watch):
    journal.portfolio_created(admin, portfolio)
    portfolio.delete()

    entry = journal_watch.only()
    assert entry.portfolio_id is not None
    assert entry.object_label == "Clients Île-de-France"


def test_purge_before_deletes_only_older(admin):
    with time_machine.travel(START, tick=False):
        old = journal.user_deactivated(admin, admin)
    with time_machine.travel(START + datetime.timedelta(days=10), tick=False):
        recent = journal.user_reactivated(admin, admin)

    deleted = JournalEntry.objects.purge_before(START + datetime.timedelta(days=1))

    assert deleted == 1
    assert not JournalEntry.objects.filter(pk=old.pk).exists()
    assert JournalEntry.objects.filter(pk=recent.pk).exists()


def test_purge_leaves_no_permit(entry):
    JournalEntry.objects.purge_before(START)

    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's permit table")
def test_sqlite_permit_table_empty_after_purge(entry):
    JournalEntry.objects.purge_before(START)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_purge_permit")
        assert cursor.fetchone() == (0,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
def test_postgresql_setting_off_after_purge(entry):
    JournalEntry.objects.purge_before(START)

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('portefeuilles.journal_purge', true)")
        assert cursor.fetchone()[0] != "on"


def test_purge_journal_command_respects_retention(admin, settings, capsys):
    settings.JOURNAL_RETENTION_DAYS = 365
    with time_machine.travel(START, tick=False):
        old = journal.user_deactivated(admin, admin)
    with time_machine.travel(START + datetime.timedelta(days=200), tick=False):
        recent = journal.user_reactivated(admin, admin)

    with time_machine.travel(START + datetime.timedelta(days=365, seconds=-1), tick=False):
        call_command("purge_journal")
    assert JournalEntry.objects.filter(pk=old.pk).exists()

    with time_machine.travel(START + datetime.timedelta(days=365, seconds=1), tick=False):
        call_command("purge_journal")

    assert not JournalEntry.objects.filter(pk=old.pk).exists()
    assert JournalEntry.objects.filter(pk=recent.pk).exists()
    output = capsys.readouterr().out
    assert "Entrées du journal supprimées : 0" in output
    assert "Entrées du journal supprimées : 1" in output


@pytest.mark.django_db(transaction=True)
def test_flush_empties_journal(admin):
    journal.user_deactivated(admin, admin)

    call_command("flush", interactive=False, verbosity=0)

    assert JournalEntry.objects.count() == 0
    # The triggers still guard entries written after the flush.
    entry = journal.portfolio_purged(None, _FakePortfolio(), clients=0, subscribers=0)
    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])


class _FakePortfolio:
    """The attributes a portfolio event reads, after the flush emptied every table."""

    pk = 1
    firm_id = 1
    name = "Portefeuille disparu"
