"""« Rechercher un établissement » and adding clients.

A SIREN or SIRET alone, or an account number alone, finds only accounts already
attached to the firm. Attaching a new one takes its SIREN or SIRET and its account
number together, and the referential must link the two.
"""

import pytest
from django.urls import reverse

from portefeuilles.portfolios import clients, services
from portefeuilles.portfolios.models import FirmClient, PortfolioClient
from portefeuilles.portfolios.services import PortfolioError
from portefeuilles.referential.identifiers import InvalidIdentifier
from portefeuilles.referential.models import Establishment, UrssafAccount
from tests import factories
from tests.portfolios.helpers import bulk_clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(firm, other_firm):
    """One SIREN with two establishments: three accounts, one attached to the firm.

    The unattached ones are clients of another firm, which must not leak.
    """
    head = factories.EstablishmentFactory(name="Menuiserie Martin", city="RENNES")
    branch = factories.EstablishmentFactory(
        siren=head.siren,
        siret=factories.siret_for(head.siren, nic_prefix=2),
        name="Menuiserie Martin Atelier",
        is_head_office=False,
    )
    attached = factories.UrssafAccountFactory(establishment=head)
    unattached = factories.UrssafAccountFactory(establishment=head)
    branch_account = factories.UrssafAccountFactory(establishment=branch)
    factories.FirmClientFactory(firm=firm, account=attached)
    factories.FirmClientFactory(firm=other_firm, account=unattached)
    factories.FirmClientFactory(firm=other_firm, account=branch_account)
    return {
        "head": head,
        "branch": branch,
        "attached": attached,
        "unattached": unattached,
        "branch_account": branch_account,
    }


def run_search(firm, portfolio, identifier="", number=""):
    search = services.parse_search(identifier, number)
    return services.search_accounts(firm.pk, portfolio, search)


def found_numbers(search):
    return [result.account.number for result in search.results]


# -- Parsing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "number", "understood"),
    [
        ("732 829 320", "", "SIREN 732829320"),
        ("732.829.320.00074", "", "SIRET 73282932000074"),
        ("", "117 000 000 000 000 001", "numéro de compte 117000000000000001"),
        ("117000000000000001", "", "numéro de compte 117000000000000001"),
        (
            "73282932000074",
            "117000000000000001",
            "SIRET 73282932000074 et numéro de compte 117000000000000001",
        ),
    ],
)
def test_parse_search_says_what_it_understood(identifier, number, understood):
    assert services.parse_search(identifier, number).understood == understood


@pytest.mark.parametrize(
    ("identifier", "number", "message"),
    [
        ("", "", "Saisissez un SIREN ou un SIRET"),
        ("73282932", "", "compte 8 chiffres"),
        ("732829321", "", "clé de contrôle est fausse"),
        ("ABC", "", "autres que des chiffres"),
        ("117000000000000001", "117000000000000002", "est un numéro de compte"),
        ("732829320", "1234", "n'est pas un numéro de compte valide"),
    ],
)
def test_parse_search_rejects(identifier, number, message):
    with pytest.raises(InvalidIdentifier, match=message):
        services.parse_search(identifier, number)


# -- Finding -----------------------------------------------------------------


def test_siren_alone_finds_only_attached(firm, portfolio, company):
    search = run_search(firm, portfolio, company["head"].siren)

    assert found_numbers(search) == [company["attached"].number]


def test_siret_alone_finds_only_attached(firm, portfolio, company):
    assert found_numbers(run_search(firm, portfolio, company["head"].siret)) == [
        company["attached"].number
    ]
    assert found_numbers(run_search(firm, portfolio, company["branch"].siret)) == []


def test_number_alone_finds_only_attached(firm, portfolio, company):
    assert found_numbers(run_search(firm, portfolio, number=company["attached"].number)) == [
        company["attached"].number
    ]
    assert found_numbers(run_search(firm, portfolio, number=company["unattached"].number)) == []


@pytest.mark.parametrize("kind", ["siren", "siret"])
def test_identifier_and_number_find_unattached(firm, portfolio, company, kind):
    identifier = getattr(company["head"], kind)

    search = run_search(firm, portfolio, identifier, company["unattached"].number)

    [result] = search.results
    assert result.account == company["unattached"]
    assert not result.is_attached
    assert not result.in_portfolio
    assert result.establishment == company["head"]


def test_identifier_and_number_mismatch_refused(firm, portfolio, company):
    number = company["branch_account"].number
    with pytest.raises(PortfolioError, match=f"Aucun compte de numéro {number} ne correspond"):
        run_search(firm, portfolio, company["head"].siret, number)


def test_unknown_number_refused(firm, portfolio, company):
    with pytest.raises(PortfolioError, match="Aucun compte de numéro 117999999999999999 ne"):
        run_search(firm, portfolio, company["head"].siren, "117999999999999999")


def test_mismatch_and_unknown_read_alike(firm, portfolio, company):
    """The refusal never tells whether an account number exists."""
    siren = company["head"].siren
    other_company_account = factories.UrssafAccountFactory()
    with pytest.raises(PortfolioError) as existing:
        run_search(firm, portfolio, siren, other_company_account.number)
    with pytest.raises(PortfolioError) as unknown:
        run_search(firm, portfolio, siren, "117999999999999999")

    shown = str(existing.value).replace(other_company_account.number, "N")
    assert shown == str(unknown.value).replace("117999999999999999", "N")


def test_other_regimes_grouped_under_own_heading(firm, portfolio, company):
    self_employed = factories.UrssafAccountFactory(
        establishment=company["head"], regime=UrssafAccount.Regime.SELF_EMPLOYED
    )
    factories.FirmClientFactory(firm=firm, account=self_employed)

    groups = run_search(firm, portfolio, company["head"].siren).by_regime()

    assert [heading for heading, _results in groups] == [
        "Comptes Régime Général du SIREN",
        "Comptes Travailleur indépendant du SIREN",
    ]


@pytest.mark.parametrize(
    ("account_state", "establishment_state", "warnings"),
    [
        (UrssafAccount.State.CLOSED, Establishment.State.ACTIVE, ["compte radié"]),
        (UrssafAccount.State.ACTIVE, Establishment.State.CLOSED, ["établissement fermé"]),
        (UrssafAccount.State.SUSPENDED, Establishment.State.ACTIVE, ["compte suspendu"]),
        (
            UrssafAccount.State.CLOSED,
            Establishment.State.CLOSED,
            ["établissement fermé", "compte radié"],
        ),
    ],
)
def test_closed_accounts_attachable_with_warning(
    admin, portfolio, account_state, establishment_state, warnings
):
    account = factories.UrssafAccountFactory(
        state=account_state, establishment__state=establishment_state
    )

    [result] = run_search(admin.firm, portfolio, account.siret, account.number).results
    firm_client, added = services.add_client(admin, portfolio, account.number, account.siret)

    assert result.warnings == warnings
    assert added
    assert firm_client.account == account
    assert services.client_warnings(firm_client) == warnings


def test_account_with_unknown_establishment(admin, portfolio):
    siret = factories.siret_for(factories.siren_for(900_000))
    account = factories.UrssafAccountFactory(siret=siret, siren=siret[:9])
    Establishment.objects.filter(siret=account.siret).delete()

    [result] = run_search(admin.firm, portfolio, siret, account.number).results

    assert result.establishment is None
    assert result.warnings == ["établissement inconnu du référentiel"]


# -- Adding ------------------------------------------------------------------


def test_add_attaches_with_proof(admin, portfolio, company):
    account = company["unattached"]

    firm_client, added = services.add_client(admin, portfolio, account.number, account.siren)

    assert added
    assert firm_client.firm_id == admin.firm_id
    assert PortfolioClient.objects.filter(portfolio=portfolio, firm_client=firm_client).exists()


def test_add_unattached_without_proof_refused(admin, portfolio, company):
    with pytest.raises(PortfolioError, match="n'est pas encore rattaché"):
        services.add_client(admin, portfolio, company["unattached"].number)

    assert not FirmClient.objects.filter(firm=admin.firm, account=company["unattached"]).exists()


def test_add_with_mismatched_proof_refused(admin, portfolio, company):
    with pytest.raises(PortfolioError, match="ne correspond au"):
        services.add_client(
            admin, portfolio, company["branch_account"].number, company["head"].siret
        )

    assert not FirmClient.objects.filter(
        firm=admin.firm, account=company["branch_account"]
    ).exists()


def test_add_twice_adds_once(admin, portfolio, company):
    number = company["attached"].number

    first = services.add_client(admin, portfolio, number)
    second = services.add_client(admin, portfolio, number)

    assert first[1] is True
    assert second[1] is False
    assert portfolio.entries.count() == 1


def test_client_in_several_portfolios(admin, portfolio, firm, company):
    other = factories.PortfolioFactory(firm=firm, name="Clients Bretagne")
    number = company["attached"].number

    services.add_client(admin, portfolio, number)
    [before] = run_search(firm, other, number=number).results
    services.add_client(admin, other, number)
    [after] = run_search(firm, other, number=number).results

    assert not before.in_portfolio
    assert after.in_portfolio
    assert FirmClient.objects.filter(firm=firm, account=company["attached"]).count() == 1
    assert PortfolioClient.objects.filter(firm_client__account=company["attached"]).count() == 2


def test_remove_keeps_account_attached(admin, portfolio, company):
    firm_client, _added = services.add_client(admin, portfolio, company["attached"].number)

    removed = services.remove_client(admin, portfolio, firm_client.pk)

    assert removed
    assert not portfolio.entries.exists()
    assert FirmClient.objects.filter(pk=firm_client.pk).exists()


# -- Screens -----------------------------------------------------------------


def detail(portfolio):
    return reverse("portfolios:detail", args=[portfolio.pk])


def test_search_page_shows_results(client_for, admin, portfolio, company):
    response = client_for(admin).get(
        detail(portfolio),
        {"etablissement": company["head"].siret, "compte": company["unattached"].number},
    )

    content = response.content.decode()
    assert "Recherche : SIRET" in content
    assert "<h3>Comptes Régime Général du SIREN</h3>" in content
    assert company["unattached"].number in content
    assert "Menuiserie Martin" in content
    assert "RENNES" in content
    assert "Non (pas encore rattaché)" in content
    assert "Ajouter au portefeuille" in content


def test_search_page_shows_french_refusal(client_for, admin, portfolio):
    response = client_for(admin).get(detail(portfolio), {"etablissement": "1234"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "« 1234 » compte 4 chiffres" in content
    assert 'role="alert"' in content


def test_search_page_shows_mismatch(client_for, admin, portfolio, company):
    response = client_for(admin).get(
        detail(portfolio),
        {"etablissement": company["head"].siret, "compte": company["branch_account"].number},
    )

    content = response.content.decode()
    assert "ne correspond au SIRET" in content
    assert "Ajouter au portefeuille" not in content


def test_search_page_nothing_attached(client_for, admin, portfolio, company):
    response = client_for(admin).get(detail(portfolio), {"etablissement": company["branch"].siret})

    assert "Aucun compte rattaché à votre entreprise ne correspond" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_add_from_search(client_for, admin, portfolio, company, htmx):
    account = company["unattached"]
    state = {"etablissement": account.siret, "compte": account.number, "retour": "gestion"}
    headers = {"HX-Request": "true"} if htmx else {}

    response = client_for(admin).post(
        reverse("portfolios:add_client", args=[portfolio.pk]),
        {**state, "numero": account.number},
        headers=headers,
    )

    assert portfolio.entries.filter(firm_client__account=account).exists()
    if htmx:
        content = response.content.decode()
        assert response.status_code == 200
        assert content.lstrip().startswith("<dialog")
        assert f"Le compte {account.number} est ajouté au portefeuille" in content
        assert "portfoliosChanged" in response["HX-Trigger"]
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(detail(portfolio) + "?etablissement=")
        assert "retour=gestion" in response["Location"]


def test_add_radie_shows_warning(client_for, admin, portfolio):
    account = factories.UrssafAccountFactory(state=UrssafAccount.State.CLOSED)

    response = client_for(admin).post(
        reverse("portfolios:add_client", args=[portfolio.pk]),
        {"numero": account.number, "etablissement": account.siret},
        follow=True,
    )

    content = response.content.decode()
    assert "est ajouté au portefeuille" in content
    assert f"Attention, compte {account.number} : compte radié." in content


def test_add_forged_proof_refused(client_for, admin, portfolio, company):
    response = client_for(admin).post(
        reverse("portfolios:add_client", args=[portfolio.pk]),
        {"numero": company["branch_account"].number, "etablissement": company["head"].siret},
        follow=True,
    )

    content = response.content.decode()
    assert 'role="alert"' in content
    assert "ne correspond au SIRET" in content
    assert not FirmClient.objects.filter(
        account=company["branch_account"], firm=admin.firm
    ).exists()


def test_add_invalid_number_refused(client_for, admin, portfolio):
    response = client_for(admin).post(
        reverse("portfolios:add_client", args=[portfolio.pk]), {"numero": "12"}, follow=True
    )

    assert "n&#x27;est pas un numéro de compte valide" in response.content.decode()
    assert not portfolio.entries.exists()


def test_search_truncated_past_max(client_for, admin, portfolio):
    siren = factories.siren_for(700_000)
    bulk_clients(portfolio, clients.SEARCH_RESULTS_MAX + 1, siren=siren)

    search = run_search(admin.firm, portfolio, siren)
    content = client_for(admin).get(detail(portfolio), {"etablissement": siren}).content.decode()

    assert search.truncated
    assert len(search.results) == clients.SEARCH_RESULTS_MAX
    assert "Seuls les 200 premiers comptes sont affichés." in content


def test_search_not_truncated_at_max(admin, portfolio):
    siren = factories.siren_for(700_000)
    bulk_clients(portfolio, clients.SEARCH_RESULTS_MAX, siren=siren)

    search = run_search(admin.firm, portfolio, siren)

    assert not search.truncated
    assert len(search.results) == clients.SEARCH_RESULTS_MAX
