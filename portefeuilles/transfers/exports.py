"""Exports of a portfolio's clients and of the whole firm, as CSV and XLSX, streamed.

CSV: UTF-8 with BOM (so Excel detects the encoding), ``;`` separators, every
field quoted. Quoting keeps identifiers as text for programs that honour it.
Excel still turns a quoted "00542002100056" into a number when it opens a CSV
by double-click. The importer restores that lost zero, and the XLSX export,
whose identifier cells are typed as text, is the one to open in Excel.
Text that starts with = + - @ tab or CR gets a leading quote (OWASP CSV
injection advice); the importer removes it again.

Rows are read with ``iterator(chunk_size=…)``, so a 250,000-row export never
holds all its rows in memory: CSV is written to the response as it goes, XLSX
(a zip written row by row by ``workbooks.write_workbook``) to a temporary file first.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from portefeuilles.portfolios.models import Portfolio, PortfolioClient, PortfolioSubscription
from portefeuilles.referential.models import Establishment, UrssafAccount

from .cells import neutralise
from .workbooks import write_workbook

CHUNK = 2000

CLIENT_HEADER = [
    "Numéro de compte",
    "SIRET",
    "SIREN",
    "Établissement",
    "Commune",
    "Régime",
    "État du compte",
]
# Indexes of CLIENT_HEADER cells typed as text in XLSX, so leading zeros stay.
CLIENT_IDENTIFIER_COLUMNS = {0, 1, 2}
SUBSCRIBER_HEADER = ["portefeuille", "identifiant", "action"]


def client_rows(entries) -> Iterator[list[str]]:
    """Yield one row per entry of ``entries`` (PortfolioClient queryset), in account number order.

    A firm export passes the entries of every portfolio and gets the portfolio
    name as first cell.
    """
    regimes = dict(UrssafAccount.Regime.choices)
    states = dict(UrssafAccount.State.choices)
    values = entries.order_by("portfolio__name_key", "firm_client__account__number").values_list(
        "portfolio__name",
        "firm_client__account__number",
        "firm_client__account__siret",
        "firm_client__account__siren",
        "firm_client__account__regime",
        "firm_client__account__state",
    )
    for chunk in _chunks(values.iterator(chunk_size=CHUNK), CHUNK):
        places = {
            siret: (name, city)
            for siret, name, city in Establishment.objects.filter(
                siret__in={row[2] for row in chunk}
            ).values_list("siret", "name", "city")
        }
        for portfolio_name, number, siret, siren, regime, state in chunk:
            yield [
                portfolio_name,
                number,
                siret,
                siren,
                *places.get(siret, ("", "")),
                str(regimes.get(regime, regime)),
                str(states.get(state, state)),
            ]


def portfolio_client_rows(portfolio: Portfolio) -> Iterator[list[str]]:
    for row in client_rows(PortfolioClient.objects.filter(portfolio=portfolio)):
        yield row[1:]


def firm_client_rows(firm_id: int) -> Iterator[list[str]]:
    entries = PortfolioClient.objects.filter(
        portfolio__firm_id=firm_id, portfolio__terminated_at__isnull=True
    )
    return client_rows(entries)


def subscriber_rows(firm_id: int) -> Iterator[list[str]]:
    subscriptions = (
        PortfolioSubscription.objects.filter(
            portfolio__firm_id=firm_id, portfolio__terminated_at__isnull=True
        )
        .order_by("portfolio__name_key", "user__email")
        .values_list("portfolio__name", "user__email")
    )
    for name, email in subscriptions.iterator(chunk_size=CHUNK):
        yield [name, email, "ajouter"]


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def csv_stream(header: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """Yield the CSV file in pieces of about CHUNK rows, starting with the UTF-8 BOM."""
    yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if count % CHUNK == 0:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def xlsx_file(sheets: list[tuple[str, list[str], Iterable[list[str]], set[int]]]):
    """Write a workbook of ``(title, header, rows, text_columns)`` sheets to a temporary file.

    Returns the open file, at its start. Cells of ``text_columns`` are typed as
    text (number format ``@``) so a spreadsheet keeps their leading zeros.
    """
    neutralised = [
        (title, header, ([neutralise(value) for value in row] for row in rows), text_columns)
        for title, header, rows, text_columns in sheets
    ]
    return write_workbook(neutralised)
