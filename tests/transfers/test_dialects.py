"""One file per dialect, in the shapes real exports take, each with its exact preview."""

import io

import openpyxl
import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from tests.transfers.helpers import FILES, preview, preview_lines

pytestmark = pytest.mark.django_db

SPACES = "espaces, points ou tirets retirés"
ZERO = "zéro initial rétabli (perdu dans un tableur)"
SCIENTIFIC = (
    "le tableur l'a écrit en notation scientifique et a perdu les derniers chiffres. Mettez "
    "la colonne au format Texte dans le tableur, saisissez de nouveau les numéros, ou "
    "exportez-la comme texte, puis recommencez"
)
NOT_ATTACHED_44 = (
    "le compte 117000000000000044 n'est pas encore rattaché à votre entreprise : ajoutez sur "
    "la ligne son SIREN ou son SIRET pour le rattacher"
)


def test_sage_tab_separated_windows_1252(referential, portfolio, admin):
    data = (FILES / "sage_tiers_cp1252.txt").read_bytes()

    batch = preview(portfolio, admin, data, "sage_tiers_cp1252.txt")

    assert batch.file_description == "texte Windows-1252, séparateur tabulation"
    assert batch.notes == "1 ligne(s) de titre ignorée(s) au-dessus de l'en-tête (ligne 3)"
    assert preview_lines(batch) == [
        (4, "added", "05320325300017", "117000000000000010", SPACES),
        (5, "unchanged", "81200001600012", "117000000000000028", ""),
        (6, "attach", "81200002400016", "117000000000000036", ""),
        (7, "error", "", "117000000000000044", NOT_ATTACHED_44),
        (
            8,
            "error",
            "",
            "",
            "« 81200005700017 » n'est pas un SIRET valide : sa clé de contrôle est fausse. "
            "Vérifiez chaque chiffre du SIRET",
        ),
    ]


def test_cegid_semicolon_utf8(referential, portfolio, admin):
    data = (FILES / "cegid_utf8.csv").read_bytes()

    batch = preview(portfolio, admin, data, "cegid_utf8.csv")

    assert batch.file_description == "texte UTF-8, séparateur point-virgule"
    assert batch.notes == ""
    assert preview_lines(batch) == [
        (2, "added", "81200004000012", "117000000000000051", ""),
        (3, "unchanged", "812000040", "117000000000000051", "en double : déjà à la ligne 2"),
        (3, "added", "812000040", "117000000000000069", ""),
        (4, "attach", "81200003200019", "117000000000000044", ""),
        (
            5,
            "error",
            "81200002400016",
            "117999999999999999",
            f"{SPACES}; aucun compte ne porte le numéro 117999999999999999 : vérifiez-le sur "
            "un bordereau ou une attestation du client",
        ),
    ]


def test_excel_csv_with_bom_and_lost_zeros(referential, portfolio, admin):
    data = (FILES / "excel_bom_lost_zeros.csv").read_bytes()

    batch = preview(portfolio, admin, data, "excel_bom_lost_zeros.csv")

    assert batch.file_description == "texte UTF-8 avec BOM, séparateur point-virgule"
    assert preview_lines(batch) == [
        (2, "added", "05320325300017", "117000000000000010", ZERO),
        (3, "error", "81200001600012", "", f"« 1,17E+17 » : {SCIENTIFIC}"),
        (4, "attach", "81200002400016", "117000000000000036", ""),
        (5, "added", "812000040", "117000000000000051", ""),
        (5, "added", "812000040", "117000000000000069", ""),
        (6, "unchanged", "81200001600012", "117000000000000028", "suffixe décimal « ,0 » retiré"),
    ]


def xlsx_with_numeric_cells() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SIRET", "Compte"])
    sheet.append([5320325300017, "117000000000000010"])
    sheet.append([81200001600012.0, "117000000000000028"])
    sheet.append([81200002400016, 1.17000000000000036e17])
    sheet.append(["=A2", "117000000000000044"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_xlsx_with_numeric_identifier_cells(referential, portfolio, admin):
    batch = preview(portfolio, admin, xlsx_with_numeric_cells(), "clients.xlsx")

    assert batch.file_description == "classeur Excel (XLSX)"
    assert preview_lines(batch) == [
        (2, "added", "05320325300017", "117000000000000010", ZERO),
        (3, "unchanged", "81200001600012", "117000000000000028", ""),
        (4, "error", "81200002400016", "", f"« 1.170000000E+17 » : {SCIENTIFIC}"),
        (
            5,
            "error",
            "",
            "117000000000000044",
            "« =A2 » est une formule : nous lisons les valeurs, pas les formules. Remplacez la "
            "formule par sa valeur (Copier, puis Collage spécial > Valeurs)",
        ),
    ]


def _ods_row(*values, repeated: int = 1) -> TableRow:
    row = TableRow(numberrowsrepeated=repeated) if repeated > 1 else TableRow()
    for value in values:
        if isinstance(value, float):
            cell = TableCell(valuetype="float", value=value)
            cell.addElement(P(text=f"{value:.0f}"))
        else:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
        row.addElement(cell)
    return row


def ods_file() -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Clients")
    table.addElement(_ods_row("N° SIRET", "Numéro de compte"))
    table.addElement(_ods_row(81200002400016.0, "117000000000000036"))
    table.addElement(_ods_row("812 000 032 00019", "117 000 000 000 000 044"))
    table.addElement(_ods_row("", repeated=1000))
    table.addElement(_ods_row("81200001600012"))
    document.spreadsheet.addElement(table)
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


def test_ods(referential, portfolio, admin):
    batch = preview(portfolio, admin, ods_file(), "clients.ods")

    assert batch.file_description == "classeur OpenDocument (ODS)"
    assert preview_lines(batch) == [
        (2, "attach", "81200002400016", "117000000000000036", ""),
        (3, "attach", "81200003200019", "117000000000000044", SPACES),
        (1004, "unchanged", "81200001600012", "117000000000000028", ""),
    ]
