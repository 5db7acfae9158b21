"""Résilier, then restore: the same portfolio, clients and abonnés; name conflicts; purges."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portefeuilles.audit import restore
from portefeuilles.audit.models import Action, JournalEntry
from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import (
    FirmClient,
    Portfolio,
    PortfolioClient,
    PortfolioSubscription,
)
from tests import factories

pytestmark = pytest.mark.django_db

TERMINATED_LIST = reverse("audit:terminated")
MOMENT = datetime.datetime(2025, 6, 2, 8, 0, tzinfo=datetime.UTC)


def restore_url(portfolio):
    return reverse("audit:restore", args=[portfolio.pk])


def restored_url(portfolio):
    return reverse("audit:restored", args=[portfolio.pk])


def contents(portfolio):
    """Return the portfolio's client ids and abonné ids, as sets."""
    clients = set(
        PortfolioClient.objects.filter(portfolio=portfolio).values_list("firm_client_id", flat=True)
    )
    subscribers = set(
        PortfolioSubscription.objects.filter(portfolio=portfolio).values_list("user_id", flat=True)
    )
    return clients, subscribers


@pytest.fixture
def filled(firm, portfolio, subscriber):
    """``portfolio`` with three clients and two abonnés."""
    for _ in range(3):
        factories.PortfolioClientFactory(portfolio=portfolio)
    second = factories.UserFactory(firm=firm, email="second@dupont.example")
    factories.PortfolioSubscriptionFactory(portfolio=portfolio, user=second)
    return portfolio


@pytest.fixture
def terminated(admin, filled):
    with time_machine.travel(MOMENT, tick=False):
        services.terminate_portfolio(admin, filled)
    filled.refresh_from_db()
    return filled


@pytest.fixture
def in_delay():
    """Freeze the clock ten days after the résiliation."""
    with time_machine.travel(MOMENT + datetime.timedelta(days=10), tick=False):
        yield


# -- Résilier -------------------------------------------------------------------------


def test_terminate_keeps_rows(admin, filled):
    before = contents(filled)

    assert services.terminate_portfolio(admin, filled) == 3

    filled.refresh_from_db()
    assert filled.terminated_at is not None
    assert not Portfolio.objects.active().filter(pk=filled.pk).exists()
    assert contents(filled) == before


def test_terminated_leaves_every_view(client_for, terminated, subscriber, admin):
    subscriber_client = client_for(subscriber)

    assert (
        subscriber_client.get(reverse("portfolios:detail", args=[terminated.pk])).status_code == 404
    )
    assert terminated.name not in subscriber_client.get(reverse("home")).content.decode()
    admin_client = client_for(admin)
    assert terminated.name not in admin_client.get(reverse("portfolios:manage")).content.decode()


def test_terminate_twice_404(admin, terminated):
    with pytest.raises(services.Http404):
        services.terminate_portfolio(admin, terminated)


def test_terminated_name_free_for_new_portfolio(admin, terminated):
    created = services.create_portfolio(admin, "CLIENTS ILE-DE-FRANCE")

    assert created.pk != terminated.pk


def test_confirmation_mentions_restore_delay(client_for, admin, portfolio):
    response = client_for(admin).get(reverse("portfolios:terminate", args=[portfolio.pk]))

    content = response.content.decode()
    assert "Pendant 30 jours, vous pourrez restaurer le portefeuille" in content
    assert "définitive" not in content


def test_terminate_message_gives_deadline(client_for, admin, portfolio):
    with time_machine.travel(MOMENT, tick=False):
        response = client_for(admin).post(
            reverse("portfolios:terminate", args=[portfolio.pk]), follow=True
        )

    assert "jusqu&#x27;au 02/07/2025" in response.content.decode()


# -- Restore ---------------------------------------------------------------------------


def test_restore_gives_back_everything(admin, filled, journal_watch):
    before = contents(filled)
    with time_machine.travel(MOMENT, tick=False):
        services.terminate_portfolio(admin, filled)
    journal_watch.mark()

    with time_machine.travel(MOMENT + datetime.timedelta(days=29), tick=False):
        plan = restore.restore_portfolio(admin, filled.pk)

    filled.refresh_from_db()
    assert filled.terminated_at is None
    assert filled.name == "Clients Île-de-France"
    assert contents(filled) == before
    assert plan.clients == 3
    assert plan.subscribers == 2
    assert plan.left_out_clients == []
    assert plan.left_out_subscribers == []
    entry = journal_watch.only()
    assert entry.action == Action.PORTFOLIO_RESTORED
    assert entry.portfolio_id == filled.pk
    assert entry.details == {
        "clients": 3,
        "subscribers": 2,
        "left_out_clients": [],
        "left_out_subscribers": [],
    }


def test_restore_through_pages(client_for, admin, subscriber, terminated, in_delay):
    before = contents(terminated)
    admin_client = client_for(admin)

    listing = admin_client.get(TERMINATED_LIST).content.decode()
    assert "Clients Île-de-France" in listing
    assert "12/06/2025" not in listing  # The deadline, not the current day.
    assert "02/07/2025" in listing
    confirm = admin_client.get(restore_url(terminated)).content.decode()
    assert "3 clients" in confirm
    assert "2 abonnés" in confirm
    response = admin_client.post(restore_url(terminated))

    assert response.status_code == 302
    assert response["Location"] == restored_url(terminated)
    result = admin_client.get(response["Location"]).content.decode()
    assert "Le portefeuille « Clients Île-de-France » est restauré." in result
    assert contents(terminated) == before
    assert (
        client_for(subscriber).get(reverse("portfolios:detail", args=[terminated.pk])).status_code
        == 200
    )


def test_restore_leaves_out_detached_and_deactivated(admin, terminated, in_delay):
    detached = PortfolioClient.objects.filter(portfolio=terminated).first().firm_client
    detached_number = detached.account.number
    detached.delete()
    deactivated = terminated.subscribers.get(email="second@dupont.example")
    deactivated.is_active = False
    deactivated.save()

    plan = restore.restore_portfolio(admin, terminated.pk)

    assert plan.clients == 2
    assert [client["account_number"] for client in plan.left_out_clients] == [detached_number]
    assert plan.left_out_subscribers == [{"id": deactivated.pk, "email": deactivated.email}]
    assert not PortfolioSubscription.objects.filter(user=deactivated).exists()
    assert PortfolioSubscription.objects.filter(portfolio=terminated).count() == 1


def test_result_page_lists_left_out(client_for, admin, terminated, in_delay):
    detached = PortfolioClient.objects.filter(portfolio=terminated).first().firm_client
    number = detached.account.number
    detached.delete()
    deactivated = terminated.subscribers.get(email="second@dupont.example")
    deactivated.is_active = False
    deactivated.save()
    admin_client = client_for(admin)

    confirm = admin_client.get(restore_url(terminated)).content.decode()
    admin_client.post(restore_url(terminated))
    result = admin_client.get(restored_url(terminated)).content.decode()

    for page in (confirm, result):
        assert f"Compte {number}" in page
        assert "second@dupont.example" in page


def test_restore_lists_deleted_subscriber(admin, firm, filled, in_delay):
    leaving = factories.UserFactory(firm=firm, email="parti@dupont.example")
    factories.PortfolioSubscriptionFactory(portfolio=filled, user=leaving)
    with time_machine.travel(MOMENT, tick=False):
        services.terminate_portfolio(admin, filled)
    leaving_id = leaving.pk
    leaving.delete()

    plan = restore.restore_portfolio(admin, filled.pk)

    assert plan.left_out_subscribers == [{"id": leaving_id, "email": "parti@dupont.example"}]
    assert plan.subscribers == 2


def test_restore_keeps_subscriber_inactive_before(admin, firm, filled, in_delay):
    dormant = factories.UserFactory(firm=firm, email="dormant@dupont.example", is_active=False)
    factories.PortfolioSubscriptionFactory(portfolio=filled, user=dormant)
    with time_machine.travel(MOMENT, tick=False):
        services.terminate_portfolio(admin, filled)

    plan = restore.restore_portfolio(admin, filled.pk)

    assert plan.left_out_subscribers == []
    assert PortfolioSubscription.objects.filter(portfolio=filled, user=dormant).exists()


def test_restore_after_delay_404(client_for, admin, terminated):
    admin_client = client_for(admin)
    with time_machine.travel(MOMENT + datetime.timedelta(days=30), tick=False):
        assert admin_client.get(restore_url(terminated)).status_code == 404
        assert admin_client.post(restore_url(terminated)).status_code == 404
        assert "Clients Île-de-France" not in admin_client.get(TERMINATED_LIST).content.decode()


def test_restore_delay_from_settings(admin, terminated, settings):
    settings.TERMINATED_PORTFOLIO_RETENTION_DAYS = 60

    with time_machine.travel(MOMENT + datetime.timedelta(days=45), tick=False):
        restore.restore_portfolio(admin, terminated.pk)

    terminated.refresh_from_db()
    assert terminated.terminated_at is None


def test_restore_active_portfolio_404(client_for, admin, portfolio):
    assert client_for(admin).post(restore_url(portfolio)).status_code == 404


# -- Name conflict ------------------------------------------------------------------------


@pytest.fixture
def name_taken(admin, terminated):
    return services.create_portfolio(admin, "clients ile-de-france")


def test_conflict_asks_new_name(client_for, admin, terminated, name_taken, in_delay):
    response = client_for(admin).get(restore_url(terminated))

    content = response.content.decode()
    assert "Un portefeuille actif porte déjà le nom « Clients Île-de-France »" in content
    assert 'name="name"' in content


def test_conflict_without_name_rejected(client_for, admin, terminated, name_taken, in_delay):
    response = client_for(admin).post(restore_url(terminated))

    assert response.status_code == 200
    assert "Saisissez un nouveau nom pour le portefeuille restauré" in response.content.decode()
    terminated.refresh_from_db()
    assert terminated.terminated_at is not None


def test_conflict_with_taken_name_rejected(client_for, admin, terminated, name_taken, in_delay):
    response = client_for(admin).post(restore_url(terminated), {"name": "CLIENTS Île-de-France"})

    assert response.status_code == 200
    assert "Un portefeuille actif porte déjà le nom" in response.content.decode()
    terminated.refresh_from_db()
    assert terminated.terminated_at is not None


def test_conflict_with_invalid_name_rejected(client_for, admin, terminated, name_taken, in_delay):
    response = client_for(admin).post(restore_url(terminated), {"name": "x" * 101})

    assert "compte 101 caractères" in response.content.decode()


def test_conflict_new_name_restores(client_for, admin, terminated, name_taken, in_delay):
    before = contents(terminated)
    admin_client = client_for(admin)

    response = admin_client.post(restore_url(terminated), {"name": "  Clients IDF 2 "})

    assert response.status_code == 302
    terminated.refresh_from_db()
    assert terminated.name == "Clients IDF 2"
    assert terminated.terminated_at is None
    assert contents(terminated) == before
    entry = JournalEntry.objects.filter(action=Action.PORTFOLIO_RESTORED).get()
    assert entry.details["old_name"] == "Clients Île-de-France"
    assert entry.details["new_name"] == "Clients IDF 2"
    result = admin_client.get(response["Location"]).content.decode()
    assert "il s'appelle désormais « Clients IDF 2 »" in result


def test_name_taken_between_page_and_post(client_for, admin, terminated, in_delay):
    admin_client = client_for(admin)
    assert 'name="name"' not in admin_client.get(restore_url(terminated)).content.decode()
    services.create_portfolio(admin, "Clients Île-de-France")

    response = admin_client.post(restore_url(terminated))

    content = response.content.decode()
    assert "Un portefeuille actif porte déjà le nom" in content
    assert 'name="name"' in content


# -- Purge ------------------------------------------------------------------------------


def test_purge_terminated_respects_delay(admin, terminated, portfolio, journal_watch):
    firm_client_ids = contents(terminated)[0]
    with time_machine.travel(MOMENT + datetime.timedelta(days=30, seconds=-1), tick=False):
        assert restore.purge_terminated() == 0
    assert Portfolio.objects.filter(pk=terminated.pk).exists()

    with time_machine.travel(MOMENT + datetime.timedelta(days=30), tick=False):
        assert restore.purge_terminated() == 1

    assert not Portfolio.objects.filter(pk=terminated.pk).exists()
    assert not PortfolioClient.objects.filter(portfolio_id=terminated.pk).exists()
    assert not PortfolioSubscription.objects.filter(portfolio_id=terminated.pk).exists()
    # The accounts stay attached to the firm.
    assert FirmClient.objects.filter(pk__in=firm_client_ids).count() == 3
    entry = journal_watch.only()
    assert entry.action == Action.PORTFOLIO_PURGED
    assert entry.actor_id is None
    assert entry.details == {"clients": 3, "subscribers": 2}


def test_purge_keeps_active_portfolios(admin, firm):
    active = factories.PortfolioFactory(firm=firm, name="Actif")

    with time_machine.travel(MOMENT + datetime.timedelta(days=400), tick=False):
        assert restore.purge_terminated() == 0

    assert Portfolio.objects.filter(pk=active.pk).exists()


def test_purge_terminated_command(terminated, capsys):
    with time_machine.travel(MOMENT + datetime.timedelta(days=31), tick=False):
        call_command("purge_terminated")

    assert "Portefeuilles résiliés supprimés définitivement : 1" in capsys.readouterr().out
    assert not Portfolio.objects.filter(pk=terminated.pk).exists()


# -- Permission matrix --------------------------------------------------------------------


@pytest.mark.parametrize("cast_member", ["subscriber", "outsider_collaborator"])
def test_collaborators_forbidden(client_for, request, terminated, in_delay, cast_member):
    client = client_for(request.getfixturevalue(cast_member))

    assert client.get(TERMINATED_LIST).status_code == 403
    assert client.get(restore_url(terminated)).status_code == 403
    assert client.post(restore_url(terminated)).status_code == 403
    assert client.get(restored_url(terminated)).status_code == 403
    terminated.refresh_from_db()
    assert terminated.terminated_at is not None


def test_other_admin_not_found(client_for, other_admin, terminated, in_delay):
    client = client_for(other_admin)

    listing = client.get(TERMINATED_LIST)
    assert listing.status_code == 200
    assert "Clients Île-de-France" not in listing.content.decode()
    assert client.get(restore_url(terminated)).status_code == 404
    assert client.post(restore_url(terminated)).status_code == 404
    terminated.refresh_from_db()
    assert terminated.terminated_at is not None


def test_other_admin_cannot_see_result(client_for, admin, other_admin, terminated, in_delay):
    restore.restore_portfolio(admin, terminated.pk)

    assert client_for(other_admin).get(restored_url(terminated)).status_code == 404


def test_admin_allowed(client_for, admin, terminated, in_delay):
    client = client_for(admin)

    assert client.get(TERMINATED_LIST).status_code == 200
    assert client.get(restore_url(terminated)).status_code == 200
    assert client.post(restore_url(terminated)).status_code == 302
    assert client.get(restored_url(terminated)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [TERMINATED_LIST, reverse("audit:restore", args=[1]), reverse("audit:restored", args=[1])],
)
def test_anonymous_redirected(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_terminated_list_query_count_constant(client_for, admin, firm, in_delay):
    client = client_for(admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TERMINATED_LIST).status_code == 200
        return len(queries)

    def terminate_new(index):
        portfolio = factories.PortfolioFactory(firm=firm, name=f"Portefeuille {index}")
        factories.PortfolioClientFactory(portfolio=portfolio)
        with time_machine.travel(MOMENT, tick=False):
            services.terminate_portfolio(admin, portfolio)

    terminate_new(0)
    with_one = count()
    for index in range(1, 30):
        terminate_new(index)
    with_many = count()

    assert with_one == with_many
    # Session, user, the session's activity row, the résilié portfolios.
    assert with_many == 4


# -- History in the portfolio dialog ------------------------------------------------------


def test_dialog_shows_history_to_admin(client_for, admin, portfolio, outsider_collaborator):
    services.rename_portfolio(admin, portfolio, "Clients Rhône")
    services.add_subscriber(admin, portfolio, outsider_collaborator.pk)

    content = client_for(admin).get(reverse("portfolios:detail", args=[portfolio.pk])).content
    content = content.decode()

    assert "Historique du portefeuille" in content
    assert "« Clients Île-de-France » renommé « Clients Rhône »" in content
    assert "Abonné ajouté au portefeuille" in content


def test_dialog_hides_history_from_subscriber(client_for, admin, portfolio, subscriber):
    services.rename_portfolio(admin, portfolio, "Clients Rhône")

    response = client_for(subscriber).get(reverse("portfolios:detail", args=[portfolio.pk]))

    assert response.status_code == 200
    assert "Historique du portefeuille" not in response.content.decode()


def test_history_excludes_other_portfolios(client_for, admin, firm, portfolio):
    other = services.create_portfolio(admin, "Autre portefeuille")
    services.rename_portfolio(admin, other, "Autre nom")

    content = client_for(admin).get(reverse("portfolios:detail", args=[portfolio.pk])).content

    assert "Autre nom" not in content.decode()
