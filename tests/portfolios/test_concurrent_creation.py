"""Two simultaneous creations of one name, on PostgreSQL: the unique constraint lets
one through and the other gets the French message, never a server error.

Each thread has its own database connection, so these tests need committed data
(``transactional_db``) and close their connections before the threads end.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import Portfolio
from portefeuilles.portfolios.services import PortfolioError
from tests import factories
from tests.concurrency import in_thread, lock_waiters, wait_for_lock_waiter

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's row locks on a unique index"
    ),
]


@pytest.fixture
def cast(transactional_db):
    firm = factories.FirmFactory()
    return {"admin": factories.AdministratorFactory(firm=firm), "firm": firm}


def test_insert_blocked_by_uncommitted_twin(cast):
    """The loser passes the name check, then waits on the winner's uncommitted row."""
    inserted = threading.Event()
    release = threading.Event()

    def winner():
        with transaction.atomic():
            Portfolio.objects.create(firm=cast["firm"], name="Clients Île-de-France")
            inserted.set()
            release.wait()

    winner_thread, winner_outcome = in_thread(winner)
    inserted.wait()
    loser_thread, loser_outcome = in_thread(
        lambda: services.create_portfolio(cast["admin"], "clients ile-de-france")
    )
    wait_for_lock_waiter(loser_thread)
    waited = lock_waiters() == 1
    release.set()
    winner_thread.join()
    loser_thread.join()

    assert waited
    assert "error" not in winner_outcome
    assert isinstance(loser_outcome.get("error"), PortfolioError)
    assert "existe déjà dans votre entreprise" in str(loser_outcome["error"])
    assert Portfolio.objects.count() == 1


def test_two_requests_one_portfolio(cast):
    """Two administrators' browsers post the same name at once."""
    url = reverse("portfolios:create")
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(cast["admin"])
    start = threading.Barrier(2)

    def post(client, name):
        def send():
            start.wait()
            return client.post(url, {"name": name})

        return send

    runs = [
        in_thread(post(clients[0], "Clients Nord")),
        in_thread(post(clients[1], "CLIENTS NORD")),
    ]
    for thread, _outcome in runs:
        thread.join()

    responses = [outcome["value"] for _thread, outcome in runs]
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 302]
    [refused] = [response for response in responses if response.status_code == 200]
    assert "existe déjà dans votre entreprise" in refused.content.decode()
    assert Portfolio.objects.filter(firm=cast["firm"]).count() == 1
