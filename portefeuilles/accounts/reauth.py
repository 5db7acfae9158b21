"""Re-authentication before sensitive actions.

Résilier a portfolio, change a profile, deactivate a user, reset a second
factor or change one's own: each needs the password, and the second factor when
enrolled, entered within ``REAUTHENTICATION_MAX_AGE`` seconds (10 minutes). The
login itself counts.
"""

import functools
import time

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

SESSION_KEY = "accounts_authenticated_at"


def mark_authenticated(request) -> None:
    """Record that the user has just proved their identity (login or confirmation)."""
    request.session[SESSION_KEY] = time.time()


def is_recent(request) -> bool:
    authenticated_at = request.session.get(SESSION_KEY)
    if authenticated_at is None:
        return False
    return time.time() - authenticated_at <= settings.REAUTHENTICATION_MAX_AGE


def safe_next_url(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _return_url(request) -> str:
    """Return where to come back to once confirmed.

    A GET comes back to itself. A POST cannot be replayed, so it comes back to
    the page that sent it (htmx's HX-Current-URL, else Referer), where the user
    submits again.
    """
    if request.method == "GET":
        return request.get_full_path()
    for header in ("HTTP_HX_CURRENT_URL", "HTTP_REFERER"):
        url = safe_next_url(request, request.META.get(header))
        if url:
            return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def reauthentication_redirect(request) -> HttpResponse:
    """Send the user to « Confirmer votre identité », then back; htmx gets HX-Redirect."""
    url = f"{reverse('accounts:reauthenticate')}?{urlencode({'next': _return_url(request)})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class ReauthenticationRequired(Exception):
    """Raised by ``check_recent_authentication``; ``UserSessionMiddleware`` turns it into
    the redirect to « Confirmer votre identité »."""


def check_recent_authentication(request) -> None:
    """Raise ReauthenticationRequired unless the user confirmed their identity recently.

    Call it after the access checks, so that outsiders still get 404 and
    collaborators 403 rather than a confirmation page.
    """
    if not is_recent(request):
        raise ReauthenticationRequired


def require_recent_authentication(view):
    """Decorate a view so that it runs only after a recent password (and code) entry.

    The check runs before the view's own access checks; use
    ``check_recent_authentication`` inside the view to run it after them.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not is_recent(request):
            return reauthentication_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper
