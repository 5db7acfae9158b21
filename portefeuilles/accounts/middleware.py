import logging
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import reauth, user_sessions

logger = logging.getLogger(__name__)


class UserSessionMiddleware:
    """Log out a session that was ended from « Mes sessions » or that timed out.

    An authenticated request is logged out before the view runs when its
    ``UserSession`` row is missing or past the idle or absolute timeout. A row
    goes missing when the user, an administrator, a deactivation or a password
    reset ends the session. ``LoginRequiredMiddleware`` then redirects to the
    login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            row = user_sessions.current_row(request)
            if row is None or user_sessions.is_expired(row):
                return self._end(request, expired=row is not None) or self.get_response(request)
            user_sessions.touch(request, row)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, reauth.ReauthenticationRequired):
            return reauth.reauthentication_redirect(request)
        return None

    def _end(self, request, expired: bool):
        logger.info("session ended user=%s expired=%s", request.user.pk, expired)
        logout(request)
        if expired:
            messages.info(
                request,
                _(
                    "Votre session a expiré (inactivité ou durée maximale atteinte). "
                    "Reconnectez-vous."
                ),
            )
        else:
            messages.info(request, _("Votre session a été fermée. Reconnectez-vous."))
        if request.headers.get("HX-Request"):
            # htmx would swap the login page into the dialog; make it navigate instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = resolve_url("accounts:login")
            return response
        return None


class PageLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Deny-by-default login that brings the user back to the page they were on.

    Django's middleware sends the address of the request itself as ``next``. For
    a form's POST, that address accepts no GET after login (405, a blank page).
    For htmx, the redirect is followed inside the request and the login page is
    swapped into the dialog, which then shows nothing. Both now go to the login
    page with the page the user saw as ``next``, htmx through HX-Redirect.
    """

    def handle_no_permission(self, request, view_func):
        if request.method in ("GET", "HEAD") and not request.htmx:
            return super().handle_no_permission(request, view_func)

        if request.htmx:
            page = request.htmx.current_url_abs_path
        else:
            page = _same_origin_path(request, request.headers.get("Referer"))
        login_url = resolve_url(self.get_login_url(view_func))
        if page:
            login_url += "?" + urlencode({self.get_redirect_field_name(view_func): page})
        if request.htmx:
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)


def _same_origin_path(request, url: str | None) -> str | None:
    """Return the path and query of ``url`` when it points to this site, else None."""
    if not url:
        return None
    split = urlsplit(url)
    if split.scheme != request.scheme or split.netloc != request.get_host():
        return None
    return urlunsplit(split._replace(scheme="", netloc="", fragment=""))
