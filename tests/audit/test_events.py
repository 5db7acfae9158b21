"""Each kind of event writes exactly one journal entry, with the right fields."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from portefeuilles.accounts import services as account_services
from portefeuilles.accounts.demo import give_demo_second_factor
from portefeuilles.accounts.models import User
from portefeuilles.audit import journal
from portefeuilles.audit.models import Action, ObjectKind
from portefeuilles.portfolios import services
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def request_from(user, address="203.0.113.7"):
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    request.user = user
    request.request_id = uuid.uuid4()
    return request


def assert_actor(entry, user):
    assert entry.actor_id == user.pk
    assert entry.actor_email == user.email


# -- Portfolios, through the services -----------------------------------------------


def test_portfolio_created(admin, journal_watch):
    portfolio = services.create_portfolio(admin, "  Clients   Lyon ")

    entry = journal_watch.only()
    assert entry.action == Action.PORTFOLIO_CREATED
    assert entry.firm_id == admin.firm_id
    assert_actor(entry, admin)
    assert entry.object_kind == ObjectKind.PORTFOLIO
    assert entry.object_id == str(portfolio.pk)
    assert entry.object_label == "Clients Lyon"
    assert entry.portfolio_id == portfolio.pk
    assert entry.client_address is None
    assert entry.request_id is None


def test_portfolio_created_refused_writes_nothing(admin, portfolio, journal_watch):
    with pytest.raises(services.PortfolioError):
        services.create_portfolio(admin, "clients ile-de-france")

    assert journal_watch.new() == []


def test_portfolio_renamed(admin, portfolio, journal_watch):
    services.rename_portfolio(admin, portfolio, "Clients Rhône")

    entry = journal_watch.only()
    assert entry.action == Action.PORTFOLIO_RENAMED
    assert entry.object_label == "Clients Rhône"
    assert entry.details == {"old_name": "Clients Île-de-France", "new_name": "Clients Rhône"}
    assert entry.portfolio_id == portfolio.pk


def test_portfolio_renamed_same_name_writes_nothing(admin, portfolio, journal_watch):
    services.rename_portfolio(admin, portfolio, "Clients Île-de-France")

    assert journal_watch.new() == []


def test_portfolio_terminated(admin, portfolio, subscriber, journal_watch):
    entry_row = factories.PortfolioClientFactory(portfolio=portfolio)
    journal_watch.mark()

    assert services.terminate_portfolio(admin, portfolio) == 1

    entry = journal_watch.only()
    account = entry_row.firm_client.account
    assert entry.action == Action.PORTFOLIO_TERMINATED
    assert entry.portfolio_id == portfolio.pk
    assert_actor(entry, admin)
    assert entry.details["clients"] == 1
    assert entry.details["subscribers"] == 1
    assert entry.details["client_list"] == [
        {"id": entry_row.firm_client_id, "account_number": account.number, "siret": account.siret}
    ]
    assert entry.details["subscriber_list"] == [
        {"id": subscriber.pk, "email": subscriber.email, "active": True}
    ]


def test_client_added(admin, portfolio, firm_client, journal_watch):
    services.add_client(admin, portfolio, firm_client.account.number)

    entry = journal_watch.only()
    account = firm_client.account
    assert entry.action == Action.CLIENT_ADDED
    assert entry.object_kind == ObjectKind.CLIENT
    assert entry.object_id == str(firm_client.pk)
    assert entry.object_label == f"{account.number} (SIRET {account.siret})"
    assert entry.portfolio_id == portfolio.pk
    assert entry.siret == account.siret
    assert entry.account_number == account.number
    assert entry.details == {"portfolio": portfolio.name}


def test_client_added_twice_writes_one_entry(admin, portfolio, firm_client, journal_watch):
    services.add_client(admin, portfolio, firm_client.account.number)
    services.add_client(admin, portfolio, firm_client.account.number)

    assert len(journal_watch.new()) == 1


def test_client_added_by_subscriber(subscriber, portfolio, firm_client, journal_watch):
    services.add_client(subscriber, portfolio, firm_client.account.number)

    entry = journal_watch.only()
    assert_actor(entry, subscriber)
    assert entry.firm_id == portfolio.firm_id


def test_client_removed(admin, portfolio, firm_client, journal_watch):
    factories.PortfolioClientFactory(portfolio=portfolio, firm_client=firm_client)
    journal_watch.mark()

    assert services.remove_client(admin, portfolio, firm_client.pk)

    entry = journal_watch.only()
    assert entry.action == Action.CLIENT_REMOVED
    assert entry.account_number == firm_client.account.number
    assert entry.portfolio_id == portfolio.pk


def test_client_removed_absent_writes_nothing(admin, portfolio, firm_client, journal_watch):
    assert not services.remove_client(admin, portfolio, firm_client.pk)

    assert journal_watch.new() == []


def test_subscriber_added(admin, portfolio, outsider_collaborator, journal_watch):
    services.add_subscriber(admin, portfolio, outsider_collaborator.pk)

    entry = journal_watch.only()
    assert entry.action == Action.SUBSCRIBER_ADDED
    assert entry.object_kind == ObjectKind.USER
    assert entry.object_id == str(outsider_collaborator.pk)
    assert entry.object_label == outsider_collaborator.email
    assert entry.portfolio_id == portfolio.pk
    assert_actor(entry, admin)


def test_subscriber_removed(admin, portfolio, subscriber, journal_watch):
    assert services.remove_subscriber(admin, portfolio, subscriber.pk)

    entry = journal_watch.only()
    assert entry.action == Action.SUBSCRIBER_REMOVED
    assert entry.object_id == str(subscriber.pk)
    assert entry.object_label == subscriber.email


# -- Through a request: client address and request id --------------------------------


def test_request_gives_address_and_request_id(admin_client, journal_watch):
    response = admin_client.post(
        reverse("portfolios:create"), {"name": "Clients Lyon"}, REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code == 302
    entry = journal_watch.only()
    assert entry.action == Action.PORTFOLIO_CREATED
    assert entry.client_address == "198.51.100.4"
    assert str(entry.request_id) == response["X-Request-ID"]


# -- Users and imports: constructors for the other screens ---------------------------


def test_user_invited(admin, journal_watch):
    journal.user_invited(
        request_from(admin),
        firm_id=admin.firm_id,
        email="nouveau@dupont.example",
        role=User.Role.COLLABORATOR,
        invitation_id=7,
    )

    entry = journal_watch.only()
    assert entry.action == Action.USER_INVITED
    assert entry.firm_id == admin.firm_id
    assert entry.object_kind == ObjectKind.INVITATION
    assert entry.object_id == "7"
    assert entry.object_label == "nouveau@dupont.example"
    assert entry.details == {"email": "nouveau@dupont.example", "role": "collaborator"}
    assert entry.client_address == "203.0.113.7"
    assert entry.request_id is not None


def test_user_profile_changed(admin, outsider_collaborator, journal_watch):
    outsider_collaborator.role = User.Role.ADMINISTRATOR
    journal.user_profile_changed(request_from(admin), outsider_collaborator, "collaborator")

    entry = journal_watch.only()
    assert entry.action == Action.USER_PROFILE_CHANGED
    assert entry.object_id == str(outsider_collaborator.pk)
    assert entry.details == {"old_role": "collaborator", "new_role": "administrator"}
    assert_actor(entry, admin)


@pytest.mark.parametrize(
    ("constructor", "action"),
    [
        (journal.user_deactivated, Action.USER_DEACTIVATED),
        (journal.user_reactivated, Action.USER_REACTIVATED),
    ],
)
def test_user_activation(admin, outsider_collaborator, journal_watch, constructor, action):
    constructor(request_from(admin), outsider_collaborator)

    entry = journal_watch.only()
    assert entry.action == action
    assert entry.firm_id == outsider_collaborator.firm_id
    assert entry.object_label == outsider_collaborator.email


def test_import_applied_to_portfolio(admin, portfolio, journal_watch):
    counts = {"added": 120, "attached": 3, "unchanged": 7}
    journal.import_applied(
        request_from(admin),
        firm_id=admin.firm_id,
        portfolio=portfolio,
        kind="clients",
        counts=counts,
        file_name="export-sage.csv",
        mode="add",
    )

    entry = journal_watch.only()
    assert entry.action == Action.IMPORT_APPLIED
    assert entry.portfolio_id == portfolio.pk
    assert entry.details == {
        "kind": "clients",
        "counts": counts,
        "file_name": "export-sage.csv",
        "mode": "add",
    }


def test_import_applied_to_firm(admin, journal_watch):
    journal.import_applied(
        admin, firm_id=admin.firm_id, portfolio=None, kind="abonnés", counts={"added": 2}
    )

    entry = journal_watch.only()
    assert entry.object_kind == ObjectKind.FIRM
    assert entry.object_id == str(admin.firm_id)
    assert entry.portfolio_id is None


def test_system_origin_has_no_actor(portfolio, journal_watch):
    journal.portfolio_purged(None, portfolio, clients=0, subscribers=0)

    entry = journal_watch.only()
    assert entry.actor_id is None
    assert entry.actor_email == ""
    assert entry.firm_id == portfolio.firm_id


# -- Logins ---------------------------------------------------------------------------


def test_login_succeeded(client, subscriber, journal_watch):
    # A collaborator without a second factor is logged in by the password alone.
    response = client.post(
        reverse("accounts:login"),
        {"username": subscriber.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )

    assert response.status_code == 302
    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_SUCCEEDED
    assert_actor(entry, subscriber)
    assert entry.firm_id == subscriber.firm_id
    assert entry.object_id == str(subscriber.pk)
    assert entry.client_address == "192.0.2.10"
    assert str(entry.request_id) == response["X-Request-ID"]


def test_login_failed_known_user(client, admin, journal_watch):
    response = client.post(
        reverse("accounts:login"),
        {"username": admin.email, "password": "wrong-secret-value"},
        REMOTE_ADDR="192.0.2.11",
    )

    assert response.status_code == 200
    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.actor_id is None
    assert entry.actor_email == ""
    assert entry.firm_id == admin.firm_id
    assert entry.object_id == str(admin.pk)
    assert entry.object_label == admin.email
    assert entry.client_address == "192.0.2.11"
    assert "wrong-secret-value" not in repr(vars(entry))


def test_login_failed_second_factor(client, admin, journal_watch):
    give_demo_second_factor(admin)
    client.post(reverse("accounts:login"), {"username": admin.email, "password": TEST_PASSWORD})
    assert journal_watch.new() == []

    response = client.post(
        reverse("accounts:login_second_factor"), {"code": "000000"}, REMOTE_ADDR="192.0.2.12"
    )

    assert response.status_code == 200
    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.object_id == str(admin.pk)
    assert entry.client_address == "192.0.2.12"


def test_login_refused_by_lockout(client, admin, journal_watch):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": admin.email, "password": "x" * 12})
    journal_watch.mark()

    response = client.post(
        reverse("accounts:login"),
        {"username": admin.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.13",
    )

    assert response.status_code == 429
    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.object_id == str(admin.pk)
    assert entry.details == {"locked": True}
    assert entry.client_address == "192.0.2.13"


def test_second_factor_refused_by_lockout(client, admin, journal_watch):
    give_demo_second_factor(admin)
    client.post(reverse("accounts:login"), {"username": admin.email, "password": TEST_PASSWORD})
    for _ in range(5):
        client.post(reverse("accounts:login_second_factor"), {"code": "000000"})
    journal_watch.mark()

    response = client.post(reverse("accounts:login_second_factor"), {"code": "demo-1111"})

    assert response.status_code == 429
    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.details == {"locked": True}


def test_reauthentication_wrong_code(client_for, admin, journal_watch):
    give_demo_second_factor(admin)
    client = client_for(admin)
    journal_watch.mark()

    response = client.post(
        reverse("accounts:reauthenticate"), {"password": TEST_PASSWORD, "code": "000000"}
    )

    assert response.status_code == 200
    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.object_id == str(admin.pk)
    assert entry.details == {}


def test_login_failed_unknown_user(client, journal_watch):
    client.post(
        reverse("accounts:login"),
        {"username": "personne@nulle-part.example", "password": "wrong-secret-value"},
    )

    entry = journal_watch.only()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.firm_id is None
    assert entry.object_id == ""
    assert entry.object_label == "personne@nulle-part.example"


def test_login_failed_keeps_only_email_shapes(journal_watch):
    journal.login_failed(None, "hunter2 typed in the wrong field", None)

    entry = journal_watch.only()
    assert entry.object_label == ""


# -- Denied access --------------------------------------------------------------------


def test_access_denied_403(client_for, subscriber, journal_watch):
    client = client_for(subscriber)
    journal_watch.mark()

    response = client.get(reverse("audit:journal"))

    assert response.status_code == 403
    entry = journal_watch.only()
    assert entry.action == Action.ACCESS_DENIED
    assert entry.firm_id == subscriber.firm_id
    assert_actor(entry, subscriber)
    assert entry.object_kind == ObjectKind.PAGE
    assert entry.object_id == "audit:journal"
    assert entry.details["status"] == 403
    assert entry.details["method"] == "GET"
    assert str(entry.request_id) == response["X-Request-ID"]


def test_access_denied_404_names_portfolio(
    client_for, outsider_collaborator, portfolio, journal_watch
):
    client = client_for(outsider_collaborator)
    journal_watch.mark()

    response = client.get(reverse("portfolios:detail", args=[portfolio.pk]))

    assert response.status_code == 404
    entry = journal_watch.only()
    assert entry.object_kind == ObjectKind.PORTFOLIO
    assert entry.portfolio_id == portfolio.pk
    assert entry.details["status"] == 404
    assert entry.details["arguments"] == {"pk": str(portfolio.pk)}


@pytest.mark.parametrize(
    "url",
    [
        "/portefeuilles/99999999999999999999/",
        "/portefeuilles-resilies/99999999999999999999/restaurer/",
        "/portefeuilles-resilies/99999999999999999999/restaure/",
    ],
)
def test_access_denied_huge_portfolio_id(client_for, admin, journal_watch, url):
    client = client_for(admin)
    journal_watch.mark()

    response = client.get(url)

    assert response.status_code == 404
    entry = journal_watch.only()
    assert entry.object_kind == ObjectKind.PAGE
    assert entry.portfolio_id is None
    assert "99999999999999999999" in entry.details["arguments"].values()


def test_access_denied_other_firm_is_actor_firm(client_for, other_admin, portfolio, journal_watch):
    client = client_for(other_admin)
    journal_watch.mark()

    response = client.post(reverse("portfolios:terminate", args=[portfolio.pk]))

    assert response.status_code == 404
    entry = journal_watch.only()
    assert entry.firm_id == other_admin.firm_id
    assert entry.details["method"] == "POST"


def test_anonymous_request_writes_nothing(client, portfolio, journal_watch):
    response = client.get(reverse("portfolios:detail", args=[portfolio.pk]))

    assert response.status_code == 302
    assert journal_watch.new() == []


def test_unknown_url_writes_nothing(admin_client, journal_watch):
    response = admin_client.get("/aucune-page-ici/")

    assert response.status_code == 404
    assert journal_watch.new() == []


# -- Team services write their entries --------------------------------------------


def test_invite_service_writes_entry(admin, journal_watch):
    invitation = account_services.invite(
        admin, "nouvelle@dupont.example", User.Role.COLLABORATOR, lambda path: path
    )

    entry = journal_watch.only()
    assert entry.action == Action.USER_INVITED
    assert entry.object_id == str(invitation.pk)
    assert_actor(entry, admin)


def test_change_role_service_writes_entry(admin, outsider_collaborator, journal_watch):
    account_services.change_role(admin, outsider_collaborator, User.Role.ADMINISTRATOR)

    entry = journal_watch.only()
    assert entry.action == Action.USER_PROFILE_CHANGED
    assert entry.details == {"old_role": "collaborator", "new_role": "administrator"}


def test_unchanged_role_writes_nothing(admin, outsider_collaborator, journal_watch):
    account_services.change_role(admin, outsider_collaborator, User.Role.COLLABORATOR)

    assert journal_watch.new() == []


def test_deactivate_and_reactivate_write_entries(admin, outsider_collaborator, journal_watch):
    account_services.deactivate(admin, outsider_collaborator)
    deactivated = journal_watch.only()
    journal_watch.mark()
    account_services.reactivate(admin, outsider_collaborator)
    reactivated = journal_watch.only()

    assert deactivated.action == Action.USER_DEACTIVATED
    assert reactivated.action == Action.USER_REACTIVATED
    assert reactivated.object_id == str(outsider_collaborator.pk)


# -- Imports -------------------------------------------------------------------------


def test_import_command_journals_each_client(firm, portfolio, journal_watch, tmp_path):
    attached = factories.FirmClientFactory(firm=firm)
    new_account = factories.UrssafAccountFactory()
    path = tmp_path / "clients.csv"
    path.write_text(
        "SIRET;Numéro de compte\n"
        f"{attached.account.siret};{attached.account.number}\n"
        f"{new_account.siret};{new_account.number}\n"
        f"{new_account.siret};{new_account.number}\n"
        "123;456\n",
        encoding="utf-8",
    )

    call_command(
        "import_clients",
        "--firm",
        firm.siren,
        "--portfolio",
        portfolio.name,
        str(path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    entries = journal_watch.new()
    added = [entry for entry in entries if entry.action == Action.CLIENT_ADDED]
    assert sorted(entry.account_number for entry in added) == sorted(
        [attached.account.number, new_account.number]
    )
    new_entry = next(entry for entry in added if entry.account_number == new_account.number)
    assert new_entry.siret == new_account.siret
    assert new_entry.portfolio_id == portfolio.pk
    assert new_entry.firm_id == firm.pk
    assert new_entry.object_kind == ObjectKind.CLIENT
    assert new_entry.object_label == f"{new_account.number} (SIRET {new_account.siret})"
    assert new_entry.details == {"portfolio": portfolio.name}
    [summary] = [entry for entry in entries if entry.action == Action.IMPORT_APPLIED]
    assert summary.portfolio_id == portfolio.pk
    assert summary.actor_id is None
    assert summary.details["kind"] == "clients"
    assert summary.details["file_name"] == "clients.csv"
    assert summary.details["counts"]["attached"] == 1
    assert summary.details["counts"]["added"] == 2
    assert summary.details["counts"]["rejected"] >= 1
    assert len(entries) == 3


def test_replace_import_journals_removals(firm, portfolio, journal_watch, tmp_path):
    kept = factories.PortfolioClientFactory(portfolio=portfolio).firm_client
    dropped = factories.PortfolioClientFactory(portfolio=portfolio).firm_client
    path = tmp_path / "clients.csv"
    path.write_text(f"Numéro de compte\n{kept.account.number}\n", encoding="utf-8")
    journal_watch.mark()

    call_command(
        "import_clients",
        "--firm",
        firm.siren,
        "--portfolio",
        portfolio.name,
        "--replace",
        str(path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    [removed] = [e for e in journal_watch.new() if e.action == Action.CLIENT_REMOVED]
    assert removed.account_number == dropped.account.number
    assert removed.object_id == str(dropped.pk)
