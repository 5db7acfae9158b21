"""Fixtures of the portfolio screens: clients in and out of the standing ``portfolio``."""

import pytest

from tests import factories


@pytest.fixture
def client_in_portfolio(portfolio):
    """A firm client already in ``portfolio``."""
    return factories.PortfolioClientFactory(portfolio=portfolio).firm_client


@pytest.fixture
def attached_client(firm):
    """A firm client that is in no portfolio."""
    return factories.FirmClientFactory(firm=firm)


@pytest.fixture
def second_subscriber(firm, portfolio):
    """Another abonné of ``portfolio``, the one the matrix tries to remove."""
    user = factories.UserFactory(firm=firm, email="second@dupont.example")
    factories.PortfolioSubscriptionFactory(portfolio=portfolio, user=user)
    return user
