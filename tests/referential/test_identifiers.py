import pytest

from portefeuilles.referential import identifiers
from portefeuilles.referential.identifiers import InvalidIdentifier, Kind

VALID_SIRENS = [
    "732829320",
    "356000000",  # La Poste
    "005420021",  # leading zeros are part of the number
    "900000019",
]
INVALID_SIRENS = [
    "732829321",  # wrong check key
    "73282932",  # 8 digits
    "7328293200",  # 10 digits
    "73282932O",  # letter O for zero
    "",
]

VALID_SIRETS = [
    "73282932000074",
    "35600000000048",  # La Poste head office, checked by Luhn
    "35600000053166",  # La Poste establishment, checked by digit sum
    "00542002100056",  # leading zeros
]
INVALID_SIRETS = [
    "35600000000014",  # passes Luhn, fails La Poste's digit-sum rule
    "73282932000075",  # wrong check key
    "7328293200007",  # 13 digits
    "732829320000740",  # 15 digits
    "7328293200007A",
]


@pytest.mark.parametrize("value", VALID_SIRENS)
def test_valid_siren(value):
    assert identifiers.is_valid_siren(value)


@pytest.mark.parametrize("value", INVALID_SIRENS)
def test_invalid_siren(value):
    assert not identifiers.is_valid_siren(value)


@pytest.mark.parametrize("value", VALID_SIRETS)
def test_valid_siret(value):
    assert identifiers.is_valid_siret(value)


@pytest.mark.parametrize("value", INVALID_SIRETS)
def test_invalid_siret(value):
    assert not identifiers.is_valid_siret(value)


def test_la_poste_invalid_siret_passes_luhn():
    """35600000000014 is only invalid because of La Poste's digit-sum rule."""
    assert identifiers.luhn_complete("3560000000001") == "35600000000014"
    assert sum(map(int, "35600000000014")) % 5 != 0


@pytest.mark.parametrize(
    "raw",
    [
        "732829320",
        " 732829320 ",
        "732 829 320",
        "732\u00a0829\u00a0320",  # non-breaking spaces
        "732\u202f829\u202f320",  # narrow non-breaking spaces
        "732.829.320",
        "732-829-320",
        "732\t829\t320",
    ],
)
def test_normalize_removes_separators(raw):
    assert identifiers.normalize(raw) == "732829320"


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("732 829 320", Kind.SIREN, "732829320"),
        ("005 420 021", Kind.SIREN, "005420021"),
        ("732 829 320 00074", Kind.SIRET, "73282932000074"),
        ("356\u00a0000\u00a0000\u00a053166", Kind.SIRET, "35600000053166"),
        ("005-420-021-00056", Kind.SIRET, "00542002100056"),
        ("827 000 000 000 000 001", Kind.ACCOUNT, "827000000000000001"),
        ("000000000000000001", Kind.ACCOUNT, "000000000000000001"),
    ],
)
def test_parse_understands(raw, kind, value):
    identifier = identifiers.parse(raw)
    assert identifier.kind == kind
    assert identifier.value == value


def test_parse_siren_of_siret():
    assert identifiers.parse("73282932000074").siren == "732829320"
    assert identifiers.parse("827000000000000001").siren is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "Saisissez un SIREN (9 chiffres)"),
        ("   ", "Saisissez un SIREN (9 chiffres)"),
        ("73282932O", "« 73282932O » contient des caractères autres que des chiffres"),
        ("SIREN 732829320", "contient des caractères autres que des chiffres"),
        ("12345678", "« 12345678 » compte 8 chiffres"),
        ("7328293200", "compte 10 chiffres"),
        ("7328293200007", "compte 13 chiffres"),
        ("82700000000000001", "compte 17 chiffres"),
        ("8270000000000000012", "compte 19 chiffres"),
        ("732829321", "« 732829321 » n'est pas un SIREN valide : sa clé de contrôle est fausse"),
        ("35600000000014", "« 35600000000014 » n'est pas un SIRET valide"),
        ("356 000 000 00014", "« 356 000 000 00014 » n'est pas un SIRET valide"),
    ],
)
def test_parse_rejects_with_message(raw, expected):
    with pytest.raises(InvalidIdentifier) as error:
        identifiers.parse(raw)
    assert expected in str(error.value)


def test_parse_siren_or_siret_rejects_account_number():
    with pytest.raises(InvalidIdentifier) as error:
        identifiers.parse_siren_or_siret("827000000000000001")
    assert "est un numéro de compte" in str(error.value)


def test_parse_account_number():
    assert identifiers.parse_account_number(" 827.000.000.000.000.001 ") == "827000000000000001"
    with pytest.raises(InvalidIdentifier) as error:
        identifiers.parse_account_number("73282932000074")
    assert "« 73282932000074 » n'est pas un numéro de compte valide" in str(error.value)


@pytest.mark.parametrize("prefix", ["73282932", "90000001", "0054200210005"])
def test_luhn_complete_makes_valid_numbers(prefix):
    number = identifiers.luhn_complete(prefix)
    assert number.startswith(prefix)
    assert len(number) == len(prefix) + 1
    if len(number) == 9:
        assert identifiers.is_valid_siren(number)
    if len(number) == 14:
        assert identifiers.is_valid_siret(number)


@pytest.mark.parametrize(
    "raw",
    [
        "732\u2007829\u2007320",  # figure spaces
        "732\u3000829\u3000320",  # ideographic spaces
        "732\u2013829\u2013320",  # en dashes
        "732\u2212829\u2212320",  # minus signs
        "732\u200b829\u200b320",  # zero width spaces
        "\u200e732829320\u200f",  # directional marks
        "732\u00ad829\u00ad320",  # soft hyphens
        "\ufeff732829320",
    ],
)
def test_normalize_removes_pasted_separators(raw):
    assert identifiers.normalize(raw) == "732829320"


@pytest.mark.parametrize(
    "raw",
    [
        "\u0667\u0663\u0662\u0668\u0662\u0669\u0663\u0662\u0660",  # Arabic-Indic 732829320
        "\uff17\uff13\uff12\uff18\uff12\uff19\uff13\uff12\uff10",  # fullwidth 732829320
        "\u00b2" * 9,
        "\u0660" * 18,
    ],
)
def test_parse_rejects_non_ascii_digits(raw):
    with pytest.raises(InvalidIdentifier) as error:
        identifiers.parse(raw)
    assert "contient des caractères autres que des chiffres" in str(error.value)


def test_non_ascii_digits_not_account_number():
    assert not identifiers.is_valid_account_number("\u0660" * 18)
    assert not identifiers.is_valid_siren("\u0667\u0663\u0662\u0668\u0662\u0669\u0663\u0662\u0660")


def test_message_quotes_long_value_cut_short():
    with pytest.raises(InvalidIdentifier) as error:
        identifiers.parse_account_number("9" * 10_000)
    message = str(error.value)
    assert f"« {'9' * identifiers.SHOWN_MAX_LENGTH}… »" in message
    assert len(message) < 200


def test_message_replaces_control_characters():
    with pytest.raises(InvalidIdentifier) as error:
        identifiers.parse("732\x00829\x1b320")
    assert "« 732\ufffd829\ufffd320 »" in str(error.value)
