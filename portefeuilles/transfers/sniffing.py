"""Recognise what an uploaded file is before reading it: format, text encoding, separator.

Nothing here trusts the file name or a declared type. The format comes from the
first bytes (zip and OLE2 signatures). The encoding comes from strict decoding
plus a plausibility score of the French letters it yields. The separator is the
one that splits the first rows most consistently.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings


class ImportFileError(ValueError):
    """The file cannot be read; the message is French, names the problem and the fix."""


class FileFormat(StrEnum):
    TEXT = "text"
    XLSX = "xlsx"
    ODS = "ods"


ZIP_MAGIC = b"PK\x03\x04"
# OLE2 compound files: Excel 97-2003 workbooks and password-protected XLSX
# (Office wraps an encrypted XLSX in a compound file).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Magic numbers of formats people upload by mistake, with the name shown to them.
OTHER_MAGICS = [
    (b"%PDF", "un document PDF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip"),
    (b"Rar!", "une archive RAR"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
]

FRENCH_NON_ASCII = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ€°«»’‘“”–—…ºª²§µ\u00a0")
LEGACY_ENCODINGS = ("cp1252", "iso-8859-15", "cp850")
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 avec BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "iso-8859-15": "ISO-8859-15",
    "cp850": "CP850 (DOS)",
}
SEPARATORS = (";", "\t", "|", ",")
SEPARATOR_LABELS = {
    ";": "point-virgule",
    "\t": "tabulation",
    "|": "barre verticale",
    ",": "virgule",
}

# A line that is only a number with a decimal comma ("55203253400018,0") is one
# value, not two fields split by a comma.
_DECIMAL_COMMA_LINE = re.compile(r'^\s*"?[\d \u00a0.]+,\d+"?\s*$')


@dataclass(frozen=True)
class TextDialect:
    encoding: str
    separator: str | None

    @property
    def description(self) -> str:
        label = ENCODING_LABELS.get(self.encoding, self.encoding)
        if self.separator is None:
            return f"texte {label}, une seule colonne"
        return f"texte {label}, séparateur {SEPARATOR_LABELS[self.separator]}"


def megabytes(size: int, round_up: bool = False) -> str:
    """Return ``size`` bytes as French megabytes to one decimal: « 20,1 Mo ».

    A size reported as over a limit is rounded up, so that 20,000,001 bytes
    read « 20,1 Mo » next to a limit of « 20,0 Mo », not « 20,0 Mo » too.
    """
    tenths = -(-size // 100_000) if round_up else (size + 50_000) // 100_000
    return f"{tenths // 10},{tenths % 10} Mo"


def detect_format(data: bytes) -> FileFormat:
    """Return the format of ``data``, or raise ImportFileError for files we cannot read."""
    if not data.strip():
        raise ImportFileError(
            "Le fichier est vide. Choisissez le fichier exporté de votre logiciel (CSV, TXT, "
            "XLSX ou ODS) qui contient au moins une ligne."
        )
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            "Ce fichier est un classeur Excel protégé par mot de passe ou au format .xls "
            "(Excel 97-2003), que nous ne lisons pas. Ouvrez-le dans Excel, retirez le mot de "
            "passe (Fichier > Informations > Protéger le classeur) et enregistrez-le au format "
            ".xlsx ou CSV."
        )
    if data.startswith(ZIP_MAGIC):
        return _zip_format(data)
    for magic, name in OTHER_MAGICS:
        if data.startswith(magic):
            raise ImportFileError(
                f"Ce fichier est {name}, pas un tableau. Envoyez un fichier CSV, TXT, XLSX ou ODS."
            )
    return FileFormat.TEXT


def _zip_format(data: bytes) -> FileFormat:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(
            "Ce fichier commence comme une archive zip (XLSX, ODS) mais il est abîmé. "
            "Enregistrez-le de nouveau depuis votre tableur."
        ) from None
    with archive:
        check_inflated_size(archive)
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return FileFormat.XLSX
        if "content.xml" in names and "mimetype" in names:
            if archive.read("mimetype").strip() != ODS_MIMETYPE:
                raise ImportFileError(
                    "Ce fichier OpenDocument n'est pas un classeur (ODS). Enregistrez le tableau "
                    "au format .ods, .xlsx ou CSV."
                )
            manifest = (
                archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            )
            if b"encryption-data" in manifest:
                raise ImportFileError(
                    "Ce classeur ODS est protégé par mot de passe. Enregistrez-le sans mot de "
                    "passe, puis recommencez."
                )
            return FileFormat.ODS
    raise ImportFileError(
        "Ce fichier est une archive zip. Décompressez-la et envoyez le fichier CSV, XLSX ou ODS "
        "qu'elle contient."
    )


def check_inflated_size(archive: zipfile.ZipFile) -> None:
    """Reject archives that inflate past the configured size or ratio (zip bombs).

    The sizes come from the zip directory; Python's zipfile stops reading an
    entry at its declared size and fails the CRC check, so an entry cannot
    inflate past what the directory declares.
    """
    entries = archive.infolist()
    if len(entries) > settings.IMPORT_MAX_ZIP_ENTRIES:
        raise ImportFileError(
            f"Cette archive contient {len(entries)} fichiers, au-delà de la limite de "
            f"{settings.IMPORT_MAX_ZIP_ENTRIES}. Enregistrez le tableau seul, au format CSV."
        )
    inflated = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries) or 1
    limit = settings.IMPORT_MAX_INFLATED_BYTES
    if inflated > limit or inflated / compressed > settings.IMPORT_MAX_COMPRESSION_RATIO:
        raise ImportFileError(
            f"Une fois décompressé, ce fichier occuperait {megabytes(inflated, round_up=True)} "
            f"(limite : {megabytes(limit)}, taux de compression {inflated // compressed} "
            f"pour 1, limite {settings.IMPORT_MAX_COMPRESSION_RATIO}). Envoyez un fichier plus "
            "petit ou découpez-le."
        )


def decode_text(data: bytes) -> tuple[str, str]:
    """Return the decoded text and the encoding's name.

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised by strict
    decoding. Otherwise each legacy encoding that decodes strictly is scored on
    the non-ASCII characters it yields: French letters count for it, control
    and drawing characters against it. CP850 and Windows-1252 decode nearly
    every byte, so only this score distinguishes them.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    if b"\x00" in data[:8192]:
        raise ImportFileError(
            "Ce fichier contient des données binaires, pas du texte. Envoyez un fichier CSV, TXT, "
            "XLSX ou ODS exporté de votre logiciel."
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:1_000_000]
    high_bytes = {byte: sample.count(byte) for byte in set(sample) if byte >= 0x80}
    best = None
    for encoding in LEGACY_ENCODINGS:
        score = _plausibility(high_bytes, encoding)
        if score is not None and (best is None or score > best[0]):
            best = (score, encoding)
    candidates = list(LEGACY_ENCODINGS)
    if best is not None:
        candidates.sort(key=lambda encoding: encoding != best[1])
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        "Nous ne reconnaissons pas l'encodage de ce fichier. Enregistrez-le en « CSV UTF-8 » "
        "depuis votre tableur, puis recommencez."
    )


def check_no_nul(text: str) -> None:
    """Reject decoded text that contains a NUL character, naming its line.

    A text export never contains one, PostgreSQL cannot store one, and
    ``decode_text`` only looks for NUL bytes in the first 8 KB.
    """
    position = text.find("\x00")
    if position == -1:
        return
    before = text[:position]
    # Lines end at CR, LF or CRLF, as the readers count them.
    line_number = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    raise ImportFileError(
        f"La ligne {line_number} contient un caractère nul (octet 0), qu'un fichier texte ne "
        "contient jamais : le fichier est abîmé ou n'est pas un tableau. Exportez-le de nouveau "
        "depuis votre logiciel, ou supprimez ce caractère, puis recommencez."
    )


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            f"Ce fichier annonce l'encodage {ENCODING_LABELS[encoding]} mais contient des "
            "caractères invalides. Enregistrez-le de nouveau en « CSV UTF-8 »."
        ) from None


def _plausibility(high_bytes: dict[int, int], encoding: str) -> int | None:
    score = 0
    for byte, count in high_bytes.items():
        try:
            char = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            return None
        if char in FRENCH_NON_ASCII:
            score += 2 * count
        elif "\x80" <= char <= "\x9f":
            score -= 5 * count
        else:
            score -= count
    return score


def detect_separator(text: str) -> str | None:
    """Return the separator that splits the first rows most consistently, None for one column.

    Each candidate splits a sample with the csv module, which respects quotes.
    Its score is the number of rows that share the most common field count,
    when that count is above one. A comma that only separates decimals is ignored.
    """
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        return None
    best_separator, best_score = None, 0
    for separator in SEPARATORS:
        with_comma = [line for line in lines if "," in line]
        if separator == "," and all(_DECIMAL_COMMA_LINE.match(line) for line in with_comma):
            continue
        counts: dict[int, int] = {}
        try:
            rows = csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=separator)
            for row in rows:
                counts[len(row)] = counts.get(len(row), 0) + 1
        except csv.Error:
            continue
        width, agreeing = max(counts.items(), key=lambda item: (item[1], item[0]))
        if width > 1 and agreeing > best_score:
            best_separator, best_score = separator, agreeing
    return best_separator
