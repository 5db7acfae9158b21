import random

import pytest
from django.core.management import CommandError

from portefeuilles.accounts.models import Firm, User
from portefeuilles.portfolios import demo
from portefeuilles.portfolios.models import FirmClient, Portfolio, PortfolioSubscription
from portefeuilles.referential import identifiers
from portefeuilles.referential.models import Establishment, UrssafAccount
from tests import factories
from tests.commands.helpers import run

pytestmark = pytest.mark.django_db

MODELS = (Firm, User, Establishment, UrssafAccount, FirmClient, Portfolio, PortfolioSubscription)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_twice_changes_nothing():
    first_output, _ = run("load_demo")
    after_first = counts()
    second_output, _ = run("load_demo")

    assert counts() == after_first
    assert first_output.startswith("Données de démonstration chargées : ")
    assert second_output.startswith("Les données de démonstration sont déjà chargées")
    for output in (first_output, second_output):
        for user in demo.USERS:
            assert f"{user.email}, mot de passe {demo.PASSWORD}" in output


def test_demo_contents():
    run("load_demo")

    firm = Firm.objects.get(siren=demo.FIRM_SIREN)
    assert firm.name == "Cabinet Démo"
    assert identifiers.is_valid_siren(firm.siren)
    admin = User.objects.get(email=demo.ADMINISTRATOR.email)
    assert admin.firm == firm
    assert admin.role == User.Role.ADMINISTRATOR
    assert admin.check_password(demo.PASSWORD)
    assert User.objects.filter(firm=firm, role=User.Role.COLLABORATOR).count() == 2

    assert 200 <= Establishment.objects.count() <= 500
    assert Establishment.objects.filter(state=Establishment.State.CLOSED).exists()
    assert all("DEMO" in name for name in Establishment.objects.values_list("name", flat=True))
    for regime in UrssafAccount.Regime:
        assert UrssafAccount.objects.filter(regime=regime).exists()
    assert UrssafAccount.objects.filter(state=UrssafAccount.State.CLOSED).exists()
    assert UrssafAccount.objects.filter(state=UrssafAccount.State.SUSPENDED).exists()

    clients = FirmClient.objects.filter(firm=firm)
    assert 200 <= clients.count() <= 500
    known = Establishment.objects.values("siret")
    assert clients.exclude(account__siret__in=known).exists()

    portfolios = Portfolio.objects.filter(firm__siren=demo.FIRM_SIREN)
    assert portfolios.count() == 3
    subscribed = {
        portfolio.name: set(portfolio.subscribers.values_list("email", flat=True))
        for portfolio in portfolios
    }
    camille, dominique = (user.email for user in demo.COLLABORATORS)
    assert subscribed == {
        "Clients Paris et petite couronne": {camille},
        "Indépendants": {camille, dominique},
        "Professions médicales": {dominique},
    }
    for portfolio in portfolios:
        assert portfolio.entries.exists()


def test_generator_is_deterministic():
    first = demo.generate(random.Random(demo.SEED))
    second = demo.generate(random.Random(demo.SEED))

    assert first == second


def test_demo_email_taken_loads_nothing():
    factories.UserFactory(email=demo.COLLABORATORS[1].email)

    with pytest.raises(CommandError) as error:
        run("load_demo")

    assert str(error.value) == (
        "Les adresses dominique@cabinet-demo.example appartiennent déjà à des utilisateurs "
        "hors de la démonstration : les données de démonstration ne sont pas chargées."
    )
    assert not Firm.objects.filter(siren=demo.FIRM_SIREN).exists()
    assert not Establishment.objects.exists()


def test_other_firm_with_demo_siren_refused():
    factories.FirmFactory(siren=demo.FIRM_SIREN, name="Cabinet Réel")

    with pytest.raises(CommandError) as error:
        run("load_demo")

    # Printing the demo logins here would offer logins that do not exist.
    assert "L'entreprise « Cabinet Réel » porte déjà le SIREN" in str(error.value)
    assert not User.objects.exists()
