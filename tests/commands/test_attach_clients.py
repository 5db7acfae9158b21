import pytest
from django.core.management import CommandError

from portefeuilles.portfolios.models import FirmClient
from tests import factories
from tests.commands.helpers import rejected_lines, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(db):
    return [
        factories.UrssafAccountFactory(number=f"82700000000000000{index}") for index in range(1, 5)
    ]


@pytest.fixture
def client_list(tmp_path):
    path = tmp_path / "clients.txt"
    path.write_text(
        "# Clients du cabinet Dupont\n"  # 1
        "827000000000000001\n"  # 2
        "\n"  # 3
        "  827 000 000 000 000 002   # radié en 2015\n"  # 4
        "827.000.000.000.000.003\n"  # 5
        "827000000000000001\n"  # 6 listed twice
        "12345\n"  # 7 malformed
        "827000000000000099\n"  # 8 unknown
        "82700000000000000A\n"  # 9 letter
        "   \t \n",  # 10 blank
        encoding="utf-8",
    )
    return path


def test_attach_list(firm, accounts, client_list):
    stdout, stderr = run("attach_clients", str(client_list), firm="732 829 320")

    assert stdout == "Comptes rattachés : 3\nComptes déjà rattachés : 1\nLignes rejetées : 3\n"
    assert stderr.splitlines() == [
        "Ligne 7 rejetée : « 12345 » n'est pas un numéro de compte : il compte 18 chiffres.",
        "Ligne 8 rejetée : le compte 827000000000000099 est inconnu du référentiel : vérifiez "
        "le numéro, ou importez d'abord l'extrait de comptes qui le contient.",
        "Ligne 9 rejetée : « 82700000000000000A » n'est pas un numéro de compte : il compte "
        "18 chiffres.",
    ]
    attached = set(FirmClient.objects.filter(firm=firm).values_list("account__number", flat=True))
    assert attached == {"827000000000000001", "827000000000000002", "827000000000000003"}


def test_rerun_counts_already_attached(firm, accounts, client_list):
    run("attach_clients", str(client_list), firm=firm.siren)
    stdout, stderr = run("attach_clients", str(client_list), firm=firm.siren)

    assert stdout == "Comptes rattachés : 0\nComptes déjà rattachés : 4\nLignes rejetées : 3\n"
    assert rejected_lines(stderr) == [7, 8, 9]
    assert FirmClient.objects.filter(firm=firm).count() == 3


def test_account_of_another_firm_can_be_attached(firm, other_firm, accounts, client_list):
    factories.FirmClientFactory(firm=other_firm, account=accounts[0])

    stdout, _ = run("attach_clients", str(client_list), firm=firm.siren)

    assert stdout.startswith("Comptes rattachés : 3\n")
    assert FirmClient.objects.filter(firm=other_firm).count() == 1


def test_unknown_firm(accounts, client_list):
    with pytest.raises(CommandError) as error:
        run("attach_clients", str(client_list), firm="732829320")

    assert "Aucune entreprise ne porte le SIREN « 732829320 »" in str(error.value)
    assert not FirmClient.objects.exists()


def test_missing_file(firm, tmp_path):
    with pytest.raises(CommandError) as error:
        run("attach_clients", str(tmp_path / "absent.txt"), firm=firm.siren)

    assert "introuvable" in str(error.value)


def test_non_utf8_file_attaches_nothing(firm, accounts, tmp_path):
    path = tmp_path / "clients.txt"
    path.write_bytes("827000000000000001\n# comptes à vérifier\n".encode("latin-1"))

    with pytest.raises(CommandError) as error:
        run("attach_clients", str(path), firm=firm.siren)

    assert "n'est pas encodé en UTF-8" in str(error.value)
    assert not FirmClient.objects.exists()
