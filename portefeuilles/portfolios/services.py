"""Business rules of portfolios, shared by the views, the commands and the importers.

Every function that reads firm data starts from the acting user's firm. Outsiders
get ``Http404`` (ids reveal nothing); members without the administrator profile
get ``PermissionDenied``.
"""

import logging
import unicodedata

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portefeuilles.accounts.models import Firm, User
from portefeuilles.audit import journal
from portefeuilles.referential import identifiers

from .clients import (  # noqa: F401 (re-exported: callers use services.X)
    ClientRow,
    ClientsPage,
    Search,
    SearchResult,
    account_warnings,
    client_warnings,
    clients_page,
    parse_search,
    portfolio_clients,
    regime_heading,
    search_accounts,
)
from .errors import PortfolioError
from .models import (
    KEY_IGNORED_CHARACTERS,
    FirmClient,
    Portfolio,
    PortfolioClient,
    PortfolioSubscription,
    name_key,
)

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 100


# -- Access ------------------------------------------------------------------


def can_see_portfolio(user: User, portfolio: Portfolio) -> bool:
    if not user.is_authenticated or not user.is_active or user.firm_id != portfolio.firm_id:
        return False
    if user.role == User.Role.ADMINISTRATOR:
        return True
    return portfolio.subscriptions.filter(user=user).exists()


def get_portfolio_for_user(user: User, portfolio_id) -> Portfolio:
    """Return the active portfolio ``portfolio_id`` if ``user`` may open it, else raise Http404.

    Administrators open every portfolio of their firm; collaborators only those
    they are an abonné of.
    """
    queryset = Portfolio.objects.active().filter(firm_id=user.firm_id)
    if user.firm_id is None or not user.is_active:
        raise Http404
    if user.role != User.Role.ADMINISTRATOR:
        queryset = queryset.filter(subscriptions__user=user)
    try:
        return queryset.get(pk=portfolio_id)
    except (Portfolio.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def row_id(value) -> int | None:
    """Return ``value`` as a primary key, or None when no row can have it.

    Ids come from URLs and form fields. SQLite raises OverflowError on an integer
    outside its 64-bit range instead of finding nothing, so such ids stop here.
    """
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def require_administrator(user: User, firm_id: int | None = None) -> None:
    """Raise PermissionDenied unless ``user`` administers their firm (and ``firm_id`` if given)."""
    if not user.is_firm_admin:
        raise PermissionDenied
    if firm_id is not None and user.firm_id != firm_id:
        raise Http404


def visible_portfolios(user: User):
    """Return the active portfolios ``user`` can open, with client and abonné counts."""
    if user.firm_id is None or not user.is_active:
        return Portfolio.objects.none()
    queryset = Portfolio.objects.active().filter(firm_id=user.firm_id)
    if user.role != User.Role.ADMINISTRATOR:
        queryset = queryset.filter(subscriptions__user=user)
    return queryset.annotate(
        client_count=Count("entries", distinct=True),
        subscriber_count=Count("subscriptions", distinct=True),
    ).order_by("name_key", "pk")


# -- Names -------------------------------------------------------------------


def clean_name(raw: str) -> str:
    """Return the trimmed name in NFC form, or raise PortfolioError saying why it is refused.

    Invisible format characters (zero width space, bidirectional overrides, soft
    hyphen) are removed: the user cannot see them to fix them, and they would let
    two names that look the same both exist.
    """
    raw = unicodedata.normalize("NFC", raw or "")
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise PortfolioError(
            _(
                "Le nom du portefeuille contient un caractère de contrôle (tabulation, retour "
                "à la ligne…). Saisissez-le sur une seule ligne, avec des caractères visibles."
            )
        )
    visible = "".join(
        ch
        for ch in raw
        if unicodedata.category(ch) not in ("Cf", "Cs") or ch in KEY_IGNORED_CHARACTERS
    )
    name = " ".join(visible.split())
    if not name_key(name):
        raise PortfolioError(_("Saisissez le nom du portefeuille (1 à 100 caractères)."))
    if len(name) > NAME_MAX_LENGTH:
        raise PortfolioError(
            _(
                "Le nom « %(start)s… » compte %(length)s caractères : raccourcissez-le "
                "à %(max)s caractères au plus."
            )
            % {"start": name[:40], "length": len(name), "max": NAME_MAX_LENGTH}
        )
    # The comparison key has a column of its own, as long as a name.
    if len(name_key(name)) > NAME_MAX_LENGTH:
        raise PortfolioError(
            _(
                "Le nom « %(start)s… » dépasse %(max)s caractères une fois ses ligatures et "
                "lettres doubles écrites en entier (« ß » compte pour « ss », « ﬁ » pour "
                "« fi ») : raccourcissez-le."
            )
            % {"start": name[:40], "max": NAME_MAX_LENGTH}
        )
    return name


def _name_taken(name: str) -> PortfolioError:
    return PortfolioError(
        _(
            "Un portefeuille nommé « %(name)s » existe déjà dans votre entreprise (les "
            "majuscules et les accents ne comptent pas). Choisissez un autre nom."
        )
        % {"name": name}
    )


def _check_name_free(firm_id: int, name: str, exclude_pk: int | None = None) -> None:
    others = Portfolio.objects.active().filter(firm_id=firm_id, name_key=name_key(name))
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise _name_taken(name)


@transaction.atomic
def create_portfolio(user: User, raw_name: str) -> Portfolio:
    require_administrator(user)
    name = clean_name(raw_name)
    _check_name_free(user.firm_id, name)
    try:
        # The savepoint keeps an outer transaction usable when the unique
        # constraint rejects a concurrent creation of the same name.
        with transaction.atomic():
            portfolio = Portfolio.objects.create(firm_id=user.firm_id, name=name)
    except IntegrityError:
        raise _name_taken(name) from None
    journal.portfolio_created(user, portfolio)
    logger.info("portfolio created id=%s firm=%s user=%s", portfolio.pk, user.firm_id, user.pk)
    return portfolio


@transaction.atomic
def rename_portfolio(user: User, portfolio: Portfolio, raw_name: str) -> Portfolio:
    require_administrator(user, portfolio.firm_id)
    name = clean_name(raw_name)
    if name == portfolio.name:
        return portfolio
    _check_name_free(portfolio.firm_id, name, exclude_pk=portfolio.pk)
    old_name = portfolio.name
    portfolio.name = name
    try:
        with transaction.atomic():
            portfolio.save(update_fields=["name"])
    except IntegrityError:
        raise _name_taken(name) from None
    journal.portfolio_renamed(user, portfolio, old_name)
    logger.info("portfolio renamed id=%s user=%s", portfolio.pk, user.pk)
    return portfolio


@transaction.atomic
def terminate_portfolio(user: User, portfolio: Portfolio) -> int:
    """Résilier the portfolio and return its client count.

    The portfolio leaves every screen and its abonnés lose access at once, since
    all of them read ``Portfolio.objects.active()``. It keeps its client list and
    subscriptions so that an administrator can restore it for
    ``TERMINATED_PORTFOLIO_RETENTION_DAYS`` days (``portefeuilles.audit.restore``);
    ``portefeuilles purge_terminated`` deletes it after that. The accounts stay
    attached to the firm.
    """
    require_administrator(user, portfolio.firm_id)
    now = timezone.now()
    # Conditional, so that of two concurrent résiliations only one is journaled.
    if not Portfolio.objects.active().filter(pk=portfolio.pk).update(terminated_at=now):
        raise Http404
    portfolio.terminated_at = now
    client_count = portfolio.entries.count()
    journal.portfolio_terminated(user, portfolio)
    logger.info(
        "portfolio terminated id=%s clients=%s user=%s", portfolio.pk, client_count, user.pk
    )
    return client_count


# -- Adding and removing clients ---------------------------------------------


def _check_can_edit_clients(user: User, portfolio: Portfolio) -> None:
    """Administrators and the portfolio's abonnés may add and remove its clients."""
    if not can_see_portfolio(user, portfolio):
        raise Http404


@transaction.atomic
def add_client(
    user: User, portfolio: Portfolio, account_number: str, raw_identifier: str = ""
) -> tuple[FirmClient, bool]:
    """Add the account to the portfolio, attaching it to the firm first when needed.

    An account not yet attached needs its SIREN or SIRET as proof. Returns the
    firm client and whether the portfolio gained it (False when already there).
    """
    _check_can_edit_clients(user, portfolio)
    number = identifiers.parse_account_number(account_number)
    firm_client = (
        FirmClient.objects.select_related("account")
        .filter(firm_id=portfolio.firm_id, account__number=number)
        .first()
    )
    if firm_client is None:
        search = parse_search(raw_identifier, number)
        if search.identifier is None:
            raise PortfolioError(
                _(
                    "Le compte %(number)s n'est pas encore rattaché à votre entreprise : "
                    "saisissez aussi le SIREN ou le SIRET de l'établissement pour le rattacher."
                )
                % {"number": number}
            )
        result = search_accounts(portfolio.firm_id, portfolio, search).results[0]
        firm_client, attached = FirmClient.objects.get_or_create(
            firm_id=portfolio.firm_id, account=result.account
        )
        if attached:
            logger.info(
                "client attached account=%s firm=%s user=%s",
                result.account.pk,
                portfolio.firm_id,
                user.pk,
            )
    _entry, created = PortfolioClient.objects.get_or_create(
        portfolio=portfolio, firm_client=firm_client
    )
    if created:
        journal.client_added(user, portfolio, firm_client)
    return firm_client, created


@transaction.atomic
def remove_client(user: User, portfolio: Portfolio, firm_client_id) -> bool:
    """Take the client out of the portfolio; it stays attached to the firm."""
    _check_can_edit_clients(user, portfolio)
    firm_client_id = row_id(firm_client_id)
    if firm_client_id is None:
        return False
    entry = (
        PortfolioClient.objects.select_related("firm_client__account")
        .filter(portfolio=portfolio, firm_client_id=firm_client_id)
        .first()
    )
    if entry is None:
        return False
    entry.delete()
    journal.client_removed(user, portfolio, entry.firm_client)
    return True


# -- Abonnés -----------------------------------------------------------------


def portfolio_subscribers(portfolio: Portfolio):
    """Return the portfolio's abonnés, ordered by name."""
    return User.objects.filter(subscriptions__portfolio=portfolio).order_by(
        "last_name", "first_name", "email"
    )


def firm_users(user: User):
    """Return the users of ``user``'s firm, administrators first, then by name."""
    if user.firm_id is None:
        return User.objects.none()
    return User.objects.filter(firm_id=user.firm_id).order_by(
        "role", "last_name", "first_name", "email"
    )


def subscribable_users(portfolio: Portfolio):
    """Active users of the firm who are not yet abonnés of the portfolio."""
    return (
        User.objects.filter(firm_id=portfolio.firm_id, is_active=True)
        .exclude(subscriptions__portfolio=portfolio)
        .order_by("last_name", "first_name", "email")
    )


@transaction.atomic
def add_subscriber(user: User, portfolio: Portfolio, subscriber_id) -> User:
    require_administrator(user, portfolio.firm_id)
    subscriber = User.objects.filter(
        pk=subscriber_id, firm_id=portfolio.firm_id, is_active=True
    ).first()
    if subscriber is None:
        raise PortfolioError(
            _(
                "Cet utilisateur n'existe pas ou n'est plus actif dans votre entreprise. "
                "Choisissez un abonné dans la liste."
            )
        )
    _subscription, created = PortfolioSubscription.objects.get_or_create(
        portfolio=portfolio, user=subscriber
    )
    if created:
        journal.subscriber_added(user, portfolio, subscriber)
    return subscriber


@transaction.atomic
def remove_subscriber(user: User, portfolio: Portfolio, subscriber_id) -> bool:
    require_administrator(user, portfolio.firm_id)
    subscriber_id = row_id(subscriber_id)
    if subscriber_id is None:
        return False
    subscription = (
        PortfolioSubscription.objects.select_related("user")
        .filter(portfolio=portfolio, user_id=subscriber_id)
        .first()
    )
    if subscription is None:
        return False
    subscription.delete()
    journal.subscriber_removed(user, portfolio, subscription.user)
    return True


def firm_for(user: User) -> Firm:
    if user.firm_id is None:
        raise Http404
    return user.firm
