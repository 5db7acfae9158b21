"""Brute-force lockout of the login form.

After ``LOGIN_FAILURE_LIMIT_PER_USERNAME`` (5) failed logins for one identifiant,
or ``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` (20) from one client address, within
``LOGIN_FAILURE_WINDOW`` (15 minutes), every attempt for that identifiant or
from that address is refused for ``LOGIN_LOCKOUT_DURATION`` (15 minutes).

A small table rather than django-axes: axes counts one combination of
parameters against one limit, while this rule needs two independent limits
(per identifiant and per address). Refused attempts are not recorded, so a
lockout ends on time instead of being extended by the attempts it refuses.
The identifiant is counted whether or not an account has it, so the response
never reveals whether the account exists.
"""

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginAttempt

logger = logging.getLogger(__name__)


def username_digest(username: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, username.strip().lower().encode(), hashlib.sha256).hexdigest()


def _end_of_lockout(times: list[datetime], limit: int) -> datetime | None:
    """Return when the latest run of ``limit`` failures within the window stops locking."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    duration = timedelta(seconds=settings.LOGIN_LOCKOUT_DURATION)
    times = sorted(times)
    end = None
    for first, last in zip(times, times[limit - 1 :], strict=False):
        if last - first <= window:
            end = last + duration
    return end


def locked_until(username: str, address: str) -> datetime | None:
    """Return the time until which logins for ``username`` or from ``address`` are refused."""
    now = timezone.now()
    horizon = now - timedelta(
        seconds=settings.LOGIN_FAILURE_WINDOW + settings.LOGIN_LOCKOUT_DURATION
    )
    recent = LoginAttempt.objects.filter(attempted_at__gt=horizon)
    by_username = list(
        recent.filter(username_digest=username_digest(username)).values_list(
            "attempted_at", flat=True
        )
    )
    by_address = list(recent.filter(ip_address=address).values_list("attempted_at", flat=True))
    ends = [
        end
        for end in (
            _end_of_lockout(by_username, settings.LOGIN_FAILURE_LIMIT_PER_USERNAME),
            _end_of_lockout(by_address, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
        )
        if end is not None and end > now
    ]
    return max(ends) if ends else None


def record_failure(username: str, address: str) -> None:
    """Store one failed login and prune the rows that no rule looks at any more."""
    now = timezone.now()
    horizon = now - timedelta(
        seconds=settings.LOGIN_FAILURE_WINDOW + settings.LOGIN_LOCKOUT_DURATION
    )
    LoginAttempt.objects.filter(attempted_at__lte=horizon).delete()
    LoginAttempt.objects.create(
        username_digest=username_digest(username), ip_address=address, attempted_at=now
    )
    logger.info("login failed address=%s", address)


def signal_failure(request, username: str, *, locked: bool = False) -> None:
    """Send ``user_login_failed`` for a failure that ``authenticate()`` did not see.

    The journal records the signal. Use it for a wrong second-factor code, a
    wrong current password on « Changer le mot de passe », and an attempt that
    the lockout refused without checking it (``locked``).
    """
    user_login_failed.send(
        sender=__name__, credentials={"username": username}, request=request, locked=locked
    )


def clear_failures(username: str) -> None:
    """Forget the identifiant's failures once its owner has logged in."""
    LoginAttempt.objects.filter(username_digest=username_digest(username)).delete()


def lockout_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return _(
        "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est "
        "bloquée pendant %(minutes)s minutes : réessayez à partir de %(time)s."
    ) % {"minutes": settings.LOGIN_LOCKOUT_DURATION // 60, "time": local.strftime("%H h %M")}
