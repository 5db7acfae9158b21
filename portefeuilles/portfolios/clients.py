"""Finding accounts and listing a portfolio's clients, for the search and the dialog.

Read-only: attaching and adding clients is done by ``services.add_client``.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from portefeuilles.referential import identifiers
from portefeuilles.referential.identifiers import Identifier, InvalidIdentifier, Kind
from portefeuilles.referential.models import Establishment, UrssafAccount

from .errors import PortfolioError
from .models import FirmClient, Portfolio, PortfolioClient

# Accounts shown for one search; a SIREN with more asks the user to narrow it down.
SEARCH_RESULTS_MAX = 200


@dataclass
class SearchResult:
    account: UrssafAccount
    establishment: Establishment | None
    firm_client: FirmClient | None
    in_portfolio: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def is_attached(self) -> bool:
        return self.firm_client is not None


@dataclass
class Search:
    """A parsed search: what the user typed, what it was understood as, and the results."""

    identifier: Identifier | None = None
    account_number: str | None = None
    results: list[SearchResult] = field(default_factory=list)
    # True when more than SEARCH_RESULTS_MAX accounts matched and only the first are in results.
    truncated: bool = False

    @property
    def understood(self) -> str:
        parts = []
        if self.identifier:
            parts.append(f"{self.identifier.label} {self.identifier.value}")
        if self.account_number:
            parts.append(_("numéro de compte %(number)s") % {"number": self.account_number})
        return _(" et ").join(parts)

    def by_regime(self) -> list[tuple[str, list[SearchResult]]]:
        """Results grouped under « Comptes Régime Général du SIREN » and one heading per régime."""
        groups: dict[str, list[SearchResult]] = {}
        for result in self.results:
            groups.setdefault(result.account.regime, []).append(result)
        ordered = []
        for regime in UrssafAccount.Regime:
            if regime in groups:
                ordered.append((regime_heading(regime), groups[regime]))
        return ordered


def regime_heading(regime: str) -> str:
    if regime == UrssafAccount.Regime.GENERAL:
        return _("Comptes Régime Général du SIREN")
    return _("Comptes %(regime)s du SIREN") % {"regime": UrssafAccount.Regime(regime).label}


def account_warnings(account: UrssafAccount, establishment: Establishment | None) -> list[str]:
    warnings = []
    if establishment is None:
        warnings.append(_("établissement inconnu du référentiel"))
    elif establishment.state == Establishment.State.CLOSED:
        warnings.append(_("établissement fermé"))
    if account.state == UrssafAccount.State.CLOSED:
        warnings.append(_("compte radié"))
    elif account.state == UrssafAccount.State.SUSPENDED:
        warnings.append(_("compte suspendu"))
    return warnings


def parse_search(raw_identifier: str, raw_account: str) -> Search:
    """Parse the two search fields; raise InvalidIdentifier with a French message."""
    search = Search()
    if (raw_identifier or "").strip():
        identifier = identifiers.parse(raw_identifier)
        if identifier.kind == Kind.ACCOUNT:
            if (raw_account or "").strip():
                raise InvalidIdentifier(
                    _(
                        "« %(value)s » est un numéro de compte : saisissez dans « Siren/Siret "
                        "de l'établissement » le SIREN (9 chiffres) ou le SIRET (14 chiffres)."
                    )
                    % {"value": identifiers.shown(raw_identifier)}
                )
            search.account_number = identifier.value
        else:
            search.identifier = identifier
    if (raw_account or "").strip():
        search.account_number = identifiers.parse_account_number(raw_account)
    if search.identifier is None and search.account_number is None:
        raise InvalidIdentifier(
            _(
                "Saisissez un SIREN ou un SIRET, un numéro de compte, ou les deux pour "
                "rattacher un nouveau client."
            )
        )
    return search


def _matches(account: UrssafAccount, identifier: Identifier) -> bool:
    if identifier.kind == Kind.SIREN:
        return account.siren == identifier.value
    return account.siret == identifier.value


def search_accounts(firm_id: int, portfolio: Portfolio | None, search: Search) -> Search:
    """Fill ``search.results``.

    A SIREN or SIRET alone, or an account number alone, finds only accounts
    already attached to the firm. Both together find the account in the
    referential when they belong together, so the firm proves it holds the
    client's details and nobody can browse other companies' accounts.
    """
    if search.account_number and search.identifier:
        account = UrssafAccount.objects.filter(number=search.account_number).first()
        # One message whether the number is unknown or belongs to another company,
        # so the search never tells whether an account number exists.
        if account is None or not _matches(account, search.identifier):
            raise PortfolioError(
                _(
                    "Aucun compte de numéro %(number)s ne correspond au %(kind)s %(value)s. "
                    "Vérifiez les deux numéros sur un bordereau ou une attestation du client."
                )
                % {
                    "number": search.account_number,
                    "kind": search.identifier.label,
                    "value": search.identifier.value,
                }
            )
        accounts = [account]
    else:
        attached = UrssafAccount.objects.filter(firm_links__firm_id=firm_id)
        if search.account_number:
            attached = attached.filter(number=search.account_number)
        elif search.identifier.kind == Kind.SIREN:
            attached = attached.filter(siren=search.identifier.value)
        else:
            attached = attached.filter(siret=search.identifier.value)
        accounts = list(attached.order_by("siret", "number")[: SEARCH_RESULTS_MAX + 1])
        search.truncated = len(accounts) > SEARCH_RESULTS_MAX
        accounts = accounts[:SEARCH_RESULTS_MAX]

    search.results = _results_for(firm_id, portfolio, accounts)
    return search


def _results_for(firm_id, portfolio, accounts) -> list[SearchResult]:
    sirets = {account.siret for account in accounts}
    establishments = Establishment.objects.in_bulk(list(sirets))
    firm_clients = {
        fc.account_id: fc for fc in FirmClient.objects.filter(firm_id=firm_id, account__in=accounts)
    }
    in_portfolio = set()
    if portfolio is not None:
        in_portfolio = set(
            portfolio.entries.filter(firm_client__in=firm_clients.values()).values_list(
                "firm_client__account_id", flat=True
            )
        )
    results = []
    for account in accounts:
        establishment = establishments.get(account.siret)
        results.append(
            SearchResult(
                account=account,
                establishment=establishment,
                firm_client=firm_clients.get(account.pk),
                in_portfolio=account.pk in in_portfolio,
                warnings=account_warnings(account, establishment),
            )
        )
    return results


def client_warnings(firm_client: FirmClient) -> list[str]:
    """Return the warnings about a client: radié or suspended account, closed or unknown SIRET."""
    account = firm_client.account
    establishment = Establishment.objects.filter(siret=account.siret).first()
    return account_warnings(account, establishment)


def portfolio_clients(portfolio: Portfolio, search: Search | None = None):
    """Return the portfolio's entries with accounts, ordered by number for keyset pages."""
    queryset = portfolio.entries.select_related("firm_client__account").order_by(
        "firm_client__account__number"
    )
    if search is not None:
        if search.account_number:
            queryset = queryset.filter(firm_client__account__number=search.account_number)
        if search.identifier is not None:
            column = "siren" if search.identifier.kind == Kind.SIREN else "siret"
            queryset = queryset.filter(
                **{f"firm_client__account__{column}": search.identifier.value}
            )
    return queryset


@dataclass
class ClientRow:
    entry: PortfolioClient
    establishment: Establishment | None
    warnings: list[str]

    @property
    def account(self) -> UrssafAccount:
        return self.entry.firm_client.account


@dataclass
class ClientsPage:
    """One page of a portfolio's clients, in account-number order.

    ``after`` and ``before`` are the cursors of the neighbouring pages: the last
    and first account numbers shown.
    """

    rows: list[ClientRow]
    has_next: bool
    has_previous: bool

    @property
    def after(self) -> str:
        return self.rows[-1].account.number if self.rows else ""

    @property
    def before(self) -> str:
        return self.rows[0].account.number if self.rows else ""


def clients_page(
    portfolio: Portfolio,
    search: Search | None = None,
    *,
    after: str = "",
    before: str = "",
    page_size: int | None = None,
) -> ClientsPage:
    """Return the page of clients that follows ``after`` or precedes ``before``, else the first.

    Keyset pagination on the account number: each page is one indexed range
    query, whatever its depth, and a client added or removed meanwhile shifts
    no other row between pages. A cursor that is not an account number is ignored.
    """
    size = page_size or settings.PORTFOLIO_CLIENTS_PAGE_SIZE
    queryset = portfolio_clients(portfolio, search)
    number = "firm_client__account__number"
    after = after if identifiers.is_valid_account_number(after or "") else ""
    before = before if identifiers.is_valid_account_number(before or "") else ""

    if before and not after:
        chunk = list(
            queryset.filter(**{f"{number}__lt": before}).order_by(f"-{number}")[: size + 1]
        )
        entries = list(reversed(chunk[:size]))
        has_previous = len(chunk) > size
        has_next = queryset.filter(**{f"{number}__gte": before}).exists()
    elif after:
        chunk = list(queryset.filter(**{f"{number}__gt": after})[: size + 1])
        entries = chunk[:size]
        has_next = len(chunk) > size
        has_previous = queryset.filter(**{f"{number}__lte": after}).exists()
    else:
        chunk = list(queryset[: size + 1])
        entries = chunk[:size]
        has_next = len(chunk) > size
        has_previous = False

    if not entries and (after or before):
        # The cursor points past the end (clients removed meanwhile): start over.
        return clients_page(portfolio, search, page_size=size)

    sirets = [entry.firm_client.account.siret for entry in entries]
    establishments = Establishment.objects.in_bulk(sirets) if sirets else {}
    rows = []
    for entry in entries:
        establishment = establishments.get(entry.firm_client.account.siret)
        warnings = account_warnings(entry.firm_client.account, establishment)
        rows.append(ClientRow(entry=entry, establishment=establishment, warnings=warnings))
    return ClientsPage(rows=rows, has_next=has_next, has_previous=has_previous)
