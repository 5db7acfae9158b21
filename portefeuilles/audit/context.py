"""Request origin: the client address and the id that the server gives each request.

``RequestIdMiddleware`` stores both for the duration of each request, so that
services which only receive the acting user still journal them.
"""

import ipaddress
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    request_id: uuid.UUID
    client_address: str | None


_current: ContextVar[RequestContext | None] = ContextVar("portefeuilles_request", default=None)


def current_request_context() -> RequestContext | None:
    """Return the context of the request being served, or None outside a request."""
    return _current.get()


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """Return the address of the client that sent ``request``, or None when unknown.

    Without trusted proxies (``settings.TRUSTED_PROXY_COUNT`` is 0, the default),
    this is ``REMOTE_ADDR``. Behind N trusted proxies, each proxy appends the
    address it received the request from to ``X-Forwarded-For``, so the client is
    the Nth value from the right. Values further left are written by the client
    and can be forged, so the first value is never used unless it is also the Nth
    from the right. When the header has fewer than N values, or its Nth value is
    not an address, the request did not come through every proxy and
    ``REMOTE_ADDR`` is used. The login lockout applies the same rule.
    """
    remote_address = _valid_address(request.META.get("REMOTE_ADDR", ""))
    proxy_count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxy_count <= 0:
        return remote_address
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [value.strip() for value in header.split(",") if value.strip()]
    if len(forwarded) < proxy_count:
        return remote_address
    return _valid_address(forwarded[-proxy_count]) or remote_address


class RequestIdMiddleware:
    """Give every request a fresh UUID, as ``request.request_id`` and ``X-Request-ID``.

    The id never comes from the client: an incoming ``X-Request-ID`` header is
    ignored, so a client cannot make two requests share an id in the journal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4()
        token = _current.set(RequestContext(request.request_id, client_address(request)))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = str(request.request_id)
        return response
