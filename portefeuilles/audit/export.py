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

from .models import Action, JournalEntry
from .presentation import summarize

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_QUERY = 2000
# Rows joined into one chunk of the response: one write per row costs more than
# the rows themselves on a WSGI server, and 500 rows are about 100 kB.
ROWS_PER_CHUNK = 500


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


def action_labels() -> dict[str, str]:
    """Return the French label of each action code, translated once for a whole export."""
    return {code: str(label) for code, label in Action.choices}


def row(entry: JournalEntry, labels: dict[str, str]) -> list[str]:
    """Return the cells of ``entry``; ``labels`` comes from ``action_labels()``.

    ``get_action_display()`` would translate every action label again for each
    row, which took most of the export's time.
    """
    created_at = entry.created_at.astimezone(datetime.UTC)
    return [
        neutralise(value)
        for value in (
            created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            entry.actor_id,
            entry.actor_email,
            entry.action,
            labels.get(entry.action, entry.action),
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
    """Yield the CSV text of ``entries``, ``ROWS_PER_CHUNK`` lines at a time, BOM first."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    labels = action_labels()
    yield "\ufeff" + writer.writerow(header())
    lines = []
    for entry in entries.iterator(chunk_size=ROWS_PER_QUERY):
        lines.append(writer.writerow(row(entry, labels)))
        if len(lines) == ROWS_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
