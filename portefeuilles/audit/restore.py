"""Restoring a résilié portfolio, and deleting it for good once the delay has passed.

A résilié portfolio keeps its row, its client entries and its subscriptions,
with ``terminated_at`` set. Every screen and rule reads portfolios through
``Portfolio.objects.active()``, so it disappears from them at once. For
``TERMINATED_PORTFOLIO_RETENTION_DAYS`` days an administrator can restore it;
after that ``portefeuilles purge_terminated`` deletes it.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portefeuilles.accounts.models import User
from portefeuilles.portfolios.models import Portfolio, name_key
from portefeuilles.portfolios.services import PortfolioError, clean_name, require_administrator

from . import journal
from .models import Action, JournalEntry

logger = logging.getLogger(__name__)


class NameTaken(PortfolioError):
    """The résilié portfolio's name is now used by an active portfolio of the firm."""


def retention_delay() -> datetime.timedelta:
    return datetime.timedelta(days=settings.TERMINATED_PORTFOLIO_RETENTION_DAYS)


def restore_deadline(portfolio: Portfolio) -> datetime.datetime:
    """Return the moment after which the résilié portfolio can no longer be restored."""
    return portfolio.terminated_at + retention_delay()


def restorable_portfolios(user: User):
    """Return the firm's portfolios résiliés within the delay, newest first, with counts."""
    require_administrator(user)
    cutoff = timezone.now() - retention_delay()
    return (
        Portfolio.objects.filter(
            firm_id=user.firm_id, terminated_at__isnull=False, terminated_at__gt=cutoff
        )
        .annotate(
            client_count=Count("entries", distinct=True),
            subscriber_count=Count("subscriptions", distinct=True),
        )
        .order_by("-terminated_at", "-pk")
    )


def get_restorable_portfolio(user: User, portfolio_id) -> Portfolio:
    """Return the résilié portfolio if ``user`` administers its firm and it is still restorable.

    Raises Http404 otherwise.
    """
    try:
        return restorable_portfolios(user).get(pk=portfolio_id)
    except (Portfolio.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def termination_entry(portfolio: Portfolio) -> JournalEntry | None:
    """Return the journal entry of the portfolio's latest résiliation, if the journal has it."""
    return (
        JournalEntry.objects.filter(
            firm_id=portfolio.firm_id,
            portfolio_id=portfolio.pk,
            action=Action.PORTFOLIO_TERMINATED,
        )
        .newest_first()
        .first()
    )


def name_is_taken(portfolio: Portfolio, name: str) -> bool:
    return (
        Portfolio.objects.active()
        .filter(firm_id=portfolio.firm_id, name_key=name_key(name))
        .exclude(pk=portfolio.pk)
        .exists()
    )


def _name_taken_error(name: str) -> NameTaken:
    return NameTaken(
        _(
            "Un portefeuille actif porte déjà le nom « %(name)s » (les majuscules et les "
            "accents ne comptent pas). Choisissez un nouveau nom pour le portefeuille restauré."
        )
        % {"name": name}
    )


@dataclass
class RestorePlan:
    """Outcome of restoring a portfolio: what it gives back, and what it leaves out.

    Left out: clients no longer attached to the firm, and abonnés deactivated,
    deleted or moved to another firm since the résiliation. Each is a dict
    as stored in the journal: ``id`` plus ``account_number`` and ``siret`` for
    clients, ``email`` for abonnés.
    """

    portfolio: Portfolio
    clients: int = 0
    subscribers: int = 0
    left_out_clients: list[dict] = field(default_factory=list)
    left_out_subscribers: list[dict] = field(default_factory=list)
    # Subscriptions that restoring deletes: the left-out abonnés who still have one.
    subscription_ids_to_delete: list[int] = field(default_factory=list)


def plan_restore(portfolio: Portfolio) -> RestorePlan:
    """Compare the portfolio now with the lists journaled at its résiliation."""
    plan = RestorePlan(portfolio=portfolio)
    entry = termination_entry(portfolio)
    snapshot = entry.details if entry is not None else {}

    current_clients = set(
        portfolio.entries.filter(firm_client__firm_id=portfolio.firm_id).values_list(
            "firm_client_id", flat=True
        )
    )
    plan.clients = len(current_clients)
    plan.left_out_clients = [
        client for client in snapshot.get("client_list", []) if client["id"] not in current_clients
    ]

    was_active = {
        subscriber["id"]: subscriber.get("active", True)
        for subscriber in snapshot.get("subscriber_list", [])
    }
    kept_subscriber_ids = set()
    for subscription_id, user_id, email, is_active, firm_id in portfolio.subscriptions.values_list(
        "pk", "user_id", "user__email", "user__is_active", "user__firm_id"
    ):
        # An abonné already inactive at the résiliation keeps the dormant
        # subscription they had; one deactivated since then is left out.
        deactivated_since = not is_active and was_active.get(user_id, True)
        if firm_id != portfolio.firm_id or deactivated_since:
            plan.left_out_subscribers.append({"id": user_id, "email": email})
            plan.subscription_ids_to_delete.append(subscription_id)
        else:
            kept_subscriber_ids.add(user_id)
    plan.subscribers = len(kept_subscriber_ids)
    left_out_ids = {subscriber["id"] for subscriber in plan.left_out_subscribers}
    for subscriber in snapshot.get("subscriber_list", []):
        if subscriber["id"] not in kept_subscriber_ids and subscriber["id"] not in left_out_ids:
            plan.left_out_subscribers.append({"id": subscriber["id"], "email": subscriber["email"]})
    plan.left_out_subscribers.sort(key=lambda subscriber: subscriber["email"])
    return plan


@transaction.atomic
def restore_portfolio(user: User, portfolio_id, new_name: str | None = None) -> RestorePlan:
    """Make the résilié portfolio active again with its clients and abonnés.

    Raises NameTaken when an active portfolio now has its name (or ``new_name``),
    and PortfolioError when ``new_name`` is not a valid name.
    """
    require_administrator(user)
    cutoff = timezone.now() - retention_delay()
    try:
        # Locking the row makes a concurrent restore or purge wait for this one,
        # then find the portfolio no longer résilié.
        portfolio = Portfolio.objects.select_for_update().get(
            pk=portfolio_id, firm_id=user.firm_id, terminated_at__gt=cutoff
        )
    except (Portfolio.DoesNotExist, ValueError, TypeError):
        raise Http404 from None

    old_name = portfolio.name
    name = clean_name(new_name) if new_name is not None else portfolio.name
    if name_is_taken(portfolio, name):
        raise _name_taken_error(name)

    plan = plan_restore(portfolio)
    portfolio.subscriptions.filter(pk__in=plan.subscription_ids_to_delete).delete()
    portfolio.name = name
    portfolio.terminated_at = None
    try:
        # The savepoint turns a concurrent creation of the same name, caught by
        # the unique constraint on active names, into the French message.
        with transaction.atomic():
            portfolio.save(update_fields=["name", "terminated_at"])
    except IntegrityError:
        raise _name_taken_error(name) from None

    journal.portfolio_restored(
        user,
        portfolio,
        clients=plan.clients,
        subscribers=plan.subscribers,
        left_out_clients=plan.left_out_clients,
        left_out_subscribers=plan.left_out_subscribers,
        old_name=old_name,
    )
    logger.info(
        "portfolio restored id=%s clients=%s subscribers=%s left_out=%s/%s user=%s",
        portfolio.pk,
        plan.clients,
        plan.subscribers,
        len(plan.left_out_clients),
        len(plan.left_out_subscribers),
        user.pk,
    )
    return plan


def last_restore_entry(user: User, portfolio_id) -> JournalEntry:
    """Return the journal entry of the portfolio's latest restoration, for its result page."""
    require_administrator(user)
    entry = (
        JournalEntry.objects.filter(
            firm_id=user.firm_id, portfolio_id=portfolio_id, action=Action.PORTFOLIO_RESTORED
        )
        .newest_first()
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def purge_terminated(now: datetime.datetime | None = None) -> int:
    """Delete for good the portfolios résiliés longer ago than the delay; return how many.

    Each portfolio goes in its own transaction, and only if it is still
    résilié then, so a restoration that wins the race keeps its portfolio.
    """
    cutoff = (now or timezone.now()) - retention_delay()
    candidates = list(
        Portfolio.objects.filter(terminated_at__isnull=False, terminated_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    purged = 0
    for portfolio_id in candidates:
        with transaction.atomic():
            portfolio = (
                Portfolio.objects.select_for_update()
                .filter(pk=portfolio_id, terminated_at__isnull=False, terminated_at__lte=cutoff)
                .first()
            )
            if portfolio is None:
                continue
            clients = portfolio.entries.count()
            subscribers = portfolio.subscriptions.count()
            journal.portfolio_purged(None, portfolio, clients=clients, subscribers=subscribers)
            portfolio.delete()
        purged += 1
        logger.info("terminated portfolio purged id=%s clients=%s", portfolio_id, clients)
    return purged
