"""Bad files get a French message naming the problem, never a server error nor a batch."""

import io
import zipfile

import pytest

from portefeuilles.transfers.models import ImportBatch
from portefeuilles.transfers.sniffing import ImportFileError
from tests.transfers.helpers import preview
from tests.transfers.test_dialects import xlsx_with_numeric_cells

pytestmark = pytest.mark.django_db


def rejected(portfolio, admin, data: bytes, name: str = "clients.csv") -> str:
    with pytest.raises(ImportFileError) as caught:
        preview(portfolio, admin, data, name)
    assert ImportBatch.objects.count() == 0
    return str(caught.value)


def test_empty_file(portfolio, admin):
    assert rejected(portfolio, admin, b"").startswith("Le fichier est vide.")
    assert rejected(portfolio, admin, b"  \r\n\r\n").startswith("Le fichier est vide.")


def test_header_only(portfolio, admin):
    message = rejected(portfolio, admin, b"SIRET;Numero de compte\r\n")
    assert message.startswith("Le fichier ne contient que son en-tête")


def test_binary_file(portfolio, admin):
    data = bytes(range(256)) * 40
    assert "données binaires" in rejected(portfolio, admin, data)


def test_pdf_file(portfolio, admin):
    assert "un document PDF" in rejected(portfolio, admin, b"%PDF-1.7\n...")


def test_password_protected_xlsx(portfolio, admin):
    # Office wraps an encrypted workbook in an OLE2 compound file.
    data = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504 + b"EncryptedPackage"
    message = rejected(portfolio, admin, data, "clients.xlsx")
    assert "protégé par mot de passe" in message


def test_zip_that_is_not_a_workbook(portfolio, admin):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("clients.csv", "SIRET\n81200001600012\n")
    assert "Décompressez-la" in rejected(portfolio, admin, output.getvalue(), "clients.zip")


def test_zip_bomb_by_ratio(portfolio, admin, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 200
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 5_000_000)
    message = rejected(portfolio, admin, output.getvalue(), "clients.xlsx")
    assert message.startswith("Une fois décompressé, ce fichier occuperait 5,1 Mo")


def test_zip_bomb_by_size(portfolio, admin, settings):
    settings.IMPORT_MAX_INFLATED_BYTES = 1000
    message = rejected(portfolio, admin, xlsx_with_numeric_cells(), "clients.xlsx")
    assert "limite : 0,0 Mo" in message


def test_line_of_a_million_columns(portfolio, admin):
    data = b"SIRET;Compte\r\n81200001600012;117000000000000028\r\n" + b";x" * 1_000_000
    message = rejected(portfolio, admin, data)
    assert message.startswith("La ligne 3 compte plus de 10000 caractères.")


def test_line_of_too_many_short_columns(portfolio, admin):
    data = b"SIRET;Compte\r\n81200001600012;117000000000000028\r\n" + b"x;" * 300
    message = rejected(portfolio, admin, data)
    assert message.startswith("La ligne 3 compte 300 colonnes ; nous en lisons 200 au plus.")


def test_trailing_separators_are_ignored(referential, portfolio, admin):
    data = b"SIRET;Compte\r\n81200001600012;117000000000000028" + b";" * 100_000 + b"\r\n"
    batch = preview(portfolio, admin, data, "clients.csv")
    assert list(batch.lines.values_list("status", flat=True)) == ["unchanged"]


def test_very_long_line(portfolio, admin):
    data = b"SIRET\r\n81200001600012\r\n" + b"9" * 50_000 + b"\r\n"
    assert "La ligne 3 compte plus de 10000 caractères" in rejected(portfolio, admin, data)


def test_unclosed_quote_with_huge_field(portfolio, admin):
    data = b'SIRET;Nom\r\n81200001600012;"' + b"a" * 200_000 + b"\r\n"
    message = rejected(portfolio, admin, data)
    assert message.startswith("La ligne 2 n'est pas lisible")


def test_no_identifier_column(portfolio, admin):
    message = rejected(portfolio, admin, b"Nom;Ville\nDupont;Lyon\n")
    assert message.startswith("Nous ne trouvons aucune colonne de SIRET")


def test_xlsx_renamed_csv_is_read_as_xlsx(referential, portfolio, admin):
    batch = preview(portfolio, admin, xlsx_with_numeric_cells(), "clients.csv")
    assert batch.file_description == "classeur Excel (XLSX), lu comme tel malgré l'extension .csv"
    assert batch.lines.count() == 4


def test_damaged_xlsx(portfolio, admin):
    data = xlsx_with_numeric_cells()
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            target.writestr(entry, content)
    message = rejected(portfolio, admin, output.getvalue(), "clients.xlsx")
    assert "abîmé" in message


def test_csv_formula_cells_are_line_errors(referential, portfolio, admin):
    data = b'SIRET;Compte\n=HYPERLINK("http://x";"81200001600012");\n+81200001600012;\n'
    batch = preview(portfolio, admin, data, "clients.csv")
    messages = list(batch.lines.values_list("status", "message"))
    assert messages[0][0] == "error"
    assert "est une formule" in messages[0][1]
    assert messages[1][0] == "error"
    assert "autres que des chiffres" in messages[1][1]
