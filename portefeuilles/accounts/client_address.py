"""The client address of a request, as counted by the lockout and shown in « Mes sessions »."""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """Return the address of the client that sent ``request``.

    With ``TRUSTED_PROXY_COUNT`` = N > 0, each of the N proxies appends the
    address it received the request from to X-Forwarded-For, so the Nth value
    from the right is the one our outermost proxy saw. Values further left are
    written by the client and can be forged, so the first value is never used
    unless it is also the Nth from the right. A header with fewer than N values
    did not cross every proxy, and REMOTE_ADDR is used instead.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count <= 0:
        return remote_addr
    values = [v for v in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if v.strip()]
    if len(values) < proxy_count:
        return remote_addr
    return _valid_ip(values[-proxy_count]) or remote_addr
