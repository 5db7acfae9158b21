"""Import and attach commands on hostile files: endless lines, damaged or encrypted
archives, NUL characters, bad encodings and old line ends. Each stops or rejects
with a French message naming the line, and never writes half of what it promises."""

import os
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError

from portefeuilles.portfolios.models import FirmClient
from portefeuilles.referential.importing import MAX_LINE_CHARACTERS
from portefeuilles.referential.models import Establishment, UrssafAccount
from tests import factories
from tests.commands.helpers import FIXTURES, rejected_lines, run, summary

pytestmark = pytest.mark.django_db

HEADER = "Urssaf_gestion;Dep;Compte;Etat_compte;Siren;Siret;Date_crea_siret;Date_disp_siret"
STOCK_53 = FIXTURES / "StockEtablissement_53.csv"


def account_rows(count: int) -> list[str]:
    return [
        f"827;69;8270000000{index:08d};1;900000019;90000001900019;1130828;"
        for index in range(count)
    ]


def write_zip(path, text: str, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("comptes.csv", text)
    return path


def set_zip_header(path, offset: int, value: int) -> None:
    """Overwrite a 2-byte field of both the local and the central header of the one member."""
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[offset : offset + 2] = value.to_bytes(2, "little")
    # The central header has its fields 2 bytes further: « version made by » comes first.
    data[central + offset + 2 : central + offset + 4] = value.to_bytes(2, "little")
    path.write_bytes(data)


def test_endless_line_in_archive_stops(tmp_path):
    # Compresses to a few kilobytes, and once filled memory with the whole line.
    text = HEADER + "\n" + "9" * (MAX_LINE_CHARACTERS * 3)
    path = write_zip(tmp_path / "comptes.zip", text)

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    assert str(error.value).startswith(
        f"Ligne 2 : la ligne dépasse {MAX_LINE_CHARACTERS} caractères sans fin de ligne."
    )
    assert not UrssafAccount.objects.exists()


def test_endless_line_after_rows_keeps_them(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text(
        "\n".join([HEADER, *account_rows(3), "9" * (MAX_LINE_CHARACTERS + 1)]), encoding="utf-8"
    )

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    assert str(error.value).startswith("Ligne 5 : la ligne dépasse")
    assert "Les 3 lignes lues avant celle-ci sont importées" in str(error.value)
    assert UrssafAccount.objects.count() == 3


def test_damaged_archive_writes_nothing(tmp_path):
    text = "\n".join([HEADER, *account_rows(50)]) + "\n"
    path = write_zip(tmp_path / "comptes.zip", text, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    # Change one digit of the last row: the CRC, checked at the end, no longer matches.
    last_row = data.rfind(b"8270000000")
    data[last_row + 17] = ord("7") if data[last_row + 17] != ord("7") else ord("6")
    path.write_bytes(data)

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path), batch_size=10)

    assert "est endommagée" in str(error.value)
    assert "Rien n'a été importé" in str(error.value)
    assert not UrssafAccount.objects.exists()


def test_encrypted_archive_refused(tmp_path):
    path = write_zip(tmp_path / "comptes.zip", HEADER + "\n")
    set_zip_header(path, 6, 0x1)  # general purpose flags: bit 0, encrypted

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    assert "est protégée par un mot de passe" in str(error.value)


def test_unsupported_compression_refused(tmp_path):
    path = write_zip(tmp_path / "comptes.zip", HEADER + "\n")
    set_zip_header(path, 8, 9)  # compression method 9, Deflate64

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    assert "méthode non prise en charge (code 9)" in str(error.value)


def test_nul_character_rejects_its_row(tmp_path):
    lines = STOCK_53.read_text(encoding="utf-8").splitlines()
    # PostgreSQL cannot store NUL in text: this row once failed its whole batch.
    damaged = lines[1].replace("ATELIER FICTIF", "ATELIER\x00FICTIF")
    assert damaged != lines[1]
    path = tmp_path / "stock.csv"
    path.write_text("\n".join([lines[0], damaged, lines[2]]) + "\n", encoding="utf-8")

    stdout, stderr = run("import_sirene", str(path))

    assert stdout == summary(2, 1, 0, 1, "Établissements")
    assert stderr.startswith("Ligne 2 rejetée : la ligne contient un caractère nul")
    assert Establishment.objects.count() == 1


def test_bad_byte_names_its_line(tmp_path):
    rows = account_rows(4)
    content = "\n".join([HEADER, *rows[:3]]).encode() + b"\n" + rows[3].encode() + b"\xe9\n"
    path = tmp_path / "comptes.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    message = str(error.value)
    assert message.startswith("Ligne 5 : le fichier n'est pas encodé en UTF-8")
    assert f"au caractère {len(rows[3]) + 1} de la ligne" in message
    assert UrssafAccount.objects.count() == 3


def test_carriage_return_line_ends(tmp_path):
    # Excel for Mac still offers « CSV (Macintosh) », with a lone CR after each row.
    path = tmp_path / "comptes.csv"
    path.write_bytes("\r".join([HEADER, *account_rows(3)]).encode() + b"\r")

    stdout, stderr = run("import_accounts", str(path))

    assert stdout == summary(3, 3, 0, 0, "Comptes")
    assert stderr == ""


def test_header_fault_says_nothing_written(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text("Compte;Siret\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    assert "lignes lues avant" not in str(error.value)


def test_attach_endless_line_attaches_nothing(tmp_path, firm):
    account = factories.UrssafAccountFactory(number="827000000000000001")
    path = tmp_path / "clients.txt"
    path.write_text(f"{account.number}\n" + "8" * (MAX_LINE_CHARACTERS + 1), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("attach_clients", str(path), firm=firm.siren)

    assert str(error.value).startswith("Ligne 2 : la ligne dépasse")
    assert str(error.value).endswith("Rien n'a été rattaché.")
    assert not FirmClient.objects.exists()


def test_attach_bad_byte_names_its_line(tmp_path, firm):
    factories.UrssafAccountFactory(number="827000000000000001")
    path = tmp_path / "clients.txt"
    path.write_bytes(b"827000000000000001\n# comptes \xe0 v\xe9rifier\n")

    with pytest.raises(CommandError) as error:
        run("attach_clients", str(path), firm=firm.siren)

    assert str(error.value).startswith("Ligne 2 : le fichier n'est pas encodé en UTF-8")
    assert not FirmClient.objects.exists()


def test_attach_lines_counted_with_rejections(tmp_path, firm):
    path = tmp_path / "clients.txt"
    path.write_text("12345\r\n827000000000000099\r\n", encoding="utf-8")

    _stdout, stderr = run("attach_clients", str(path), firm=firm.siren)

    assert rejected_lines(stderr) == [1, 2]


@pytest.fixture
def zip_check_on_files_only(monkeypatch):
    """Fail fast where zipfile.is_zipfile would hang: it reads a device or a pipe to its end."""
    is_zipfile = zipfile.is_zipfile

    def checked(path):
        assert Path(path).is_file(), f"is_zipfile called on {path}, which is not a file"
        return is_zipfile(path)

    monkeypatch.setattr(zipfile, "is_zipfile", checked)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs the /dev/zero device")
def test_endless_device_stops(zip_check_on_files_only):
    with pytest.raises(CommandError) as error:
        run("import_sirene", "/dev/zero")

    assert str(error.value).startswith("Ligne 1 : la ligne dépasse")


def test_pipe_is_read_as_text(tmp_path, zip_check_on_files_only):
    # As in « import_accounts <(unzip -p comptes.zip) ».
    fifo = tmp_path / "comptes.fifo"
    os.mkfifo(fifo)
    content = "\n".join([HEADER, *account_rows(2)]) + "\n"
    # A daemon, so a failed import cannot leave the test run waiting for this writer.
    writer = threading.Thread(
        target=fifo.write_text, args=(content,), kwargs={"encoding": "utf-8"}, daemon=True
    )
    writer.start()

    stdout, _stderr = run("import_accounts", str(fifo))

    writer.join()
    assert stdout == summary(2, 2, 0, 0, "Comptes")
