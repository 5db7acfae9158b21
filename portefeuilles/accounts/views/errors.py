from django.http import HttpResponseForbidden
from django.template import loader

# Set on a CSRF failure, so the page script can distinguish an expired page from a missing
# administrator profile, both 403.
CSRF_FAILURE_HEADER = "X-Portefeuilles-Error"


def csrf_failure(request, reason=""):
    """Render « Page expirée » when a form's CSRF token is missing or stale.

    This happens when the user logged in again elsewhere since the page was
    loaded, which rotates the token, or when the browser blocks cookies.
    """
    response = HttpResponseForbidden(loader.render_to_string("403_csrf.html"))
    response[CSRF_FAILURE_HEADER] = "csrf"
    return response
