"""factory_boy factories for the standing test cast and referential rows.

Identifiers are generated with valid check keys, from a counter so each is unique.
"""

import factory

from portefeuilles.accounts.models import Firm, User
from portefeuilles.portfolios.models import (
    FirmClient,
    Portfolio,
    PortfolioClient,
    PortfolioSubscription,
)
from portefeuilles.referential.identifiers import luhn_complete
from portefeuilles.referential.models import Establishment, UrssafAccount

TEST_PASSWORD = "correct horse battery staple"


def siren_for(n: int) -> str:
    # 8xx xxx xxx: a range that INSEE had not allocated when these tests were written.
    return luhn_complete(f"8{n:07d}")


def siret_for(siren: str, nic_prefix: int = 1) -> str:
    return luhn_complete(f"{siren}{nic_prefix:04d}")


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    siren = factory.Sequence(lambda n: siren_for(n))
    name = factory.Sequence(lambda n: f"Cabinet {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"abonne{n}@cabinet.example")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    firm = factory.SubFactory(FirmFactory)
    role = User.Role.COLLABORATOR
    password = factory.django.Password(TEST_PASSWORD)


class AdministratorFactory(UserFactory):
    role = User.Role.ADMINISTRATOR


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    siren = factory.Sequence(lambda n: siren_for(100_000 + n))
    siret = factory.LazyAttribute(lambda o: siret_for(o.siren))
    nic = factory.LazyAttribute(lambda o: o.siret[9:])
    name = factory.Sequence(lambda n: f"Boulangerie {n}")
    street = "12 RUE DES LILAS"
    postcode = "69003"
    city = "LYON"
    is_head_office = True
    state = Establishment.State.ACTIVE
    activity_code = "10.71C"


class UrssafAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UrssafAccount

    class Params:
        establishment = factory.SubFactory(EstablishmentFactory)

    number = factory.Sequence(lambda n: f"827{n:015d}")
    regime = UrssafAccount.Regime.GENERAL
    state = UrssafAccount.State.ACTIVE
    urssaf_code = "827"
    department = "69"
    siret = factory.LazyAttribute(lambda o: o.establishment.siret)
    siren = factory.LazyAttribute(lambda o: o.siret[:9])


class FirmClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmClient

    firm = factory.SubFactory(FirmFactory)
    account = factory.SubFactory(UrssafAccountFactory)


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Portefeuille {n}")


class PortfolioClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortfolioClient

    portfolio = factory.SubFactory(PortfolioFactory)
    firm_client = factory.SubFactory(
        FirmClientFactory, firm=factory.SelfAttribute("..portfolio.firm")
    )


class PortfolioSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortfolioSubscription

    portfolio = factory.SubFactory(PortfolioFactory)
    user = factory.SubFactory(UserFactory, firm=factory.SelfAttribute("..portfolio.firm"))
