"""Journal every request that a permission check refuses with 403 or 404."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import journal

logger = logging.getLogger(__name__)

# URL arguments that carry a portfolio id. The portfolio screens name it ``pk``
# inside the ``portfolios`` namespace; other apps call it ``portfolio_id``.
PORTFOLIO_ARGUMENT = "portfolio_id"
PORTFOLIO_NAMESPACE_ARGUMENT = ("portfolios", "pk")
# JournalEntry.portfolio_id is a 64-bit integer column. A larger id typed in a URL
# is kept only as text, in the entry's details.
MAX_PORTFOLIO_ID = 2**63 - 1


def _portfolio_id(request) -> int | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    value = match.kwargs.get(PORTFOLIO_ARGUMENT)
    namespace, argument = PORTFOLIO_NAMESPACE_ARGUMENT
    if value is None and match.namespace == namespace:
        value = match.kwargs.get(argument)
    try:
        portfolio_id = int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    if portfolio_id is not None and not 0 <= portfolio_id <= MAX_PORTFOLIO_ID:
        return None
    return portfolio_id


class DeniedAccessJournalMiddleware:
    """Write an ``access_denied`` entry when a view raises PermissionDenied or Http404.

    The access helpers (``get_portfolio_for_user``, ``require_administrator``)
    raise these exceptions, so every view that goes through them is covered,
    including views written after this middleware. Only signed-in users are
    journaled: anonymous requests never reach a firm's views, because the
    login-required middleware redirects them first. A 404 for an unknown URL
    is raised before any view runs and is not journaled.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied | Http404):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        status = 403 if isinstance(exception, PermissionDenied) else 404
        journal.access_denied(request, status=status, portfolio_id=_portfolio_id(request))
        logger.info(
            "access denied status=%s user=%s view=%s",
            status,
            user.pk,
            request.resolver_match.view_name if request.resolver_match else "",
        )
        return None
