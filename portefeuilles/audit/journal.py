"""Named constructors of journal entries, one per kind of event.

Each constructor takes first the origin of the event, then the objects it is
about, and writes one entry. The origin is one of:

- the ``HttpRequest`` (in a view): actor, client address and request id;
- the acting ``User`` (in a service): the client address and request id come
  from the request being served, which ``RequestIdMiddleware`` records;
- ``None`` for the system (a scheduled command): no actor, no address.

Call them inside the transaction that makes the change, so that a change rolled
back leaves no entry behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from .context import client_address, current_request_context
from .models import Action, JournalEntry, ObjectKind

if TYPE_CHECKING:
    from portefeuilles.accounts.models import User
    from portefeuilles.portfolios.models import FirmClient, Portfolio

EMAIL_MAX_LENGTH = 254
LABEL_MAX_LENGTH = 300


@dataclass(frozen=True)
class Origin:
    actor_id: int | None
    actor_email: str
    actor_firm_id: int | None
    client_address: str | None
    request_id: uuid.UUID | None


def origin_of(source: HttpRequest | User | None) -> Origin:
    """Return who acts and from where, for a request, a user or the system (None)."""
    context = current_request_context()
    address = context.client_address if context else None
    request_id = context.request_id if context else None
    user = source
    if isinstance(source, HttpRequest):
        address = client_address(source)
        request_id = getattr(source, "request_id", request_id)
        user = getattr(source, "user", None)
    if user is None or not user.is_authenticated:
        return Origin(None, "", None, address, request_id)
    return Origin(user.pk, user.email, user.firm_id, address, request_id)


def _write(
    source,
    action: Action,
    *,
    firm_id: int | None = None,
    object_kind: str = "",
    object_id="",
    object_label: str = "",
    portfolio_id: int | None = None,
    siret: str = "",
    account_number: str = "",
    details: dict | None = None,
    origin: Origin | None = None,
) -> JournalEntry:
    origin = origin or origin_of(source)
    return JournalEntry.objects.create(
        firm_id=firm_id if firm_id is not None else origin.actor_firm_id,
        actor_id=origin.actor_id,
        actor_email=origin.actor_email[:EMAIL_MAX_LENGTH],
        action=action,
        object_kind=object_kind,
        object_id="" if object_id is None else str(object_id),
        object_label=(object_label or "")[:LABEL_MAX_LENGTH],
        portfolio_id=portfolio_id,
        siret=siret or "",
        account_number=account_number or "",
        details=details or {},
        client_address=origin.client_address,
        request_id=origin.request_id,
    )


def _portfolio_event(source, action: Action, portfolio: Portfolio, details=None) -> JournalEntry:
    return _write(
        source,
        action,
        firm_id=portfolio.firm_id,
        object_kind=ObjectKind.PORTFOLIO,
        object_id=portfolio.pk,
        object_label=portfolio.name,
        portfolio_id=portfolio.pk,
        details=details,
    )


# -- Portfolios ----------------------------------------------------------------


def portfolio_created(source, portfolio: Portfolio) -> JournalEntry:
    return _portfolio_event(source, Action.PORTFOLIO_CREATED, portfolio)


def portfolio_renamed(source, portfolio: Portfolio, old_name: str) -> JournalEntry:
    details = {"old_name": old_name, "new_name": portfolio.name}
    return _portfolio_event(source, Action.PORTFOLIO_RENAMED, portfolio, details)


def portfolio_terminated(source, portfolio: Portfolio) -> JournalEntry:
    """Record the résiliation with the portfolio's clients and abonnés at that moment.

    Restoring reads these lists back to name the clients and abonnés that
    disappeared in the meantime. Their rows are deleted with the firm client or
    the user, so only this entry still contains them.
    """
    client_rows = portfolio.entries.order_by("firm_client__account__number").values_list(
        "firm_client_id", "firm_client__account__number", "firm_client__account__siret"
    )
    clients = [
        {"id": firm_client_id, "account_number": number, "siret": siret}
        for firm_client_id, number, siret in client_rows
    ]
    subscriber_rows = portfolio.subscriptions.order_by("user__email").values_list(
        "user_id", "user__email", "user__is_active"
    )
    subscribers = [
        {"id": user_id, "email": email, "active": active}
        for user_id, email, active in subscriber_rows
    ]
    details = {
        "clients": len(clients),
        "subscribers": len(subscribers),
        "client_list": clients,
        "subscriber_list": subscribers,
    }
    return _portfolio_event(source, Action.PORTFOLIO_TERMINATED, portfolio, details)


def portfolio_restored(
    source,
    portfolio: Portfolio,
    *,
    clients: int,
    subscribers: int,
    left_out_clients: list[dict],
    left_out_subscribers: list[dict],
    old_name: str | None = None,
) -> JournalEntry:
    details = {
        "clients": clients,
        "subscribers": subscribers,
        "left_out_clients": left_out_clients,
        "left_out_subscribers": left_out_subscribers,
    }
    if old_name is not None and old_name != portfolio.name:
        details["old_name"] = old_name
        details["new_name"] = portfolio.name
    return _portfolio_event(source, Action.PORTFOLIO_RESTORED, portfolio, details)


def portfolio_purged(source, portfolio: Portfolio, *, clients: int, subscribers: int):
    details = {"clients": clients, "subscribers": subscribers}
    return _portfolio_event(source, Action.PORTFOLIO_PURGED, portfolio, details)


# -- Clients and abonnés of a portfolio ---------------------------------------------


def _client_event(source, action: Action, portfolio: Portfolio, firm_client: FirmClient):
    account = firm_client.account
    return _write(
        source,
        action,
        firm_id=portfolio.firm_id,
        object_kind=ObjectKind.CLIENT,
        object_id=firm_client.pk,
        object_label=f"{account.number} (SIRET {account.siret})",
        portfolio_id=portfolio.pk,
        siret=account.siret,
        account_number=account.number,
        details={"portfolio": portfolio.name},
    )


def client_added(source, portfolio: Portfolio, firm_client: FirmClient) -> JournalEntry:
    return _client_event(source, Action.CLIENT_ADDED, portfolio, firm_client)


def client_removed(source, portfolio: Portfolio, firm_client: FirmClient) -> JournalEntry:
    return _client_event(source, Action.CLIENT_REMOVED, portfolio, firm_client)


def clients_changed_in_bulk(
    source, portfolio: Portfolio, action: Action, firm_client_ids_sql: str, params: list
) -> int:
    """Record one ``client_added`` or ``client_removed`` entry per firm client of a SELECT.

    ``firm_client_ids_sql`` selects firm client ids, with its ``params``. The rows
    are copied inside the database, so a bulk import of 100,000 clients builds no
    Python object per client. The entries match those of ``client_added`` and
    ``client_removed``. Returns the number of entries written.
    """
    if action not in (Action.CLIENT_ADDED, Action.CLIENT_REMOVED):
        raise ValueError(f"not a client action: {action}")
    origin = origin_of(source)
    values = {
        "created_at": timezone.now(),
        "firm_id": portfolio.firm_id,
        "actor_id": origin.actor_id,
        "actor_email": origin.actor_email[:EMAIL_MAX_LENGTH],
        "action": action.value,
        "object_kind": ObjectKind.CLIENT.value,
        "portfolio_id": portfolio.pk,
        "details": {"portfolio": portfolio.name},
        "client_address": origin.client_address,
        "request_id": origin.request_id,
    }
    columns, placeholders, prepared = [], [], []
    for name, value in values.items():
        field = JournalEntry._meta.get_field(name)
        columns.append(connection.ops.quote_name(field.column))
        # PostgreSQL types a bare parameter as text; jsonb, inet and uuid need a cast.
        if connection.vendor == "postgresql":
            placeholders.append(f"CAST(%s AS {field.db_type(connection)})")
        else:
            placeholders.append("%s")
        prepared.append(field.get_db_prep_save(value, connection))

    # Imported here: the portfolio services import this module.
    from portefeuilles.portfolios.models import FirmClient
    from portefeuilles.referential.models import UrssafAccount

    quote = connection.ops.quote_name
    account = UrssafAccount._meta
    firm_client = FirmClient._meta
    sql = (
        f"INSERT INTO {quote(JournalEntry._meta.db_table)} "  # noqa: S608
        f"({', '.join(columns)}, object_id, object_label, siret, account_number) "
        f"SELECT {', '.join(placeholders)}, CAST(fc.id AS TEXT), "
        "acc.number || ' (SIRET ' || acc.siret || ')', acc.siret, acc.number "
        f"FROM {quote(firm_client.db_table)} fc "
        f"JOIN {quote(account.db_table)} acc ON acc.id = fc.account_id "
        f"WHERE fc.id IN ({firm_client_ids_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*prepared, *params])
        return cursor.rowcount


def _subscriber_event(source, action: Action, portfolio: Portfolio, subscriber: User):
    return _write(
        source,
        action,
        firm_id=portfolio.firm_id,
        object_kind=ObjectKind.USER,
        object_id=subscriber.pk,
        object_label=subscriber.email,
        portfolio_id=portfolio.pk,
        details={"portfolio": portfolio.name},
    )


def subscriber_added(source, portfolio: Portfolio, subscriber: User) -> JournalEntry:
    return _subscriber_event(source, Action.SUBSCRIBER_ADDED, portfolio, subscriber)


def subscriber_removed(source, portfolio: Portfolio, subscriber: User) -> JournalEntry:
    return _subscriber_event(source, Action.SUBSCRIBER_REMOVED, portfolio, subscriber)


# -- Users of the firm ----------------------------------------------------------


def _user_event(source, action: Action, user: User, details=None) -> JournalEntry:
    return _write(
        source,
        action,
        firm_id=user.firm_id,
        object_kind=ObjectKind.USER,
        object_id=user.pk,
        object_label=user.email,
        details=details,
    )


def user_invited(
    source, *, firm_id: int, email: str, role: str, invitation_id=None
) -> JournalEntry:
    """Record an invitation sent to ``email`` for the profile ``role``.

    ``invitation_id`` is the invitation's primary key; the invited person has no
    user id yet.
    """
    return _write(
        source,
        Action.USER_INVITED,
        firm_id=firm_id,
        object_kind=ObjectKind.INVITATION,
        object_id=invitation_id,
        object_label=email,
        details={"email": email, "role": role},
    )


def user_profile_changed(source, user: User, old_role: str) -> JournalEntry:
    """Record a change of profile; ``user.role`` is already the new one."""
    return _user_event(
        source, Action.USER_PROFILE_CHANGED, user, {"old_role": old_role, "new_role": user.role}
    )


def user_deactivated(source, user: User) -> JournalEntry:
    return _user_event(source, Action.USER_DEACTIVATED, user)


def user_reactivated(source, user: User) -> JournalEntry:
    return _user_event(source, Action.USER_REACTIVATED, user)


# -- Imports ---------------------------------------------------------------------


def import_applied(
    source,
    *,
    firm_id: int,
    portfolio: Portfolio | None,
    kind: str,
    counts: dict[str, int],
    file_name: str = "",
    mode: str = "",
) -> JournalEntry:
    """Record an applied import: ``kind`` is what was imported ("clients" or "abonnés").

    ``counts`` maps each line status to its number of lines, for example
    ``{"added": 120, "attached": 3, "unchanged": 7, "removed": 0}``.
    """
    details = {"kind": kind, "counts": dict(counts), "file_name": file_name, "mode": mode}
    if portfolio is not None:
        return _portfolio_event(source, Action.IMPORT_APPLIED, portfolio, details)
    return _write(
        source,
        Action.IMPORT_APPLIED,
        firm_id=firm_id,
        object_kind=ObjectKind.FIRM,
        object_id=firm_id,
        details=details,
    )


# -- Logins and denied access ---------------------------------------------------


def login_succeeded(source, user: User) -> JournalEntry:
    """Record a login; ``user`` is the actor, whatever ``source`` carries as its user."""
    origin = origin_of(source)
    as_user = Origin(user.pk, user.email, user.firm_id, origin.client_address, origin.request_id)
    return _write(
        None,
        Action.LOGIN_SUCCEEDED,
        firm_id=user.firm_id,
        object_kind=ObjectKind.USER,
        object_id=user.pk,
        object_label=user.email,
        origin=as_user,
    )


def login_failed(
    source, identifier: str, user: User | None, *, locked: bool = False
) -> JournalEntry:
    """Record a failed login for the identifier typed; ``user`` is its account, if any.

    The failed attempt has no actor. The identifier is kept only when it has
    the shape of an e-mail address, so that a password typed into the wrong
    field never reaches the journal. ``locked`` marks an attempt that the
    lockout refused without checking the password or code.
    """
    try:
        validate_email(identifier)
    except ValidationError:
        identifier = ""
    origin = origin_of(source)
    anonymous = Origin(None, "", None, origin.client_address, origin.request_id)
    return _write(
        None,
        Action.LOGIN_FAILED,
        firm_id=user.firm_id if user is not None else None,
        object_kind=ObjectKind.USER,
        object_id=user.pk if user is not None else "",
        object_label=identifier,
        details={"locked": True} if locked else None,
        origin=anonymous,
    )


def access_denied(
    source: HttpRequest, *, status: int, portfolio_id: int | None = None
) -> JournalEntry:
    """Record a request refused with 403 or 404 by a permission check.

    The entry belongs to the actor's firm: the object asked for may belong to
    another firm, or not exist at all.
    """
    match = getattr(source, "resolver_match", None)
    view_name = match.view_name if match else ""
    arguments = {key: str(value) for key, value in (match.kwargs if match else {}).items()}
    return _write(
        source,
        Action.ACCESS_DENIED,
        object_kind=ObjectKind.PORTFOLIO if portfolio_id is not None else ObjectKind.PAGE,
        object_id=portfolio_id if portfolio_id is not None else view_name,
        object_label=source.path,
        portfolio_id=portfolio_id,
        details={
            "status": status,
            "method": source.method,
            "view": view_name,
            "arguments": arguments,
        },
    )
