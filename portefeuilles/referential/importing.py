"""Streaming CSV import shared by the SIRENE and Urssaf account-extract importers.

Rows are read one at a time and written in batches. Each batch is one transaction
with one bulk upsert on the row's natural key, so memory stays flat whatever the
file size and running an import again updates the rows in place. When a later
part of the file cannot be read, the rows read before it are written and the
import stops with ImportFileError.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.db import connection, models, transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
DEFAULT_PROGRESS_EVERY = 100_000

# SQLite builds compiled with the historical default accept 999 parameters a
# statement, so the lookup of existing keys goes in chunks of fewer keys.
_LOOKUP_CHUNK_SIZE = 900


class ImportFileError(Exception):
    """Raised when the whole file cannot be imported, with a French message naming the fix."""


class RowError(ValueError):
    """Raised when one row is rejected, with a French message naming the value and the fault."""


@dataclass(frozen=True)
class Rejection:
    line: int
    message: str


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0


class Record:
    """One CSV row whose fields are read by column name."""

    __slots__ = ("_columns", "_row", "line")

    def __init__(self, columns: dict[str, int], row: list[str], line: int):
        self._columns = columns
        self._row = row
        self.line = line

    def get(self, column: str) -> str:
        """Return the stripped field, or "" when the file has no such column."""
        index = self._columns.get(column.casefold())
        if index is None:
            return ""
        return self._row[index].strip()

    def has(self, column: str) -> bool:
        return column.casefold() in self._columns


@contextmanager
def open_text(path: Path | str) -> Iterator[TextIO]:
    """Open a UTF-8 CSV file, or the single CSV file inside a ZIP archive, as text."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open(_csv_member(path, archive)) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        else:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                yield stream
    except FileNotFoundError:
        raise ImportFileError(
            _("Le fichier « %(path)s » est introuvable. Vérifiez son chemin.") % {"path": path}
        ) from None
    except IsADirectoryError:
        raise ImportFileError(
            _("« %(path)s » est un dossier : indiquez le chemin d'un fichier .csv ou .zip.")
            % {"path": path}
        ) from None
    except zipfile.BadZipFile as error:
        raise ImportFileError(
            _("L'archive « %(path)s » est illisible (%(error)s). Téléchargez-la à nouveau.")
            % {"path": path, "error": error}
        ) from None
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Le fichier « %(path)s » n'est pas encodé en UTF-8 (octet illisible à la "
                "position %(position)s du bloc en cours). Les lignes lues jusque-là sont "
                "enregistrées ; convertissez le fichier en UTF-8 puis relancez l'import."
            )
            % {"path": path, "position": error.start}
        ) from None


def _csv_member(path: Path, archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [
        member
        for member in archive.infolist()
        if not member.is_dir() and member.filename.lower().endswith(".csv")
    ]
    if len(members) != 1:
        raise ImportFileError(
            _(
                "L'archive « %(path)s » contient %(count)s fichiers .csv au lieu d'un seul. "
                "Importez l'archive publiée telle quelle, ou le fichier .csv extrait."
            )
            % {"path": path, "count": len(members)}
        )
    return members[0]


def read_records(
    stream: TextIO, *, delimiter: str, required_columns: tuple[str, ...]
) -> Iterator[Record | Rejection]:
    """Yield one Record per data row, or a Rejection for a row with the wrong field count.

    Columns are found by header name, ignoring case, so extra or reordered
    columns do no harm. Raises ImportFileError when a required column is missing.
    A record's line is the file line where it starts (the header is line 1).
    """
    reader = csv.reader(stream, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise ImportFileError(_("Le fichier est vide : il n'a même pas de ligne d'en-tête."))
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(name.strip().lstrip("\ufeff").casefold(), index)
    missing = [name for name in required_columns if name.casefold() not in columns]
    if missing:
        raise ImportFileError(
            _(
                "L'en-tête du fichier n'a pas les colonnes %(missing)s. Vérifiez que le "
                "fichier est au bon format et que son séparateur est « %(delimiter)s »."
            )
            % {"missing": ", ".join(missing), "delimiter": delimiter}
        )

    previous_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # An unbalanced quote makes the reader take the rest of the file as one
            # field, so no later row can be trusted.
            raise ImportFileError(
                _(
                    "Ligne %(line)s : le fichier n'est plus lisible en CSV (%(error)s). "
                    "Vérifiez les guillemets de cette ligne ; les lignes précédentes "
                    "sont enregistrées."
                )
                % {"line": previous_line + 1, "error": error}
            ) from None
        line = previous_line + 1
        previous_line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            yield Rejection(
                line,
                _(
                    "la ligne a %(found)s champs au lieu des %(expected)s de l'en-tête ; "
                    "vérifiez les séparateurs « %(delimiter)s » et les guillemets."
                )
                % {"found": len(row), "expected": len(header), "delimiter": delimiter},
            )
            continue
        yield Record(columns, row, line)


def import_rows(
    records: Iterator[Record | Rejection],
    *,
    parse: Callable[[Record], models.Model],
    model: type[models.Model],
    key_field: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_reject: Callable[[Rejection], None] | None = None,
    on_progress: Callable[[ImportSummary], None] | None = None,
    progress_every: int = DEFAULT_PROGRESS_EVERY,
) -> ImportSummary:
    """Parse each record into a ``model`` instance and upsert them in batches on ``key_field``.

    A row that ``parse`` rejects with RowError is passed to ``on_reject`` and
    skipped. ``on_progress`` is called every ``progress_every`` rows read, when
    the created and updated counts may lag by up to one batch. When a key appears
    twice in the file, the later row wins and counts as an update.
    """
    summary = ImportSummary()
    update_fields = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name != key_field
    ]
    batch: dict[str, models.Model] = {}
    accepted = 0

    def flush() -> None:
        nonlocal accepted
        created = _upsert(model, key_field, update_fields, batch)
        summary.created += created
        summary.updated += accepted - created
        batch.clear()
        accepted = 0
        _forget_logged_queries()

    try:
        for item in records:
            summary.read += 1
            rejection = None
            if isinstance(item, Rejection):
                rejection = item
            else:
                try:
                    instance = parse(item)
                except RowError as error:
                    rejection = Rejection(item.line, str(error))
                else:
                    batch[getattr(instance, key_field)] = instance
                    accepted += 1
                    if accepted >= batch_size:
                        flush()
            if rejection is not None:
                summary.rejected += 1
                if on_reject is not None:
                    on_reject(rejection)
            if on_progress is not None and summary.read % progress_every == 0:
                on_progress(summary)
    except (ImportFileError, UnicodeDecodeError):
        # The rest of the file is unreadable: write the rows read so far, as
        # the error message states, then stop.
        if accepted:
            flush()
        raise

    if accepted:
        flush()
    return summary


def _upsert(model, key_field: str, update_fields: list[str], batch: dict) -> int:
    """Write the batch and return how many of its keys were new."""
    if not batch:
        return 0
    keys = list(batch)
    with transaction.atomic():
        existing = set()
        for start in range(0, len(keys), _LOOKUP_CHUNK_SIZE):
            chunk = keys[start : start + _LOOKUP_CHUNK_SIZE]
            existing.update(
                model.objects.filter(**{f"{key_field}__in": chunk}).values_list(
                    key_field, flat=True
                )
            )
        model.objects.bulk_create(
            batch.values(),
            batch_size=1000,
            update_conflicts=True,
            unique_fields=[key_field],
            update_fields=update_fields,
        )
    return len(keys) - len(existing)


def _forget_logged_queries() -> None:
    """Drop the SQL that Django keeps under DEBUG, so memory stays flat on large files.

    Django keeps up to 9,000 statements there, and each bulk upsert of 1,000
    rows is a long one. A test that counts queries sets ``force_debug_cursor``,
    and its log is left alone.
    """
    if not connection.force_debug_cursor:
        connection.queries_log.clear()


def truncate(model: type[models.Model], field_name: str, value: str) -> str:
    """Cut ``value`` to the column's max_length, so one long field cannot fail a whole batch."""
    return value[: model._meta.get_field(field_name).max_length]


def invalid_identifier_message(label: str, value: str, length: int) -> str:
    """Return why ``value`` is not a valid SIREN or SIRET (``label``) of ``length`` digits."""
    if not (value.isascii() and value.isdigit()):
        return _("le %(label)s « %(value)s » contient des caractères autres que des chiffres.") % {
            "label": label,
            "value": value,
        }
    if len(value) != length:
        return _(
            "le %(label)s « %(value)s » a %(found)s chiffres au lieu de %(length)s ; un "
            "tableur a peut-être supprimé des zéros en tête."
        ) % {"label": label, "value": value, "found": len(value), "length": length}
    return _("le %(label)s « %(value)s » est invalide : sa clé de contrôle est fausse.") % {
        "label": label,
        "value": value,
    }
