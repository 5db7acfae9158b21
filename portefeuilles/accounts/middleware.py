from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
