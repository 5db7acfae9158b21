"""A small referential shared by the import tests, with identifiers written into the fixture files.

- ``E0`` SIREN 053203253 starts with a zero (spreadsheets drop it): attached to
  the firm, not in the portfolio.
- ``E1``: attached and already in the portfolio.
- ``E2`` and ``E3``: in the referential, not attached to the firm.
- ``E4``: SIREN 812000040 with two establishments, both accounts attached.
"""

import pytest

from portefeuilles.referential.models import UrssafAccount
from tests import factories

REFERENTIAL = {
    "E0": ("05320325300017", "117000000000000010"),
    "E1": ("81200001600012", "117000000000000028"),
    "E2": ("81200002400016", "117000000000000036"),
    "E3": ("81200003200019", "117000000000000044"),
    "E4a": ("81200004000012", "117000000000000051"),
    "E4b": ("81200004000020", "117000000000000069"),
}
ATTACHED = ("E0", "E1", "E4a", "E4b")
IN_PORTFOLIO = ("E1",)


@pytest.fixture
def referential(firm, portfolio):
    """Create the accounts of REFERENTIAL; return {key: FirmClient or UrssafAccount}."""
    objects = {}
    for key, (siret, number) in REFERENTIAL.items():
        establishment = factories.EstablishmentFactory(
            siret=siret, siren=siret[:9], nic=siret[9:], name=f"Établissement {key}"
        )
        account = factories.UrssafAccountFactory(number=number, establishment=establishment)
        objects[key] = account
        if key in ATTACHED:
            firm_client = factories.FirmClientFactory(firm=firm, account=account)
            objects[key] = firm_client
            if key in IN_PORTFOLIO:
                factories.PortfolioClientFactory(portfolio=portfolio, firm_client=firm_client)
    return objects


def account_numbers_in(portfolio) -> set[str]:
    return set(
        UrssafAccount.objects.filter(
            firm_links__portfolio_entries__portfolio=portfolio
        ).values_list("number", flat=True)
    )
