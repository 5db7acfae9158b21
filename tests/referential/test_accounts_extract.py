import datetime

import pytest

from portefeuilles.referential.accounts_extract import format_cyymmdd, parse_cyymmdd


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1130828", datetime.date(2013, 8, 28)),
        ("0991231", datetime.date(1999, 12, 31)),
        ("1000101", datetime.date(2000, 1, 1)),
        ("0000101", datetime.date(1900, 1, 1)),
        ("1240229", datetime.date(2024, 2, 29)),
    ],
)
def test_parse_cyymmdd(value, expected):
    assert parse_cyymmdd(value) == expected
    assert format_cyymmdd(expected) == value


@pytest.mark.parametrize(
    "value",
    ["2130828", "113082", "11308280", "1130230", "1131301", "1130800", "113a828", "", "0230229"],
)
def test_parse_cyymmdd_rejects(value):
    with pytest.raises(ValueError):
        parse_cyymmdd(value)
