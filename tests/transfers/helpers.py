"""Run an import the way the page and the command do, and read its preview back as tuples."""

from pathlib import Path

from portefeuilles.transfers import services
from portefeuilles.transfers.models import ImportBatch

FILES = Path(__file__).parent / "files"


def preview(portfolio, user, data: bytes, file_name: str, mode=ImportBatch.Mode.ADD):
    batch = services.start_client_import(
        portfolio=portfolio, user=user, data=data, file_name=file_name, mode=mode
    )
    return services.advance(batch)


def preview_lines(batch) -> list[tuple]:
    """(line number, status, SIRET or SIREN, numéro de compte, message) of each line, in order."""
    return [
        (line.line_number, line.status, line.siret or line.siren, line.account_number, line.message)
        for line in batch.lines.order_by("id")
    ]
