"""The journal as CSV: UTF-8 with a byte order mark, ``;``-separated, streamed.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, so such cells get a leading apostrophe. Cells that start with a
tab or a carriage return get one too, because spreadsheets can read those as
the start of a formula as well.
"""

import csv
import datetime
import json

from django.utils.translation import gettext as _

from .models import JournalEntry
from .presentation import summarize

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_QUERY = 2000


def neutralise(value) -> str:
    """Return ``value`` as text that no spreadsheet reads as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a stream."""

    def write(self, value):
        return value


def header() -> list[str]:
    return [
        _("Date (UTC)"),
        _("Identifiant de l'utilisateur"),
        _("Utilisateur"),
        _("Code de l'action"),
        _("Action"),
        _("Type d'objet"),
        _("Identifiant de l'objet"),
        _("Objet"),
        _("Portefeuille"),
        _("SIRET"),
        _("Numéro de compte"),
        _("Résumé"),
        _("Détails (JSON)"),
        _("Adresse du client"),
        _("Identifiant de requête"),
    ]


def row(entry: JournalEntry) -> list[str]:
    created_at = entry.created_at.astimezone(datetime.UTC)
    return [
        neutralise(value)
        for value in (
            created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            entry.actor_id,
            entry.actor_email,
            entry.action,
            entry.get_action_display(),
            entry.object_kind,
            entry.object_id,
            entry.object_label,
            entry.portfolio_id,
            entry.siret,
            entry.account_number,
            summarize(entry),
            json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
            entry.client_address,
            entry.request_id,
        )
    ]


def stream_csv(entries):
    """Yield the CSV text of ``entries``, a line at a time, BOM first."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(header())
    for entry in entries.iterator(chunk_size=ROWS_PER_QUERY):
        yield writer.writerow(row(entry))
