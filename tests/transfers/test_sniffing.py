"""Encoding, separator and header detection, on the bytes and lines real exports contain."""

import pytest

from portefeuilles.transfers.columns import CLIENT_ROLES, Role, header_key, role_of_header
from portefeuilles.transfers.sniffing import decode_text, detect_separator, megabytes

FRENCH = "Raison sociale;Ville\nSociété Générale d'Électricité;Orléans\nCœur de Bœuf;Nîmes\n"
# CP850 has no « œ ».
DOS = "Raison sociale;Ville\nSociété Générale d'Électricité;Orléans\nCafé Noël;Nîmes\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16"),
        (FRENCH.encode("cp1252"), "cp1252"),
        (DOS.encode("cp850"), "cp850"),
        (DOS.encode("cp1252"), "cp1252"),
        ("Prix : 12 € ; Cœur\n".encode("iso-8859-15"), "iso-8859-15"),
    ],
)
def test_decode_text(data, encoding):
    text, detected = decode_text(data)
    assert detected == encoding
    assert text.lstrip("\ufeff") in (FRENCH, DOS, "Prix : 12 € ; Cœur\n")


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("SIRET;Nom\n81200001600012;Dupont, Martin\n81200002400016;Durand, Léa\n", ";"),
        ("SIRET\tNom\n81200001600012\tDupont; Martin\n", "\t"),
        ("SIRET|Compte\n81200001600012|117000000000000028\n", "|"),
        ("SIRET,Compte\n81200001600012,117000000000000028\n", ","),
        ('"SIRET";"Nom"\n"81200001600012";"A;B"\n"81200002400016";"C"\n', ";"),
        ("SIRET\n81200001600012,0\n81200002400016,0\n", None),
        ("81200001600012,0\n81200002400016,0\n", None),
        ("Export du 01/02/2025\nSIRET;Compte;\n1;2;\n3;4;\n", ";"),
    ],
)
def test_detect_separator(text, separator):
    assert detect_separator(text) == separator


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("SIRET", Role.SIRET),
        ("N° SIRET", Role.SIRET),
        ("Siret établissement", Role.SIRET),
        ("n°siret", Role.SIRET),
        ("SIREN", Role.SIREN),
        ("Numéro de compte", Role.ACCOUNT),
        ("Compte Urssaf", Role.ACCOUNT),
        ("N° cotisant", Role.ACCOUNT),
        ("Nº de compte", Role.ACCOUNT),
        ("Date création SIRET", None),
        ("État du compte", None),
        ("Raison sociale", None),
    ],
)
def test_role_of_header(header, role):
    assert role_of_header(header, CLIENT_ROLES) == role


def test_header_key_folds_accents_and_punctuation():
    assert header_key(" N° Siret  Établissement ") == "nsiretetablissement"


@pytest.mark.parametrize(
    ("size", "shown", "shown_rounded_up"),
    [
        (0, "0,0 Mo", "0,0 Mo"),
        (20_000_000, "20,0 Mo", "20,0 Mo"),
        (20_000_001, "20,0 Mo", "20,1 Mo"),
        (20_049_999, "20,0 Mo", "20,1 Mo"),
        (20_050_000, "20,1 Mo", "20,1 Mo"),
        (123_456_789, "123,5 Mo", "123,5 Mo"),
    ],
)
def test_megabytes(size, shown, shown_rounded_up):
    assert megabytes(size) == shown
    assert megabytes(size, round_up=True) == shown_rounded_up
