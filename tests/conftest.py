"""The standing cast, reused by every test module.

``firm`` holds ``portfolio``; ``admin`` administers the firm, ``subscriber`` is a
collaborator with access to ``portfolio``, ``outsider_collaborator`` is a
collaborator of the same firm without it, and ``other_admin`` administers
another firm.
"""

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash with Argon2id at tiny costs: Django's defaults take about 0.5 s per user created.

    The production hasher is checked in tests/accounts/test_passwords.py.
    """
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]


@pytest.fixture
def firm(db):
    return factories.FirmFactory(name="Cabinet Dupont", siren="732829320")


@pytest.fixture
def admin(firm):
    return factories.AdministratorFactory(firm=firm, email="admin@dupont.example")


@pytest.fixture
def portfolio(firm):
    return factories.PortfolioFactory(firm=firm, name="Clients Île-de-France")


@pytest.fixture
def subscriber(firm, portfolio):
    user = factories.UserFactory(firm=firm, email="abonne@dupont.example")
    factories.PortfolioSubscriptionFactory(portfolio=portfolio, user=user)
    return user


@pytest.fixture
def outsider_collaborator(firm):
    return factories.UserFactory(firm=firm, email="autre@dupont.example")


@pytest.fixture
def other_firm(db):
    return factories.FirmFactory(name="Cabinet Durand")


@pytest.fixture
def other_admin(other_firm):
    return factories.AdministratorFactory(firm=other_firm, email="admin@durand.example")


@pytest.fixture
def client_for(client):
    """Return a function that logs ``client`` in as a user and returns it."""

    def login(user):
        client.force_login(user)
        return client

    return login
