import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError

from portefeuilles.referential import sirene
from portefeuilles.referential.models import Establishment
from tests.commands.helpers import FIXTURES, rejected_lines, run, summary

pytestmark = pytest.mark.django_db

STOCK_53 = FIXTURES / "StockEtablissement_53.csv"
STOCK_54 = FIXTURES / "StockEtablissement_54.csv"
STOCK_ZIP = FIXTURES / "StockEtablissement_utf8.zip"
# The INSEE sample is real data, so the repository keeps no copy. It sits in
# shared/ beside the repository, or beside the folder of git worktrees.
REPOSITORY = Path(__file__).resolve().parents[2]
REAL_SAMPLE = next(
    (
        path
        for folder in (REPOSITORY.parent, REPOSITORY.parent.parent)
        if (
            path := folder
            / "shared/data/sirene/StockEtablissement_utf8_extrait_personnes_morales.csv"
        ).exists()
    ),
    REPOSITORY.parent / "shared/data/sirene/StockEtablissement_utf8_extrait_personnes_morales.csv",
)

EXPECTED_53_REJECTIONS = [
    "Ligne 8 rejetée : le SIRET « 90000003500016 » est invalide : sa clé de contrôle est fausse.",
    "Ligne 9 rejetée : le SIRET « 35600000000014 » est invalide : sa clé de contrôle est fausse.",
    "Ligne 10 rejetée : le champ obligatoire siret est vide.",
    "Ligne 11 rejetée : le SIREN « 900000027 » n'est pas le début du SIRET « 90000004300019 » "
    "(attendu 900000043).",
    "Ligne 12 rejetée : le NIC « 00027 » n'est pas la fin du SIRET « 90000004300019 » "
    "(attendu 00019).",
    "Ligne 13 rejetée : l'état administratif « X » du SIRET 90000004300027 est inconnu : "
    "il vaut A (actif) ou F (fermé).",
    "Ligne 14 rejetée : la ligne a 52 champs au lieu des 53 de l'en-tête ; vérifiez les "
    "séparateurs « , » et les guillemets.",
]


def sirene_summary(read, created, updated, rejected):
    return summary(read, created, updated, rejected, "Établissements")


def test_import_53_columns():
    stdout, stderr = run("import_sirene", str(STOCK_53))

    assert stdout == sirene_summary(13, 6, 0, 7)
    assert stderr.splitlines() == EXPECTED_53_REJECTIONS
    assert Establishment.objects.count() == 6


def test_import_stores_mapped_fields():
    run("import_sirene", str(STOCK_53))

    head_office = Establishment.objects.get(siret="90000001900019")
    assert head_office.siren == "900000019"
    assert head_office.nic == "00019"
    assert head_office.name == "ATELIER FICTIF DES LILAS"
    assert head_office.street == "12 BIS AVENUE DES LILAS"
    assert head_office.postcode == "69003"
    assert head_office.city == "LYON 3"
    assert head_office.is_head_office is True
    assert head_office.state == Establishment.State.ACTIVE
    assert head_office.activity_code == "10.71C"

    secondary = Establishment.objects.get(siret="90000001900027")
    assert secondary.name == "FOURNIL FICTIF, ANNEXE"  # from enseigne1Etablissement
    assert secondary.street == "3 CHV DU MOULIN"  # unknown street-type code kept
    assert secondary.is_head_office is False
    assert secondary.state == Establishment.State.CLOSED


def test_import_keeps_leading_zeros_and_foreign_city():
    run("import_sirene", str(STOCK_53))

    abroad = Establishment.objects.get(siret="00900001900019")
    assert abroad.siren == "009000019"
    assert abroad.city == "BRUXELLES"
    assert abroad.postcode == ""
    assert abroad.street == "40 RUE IMAGINAIRE"


def test_import_stores_undisclosed_fields_empty():
    run("import_sirene", str(STOCK_53))

    hidden = Establishment.objects.get(siret="90000002700012")
    assert hidden.name == ""
    assert hidden.street == ""
    assert hidden.city == "BORDEAUX"


def test_import_la_poste_digit_sum_rule():
    run("import_sirene", str(STOCK_53))

    assert Establishment.objects.filter(siret="35600000000048").exists()
    assert Establishment.objects.filter(siret="35600000053166").exists()
    assert not Establishment.objects.filter(siret="35600000000014").exists()


def test_rerun_updates_in_place():
    run("import_sirene", str(STOCK_53))
    stdout, stderr = run("import_sirene", str(STOCK_53))

    assert stdout == sirene_summary(13, 0, 6, 7)
    assert rejected_lines(stderr) == [8, 9, 10, 11, 12, 13, 14]
    assert Establishment.objects.count() == 6


def test_import_54_columns_updates_rows():
    run("import_sirene", str(STOCK_53))
    stdout, stderr = run("import_sirene", str(STOCK_54))

    assert stdout == sirene_summary(4, 1, 2, 1)
    assert stderr.splitlines() == [
        "Ligne 5 rejetée : le SIRET « 90000001900044 » est invalide : sa clé de contrôle "
        "est fausse."
    ]
    assert Establishment.objects.count() == 7
    head_office = Establishment.objects.get(siret="90000001900019")
    assert head_office.name == "ATELIER FICTIF DES ROSES"
    assert head_office.street == "14 BOULEVARD DES ROSES"
    assert head_office.city == "LYON 6"
    reopened = Establishment.objects.get(siret="90000001900027")
    assert reopened.state == Establishment.State.ACTIVE
    assert Establishment.objects.get(siret="90000001900035").street == "IMPASSE DES TILLEULS"


def test_import_zip():
    stdout, stderr = run("import_sirene", str(STOCK_ZIP))

    assert stdout == sirene_summary(13, 6, 0, 7)
    assert stderr.splitlines() == EXPECTED_53_REJECTIONS


def test_small_batches_show_progress():
    stdout, stderr = run("import_sirene", str(STOCK_53), batch_size=2, progress_every=4)

    assert stdout == sirene_summary(13, 6, 0, 7)
    progress = [line for line in stderr.splitlines() if "lignes lues" in line]
    assert progress == [
        "4 lignes lues (0 rejetées)…",
        "8 lignes lues (2 rejetées)…",
        "12 lignes lues (6 rejetées)…",
    ]
    assert rejected_lines(stderr) == [8, 9, 10, 11, 12, 13, 14]


def test_duplicate_siret_later_row_wins(tmp_path):
    lines = STOCK_53.read_text(encoding="utf-8").splitlines()
    duplicate = lines[1].replace("ATELIER FICTIF DES LILAS", "ATELIER FICTIF RENOMME")
    path = tmp_path / "duplicate.csv"
    path.write_text("\n".join([lines[0], lines[1], duplicate]) + "\n", encoding="utf-8")

    stdout, _ = run("import_sirene", str(path))

    assert stdout == sirene_summary(2, 1, 1, 0)
    assert Establishment.objects.get(siret="90000001900019").name == "ATELIER FICTIF RENOMME"


def test_missing_column_stops_before_writing(tmp_path):
    lines = STOCK_53.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "renamed.csv"
    path.write_text(
        "\n".join([lines[0].replace("etatAdministratifEtablissement", "etat"), *lines[1:3]]),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        run("import_sirene", str(path))

    assert "etatAdministratifEtablissement" in str(error.value)
    assert Establishment.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Le fichier est vide"),
        (b"siren,nic\n1,2\n", "L'en-tête du fichier n'a pas les colonnes siret"),
        (STOCK_53.read_text().replace("LYON", "LYÔN").encode("latin-1"), "UTF-8"),
    ],
)
def test_unreadable_file_is_refused(tmp_path, content, expected):
    path = tmp_path / "stock.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run("import_sirene", str(path))

    assert expected in str(error.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError) as error:
        run("import_sirene", str(tmp_path / "absent.csv"))

    assert "introuvable" in str(error.value)


@pytest.mark.parametrize("members", [[], ["a.csv", "b.csv"]])
def test_zip_needs_one_csv(tmp_path, members):
    path = tmp_path / "stock.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LISEZMOI.txt", "notice")
        for member in members:
            archive.writestr(member, STOCK_53.read_text())

    with pytest.raises(CommandError) as error:
        run("import_sirene", str(path))

    assert f"contient {len(members)} fichiers .csv au lieu d'un seul" in str(error.value)


def test_street_without_number_or_type():
    record = _record(libelleVoieEtablissement="LENIPHEN")
    assert sirene.street(record) == "LENIPHEN"


@pytest.mark.parametrize(
    ("index", "expected"),
    [("B", "21 BIS"), ("T", "21 TER"), ("Q", "21 QUATER"), ("C", "21 QUINQUIES"), ("A", "21 A")],
)
def test_street_repetition_index(index, expected):
    record = _record(numeroVoieEtablissement="21", indiceRepetitionEtablissement=index)
    assert sirene.street(record) == expected


def _record(**fields):
    from portefeuilles.referential.importing import Record

    columns = {name.casefold(): index for index, name in enumerate(sirene.COLUMNS)}
    row = [fields.get(name, "") for name in sirene.COLUMNS]
    return Record(columns, row, line=2)


@pytest.mark.skipif(not REAL_SAMPLE.exists(), reason="the INSEE sample sits outside the repo")
def test_real_insee_sample_imports_79_rows():
    stdout, stderr = run("import_sirene", str(REAL_SAMPLE))

    assert stdout == sirene_summary(79, 79, 0, 0)
    assert stderr == ""
    assert Establishment.objects.count() == 79
    assert Establishment.objects.get(siret="00542002100056").street == "21 BIS BOULEVARD DES PRES"


def test_unbalanced_quote_stops_with_line(tmp_path):
    lines = STOCK_53.read_text(encoding="utf-8").splitlines()
    broken = lines[1].replace(",DES LILAS,", ',"DES LILAS,')
    # Rows without quotes, past the csv module's default field size limit of
    # 131,072 characters.
    rest = lines[3:8] * 300
    path = tmp_path / "broken.csv"
    path.write_text("\n".join([lines[0], lines[3], broken, *rest]), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("import_sirene", str(path))

    assert str(error.value).startswith("Ligne 3 : le fichier n'est plus lisible en CSV")
    assert Establishment.objects.count() == 1
