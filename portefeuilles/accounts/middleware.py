import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

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
