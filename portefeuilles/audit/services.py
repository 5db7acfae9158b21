"""Reading the journal: a firm's entries, filtered, a page at a time."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from portefeuilles.accounts.models import User
from portefeuilles.portfolios.services import require_administrator
from portefeuilles.referential.identifiers import Identifier, Kind

from .models import JournalEntry, ObjectKind

PAGE_SIZE = 50
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
# ASCII digits only: str.isdigit() also accepts « ² » and other digits int() rejects.
# An id has at most 19 digits, the length of the largest 64-bit integer.
_CURSOR = re.compile(r"(-?[0-9]{1,20})-([0-9]{1,19})")
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class JournalFilters:
    """The filters of the « Journal » page; each one left as None applies no condition.

    ``start`` and ``end`` are dates in the current time zone, both included.
    """

    start: datetime.date | None = None
    end: datetime.date | None = None
    user_id: int | None = None
    action: str | None = None
    portfolio_id: int | None = None
    identifier: Identifier | None = None


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def firm_entries(user: User, filters: JournalFilters | None = None):
    """Return the entries of ``user``'s firm that match ``filters``, newest first.

    Raises PermissionDenied unless ``user`` is an administrator of a firm.
    """
    require_administrator(user)
    entries = JournalEntry.objects.filter(firm_id=user.firm_id)
    filters = filters or JournalFilters()
    if filters.start is not None:
        entries = entries.filter(created_at__gte=_start_of_day(filters.start))
    if filters.end is not None:
        entries = entries.filter(
            created_at__lt=_start_of_day(filters.end + datetime.timedelta(days=1))
        )
    if filters.user_id is not None:
        # Entries by the user, and entries about them (access given, profile changed…).
        entries = entries.filter(
            Q(actor_id=filters.user_id)
            | Q(object_kind=ObjectKind.USER, object_id=str(filters.user_id))
        )
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.portfolio_id is not None:
        entries = entries.filter(portfolio_id=filters.portfolio_id)
    if filters.identifier is not None:
        value = filters.identifier.value
        if filters.identifier.kind == Kind.SIREN:
            entries = entries.filter(siret__startswith=value)
        elif filters.identifier.kind == Kind.SIRET:
            entries = entries.filter(siret=value)
        else:
            entries = entries.filter(account_number=value)
    return entries.newest_first()


# -- Keyset pagination ------------------------------------------------------------


def encode_cursor(entry: JournalEntry) -> str:
    """Return the position of ``entry`` as ``<microseconds since 1970>-<id>``, URL-safe."""
    microseconds = (entry.created_at - _EPOCH) // datetime.timedelta(microseconds=1)
    return f"{microseconds}-{entry.pk}"


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    """Return the (created_at, id) of a cursor, or None when it is not one."""
    match = _CURSOR.fullmatch(cursor or "")
    if match is None or int(match[2]) > _MAX_ID:
        return None
    try:
        created_at = _EPOCH + datetime.timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return created_at, int(match[2])


@dataclass
class JournalPage:
    entries: list[JournalEntry]
    has_older: bool
    has_newer: bool

    @property
    def older_cursor(self) -> str:
        return encode_cursor(self.entries[-1]) if self.entries else ""

    @property
    def newer_cursor(self) -> str:
        return encode_cursor(self.entries[0]) if self.entries else ""


def journal_page(entries, *, older_than: str = "", newer_than: str = "", size: int = PAGE_SIZE):
    """Return the page of ``entries`` after the cursor ``older_than`` or before ``newer_than``.

    Keyset pagination on (created_at, id), newest first: every page costs one
    indexed range query, and entries written meanwhile shift no row between
    pages. An invalid cursor gives the first page.
    """
    older = decode_cursor(older_than)
    newer = decode_cursor(newer_than) if older is None else None
    if newer is not None:
        moment, entry_id = newer
        chunk = list(
            entries.filter(
                Q(created_at__gt=moment) | Q(created_at=moment, id__gt=entry_id)
            ).order_by("created_at", "id")[: size + 1]
        )
        page = list(reversed(chunk[:size]))
        has_newer = len(chunk) > size
        has_older = True
    elif older is not None:
        moment, entry_id = older
        chunk = list(
            entries.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=entry_id))[
                : size + 1
            ]
        )
        page = chunk[:size]
        has_older = len(chunk) > size
        has_newer = True
    else:
        chunk = list(entries[: size + 1])
        page = chunk[:size]
        has_older = len(chunk) > size
        has_newer = False
    if not page and (older or newer):
        return journal_page(entries, size=size)
    return JournalPage(entries=page, has_older=has_older, has_newer=has_newer)
