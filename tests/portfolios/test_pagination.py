"""The portfolio's clients, 50 a page, with keyset pagination on the account number."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portefeuilles.portfolios import services
from tests import factories
from tests.portfolios.helpers import account_number, bulk_clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_portfolio(portfolio, settings):
    assert settings.PORTFOLIO_CLIENTS_PAGE_SIZE == 50
    bulk_clients(portfolio, 120)
    return portfolio


def numbers(page):
    return [row.account.number for row in page.rows]


def expected(first, last):
    return [account_number(index) for index in range(first, last + 1)]


def test_walk_forward_and_back(full_portfolio):
    first = services.clients_page(full_portfolio)
    second = services.clients_page(full_portfolio, after=first.after)
    third = services.clients_page(full_portfolio, after=second.after)
    back_to_second = services.clients_page(full_portfolio, before=third.before)
    back_to_first = services.clients_page(full_portfolio, before=back_to_second.before)

    assert numbers(first) == expected(0, 49)
    assert (first.has_previous, first.has_next) == (False, True)
    assert numbers(second) == expected(50, 99)
    assert (second.has_previous, second.has_next) == (True, True)
    assert numbers(third) == expected(100, 119)
    assert (third.has_previous, third.has_next) == (True, False)
    assert numbers(back_to_second) == expected(50, 99)
    assert (back_to_second.has_previous, back_to_second.has_next) == (True, True)
    assert numbers(back_to_first) == expected(0, 49)
    assert (back_to_first.has_previous, back_to_first.has_next) == (False, True)


def test_exact_page_boundary(portfolio):
    bulk_clients(portfolio, 100)

    first = services.clients_page(portfolio)
    second = services.clients_page(portfolio, after=first.after)

    assert first.has_next
    assert numbers(second) == expected(50, 99)
    assert not second.has_next


def test_page_query_uses_no_offset(full_portfolio):
    with CaptureQueriesContext(connection) as queries:
        services.clients_page(full_portfolio, after=account_number(49))

    sql = " ".join(query["sql"] for query in queries.captured_queries).upper()
    assert "OFFSET" not in sql
    assert account_number(49) in sql


def test_client_added_meanwhile_shifts_nothing(full_portfolio):
    first = services.clients_page(full_portfolio)
    # A client that sorts before every other, added after the first page was read:
    # an offset would show the first page's last row again on the second page.
    factories.PortfolioClientFactory(
        portfolio=full_portfolio, firm_client__account__number="749999999999999999"
    )
    second = services.clients_page(full_portfolio, after=first.after)

    assert numbers(second)[0] == account_number(50)


@pytest.mark.parametrize("cursor", ["", "abc", "123", "1" * 19])
def test_invalid_cursor_gives_first_page(full_portfolio, cursor):
    page = services.clients_page(full_portfolio, after=cursor, before=cursor)

    assert numbers(page) == expected(0, 49)


def test_cursor_past_end_gives_first_page(full_portfolio):
    page = services.clients_page(full_portfolio, after="999999999999999999")

    assert numbers(page) == expected(0, 49)


def test_filter_by_siren(portfolio):
    siren = factories.siren_for(700_000)
    bulk_clients(portfolio, 60, siren=siren)
    bulk_clients(portfolio, 5, start=60)

    search = services.parse_search(siren, "")
    first = services.clients_page(portfolio, search)
    second = services.clients_page(portfolio, search, after=first.after)

    assert len(first.rows) == 50
    assert numbers(second) == expected(50, 59)
    assert not second.has_next


def test_dialog_links_carry_cursors(client_for, admin, full_portfolio):
    client = client_for(admin)
    url = reverse("portfolios:detail", args=[full_portfolio.pk])

    first = client.get(url, {"retour": "gestion"}).content.decode()
    second = client.get(url, {"retour": "gestion", "after": account_number(49)}).content.decode()

    assert f'href="{url}?after={account_number(49)}&amp;retour=gestion"' in first
    assert "Précédent" not in first
    assert f'id="client-{account_number(49)}"' not in second
    assert f'id="client-{account_number(50)}"' in second
    assert f"before={account_number(50)}" in second
    assert f"after={account_number(99)}" in second
    assert len(re.findall(r'id="client-750', second)) == 50
