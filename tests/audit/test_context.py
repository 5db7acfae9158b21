"""Client address behind proxies, and the request id that the server assigns."""

import uuid

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portefeuilles.audit.context import client_address


def request_with(remote_addr="10.0.0.1", forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "expected"),
    [
        # No trusted proxy: the forwarded header is the client's own claim.
        (0, "198.51.100.9", "203.0.113.1", "198.51.100.9"),
        (0, "2001:db8::1", None, "2001:db8::1"),
        # One proxy appends the address it saw: the last value.
        (1, "10.0.0.1", "203.0.113.1", "203.0.113.1"),
        (1, "10.0.0.1", "6.6.6.6, 203.0.113.1", "203.0.113.1"),
        # Two proxies: the second value from the right, whatever the client prepended.
        (2, "10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.1", "203.0.113.1"),
        (2, "10.0.0.2", " 203.0.113.1 ,10.0.0.1", "203.0.113.1"),
        # Fewer values than proxies: the request skipped a proxy, so REMOTE_ADDR.
        (2, "10.0.0.2", "203.0.113.1", "10.0.0.2"),
        (1, "10.0.0.1", None, "10.0.0.1"),
        # Not an address at all.
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (0, "", None, None),
    ],
)
def test_client_address(settings, proxies, remote_addr, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_address(request_with(remote_addr, forwarded)) == expected


@pytest.mark.django_db
def test_response_has_request_id(client):
    response = client.get(reverse("accounts:login"))

    assert uuid.UUID(response["X-Request-ID"]).version == 4


@pytest.mark.django_db
def test_request_id_ignores_client_header(client):
    chosen = "11111111-1111-4111-8111-111111111111"

    first = client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID=chosen)
    second = client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID=chosen)

    assert first["X-Request-ID"] != chosen
    assert first["X-Request-ID"] != second["X-Request-ID"]
