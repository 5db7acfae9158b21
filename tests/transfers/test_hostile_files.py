"""Files built to exhaust memory or mislead the readers: bounded, and refused with a French message.

Each XLSX and ODS here is written by hand, part by part, because the shapes
that matter (repeat counts, sheet dimensions, damaged attributes) are those
that spreadsheet libraries never write.
"""

import io
import json
import zipfile

import openpyxl
import pytest

from portefeuilles.transfers import services
from portefeuilles.transfers.models import ImportBatch
from portefeuilles.transfers.sniffing import ImportFileError
from tests.transfers.helpers import preview, preview_lines
from tests.transfers.test_dialects import SCIENTIFIC

pytestmark = pytest.mark.django_db

NOT_DIGITS = "contient des caractères autres que des chiffres"
ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def rejected(portfolio, admin, data: bytes, name: str) -> str:
    with pytest.raises(ImportFileError) as caught:
        preview(portfolio, admin, data, name)
    assert ImportBatch.objects.count() == 0
    return str(caught.value)


def ods(rows_xml: str) -> bytes:
    """Return an ODS file whose only table contains ``rows_xml`` (table:table-row elements)."""
    content = (
        f'<?xml version="1.0"?><office:document-content {ODS_NAMESPACES}><office:body>'
        f'<office:spreadsheet><table:table table:name="Feuille1">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
    return output.getvalue()


def ods_row(*cells: str, repeated: int = 1) -> str:
    attribute = f' table:number-rows-repeated="{repeated}"' if repeated != 1 else ""
    inner = "".join(cells)
    return f"<table:table-row{attribute}>{inner}</table:table-row>"


def ods_cell(text: str, columns_repeated: int = 1) -> str:
    attribute = (
        f' table:number-columns-repeated="{columns_repeated}"' if columns_repeated != 1 else ""
    )
    return f"<table:table-cell{attribute}><text:p>{text}</text:p></table:table-cell>"


def xlsx_with_sheet_xml(transform) -> bytes:
    """Return a workbook of two filled rows, its sheet XML passed through ``transform``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SIRET", "Compte"])
    sheet.append(["81200001600012", "117000000000000028"])
    source = io.BytesIO()
    workbook.save(source)
    output = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for entry in original.infolist():
            content = original.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = transform(content.decode()).encode()
            copy.writestr(entry, content)
    return output.getvalue()


def inline_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in zip("ABC", values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


# -- ODS repeat counts ----------------------------------------------------------


def test_ods_filled_cell_repeated_billions_of_times(portfolio, admin):
    # 700 bytes asking for two billion copies of one value: once about 24 GB.
    data = ods(ods_row(ods_cell("SIRET")) + ods_row(ods_cell("81200001600012", 2_000_000_000)))
    message = rejected(portfolio, admin, data, "clients.ods")
    assert message.startswith("La ligne 2 compte 201 colonnes ; nous en lisons 200 au plus.")


def test_ods_cell_after_empty_gap_kept(portfolio, admin):
    row = ods_row(ods_cell("81200001600012"), ods_cell("", 500), ods_cell("117000000000000028"))
    data = ods(ods_row(ods_cell("SIRET")) + row)
    message = rejected(portfolio, admin, data, "clients.ods")
    assert message.startswith("La ligne 2 compte 202 colonnes")


def test_ods_space_repeated_billions_of_times(portfolio, admin):
    spaces = '8120000<text:s text:c="99999999999"/>1600012'
    data = ods(ods_row(ods_cell("SIRET")) + ods_row(ods_cell(spaces)))
    message = rejected(portfolio, admin, data, "clients.ods")
    assert message.startswith("La ligne 2 compte plus de 10000 caractères.")


def test_ods_spaces_are_expanded(referential, portfolio, admin):
    spaced = '812<text:s text:c="2"/>000<text:s/>016<text:s/>00012'
    data = ods(ods_row(ods_cell("SIRET")) + ods_row(ods_cell(spaced)))
    batch = preview(portfolio, admin, data, "clients.ods")
    assert [line.raw for line in batch.lines.all()] == ["812  000 016 00012"]


def test_ods_giant_cell_is_refused(portfolio, admin):
    data = ods(ods_row(ods_cell("SIRET")) + ods_row(ods_cell("9" * 20_000)))
    message = rejected(portfolio, admin, data, "clients.ods")
    assert message.startswith("La ligne 2 compte plus de 10000 caractères.")


@pytest.mark.parametrize(
    "rows",
    [
        # An empty row repeated -5 times made the next line numbers negative,
        # which the database refused with an IntegrityError.
        ods_row(ods_cell(""), repeated=-5) + ods_row(ods_cell("81200001600012")),
        # A filled row repeated 0 times was dropped without a word.
        ods_row(ods_cell("81200001600012"), repeated=0),
        ods_row(ods_cell("81200001600012", -3)),
    ],
)
def test_ods_repeat_below_one_is_damage(portfolio, admin, rows):
    data = ods(ods_row(ods_cell("SIRET")) + rows)
    assert rejected(portfolio, admin, data, "clients.ods").startswith("Ce classeur ODS est abîmé.")


def test_repeated_huge_cells_are_cut_before_storing(portfolio, admin):
    # ODS repeated rows and XLSX shared strings repeat one cell at no cost: its
    # copies must not reach the stored rows whole (a million of them ran out of memory).
    huge = "9" * 3000
    rows = ods_row(ods_cell("SIRET"), ods_cell("Compte"), ods_cell("Nom"))
    rows += ods_row(ods_cell(huge), ods_cell(huge), ods_cell(huge), repeated=50)
    batch = services.start_client_import(
        portfolio=portfolio, user=admin, data=ods(rows), file_name="clients.ods"
    )
    pending = json.loads(batch.pending_rows)
    assert len(pending) == 50
    assert pending[0] == [2, "", ["9" * 41, "", "9" * 41]]
    checked = services.advance(batch)
    line = checked.lines.first()
    assert line.raw == f"{'9' * 41} ; {'9' * 41}"
    assert line.message.startswith(f"« {'9' * 40}… » compte 41 chiffres")


# -- XLSX -----------------------------------------------------------------------


def test_xlsx_rows_past_declared_dimension_are_read(referential, portfolio, admin):
    # The <dimension> element declares A1:B2, where openpyxl's read-only mode stopped.
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace(
            "</sheetData>",
            inline_row(3, "81200002400016", "117000000000000036") + "</sheetData>",
        )
    )
    batch = preview(portfolio, admin, data, "clients.xlsx")
    assert [line[:2] for line in preview_lines(batch)] == [(2, "unchanged"), (3, "attach")]


def test_xlsx_row_far_below_keeps_its_number(referential, portfolio, admin):
    # openpyxl yields one empty row per missing row number: 999,997 of them here.
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace(
            "</sheetData>",
            inline_row(999_999, "81200002400016", "117000000000000036") + "</sheetData>",
        )
    )
    batch = preview(portfolio, admin, data, "clients.xlsx")
    assert [line[:2] for line in preview_lines(batch)] == [(2, "unchanged"), (999_999, "attach")]


def test_xlsx_row_past_excel_last_row_is_ignored(referential, portfolio, admin):
    # Numbered 99,999,999,999, such a row kept the request busy for hours.
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace(
            "</sheetData>",
            inline_row(2_000_000, "81200002400016", "117000000000000036") + "</sheetData>",
        )
    )
    batch = preview(portfolio, admin, data, "clients.xlsx")
    assert [line[:2] for line in preview_lines(batch)] == [(2, "unchanged")]


def test_xlsx_with_attribute_of_wrong_type(portfolio, admin):
    # openpyxl raises TypeError for an unknown attribute: once a server error.
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace("<pageMargins ", "<pageMargins bottoom='1' ")
    )
    assert "bottoom" in xlsx_sheet_xml(data)
    assert "abîmé" in rejected(portfolio, admin, data, "clients.xlsx")


def xlsx_sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_shared_string_index_out_of_range(portfolio, admin):
    # Found by fuzzing, as were the unknown encoding and out-of-range style
    # index that openpyxl and ElementTree raise LookupError and OverflowError on.
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace(
            '<c r="B2" t="inlineStr"><is><t>117000000000000028</t></is></c>',
            '<c r="B2" t="s"><v>5</v></c>',
        )
    )
    assert '<c r="B2" t="s">' in xlsx_sheet_xml(data)
    assert "abîmé" in rejected(portfolio, admin, data, "clients.xlsx")


def test_ods_with_unknown_xml_encoding(portfolio, admin):
    data = ods(ods_row(ods_cell("SIRET")) + ods_row(ods_cell("81200001600012")))
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(output, "w") as copy:
        for entry in original.infolist():
            content = original.read(entry)
            if entry.filename == "content.xml":
                content = content.replace(b'version="1.0"?>', b'version="1.0" encoding="UTF-5"?>')
            copy.writestr(entry, content)
    message = rejected(portfolio, admin, output.getvalue(), "clients.ods")
    assert message.startswith("Ce classeur ODS est abîmé.")


def test_xlsx_without_any_sheet(portfolio, admin):
    data = io.BytesIO()
    source = xlsx_with_sheet_xml(lambda xml: xml)
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(data, "w") as copy:
        for entry in original.infolist():
            content = original.read(entry)
            if entry.filename == "xl/workbook.xml":
                start, end = content.index(b"<sheets>"), content.index(b"</sheets>")
                content = content[:start] + b"<sheets/>" + content[end + len(b"</sheets>") :]
            copy.writestr(entry, content)
    assert "abîmé" in rejected(portfolio, admin, data.getvalue(), "clients.xlsx")


def test_xlsx_array_formula_shows_its_text(portfolio, admin):
    text_cell = '<c r="A2" t="inlineStr"><is><t>81200001600012</t></is></c>'
    formula = '<c r="A2"><f t="array" ref="A2">SUM(B1:B2)</f><v>0</v></c>'
    data = xlsx_with_sheet_xml(lambda xml: xml.replace(text_cell, formula))
    batch = preview(portfolio, admin, data, "clients.xlsx")
    assert batch.lines.get().message.startswith("« =SUM(B1:B2) » est une formule")


def test_xlsx_integer_past_15_digits_is_refused(portfolio, admin):
    # Written without exponent, but by a program that held a double: the last
    # digits of an 18-digit account number may be rounded (…028 written …030).
    number = '<c r="B2" t="n"><v>117000000000000030</v></c>'
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace(
            '<c r="B2" t="inlineStr"><is><t>117000000000000028</t></is></c>', number
        )
    )
    assert number in xlsx_sheet_xml(data)
    batch = preview(portfolio, admin, data, "clients.xlsx")
    assert batch.lines.get().message == f"« 1.170000000E+17 » : {SCIENTIFIC}"


# -- Text files -------------------------------------------------------------------


def test_nul_after_8_kb_names_line(portfolio, admin):
    # PostgreSQL refuses NUL in text: this file once failed every page load with a 500.
    data = b"SIRET\r\n" + b"81200001600012\r\n" * 1000 + b"8120\x000001600012\r\n"
    message = rejected(portfolio, admin, data, "clients.csv")
    assert message.startswith("La ligne 1002 contient un caractère nul (octet 0)")


def test_nul_in_utf16_text_names_its_line(portfolio, admin):
    data = "SIRET\r81200001600012\r8120\x000001600012\r".encode("utf-16")
    message = rejected(portfolio, admin, data, "clients.csv")
    assert message.startswith("La ligne 3 contient un caractère nul")


@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\u2028", "\x85"])
def test_one_column_line_numbers_count_only_line_ends(referential, portfolio, admin, separator):
    text = f"SIRET{separator}\r\n81200002400016\r\n{separator}81200001600012\r\n"
    batch = preview(portfolio, admin, text.encode(), "clients.csv")
    assert [line[0] for line in preview_lines(batch)] == [2, 3]


@pytest.mark.parametrize(
    "value",
    ["８１２００００１６０００１２", "٨١٢٠٠٠٠١٦٠٠٠١٢", "8120000160001²"],
)
def test_non_ascii_digits_are_not_digits(referential, portfolio, admin, value):
    batch = preview(portfolio, admin, f"SIRET\n{value}\n".encode(), "clients.csv")
    assert batch.lines.get().message == f"« {value} » {NOT_DIGITS}"


def test_unclosed_quote_is_named(referential, portfolio, admin):
    data = b'SIRET;Nom\r\n"81200001600012;Dupont\r\n81200002400016;Durand\r\n'
    batch = preview(portfolio, admin, data, "clients.csv")
    message = batch.lines.get().message
    assert message.startswith("« 81200001600012;Dupont\r\n81200002400016;Du… » s'étend sur")
    assert "un guillemet ouvert n'a pas été refermé" in message
