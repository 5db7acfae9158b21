import pytest
from django.test import RequestFactory, override_settings

from portefeuilles.accounts.client_address import client_address


def request_with(remote_addr="10.0.0.5", forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_no_proxy_ignores_forwarded_header():
    assert client_address(request_with(forwarded="203.0.113.1")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("proxy_count", "forwarded", "expected"),
    [
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "6.6.6.6, 203.0.113.1", "203.0.113.1"),
        (2, "6.6.6.6, 203.0.113.1, 10.1.1.1", "203.0.113.1"),
        (2, "203.0.113.1, 10.1.1.1", "203.0.113.1"),
        (1, " 203.0.113.1 ", "203.0.113.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_trusted_proxies_take_nth_from_right(proxy_count, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxy_count):
        assert client_address(request_with(forwarded=forwarded)) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_first_forwarded_value_is_never_trusted():
    address = client_address(request_with(forwarded="6.6.6.6, 203.0.113.1"))
    assert address != "6.6.6.6"


@pytest.mark.parametrize("forwarded", [None, "", "203.0.113.1", "pas-une-adresse, 10.1.1.1"])
def test_short_header_uses_remote_addr(forwarded):
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_address(request_with(forwarded=forwarded)) == "10.0.0.5"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_invalid_forwarded_value_falls_back_to_remote_addr():
    assert client_address(request_with(forwarded="pas-une-adresse")) == "10.0.0.5"
