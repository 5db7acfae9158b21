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
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import connection, models, transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
DEFAULT_PROGRESS_EVERY = 100_000

# SQLite builds compiled with the historical default accept 999 parameters a
# statement, so the lookup of existing keys goes in chunks of fewer keys.
_LOOKUP_CHUNK_SIZE = 900

# Maximum characters in one line of an input file. A SIRENE row takes about 500;
# the limit keeps memory flat on a file, or an archive, holding one endless line.
MAX_LINE_CHARACTERS = 1_000_000

# Bytes read at a time when an archive member is checked before the import.
_CHECK_CHUNK_BYTES = 1 << 20


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
def open_text(path: Path | str) -> Iterator[Iterator[str]]:
    """Open a UTF-8 CSV file, or the single CSV file inside a ZIP archive, as lines of text.

    An archive member is read once in full before any row is written, so a
    damaged download stops the import with nothing written.
    """
    path = Path(path)
    try:
        # is_zipfile seeks to the end and reads from there, which never ends on a
        # device such as /dev/zero; pipes and devices are read as plain text.
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                member = _csv_member(path, archive)
                _check_member(path, archive, member)
                with archive.open(member) as raw:
                    yield read_lines(raw)
        else:
            with path.open("rb") as raw:
                yield read_lines(raw)
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


def read_lines(raw: BinaryIO) -> Iterator[str]:
    """Yield the lines of a binary UTF-8 stream as text, with their line ends.

    Lines end at LF, CRLF or a lone CR. A byte that is not UTF-8 raises
    ImportFileError naming its line, and so does a line longer than
    MAX_LINE_CHARACTERS, before it fills memory. A byte-order mark is dropped.
    """
    # Undecodable bytes become lone surrogates here, so the line that contains one
    # is known exactly. Strict decoding fails a whole chunk ahead of the reader.
    stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
    line_number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARACTERS + 1)
        if not line:
            return
        line_number += 1
        if len(line) > MAX_LINE_CHARACTERS:
            raise ImportFileError(
                _(
                    "Ligne %(line)s : la ligne dépasse %(max)s caractères sans fin de ligne. "
                    "Vérifiez que c'est bien le fichier attendu, en texte."
                )
                % {"line": line_number, "max": MAX_LINE_CHARACTERS}
            )
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ImportFileError(
                    _(
                        "Ligne %(line)s : le fichier n'est pas encodé en UTF-8 (octet "
                        "illisible au caractère %(position)s de la ligne). Convertissez le "
                        "fichier en UTF-8 puis relancez la commande."
                    )
                    % {"line": line_number, "position": error.start + 1}
                ) from None
        yield line


def _check_member(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Read ``member`` once in full, raising ImportFileError when it cannot be read.

    The CRC of a ZIP member is checked only at its end, so a damaged archive
    would otherwise show its fault after thousands of rows are written.
    """
    if member.flag_bits & 0x1:
        raise ImportFileError(
            _(
                "L'archive « %(path)s » est protégée par un mot de passe. Importez l'archive "
                "publiée par l'INSEE telle quelle, ou le fichier .csv extrait."
            )
            % {"path": path}
        )
    try:
        with archive.open(member) as raw:
            while raw.read(_CHECK_CHUNK_BYTES):
                pass
    except NotImplementedError:
        raise ImportFileError(
            _(
                "L'archive « %(path)s » est compressée avec une méthode non prise en charge "
                "(code %(method)s). Recompressez le fichier .csv en ZIP standard (Deflate), "
                "ou importez-le sans archive."
            )
            % {"path": path, "method": member.compress_type}
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise ImportFileError(
            _(
                "L'archive « %(path)s » est endommagée : « %(member)s » ne se décompresse pas "
                "en entier. Rien n'a été importé ; téléchargez-la à nouveau."
            )
            % {"path": path, "member": member.filename}
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
    lines: Iterable[str], *, delimiter: str, required_columns: tuple[str, ...]
) -> Iterator[Record | Rejection]:
    """Yield one Record per data row, or a Rejection for a row that cannot be read.

    A row is rejected when its field count differs from the header's, or when it
    contains a NUL character, which PostgreSQL cannot store in text.

    Columns are found by header name, ignoring case, so extra or reordered
    columns do no harm. Raises ImportFileError when a required column is missing.
    A record's line is the file line where it starts (the header is line 1).
    """
    reader = csv.reader(lines, delimiter=delimiter)
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
        except csv.Error:
            # An unbalanced quote makes the reader take the rest of the file as one
            # field, so no later row can be trusted.
            raise ImportFileError(
                _(
                    "Ligne %(line)s : le fichier n'est plus lisible en CSV : un champ ouvert "
                    "par un guillemet ne se referme pas avant %(max)s caractères. Vérifiez "
                    "les guillemets de cette ligne."
                )
                % {"line": previous_line + 1, "max": csv.field_size_limit()}
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
        if "\x00" in "".join(row):
            yield Rejection(
                line,
                _(
                    "la ligne contient un caractère nul (octet 0x00) : le fichier est "
                    "probablement endommagé ; corrigez ou retirez cette ligne."
                ),
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
    except ImportFileError as error:
        # The rest of the file is unreadable: write the rows read so far, say
        # so, then stop.
        if accepted:
            flush()
        if summary.read == 0:
            raise
        raise ImportFileError(
            _(
                "%(error)s Les %(count)s lignes lues avant celle-ci sont importées, sauf "
                "celles rejetées ci-dessus."
            )
            % {"error": error, "count": summary.read}
        ) from None

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
