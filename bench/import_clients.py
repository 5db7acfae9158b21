"""Benchmark of a 100,000-line client import: preview and apply, against a raw executemany floor.

    .venv/bin/python bench/import_clients.py [--lines 100000] [--runs 5]

Uses ``DATABASE_URL`` when set, else a fresh SQLite file in a temporary
directory (with the project's settings: WAL, IMMEDIATE transactions). It
creates a referential of ``--lines`` accounts, attaches 80 % of them to a firm,
and writes a messy CSV: attached accounts by numéro de compte (some with
spaces), the other 20 % as SIRET plus numéro de compte, so they are attached
during the import. Each run imports the file into a new, empty portfolio, then
undoes what it attached.

The floor is one ``executemany`` of the same portfolio entries
(portfolio_id, firm_client_id, added_at) into the same table, in one
transaction. Printed figures are medians of ``--runs`` runs.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django(directory: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
    os.environ.setdefault("PORTEFEUILLES_VAR_DIR", directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portefeuilles.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_referential(lines: int):
    from portefeuilles.accounts.models import Firm
    from portefeuilles.portfolios.models import FirmClient
    from portefeuilles.referential.identifiers import luhn_complete
    from portefeuilles.referential.models import Establishment, UrssafAccount

    firm = Firm.objects.create(siren=luhn_complete("73282932"), name="Cabinet Banc d'essai")
    establishments, accounts = [], []
    for index in range(lines):
        siren = luhn_complete(f"9{index:07d}")
        siret = luhn_complete(f"{siren}0001")
        establishments.append(
            Establishment(
                siret=siret, siren=siren, nic=siret[9:], name=f"Client {index}", state="A"
            )
        )
        accounts.append(
            UrssafAccount(number=f"117{index:015d}", siret=siret, siren=siren, urssaf_code="117")
        )
    Establishment.objects.bulk_create(establishments, batch_size=5000)
    UrssafAccount.objects.bulk_create(accounts, batch_size=5000)
    ids = list(UrssafAccount.objects.order_by("number").values_list("id", flat=True))
    attached = int(lines * 0.8)
    FirmClient.objects.bulk_create(
        [FirmClient(firm=firm, account_id=account_id) for account_id in ids[:attached]],
        batch_size=5000,
    )
    # The floor writes entries for every account, so it needs them all attached:
    # to a second firm, which the import never reads.
    floor_firm = Firm.objects.create(siren=luhn_complete("73282933"), name="Plancher")
    FirmClient.objects.bulk_create(
        [FirmClient(firm=floor_firm, account_id=account_id) for account_id in ids],
        batch_size=5000,
    )
    rows = ["Siret établissement;N° cotisant;Raison sociale"]
    for index, account in enumerate(accounts):
        if index < attached:
            number = account.number
            if index % 10 == 0:
                number = f"{number[:3]} {number[3:9]} {number[9:]}"
            rows.append(f";{number};Client {index}")
        else:
            rows.append(f"{account.siret};{account.number};Client {index}")
    return firm, floor_firm, ("\r\n".join(rows) + "\r\n").encode("utf-8")


def run_once(firm, data: bytes, run: int) -> tuple[float, float]:
    from portefeuilles.portfolios.models import FirmClient, Portfolio
    from portefeuilles.transfers import services

    portfolio = Portfolio.objects.create(firm=firm, name=f"Banc {run}")
    last_client = FirmClient.objects.order_by("-id").values_list("id", flat=True).first()
    started = time.perf_counter()
    batch = services.start_client_import(
        portfolio=portfolio, user=None, data=data, file_name="bench.csv"
    )
    batch = services.advance(batch)
    preview_seconds = time.perf_counter() - started
    started = time.perf_counter()
    services.apply_batch(batch, None)
    apply_seconds = time.perf_counter() - started
    if portfolio.entries.count() != batch.total_rows:
        raise SystemExit(f"only {portfolio.entries.count()} of {batch.total_rows} lines applied")
    portfolio.delete()
    FirmClient.objects.filter(id__gt=last_client).delete()
    batch.delete()
    return preview_seconds, apply_seconds


def floor_once(firm, lines: int, run: int) -> float:
    """Time one executemany of ``lines`` portfolio entries, the fastest way to write them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from portefeuilles.portfolios.models import FirmClient, Portfolio, PortfolioClient

    portfolio = Portfolio.objects.create(firm=firm, name=f"Plancher {run}")
    firm_client_ids = list(FirmClient.objects.filter(firm=firm).values_list("id", flat=True))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [(portfolio.pk, firm_client_id, now) for firm_client_id in firm_client_ids[:lines]]
    table = connection.ops.quote_name(PortfolioClient._meta.db_table)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (portfolio_id, firm_client_id, added_at) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            params,
        )
    seconds = time.perf_counter() - started
    portfolio.delete()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        from django.db import connection

        firm, floor_firm, data = build_referential(options.lines)
        print(f"database: {connection.vendor}, lines: {options.lines}, file: {len(data)} bytes")
        previews, applies, floors = [], [], []
        for run in range(options.runs):
            preview_seconds, apply_seconds = run_once(firm, data, run)
            previews.append(preview_seconds)
            applies.append(apply_seconds)
            floors.append(floor_once(floor_firm, options.lines, run))
            print(
                f"run {run + 1}: preview {preview_seconds:.2f} s, apply {apply_seconds:.3f} s, "
                f"floor {floors[-1]:.3f} s",
                file=sys.stderr,
            )
        preview_median = statistics.median(previews)
        apply_median = statistics.median(applies)
        floor_median = statistics.median(floors)
        print(f"preview: {options.lines / preview_median:,.0f} rows/s ({preview_median:.2f} s)")
        print(f"apply:   {options.lines / apply_median:,.0f} rows/s ({apply_median:.3f} s)")
        print(f"floor:   {options.lines / floor_median:,.0f} rows/s ({floor_median:.3f} s)")
        print(f"apply / floor: {apply_median / floor_median:.2f}")


if __name__ == "__main__":
    main()
