"""Input that a careless or hostile user sends: invisible characters, Unicode forms,
ids out of range, oversized values. Each case once broke a rule or a request."""

import unicodedata

import pytest
from django.urls import reverse

from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import Portfolio, PortfolioClient, PortfolioSubscription
from portefeuilles.portfolios.services import PortfolioError
from portefeuilles.referential.identifiers import InvalidIdentifier

pytestmark = pytest.mark.django_db

# Past SQLite's and PostgreSQL's 64-bit integers.
HUGE_ID = 10**25


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Clients\u200bNord", "ClientsNord"),
        ("\u202eClients Nord", "Clients Nord"),
        ("Clients\u00adNord", "ClientsNord"),
        ("\ufeffClients Nord", "Clients Nord"),
        ("Famille \U0001f468\u200d\U0001f469\u200d\U0001f467", "Famille 👨\u200d👩\u200d👧"),
    ],
)
def test_clean_name_drops_invisible_format_characters(raw, expected):
    assert services.clean_name(raw) == expected


@pytest.mark.parametrize("raw", ["\u200b", "\u200d", "\u0301\u0301", " \u200b\ufe0f "])
def test_clean_name_rejects_invisible_only(raw):
    with pytest.raises(PortfolioError, match="Saisissez le nom du portefeuille"):
        services.clean_name(raw)


def test_clean_name_counts_nfc_characters():
    # 100 accented letters typed in NFD are 200 code points but 100 characters.
    decomposed = "e\u0301" * 100

    name = services.clean_name(decomposed)

    assert name == "é" * 100
    assert unicodedata.is_normalized("NFC", name)


def test_clean_name_101_nfc_characters_refused():
    with pytest.raises(PortfolioError, match="compte 101 caractères"):
        services.clean_name("e\u0301" * 101)


@pytest.mark.parametrize("raw", ["ß" * 51, "\ufdfa" * 10, "ﬃ" * 34])
def test_clean_name_rejects_key_longer_than_column(raw):
    with pytest.raises(PortfolioError, match="une fois ses ligatures"):
        services.clean_name(raw)


def test_name_of_50_sharp_s_is_created(admin):
    portfolio = services.create_portfolio(admin, "ß" * 50)

    assert portfolio.name_key == "ss" * 50


def test_create_page_long_key_shows_message(client_for, admin):
    # On PostgreSQL this name once overflowed the key column with a server error.
    response = client_for(admin).post(reverse("portfolios:create"), {"name": "ß" * 100})

    assert response.status_code == 200
    assert "une fois ses ligatures" in response.content.decode()
    assert not Portfolio.objects.exists()


def test_emoji_name_of_100_characters(admin):
    portfolio = services.create_portfolio(admin, "📁" * 100)

    assert portfolio.name == "📁" * 100


@pytest.mark.parametrize(
    "twin",
    [
        "Clients\u200b Île-de-France",
        "clients ile-de-france\u200d",
        "CLIENTS I\u0302LE-DE-FRANCE",
        "Clients Île-de-France\ufe0f",
    ],
)
def test_invisible_twin_name_refused(admin, portfolio, twin):
    with pytest.raises(PortfolioError, match="existe déjà dans votre entreprise"):
        services.create_portfolio(admin, twin)

    assert Portfolio.objects.filter(firm=admin.firm).count() == 1


def test_nfd_name_stored_as_nfc(admin):
    portfolio = services.create_portfolio(admin, "Clients I\u0302le-de-France Sud")

    portfolio.refresh_from_db()
    assert portfolio.name == "Clients Île-de-France Sud"


@pytest.mark.parametrize("value", [HUGE_ID, -1, 0, "abc", None, 2**63])
def test_row_id_rejects_impossible_ids(value):
    assert services.row_id(value) is None


def test_row_id_accepts_largest_bigint():
    assert services.row_id(str(2**63 - 1)) == 2**63 - 1


def test_remove_client_with_huge_id(client_for, admin, portfolio, client_in_portfolio):
    url = reverse("portfolios:remove_client", args=[portfolio.pk, HUGE_ID])

    response = client_for(admin).post(url)

    assert response.status_code == 302
    assert PortfolioClient.objects.filter(portfolio=portfolio).count() == 1


def test_remove_client_service_huge_id(admin, portfolio, client_in_portfolio):
    assert services.remove_client(admin, portfolio, HUGE_ID) is False
    assert PortfolioClient.objects.filter(portfolio=portfolio).count() == 1


def test_remove_subscriber_with_huge_id(client_for, admin, portfolio, subscriber):
    url = reverse("portfolios:remove_subscriber", args=[portfolio.pk, HUGE_ID])

    response = client_for(admin).post(url, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "plus abonné à ce portefeuille" in response.content.decode()
    assert PortfolioSubscription.objects.filter(portfolio=portfolio).count() == 1


def test_add_subscriber_with_huge_id(client_for, admin, portfolio):
    url = reverse("portfolios:add_subscriber", args=[portfolio.pk])

    response = client_for(admin).post(url, {"user": str(HUGE_ID)})

    assert response.status_code == 200
    assert "Choisissez un utilisateur dans la liste" in response.content.decode()


def test_add_client_huge_number_quoted_short(client_for, admin, portfolio):
    url = reverse("portfolios:add_client", args=[portfolio.pk])

    response = client_for(admin).post(url, {"numero": "9" * 100_000}, follow=True)

    content = response.content.decode()
    assert "n&#x27;est pas un numéro de compte valide" in content
    assert "9" * 31 not in content


def test_account_number_in_siren_field_quoted_short():
    padded_number = "8" + " " * 500 + "27000000000000001"

    with pytest.raises(InvalidIdentifier) as error:
        services.parse_search(padded_number, "827000000000000001")

    assert "est un numéro de compte" in str(error.value)
    assert len(str(error.value)) < 250
