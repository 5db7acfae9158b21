"""« Résilier »: a confirmation states the client count, then one transaction takes the
portfolio out of every screen and its abonnés' access. The accounts stay attached.

The client list and subscriptions are kept so that « Restaurer » can give them back.
tests/audit covers restoring and the final purge."""

import pytest
from django.urls import reverse

from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import (
    FirmClient,
    Portfolio,
    PortfolioClient,
    PortfolioSubscription,
)
from tests import factories

pytestmark = pytest.mark.django_db


def add_clients(portfolio, count):
    return [factories.PortfolioClientFactory(portfolio=portfolio).firm_client for _ in range(count)]


def test_terminate_removes_access_keeps_list(admin, subscriber, portfolio):
    firm_clients = add_clients(portfolio, 3)

    count = services.terminate_portfolio(admin, portfolio)

    assert count == 3
    assert not Portfolio.objects.active().exists()
    assert PortfolioClient.objects.filter(portfolio=portfolio).count() == 3
    assert PortfolioSubscription.objects.filter(portfolio=portfolio, user=subscriber).exists()
    assert FirmClient.objects.filter(pk__in=[fc.pk for fc in firm_clients]).count() == 3


def test_terminate_keeps_other_portfolios(admin, portfolio, firm):
    other = factories.PortfolioFactory(firm=firm)
    [shared] = add_clients(portfolio, 1)
    factories.PortfolioClientFactory(portfolio=other, firm_client=shared)

    services.terminate_portfolio(admin, portfolio)

    assert list(other.entries.values_list("firm_client_id", flat=True)) == [shared.pk]


def test_subscriber_loses_access(client_for, admin, subscriber, portfolio):
    url = reverse("portfolios:detail", args=[portfolio.pk])
    services.terminate_portfolio(admin, portfolio)
    client = client_for(subscriber)

    detail = client.get(url)
    home = client.get(reverse("home"))

    assert detail.status_code == 404
    assert portfolio.name not in home.content.decode()


@pytest.mark.parametrize(
    ("count", "sentence"),
    [
        (0, "Sa liste de clients est vide."),
        (1, "Sa liste, qui compte 1 client, sera supprimée."),
        (3, "La liste de ses 3 clients sera supprimée."),
    ],
)
def test_confirmation_states_client_count(client_for, admin, portfolio, count, sentence):
    add_clients(portfolio, count)

    response = client_for(admin).get(reverse("portfolios:terminate", args=[portfolio.pk]))

    content = response.content.decode()
    assert sentence in content
    assert "Confirmer la résiliation" in content
    assert Portfolio.objects.filter(pk=portfolio.pk).exists()


def test_terminate_plain_redirects_with_message(client_for, admin, portfolio):
    add_clients(portfolio, 2)

    response = client_for(admin).post(
        reverse("portfolios:terminate", args=[portfolio.pk]), {"retour": "accueil"}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert (
        "Le portefeuille Clients Île-de-France est résilié ; la liste de ses 2 clients est "
        "supprimée." in response.content.decode()
    )


def test_terminate_htmx_redirects_client(client_for, admin, portfolio):
    response = client_for(admin).post(
        reverse("portfolios:terminate", args=[portfolio.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("portfolios:manage")
    assert not Portfolio.objects.active().exists()


def test_terminate_get_deletes_nothing(client_for, admin, portfolio):
    client_for(admin).get(reverse("portfolios:terminate", args=[portfolio.pk]))

    assert Portfolio.objects.filter(pk=portfolio.pk).exists()


@pytest.mark.parametrize(
    ("count", "sentence"),
    [
        (0, "Le portefeuille Clients Île-de-France est résilié ; sa liste de clients était vide."),
        (1, "Le portefeuille Clients Île-de-France est résilié ; la liste de son client est "),
    ],
)
def test_terminate_message_counts_clients(client_for, admin, portfolio, count, sentence):
    add_clients(portfolio, count)

    response = client_for(admin).post(
        reverse("portfolios:terminate", args=[portfolio.pk]), follow=True
    )

    content = response.content.decode()
    assert sentence in content
    assert "ses 0 clients" not in content
