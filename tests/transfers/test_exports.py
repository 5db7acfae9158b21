"""Exports stream, neutralise formulas, keep identifiers as text, and read back identical."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from portefeuilles.referential.models import Establishment
from portefeuilles.transfers import services
from portefeuilles.transfers.workbooks import column_letter
from tests import factories
from tests.transfers.conftest import account_numbers_in
from tests.transfers.helpers import preview

pytestmark = pytest.mark.django_db


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return b"".join(response)


@pytest.fixture
def filled_portfolio(referential, portfolio, firm):
    for key in ("E0", "E4a", "E4b"):
        factories.PortfolioClientFactory(portfolio=portfolio, firm_client=referential[key])
    Establishment.objects.filter(siret="05320325300017").update(name="=HYPERLINK(1)")
    return portfolio


def test_portfolio_csv(client_for, admin, filled_portfolio):
    url = reverse("transfers:portfolio_export", args=[filled_portfolio.pk, "csv"])

    response = client_for(admin).get(url)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = content(response)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Numéro de compte",
        "SIRET",
        "SIREN",
        "Établissement",
        "Commune",
        "Régime",
        "État du compte",
    ]
    assert rows[1] == [
        "117000000000000010",
        "05320325300017",
        "053203253",
        "'=HYPERLINK(1)",
        "LYON",
        "Régime général",
        "Actif",
    ]
    assert [row[0] for row in rows[1:]] == sorted(account_numbers_in(filled_portfolio))
    assert b'"05320325300017"' in data


def test_portfolio_csv_reads_back_identical(client_for, admin, filled_portfolio, firm):
    url = reverse("transfers:portfolio_export", args=[filled_portfolio.pk, "csv"])
    data = content(client_for(admin).get(url))
    empty = factories.PortfolioFactory(firm=firm, name="Copie")

    same = preview(filled_portfolio, admin, data, "export.csv")
    copy = preview(empty, admin, data, "export.csv")
    services.apply_batch(copy, admin)

    assert set(same.lines.values_list("status", flat=True)) == {"unchanged"}
    assert set(copy.lines.values_list("status", flat=True)) == {"added"}
    assert account_numbers_in(empty) == account_numbers_in(filled_portfolio)


def test_portfolio_xlsx_types_identifiers_as_text(client_for, admin, filled_portfolio, firm):
    url = reverse("transfers:portfolio_export", args=[filled_portfolio.pk, "xlsx"])

    response = client_for(admin).get(url)

    assert response.status_code == 200
    data = content(response)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Clients"
    first = sheet[2]
    assert first[0].value == "117000000000000010"
    assert first[1].value == "05320325300017"
    assert first[1].number_format == "@"
    assert first[3].value == "'=HYPERLINK(1)"
    assert first[3].data_type == "s"
    empty = factories.PortfolioFactory(firm=firm, name="Copie")
    services.apply_batch(preview(empty, admin, data, "export.xlsx"), admin)
    assert account_numbers_in(empty) == account_numbers_in(filled_portfolio)


def test_firm_exports_read_back(client_for, admin, subscriber, filled_portfolio, firm):
    odd = factories.PortfolioFactory(firm=firm, name="=Clients suspects")
    factories.PortfolioSubscriptionFactory(portfolio=odd, user=admin)
    client = client_for(admin)

    subscribers_csv = content(client.get(reverse("transfers:firm_export_csv", args=["abonnes"])))
    clients_csv = content(client.get(reverse("transfers:firm_export_csv", args=["clients"])))
    workbook = content(client.get(reverse("transfers:firm_export_xlsx")))

    assert subscribers_csv.decode("utf-8-sig").splitlines() == [
        '"portefeuille";"identifiant";"action"',
        '"\'=Clients suspects";"admin@dupont.example";"ajouter"',
        '"Clients Île-de-France";"abonne@dupont.example";"ajouter"',
    ]
    assert clients_csv.decode("utf-8-sig").count("Clients Île-de-France") == 4
    for data, name in ((subscribers_csv, "abonnes.csv"), (workbook, "portefeuilles.xlsx")):
        batch = services.advance(
            services.start_subscriber_import(user=admin, data=data, file_name=name)
        )
        assert list(batch.lines.values_list("status", "message")) == [
            ("unchanged", "déjà abonné"),
            ("unchanged", "déjà abonné"),
        ]
    sheets = openpyxl.load_workbook(io.BytesIO(workbook)).sheetnames
    assert sheets == ["Clients", "Abonnés"]


def test_other_firm_export_holds_only_its_data(client_for, other_admin, filled_portfolio):
    response = client_for(other_admin).get(reverse("transfers:firm_export_csv", args=["clients"]))
    assert content(response).decode("utf-8-sig").splitlines()[1:] == []


def test_export_query_count_is_flat(client_for, admin, portfolio, firm, django_assert_num_queries):
    client = client_for(admin)
    url = reverse("transfers:portfolio_export", args=[portfolio.pk, "csv"])
    factories.PortfolioClientFactory(portfolio=portfolio)
    with django_assert_num_queries(6):
        assert content(client.get(url)).count(b"\r\n") == 2
    factories.PortfolioClientFactory.create_batch(60, portfolio=portfolio)
    with django_assert_num_queries(6):
        assert content(client.get(url)).count(b"\r\n") == 62


def test_xlsx_keeps_awkward_text(client_for, admin, filled_portfolio):
    # openpyxl refused control characters with IllegalCharacterError: the whole
    # export failed with a 500 for one establishment name from the referential.
    names = {
        "81200004000012": 'Café\x0bBar\x01 <Fils & Cie> "L\'Étoile"',
        "81200004000020": "  deux espaces\r\nautour  ",
    }
    for siret, name in names.items():
        Establishment.objects.filter(siret=siret).update(name=name, city="")
    url = reverse("transfers:portfolio_export", args=[filled_portfolio.pk, "xlsx"])

    response = client_for(admin).get(url)

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(content(response))).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["81200004000012"][3] == 'Café Bar  <Fils & Cie> "L\'Étoile"'
    assert rows["81200004000020"][3] == "  deux espaces\r\nautour  "
    assert rows["81200004000020"][4] is None


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (6, "G"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters
