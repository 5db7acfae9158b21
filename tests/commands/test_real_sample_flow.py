"""The INSEE sample, loaded by the commands, ends up in a portfolio."""

import pytest

from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import FirmClient
from tests.commands.helpers import run
from tests.commands.test_import_sirene import REAL_SAMPLE

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not REAL_SAMPLE.exists(), reason="the INSEE sample sits outside the repo"),
]

EXTRACT = (
    "Urssaf_gestion;Dep;Compte;Etat_compte;Siren;Siret;Date_crea_siret;Date_disp_siret\n"
    "227;80;227000000000000101;1;005420021;00542002100056;1091223;\n"
    "227;80;227000000000000102;3;005410949;00541094900019;0821225;1100101\n"
)


def test_sample_establishments_reach_portfolio(tmp_path, firm, admin, portfolio):
    extract = tmp_path / "comptes.csv"
    extract.write_text(EXTRACT, encoding="utf-8")
    client_list = tmp_path / "clients.txt"
    client_list.write_text("227000000000000101\n", encoding="utf-8")

    run("import_sirene", str(REAL_SAMPLE))
    accounts_output, _ = run("import_accounts", str(extract))
    attach_output, _ = run("attach_clients", str(client_list), firm=firm.siren)

    assert accounts_output.startswith("Lignes lues : 2\nComptes créés : 2\n")
    assert attach_output.startswith("Comptes rattachés : 1\n")

    # Attached by the command: found by SIRET alone, then added.
    search = services.parse_search("005 420 021 00056", "")
    result = services.search_accounts(firm.pk, portfolio, search).results[0]
    assert result.establishment.street == "21 BIS BOULEVARD DES PRES"
    assert result.establishment.city == "ABBEVILLE"
    services.add_client(admin, portfolio, "227000000000000101")

    # Not attached yet: SIREN and account number together prove the link.
    _, added = services.add_client(admin, portfolio, "227000000000000102", "005410949")
    assert added is True
    closed = services.search_accounts(
        firm.pk, portfolio, services.parse_search("00541094900019", "")
    ).results[0]
    assert closed.warnings == ["établissement fermé", "compte radié"]

    assert portfolio.entries.count() == 2
    assert FirmClient.objects.filter(firm=firm).count() == 2
