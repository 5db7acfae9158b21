"""Input that a careless or hostile user sends: invisible characters, Unicode forms,
ids out of range, oversized values. Each case once broke a rule or a request."""

import pytest
from django.urls import reverse

from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import PortfolioClient, PortfolioSubscription

pytestmark = pytest.mark.django_db

# Past SQLite's and PostgreSQL's 64-bit integers.
HUGE_ID = 10**25


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
