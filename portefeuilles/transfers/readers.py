"""Read CSV/TXT, XLSX and ODS files into rows of text cells, with their line numbers.

Every reader yields ``(line_number, cells)`` where cells are strings. Numeric
spreadsheet cells become their digits (an integer-valued float loses its
``.0``), a number of 16 digits or more keeps the scientific notation the
spreadsheet reduced it to, so the cleaning step can say that digits were lost.
A formula cell becomes its formula text, starting with ``=``: we never evaluate
formulas nor trust the result a spreadsheet cached, and the cleaning step
rejects them with a message.

XML is parsed with defusedxml (openpyxl uses it too once installed), which
rejects entity expansion and external entities.
"""

import csv
import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from .sniffing import (
    FileFormat,
    ImportFileError,
    TextDialect,
    check_no_nul,
    decode_text,
    detect_format,
    detect_separator,
)

logger = logging.getLogger(__name__)

Rows = Iterator[tuple[int, list[str]]]

ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# A number with more than 15 significant digits cannot be stored exactly by a
# spreadsheet (IEEE 754 double), so its last digits are already lost.
EXACT_NUMBER_LIMIT = 10**15
# The last row of an Excel worksheet (Excel specifications and limits).
XLSX_MAX_ROWS = 1_048_576
# Exceptions that a damaged zip or XML part raises while it is being read,
# found by feeding thousands of mutated workbooks to the readers: LookupError
# covers KeyError, IndexError and an unknown encoding in an XML declaration,
# ArithmeticError the OverflowError of an out-of-range style index.
DAMAGED_FILE_ERRORS = (
    ElementTree.ParseError,
    DefusedXmlException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    LookupError,
    ArithmeticError,
    ValueError,
    OSError,
)


@dataclass
class Table:
    rows: Rows
    description: str


def open_table(data: bytes, file_name: str, preferred_sheets: tuple[str, ...] = ()) -> Table:
    """Recognise the file's format from its content and return its rows.

    ``preferred_sheets`` names the worksheet to read in a workbook, when present;
    otherwise the first one is read.
    """
    file_format = detect_format(data)
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if file_format == FileFormat.TEXT:
        text, encoding = decode_text(data)
        check_no_nul(text)
        separator = detect_separator(text)
        dialect = TextDialect(encoding, separator)
        return Table(_capped(_csv_rows(text, separator)), dialect.description)
    if file_format == FileFormat.XLSX:
        description = "classeur Excel (XLSX)"
        if extension not in ("xlsx", "xlsm"):
            description += f", lu comme tel malgré l'extension .{extension or 'absente'}"
        return Table(_capped(_xlsx_rows(data, preferred_sheets)), description)
    description = "classeur OpenDocument (ODS)"
    if extension != "ods":
        description += f", lu comme tel malgré l'extension .{extension or 'absente'}"
    return Table(_capped(_ods_rows(data, preferred_sheets)), description)


def _capped(rows: Rows) -> Rows:
    """Enforce the line, column and length limits, dropping empty cells past the last filled one."""
    max_columns = settings.IMPORT_MAX_COLUMNS
    max_lines = settings.IMPORT_MAX_LINES
    max_length = settings.IMPORT_MAX_LINE_LENGTH
    for line_number, cells in rows:
        while cells and not cells[-1].strip():
            cells.pop()
        if sum(len(cell) for cell in cells) > max_length:
            raise _too_long(line_number, max_length)
        if len(cells) > max_columns:
            raise ImportFileError(
                f"La ligne {line_number} compte {len(cells)} colonnes ; nous en lisons "
                f"{max_columns} au plus. Vérifiez que le fichier est bien un tableau de clients "
                "et que le séparateur de colonnes est régulier."
            )
        if line_number > max_lines:
            raise ImportFileError(
                f"Le fichier dépasse {max_lines} lignes. Découpez-le en plusieurs fichiers."
            )
        yield line_number, cells


def _csv_rows(text: str, separator: str | None) -> Rows:
    # Lines end at CR, LF or CRLF only, as the csv module and text editors count
    # them: str.splitlines() would also split at form feeds and U+2028, and shift
    # every line number after them.
    lines = io.StringIO(text, newline="")
    if separator is None:
        for index, line in enumerate(lines, start=1):
            yield index, [line.strip().strip('"')]
        return
    reader = csv.reader(lines, delimiter=separator)
    next_line = 1
    try:
        for row in reader:
            line_number = next_line
            next_line = reader.line_num + 1
            yield line_number, [cell.strip() for cell in row]
    except csv.Error as error:
        raise ImportFileError(
            f"La ligne {next_line} n'est pas lisible ({error}). Vérifiez qu'aucun guillemet "
            "n'est resté ouvert, puis exportez de nouveau le fichier."
        ) from None


def _too_long(line_number: int, max_length: int) -> ImportFileError:
    return ImportFileError(
        f"La ligne {line_number} compte plus de {max_length} caractères. Vérifiez que le "
        "fichier est bien un tableau de clients, une ligne par client."
    )


def _number_text(value: int | float) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and abs(value) < EXACT_NUMBER_LIMIT:
        return str(value)
    if isinstance(value, int):
        # openpyxl returns int for digits written without a decimal point or
        # exponent, but the program that wrote them held a double: past 15
        # digits they may already be rounded, like an 18-digit account number.
        return f"{value:.9E}"
    if value.is_integer() and abs(value) < EXACT_NUMBER_LIMIT:
        return str(int(value))
    if abs(value) >= EXACT_NUMBER_LIMIT:
        return f"{value:.9E}"
    return repr(value)


def _xlsx_rows(data: bytes, preferred_sheets: tuple[str, ...]) -> Rows:
    damaged = ImportFileError(
        "Ce classeur Excel est abîmé ou d'un format que nous ne lisons pas. Ouvrez-le dans "
        "Excel et enregistrez-le de nouveau au format .xlsx ou CSV."
    )
    # openpyxl raises TypeError for attribute values of the wrong type.
    errors = (InvalidFileException, TypeError, *DAMAGED_FILE_ERRORS)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except errors as error:
        logger.info("damaged xlsx rejected error=%r", error)
        raise damaged from None
    try:
        if not workbook.sheetnames:
            raise damaged
        worksheet = workbook[_pick_sheet(workbook.sheetnames, preferred_sheets)]
        # Read every row, not only those inside the sheet's declared dimension,
        # which some programs write wrong: rows past it would be silently lost.
        worksheet.reset_dimensions()
        # A sheet ends at row 1,048,576 in Excel, and openpyxl stops at the first
        # row numbered past it. Without that stop it would fill the gap before a
        # row numbered 99,999,999,999 with empty rows, for hours.
        rows = worksheet.iter_rows(
            max_row=XLSX_MAX_ROWS, max_col=settings.IMPORT_MAX_COLUMNS + 1, values_only=True
        )
        for line_number, values in enumerate(rows, start=1):
            # openpyxl fills a gap between two rows with empty rows: a row
            # numbered 1,000,000 yields a million of them, skipped here at C speed.
            if values.count(None) == len(values):
                continue
            yield line_number, [_xlsx_text(value) for value in values]
    except errors as error:
        logger.info("damaged xlsx rejected error=%r", error)
        raise damaged from None
    finally:
        workbook.close()


def _xlsx_text(value) -> str:
    """Return a cell value as text; a formula (text, array or data table) starts with ``=``."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, ArrayFormula | DataTableFormula):
        return getattr(value, "text", None) or "=TABLE()"
    return str(value).strip()


def _pick_sheet(names: list[str], preferred: tuple[str, ...]) -> str:
    folded = {name.casefold(): name for name in names}
    for wanted in preferred:
        if wanted.casefold() in folded:
            return folded[wanted.casefold()]
    return names[0]


def _ods_rows(data: bytes, preferred_sheets: tuple[str, ...]) -> Rows:
    """Stream the rows of one table of content.xml, so memory stays flat on large sheets.

    Repeated rows and cells (``number-rows-repeated``, ``number-columns-repeated``)
    are expanded only while they hold values: spreadsheets write the empty
    remainder of a sheet as one row repeated a million times.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    table_tag = f"{{{ODS_TABLE}}}table"
    row_tag = f"{{{ODS_TABLE}}}table-row"
    name_attribute = f"{{{ODS_TABLE}}}name"
    line_number = 0
    in_table = False
    depth = 0
    try:
        wanted = _ods_table_name(archive, preferred_sheets)
        with archive, archive.open("content.xml") as content:
            for event, element in SafeElementTree.iterparse(content, events=("start", "end")):
                if element.tag == table_tag:
                    if event == "start" and depth == 0:
                        depth = 1
                        in_table = wanted is None or element.get(name_attribute) == wanted
                    elif event == "end":
                        if in_table:
                            return
                        depth = 0
                        element.clear()
                    continue
                if event != "end" or element.tag != row_tag:
                    continue
                if not in_table:
                    element.clear()
                    continue
                cells = _ods_cells(element)
                repeat = _ods_repeat(element, "number-rows-repeated")
                element.clear()
                if not any(cell.strip() for cell in cells):
                    line_number += repeat
                    continue
                for _ in range(min(repeat, settings.IMPORT_MAX_LINES)):
                    line_number += 1
                    yield line_number, list(cells)
    except DAMAGED_FILE_ERRORS as error:
        logger.info("damaged ods rejected error=%r", error)
        raise ImportFileError(
            "Ce classeur ODS est abîmé. Ouvrez-le dans votre tableur et enregistrez-le de "
            "nouveau au format .ods, .xlsx ou CSV."
        ) from None


def _ods_table_name(archive: zipfile.ZipFile, preferred: tuple[str, ...]) -> str | None:
    if not preferred:
        return None
    names = []
    with archive.open("content.xml") as content:
        for _, element in SafeElementTree.iterparse(content, events=("start",)):
            if element.tag == f"{{{ODS_TABLE}}}table":
                names.append(element.get(f"{{{ODS_TABLE}}}name", ""))
    chosen = _pick_sheet(names, preferred) if names else None
    return chosen if chosen and chosen.casefold() in {p.casefold() for p in preferred} else None


def _ods_repeat(element, attribute: str) -> int:
    """Return a repeat count, a positive integer in OpenDocument; raise ValueError otherwise.

    A count below 1 once moved the line numbers back, to negative ones, or
    dropped a filled row without a word.
    """
    repeat = int(element.get(f"{{{ODS_TABLE}}}{attribute}", "1"))
    if repeat < 1:
        raise ValueError(f"{attribute} {repeat}")
    return repeat


def _ods_cells(row) -> list[str]:
    """Return the row's cell values, expanding repeated cells up to one past the column limit.

    Repeat counts come from the file: a few bytes can ask for billions of
    cells. One cell past the limit is enough for ``_capped`` to reject the line.
    """
    max_columns = settings.IMPORT_MAX_COLUMNS
    cells: list[str] = []
    for cell in row:
        repeat = _ods_repeat(cell, "number-columns-repeated")
        value = _ods_value(cell)
        repeat = min(repeat, max_columns + 1 - len(cells))
        if value:
            # Keep a filled cell even past the limit, so the line is rejected
            # rather than silently cut.
            repeat = max(repeat, 1)
        cells.extend([value] * max(repeat, 0))
        if len(cells) > max_columns and value:
            break
    return cells


def _ods_value(cell) -> str:
    formula = cell.get(f"{{{ODS_TABLE}}}formula")
    if formula:
        # OpenFormula text reads "of:=SUM(A1:A3)"; keep what follows the namespace.
        return "=" + formula.split("=", 1)[-1]
    value_type = cell.get(f"{{{ODS_OFFICE}}}value-type")
    if value_type in ("float", "percentage", "currency"):
        raw = cell.get(f"{{{ODS_OFFICE}}}value", "")
        try:
            number = float(raw)
        except ValueError:
            return raw
        return _number_text(number)
    # Text is cut one character past the line length limit, and then left
    # unstripped, so that ``_capped`` rejects the line.
    max_length = settings.IMPORT_MAX_LINE_LENGTH
    budget = max_length + 1
    paragraphs = []
    for paragraph in cell:
        if paragraph.tag == f"{{{ODS_TEXT}}}p":
            paragraphs.append(_ods_text(paragraph, budget))
            budget -= len(paragraphs[-1]) + 1
            if budget <= 0:
                break
    text = "\n".join(paragraphs)
    return text if len(text) > max_length else text.strip()


def _ods_text(element, budget: int) -> str:
    """Return the element's text, cut at ``budget`` characters.

    ``<text:s text:c="n"/>`` stands for n spaces, ``<text:tab/>`` for a tab.
    """
    parts = [element.text or ""]
    length = len(parts[0])
    for child in element:
        if length >= budget:
            break
        if child.tag == f"{{{ODS_TEXT}}}s":
            count = int(child.get(f"{{{ODS_TEXT}}}c", "1"))
            part = " " * max(0, min(count, budget - length))
        elif child.tag == f"{{{ODS_TEXT}}}tab":
            part = "\t"
        elif child.tag == f"{{{ODS_TEXT}}}line-break":
            part = "\n"
        else:
            part = _ods_text(child, budget - length)
        part += child.tail or ""
        parts.append(part)
        length += len(part)
    return "".join(parts)[:budget]
