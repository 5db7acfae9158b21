import datetime

import pytest
from django.core.management import CommandError

from portefeuilles.referential.models import Establishment, UrssafAccount
from tests.commands.helpers import FIXTURES, rejected_lines, run, summary

pytestmark = pytest.mark.django_db

EXTRACT = FIXTURES / "comptes.csv"
EXTRACT_WITH_REGIME = FIXTURES / "comptes_regime.csv"

EXPECTED_REJECTIONS = [
    "Ligne 6 rejetée : le numéro de compte « 82700000000000005 » est invalide : il compte "
    "18 chiffres.",
    "Ligne 7 rejetée : le SIRET « 90000001900018 » est invalide : sa clé de contrôle est fausse.",
    "Ligne 8 rejetée : le SIRET « 90000001900019 » n'appartient pas au SIREN « 900000027 ».",
    "Ligne 9 rejetée : l'état du compte « 4 » est inconnu : il vaut 1 (actif), 2 (suspendu) "
    "ou 3 (radié).",
    "Ligne 10 rejetée : la date Date_crea_siret « 1130230 » n'existe pas : vérifiez le jour "
    "et le mois.",
    "Ligne 11 rejetée : la date Date_crea_siret « 2130828 » est mal écrite : elle s'écrit "
    "CYYMMDD, C valant 0 pour les années 1900 et 1 pour les années 2000 (1130828 pour le "
    "28 août 2013).",
    "Ligne 12 rejetée : le champ obligatoire Date_crea_siret est vide.",
    "Ligne 13 rejetée : le SIREN « 9000019 » a 7 chiffres au lieu de 9 ; un tableur a "
    "peut-être supprimé des zéros en tête.",
    "Ligne 14 rejetée : la ligne a 7 champs au lieu des 8 de l'en-tête ; vérifiez les "
    "séparateurs « ; » et les guillemets.",
    "Ligne 15 rejetée : la date de disparition du SIRET (2013-08-28) précède sa date de "
    "création (2015-01-01).",
]


def accounts_summary(read, created, updated, rejected):
    return summary(read, created, updated, rejected, "Comptes")


def test_import_extract():
    stdout, stderr = run("import_accounts", str(EXTRACT))

    assert stdout == accounts_summary(14, 4, 0, 10)
    assert stderr.splitlines() == EXPECTED_REJECTIONS
    assert UrssafAccount.objects.count() == 4


def test_import_stores_mapped_fields():
    run("import_accounts", str(EXTRACT))

    account = UrssafAccount.objects.get(number="827000000000000001")
    assert account.urssaf_code == "827"
    assert account.department == "69"
    assert account.state == UrssafAccount.State.ACTIVE
    assert account.regime == UrssafAccount.Regime.GENERAL  # no Regime column
    assert account.siren == "900000019"
    assert account.siret == "90000001900019"
    assert account.siret_created_on == datetime.date(2013, 8, 28)
    assert account.siret_closed_on is None

    closed = UrssafAccount.objects.get(number="827000000000000002")
    assert closed.state == UrssafAccount.State.CLOSED
    assert closed.siret_created_on == datetime.date(1999, 12, 31)
    assert closed.siret_closed_on == datetime.date(2015, 1, 1)

    suspended = UrssafAccount.objects.get(number="117000000000000003")
    assert suspended.state == UrssafAccount.State.SUSPENDED
    assert suspended.siret == "35600000053166"
    assert suspended.siret_created_on == datetime.date(2020, 2, 29)


def test_account_of_unknown_siret_is_imported():
    run("import_accounts", str(EXTRACT))

    assert not Establishment.objects.filter(siret="90000002700020").exists()
    assert UrssafAccount.objects.filter(siret="90000002700020").exists()


def test_rerun_updates_in_place():
    run("import_accounts", str(EXTRACT))
    stdout, stderr = run("import_accounts", str(EXTRACT))

    assert stdout == accounts_summary(14, 0, 4, 10)
    assert rejected_lines(stderr) == list(range(6, 16))
    assert UrssafAccount.objects.count() == 4


def test_regime_column_by_header_name():
    run("import_accounts", str(EXTRACT))
    stdout, stderr = run("import_accounts", str(EXTRACT_WITH_REGIME))

    assert stdout == accounts_summary(5, 3, 1, 1)
    assert stderr.splitlines() == [
        "Ligne 6 rejetée : le régime « XX » est inconnu : il vaut RG (régime général), "
        "TI (travailleur indépendant) ou PAM (praticien et auxiliaire médical)."
    ]
    reinstated = UrssafAccount.objects.get(number="827000000000000002")
    assert reinstated.state == UrssafAccount.State.ACTIVE
    assert reinstated.siret_closed_on is None
    regimes = dict(UrssafAccount.objects.values_list("number", "regime"))
    assert regimes["827000000000000021"] == UrssafAccount.Regime.SELF_EMPLOYED
    assert regimes["117000000000000022"] == UrssafAccount.Regime.MEDICAL
    assert regimes["827000000000000023"] == UrssafAccount.Regime.GENERAL  # empty field
    corsica = UrssafAccount.objects.get(number="827000000000000023")
    assert corsica.department == "2A"
    assert corsica.siren == "009000019"
    assert corsica.siret_created_on == datetime.date(2005, 6, 7)


def test_small_batches_same_result():
    stdout, stderr = run("import_accounts", str(EXTRACT), batch_size=1, progress_every=5)

    assert stdout == accounts_summary(14, 4, 0, 10)
    assert "5 lignes lues (1 rejetées)…" in stderr.splitlines()
    assert "10 lignes lues (6 rejetées)…" in stderr.splitlines()


def test_missing_header_column_is_refused(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text("Compte;Siret\n827000000000000001;90000001900019\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    message = str(error.value)
    assert "Urssaf_gestion, Dep, Etat_compte, Siren, Date_crea_siret, Date_disp_siret" in message
    assert "« ; »" in message
    assert UrssafAccount.objects.count() == 0


def test_comma_separated_file_is_refused(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text(EXTRACT.read_text().replace(";", ","), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("import_accounts", str(path))

    assert "séparateur est « ; »" in str(error.value)


def test_header_with_bom_and_crlf(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + EXTRACT.read_bytes().replace(b"\n", b"\r\n"))

    stdout, stderr = run("import_accounts", str(path))

    assert stdout == accounts_summary(14, 4, 0, 10)
    assert rejected_lines(stderr) == list(range(6, 16))


def test_non_ascii_digits_rejected(tmp_path):
    header = "Urssaf_gestion;Dep;Compte;Etat_compte;Siren;Siret;Date_crea_siret;Date_disp_siret"
    arabic_number = "\u0668\u0662\u0667" + "\u0660" * 15
    extract = tmp_path / "comptes.csv"
    extract.write_text(
        f"{header}\n"
        f"827;69;{arabic_number};1;900000019;90000001900019;1130828;\n"
        "\u0668\u0662\u0667;69;827000000000000009;1;900000019;90000001900019;1130828;\n"
        "827;\u0667\u0665;827000000000000010;1;900000019;90000001900019;1130828;\n"
        "827;69;827000000000000011;1;900000019;90000001900019;1\u0661\u0663\u0660828;\n",
        encoding="utf-8",
    )

    stdout, stderr = run("import_accounts", str(extract))

    assert stdout == accounts_summary(4, 0, 0, 4)
    assert rejected_lines(stderr) == [2, 3, 4, 5]
    assert not UrssafAccount.objects.exists()
