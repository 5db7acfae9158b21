"""Applying a client import: all or nothing, idempotent, « remplacer la liste », chunks."""

import pytest
from django.core.management import call_command
from django.db import connection

from portefeuilles.portfolios.models import FirmClient, PortfolioClient
from portefeuilles.portfolios.services import terminate_portfolio
from portefeuilles.transfers import services
from portefeuilles.transfers.models import ImportBatch
from tests import factories
from tests.transfers.conftest import REFERENTIAL, account_numbers_in
from tests.transfers.helpers import FILES, preview, preview_lines

pytestmark = pytest.mark.django_db

SAGE = (FILES / "sage_tiers_cp1252.txt").read_bytes()


def number(key: str) -> str:
    return REFERENTIAL[key][1]


def test_preview_writes_nothing(referential, portfolio, admin):
    before = account_numbers_in(portfolio)
    preview(portfolio, admin, SAGE, "sage.txt")
    assert account_numbers_in(portfolio) == before
    assert FirmClient.objects.count() == 4


def test_apply_adds_and_attaches(referential, portfolio, admin, firm):
    batch = preview(portfolio, admin, SAGE, "sage.txt")

    counts = services.apply_batch(batch, admin)

    assert counts == {"attached": 1, "added": 2, "removed": 0}
    assert account_numbers_in(portfolio) == {number("E0"), number("E1"), number("E2")}
    assert FirmClient.objects.filter(firm=firm, account__number=number("E2")).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED


def test_reimport_changes_nothing(referential, portfolio, admin):
    services.apply_batch(preview(portfolio, admin, SAGE, "sage.txt"), admin)
    entries = list(PortfolioClient.objects.order_by("pk").values_list("pk", "firm_client_id"))

    again = preview(portfolio, admin, SAGE, "sage.txt")
    counts = services.apply_batch(again, admin)

    statuses = [status for _, status, _, _, _ in preview_lines(again)]
    assert statuses == ["unchanged", "unchanged", "unchanged", "error", "error"]
    assert counts == {"attached": 0, "added": 0, "removed": 0}
    assert list(PortfolioClient.objects.order_by("pk").values_list("pk", "firm_client_id")) == (
        entries
    )


def test_apply_twice_is_refused(referential, portfolio, admin):
    batch = preview(portfolio, admin, SAGE, "sage.txt")
    services.apply_batch(batch, admin)
    with pytest.raises(services.ImportApplyError, match="déjà été appliqué"):
        services.apply_batch(batch, admin)


def test_change_since_preview_is_refused(referential, portfolio, admin):
    batch = preview(portfolio, admin, SAGE, "sage.txt")
    before = account_numbers_in(portfolio)
    PortfolioClient.objects.create(portfolio=portfolio, firm_client=referential["E4a"])

    with pytest.raises(services.ImportApplyError, match="ont changé depuis l'aperçu"):
        services.apply_batch(batch, admin)

    assert account_numbers_in(portfolio) == before | {number("E4a")}
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.STALE


def test_attachment_elsewhere_since_preview_is_refused(referential, portfolio, admin, firm):
    batch = preview(portfolio, admin, SAGE, "sage.txt")
    FirmClient.objects.create(firm=firm, account=referential["E3"])
    with pytest.raises(services.ImportApplyError):
        services.apply_batch(batch, admin)


@pytest.fixture
def reject_last_entry(referential):
    """Make the database reject the insertion of E2, the last client of SAGE's preview."""
    table = PortfolioClient._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER reject_last BEFORE INSERT ON {table} "
                "WHEN NEW.firm_client_id = (SELECT MAX(id) FROM portfolios_firmclient) "
                "BEGIN SELECT RAISE(ABORT, 'rejected by test'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION reject_last() RETURNS trigger AS $$ BEGIN "
                "IF NEW.firm_client_id = (SELECT MAX(id) FROM portfolios_firmclient) THEN "
                "RAISE EXCEPTION 'rejected by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER reject_last BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION reject_last()"
            )
    yield


def test_failure_on_last_line_writes_nothing(reject_last_entry, portfolio, admin, firm):
    batch = preview(portfolio, admin, SAGE, "sage.txt")
    before = account_numbers_in(portfolio)

    with pytest.raises(Exception, match="rejected by test"):
        services.apply_batch(batch, admin)

    assert account_numbers_in(portfolio) == before
    assert not FirmClient.objects.filter(account__number=number("E2")).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY


def test_replace_lists_and_applies_removals(referential, portfolio, admin):
    for key in ("E0", "E4a"):
        PortfolioClient.objects.create(portfolio=portfolio, firm_client=referential[key])
    data = f"Numéro de compte\n{number('E0')}\n".encode()

    batch = preview(portfolio, admin, data, "liste.csv", mode=ImportBatch.Mode.REPLACE)

    assert preview_lines(batch) == [
        (2, "unchanged", "", number("E0"), ""),
        (None, "removed", REFERENTIAL["E1"][0], number("E1"), "absent du fichier"),
        (None, "removed", REFERENTIAL["E4a"][0], number("E4a"), "absent du fichier"),
    ]
    counts = services.apply_batch(batch, admin)
    assert counts == {"attached": 0, "added": 0, "removed": 2}
    assert account_numbers_in(portfolio) == {number("E0")}


def test_replace_with_errors_is_refused(referential, portfolio, admin):
    batch = preview(portfolio, admin, SAGE, "sage.txt", mode=ImportBatch.Mode.REPLACE)
    before = account_numbers_in(portfolio)
    with pytest.raises(services.ImportApplyError, match="lignes en erreur"):
        services.apply_batch(batch, admin)
    assert account_numbers_in(portfolio) == before


def test_chunks_keep_duplicates_across_chunks(portfolio, admin, firm, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 7)
    clients = factories.FirmClientFactory.create_batch(20, firm=firm)
    numbers = [client.account.number for client in clients]
    data = ("Compte\n" + "\n".join(numbers + numbers[:3])).encode()
    progress = []

    batch = services.start_client_import(
        portfolio=portfolio, user=admin, data=data, file_name="clients.csv"
    )
    batch = services.advance(batch, on_progress=lambda done, total: progress.append(done))

    assert progress == [7, 14, 21, 23]
    totals = services.totals(batch)
    assert totals["added"] == 20
    assert totals["unchanged"] == 3
    services.apply_batch(batch, admin)
    assert account_numbers_in(portfolio) == set(numbers)


def test_advance_stops_at_time_budget(portfolio, admin, firm, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 5)
    numbers = [c.account.number for c in factories.FirmClientFactory.create_batch(12, firm=firm)]
    batch = services.start_client_import(
        portfolio=portfolio, user=admin, data="\n".join(numbers).encode(), file_name="c.txt"
    )

    batch = services.advance(batch, seconds=0)

    assert batch.status == ImportBatch.Status.CHECKING
    assert batch.checked_rows == 5
    batch = services.advance(batch)
    assert batch.status == ImportBatch.Status.READY
    assert batch.lines.count() == 12


def test_collaborator_without_access_cannot_start(portfolio, outsider_collaborator):
    from django.http import Http404

    with pytest.raises(Http404):
        preview(portfolio, outsider_collaborator, SAGE, "sage.txt")


def test_command_dry_run_then_apply(referential, portfolio, firm, tmp_path, capsys):
    path = tmp_path / "sage.txt"
    path.write_bytes(SAGE)
    args = ["import_clients", "--firm", firm.siren, "--portfolio", "clients ile-de-france"]

    call_command(*args, str(path), "--dry-run")
    dry = capsys.readouterr()
    assert "Aperçu : 1 ajouté(s), 1 à rattacher au cabinet, 1 déjà dans le portefeuille" in dry.out
    assert "ligne 7 : erreur : le compte 117000000000000044 n'est pas encore rattaché" in dry.out
    assert "Essai (--dry-run) : rien n'a été modifié." in dry.out
    assert "Vérification [" in dry.err
    assert "5/5 lignes" in dry.err
    assert account_numbers_in(portfolio) == {number("E1")}

    call_command(*args, str(path))
    applied = capsys.readouterr()
    assert "Appliqué : 2 client(s) ajouté(s) au portefeuille, dont 1 rattaché(s)" in applied.out
    assert account_numbers_in(portfolio) == {number("E0"), number("E1"), number("E2")}


def test_command_unknown_portfolio(firm, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "c.csv"
    path.write_bytes(SAGE)
    with pytest.raises(CommandError, match="pas de portefeuille nommé « Inconnu »"):
        call_command("import_clients", "--firm", firm.siren, "--portfolio", "Inconnu", str(path))


def test_termination_since_preview_is_refused(referential, portfolio, admin, firm):
    # The page checks access before the apply transaction, the command long
    # before: apply itself must see a résiliation that happened in between.
    batch = preview(portfolio, admin, SAGE, "sage.txt")
    before = account_numbers_in(portfolio)
    attached = FirmClient.objects.filter(firm=firm).count()
    terminate_portfolio(admin, portfolio)

    with pytest.raises(services.ImportApplyError, match="a été résilié depuis l'aperçu"):
        services.apply_batch(batch, None)

    assert account_numbers_in(portfolio) == before
    assert FirmClient.objects.filter(firm=firm).count() == attached
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
