"""« Mes sessions »: one ``UserSession`` row per logged-in session, and the timeouts.

Rows are created by the ``user_logged_in`` signal and deleted on logout. Deleting
a row ends its session: ``UserSessionMiddleware`` logs out any authenticated
request whose row is missing or past a timeout. Rows are found by a digest of
the session key, so the key never leaves Django's session store.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .client_address import client_address
from .models import UserSession

logger = logging.getLogger(__name__)

# last_activity is written at most once per this many seconds, so a busy
# session costs one UPDATE a minute, not one per request. The idle timeout can
# therefore end a session up to this much early, never late.
ACTIVITY_WRITE_INTERVAL = 60


def key_digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def prune_expired(user) -> None:
    """Delete the rows of ``user``'s sessions that timed out without a further request."""
    now = timezone.now()
    UserSession.objects.filter(user=user).filter(
        models.Q(last_activity__lt=now - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT))
        | models.Q(created_at__lt=now - timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT))
    ).delete()


def start_session(request, user) -> UserSession:
    """Record the session that ``request`` has just logged ``user`` into."""
    prune_expired(user)
    now = timezone.now()
    row, _ = UserSession.objects.update_or_create(
        key_digest=key_digest(request.session.session_key),
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": client_address(request),
            "created_at": now,
            "last_activity": now,
        },
    )
    return row


def current_row(request) -> UserSession | None:
    key = request.session.session_key
    if not key:
        return None
    return UserSession.objects.filter(key_digest=key_digest(key), user_id=request.user.pk).first()


def is_expired(row: UserSession) -> bool:
    now = timezone.now()
    idle = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    absolute = timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)
    return now - row.last_activity > idle or now - row.created_at > absolute


def touch(request, row: UserSession) -> None:
    """Move ``last_activity`` to now, at most once per ``ACTIVITY_WRITE_INTERVAL``."""
    now = timezone.now()
    if (now - row.last_activity).total_seconds() < ACTIVITY_WRITE_INTERVAL:
        return
    UserSession.objects.filter(pk=row.pk).update(
        last_activity=now, ip_address=client_address(request)
    )


def rekey(old_key_digest: str, request) -> None:
    """Follow the session to its new key after ``cycle_key()`` (password change)."""
    UserSession.objects.filter(key_digest=old_key_digest).update(
        key_digest=key_digest(request.session.session_key)
    )


def end_session(request) -> None:
    key = request.session.session_key
    if key:
        UserSession.objects.filter(key_digest=key_digest(key)).delete()


def end_all_sessions(user, keep_request=None) -> int:
    """End every session of ``user`` (but the one of ``keep_request``); return how many."""
    rows = UserSession.objects.filter(user=user)
    if keep_request is not None and keep_request.session.session_key:
        rows = rows.exclude(key_digest=key_digest(keep_request.session.session_key))
    count, _ = rows.delete()
    if count:
        logger.info("sessions ended user=%s count=%s", user.pk, count)
    return count


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def describe_user_agent(user_agent: str) -> str:
    """Return « Firefox sur Linux »-style text for a User-Agent header, or an empty string."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system
