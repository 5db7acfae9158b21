"""Bulk data for the list tests: hundreds of rows in a few queries."""

from portefeuilles.portfolios.models import FirmClient, PortfolioClient
from portefeuilles.referential.models import Establishment, UrssafAccount
from tests import factories


def bulk_clients(portfolio, count: int, *, start: int = 0, siren: str | None = None):
    """Create ``count`` accounts attached to the firm and put in ``portfolio``, in bulk.

    Account numbers are ``750`` followed by the index, so their order is the
    creation order. With ``siren``, every establishment belongs to that SIREN.
    """
    establishments = []
    accounts = []
    for index in range(start, start + count):
        if siren is None:
            siret = factories.siret_for(factories.siren_for(500_000 + index))
        else:
            siret = factories.siret_for(siren, nic_prefix=index + 1)
        establishments.append(
            Establishment(
                siret=siret,
                siren=siret[:9],
                nic=siret[9:],
                name=f"Commerce {index}",
                city="LILLE",
                state=Establishment.State.ACTIVE,
            )
        )
        accounts.append(
            UrssafAccount(
                number=account_number(index), urssaf_code="317", siret=siret, siren=siret[:9]
            )
        )
    Establishment.objects.bulk_create(establishments)
    UrssafAccount.objects.bulk_create(accounts)
    accounts = UrssafAccount.objects.filter(number__in=[a.number for a in accounts])
    FirmClient.objects.bulk_create(
        FirmClient(firm_id=portfolio.firm_id, account=a) for a in accounts
    )
    firm_clients = FirmClient.objects.filter(firm_id=portfolio.firm_id, account__in=accounts)
    PortfolioClient.objects.bulk_create(
        PortfolioClient(portfolio=portfolio, firm_client=fc) for fc in firm_clients
    )


def account_number(index: int) -> str:
    return f"750{index:015d}"
