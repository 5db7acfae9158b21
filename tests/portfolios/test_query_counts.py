"""List pages run as many queries with 200 rows as with 1: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portefeuilles.portfolios.models import (
    Portfolio,
    PortfolioClient,
    PortfolioSubscription,
    name_key,
)
from tests import factories
from tests.portfolios.helpers import bulk_clients

pytestmark = pytest.mark.django_db

MANY = 200


def count_queries(client, url, data=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data, headers=headers)
    assert response.status_code == 200
    return len(queries.captured_queries)


def bulk_portfolios(firm, count, *, subscriber=None, firm_client=None):
    """Create ``count`` portfolios, each with one client and one abonné when given."""
    names = [f"Portefeuille {index:03d}" for index in range(count)]
    Portfolio.objects.bulk_create(
        Portfolio(firm=firm, name=name, name_key=name_key(name)) for name in names
    )
    portfolios = list(Portfolio.objects.filter(firm=firm, name__in=names))
    if firm_client is not None:
        PortfolioClient.objects.bulk_create(
            PortfolioClient(portfolio=p, firm_client=firm_client) for p in portfolios
        )
    if subscriber is not None:
        PortfolioSubscription.objects.bulk_create(
            PortfolioSubscription(portfolio=p, user=subscriber) for p in portfolios
        )


@pytest.mark.parametrize("role", ["admin", "subscriber"])
def test_home(client_for, request, firm, portfolio, client_in_portfolio, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    url = reverse("home")
    with_one_row = count_queries(client, url)

    bulk_portfolios(firm, MANY - 1, subscriber=user, firm_client=client_in_portfolio)

    assert count_queries(client, url) == with_one_row
    assert client.get(url).content.decode().count('id="open-portfolio-') == MANY


def test_manage(client_for, admin, firm, portfolio, subscriber, client_in_portfolio):
    client = client_for(admin)
    url = reverse("portfolios:manage")
    with_one_row = count_queries(client, url)

    bulk_portfolios(firm, MANY - 1, subscriber=subscriber, firm_client=client_in_portfolio)
    factories.UserFactory.create_batch(20, firm=firm)

    assert count_queries(client, url) == with_one_row
    assert client.get(url).content.decode().count("Modifier le portefeuille ") == MANY


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ["admin", "subscriber"])
def test_dialog_client_list(client_for, request, portfolio, role, htmx):
    client = client_for(request.getfixturevalue(role))
    url = reverse("portfolios:detail", args=[portfolio.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    bulk_clients(portfolio, 1)
    with_one_row = count_queries(client, url, **headers)

    bulk_clients(portfolio, MANY - 1, start=1)
    factories.PortfolioSubscriptionFactory.create_batch(20, portfolio=portfolio)

    assert count_queries(client, url, **headers) == with_one_row
    # A later page runs one more query, to check whether a previous page exists.
    assert (
        count_queries(client, url, {"after": "750000000000000049"}, **headers) == with_one_row + 1
    )


def test_search_results(client_for, admin, portfolio):
    client = client_for(admin)
    url = reverse("portfolios:detail", args=[portfolio.pk])
    siren = factories.siren_for(700_000)
    bulk_clients(portfolio, 1, siren=siren)
    with_one_row = count_queries(client, url, {"etablissement": siren})

    bulk_clients(portfolio, MANY - 1, start=1, siren=siren)

    assert count_queries(client, url, {"etablissement": siren}) == with_one_row
    content = client.get(url, {"etablissement": siren}).content.decode()
    assert content.count('id="result-750') == MANY
