"""The permission matrix: every view and action, for each of the four standing users.

404 for anyone outside the firm and for a collaborator who is not an abonné of the
portfolio; 403 for an abonné without the administrator profile on administrator
actions. A refused request changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from portefeuilles.portfolios.models import Portfolio, PortfolioClient, PortfolioSubscription
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["admin", "subscriber", "outsider_collaborator", "other_admin"]


@dataclass
class Action:
    name: str
    method: str
    url: Callable[[dict], str]
    data: Callable[[dict], dict]
    # Expected status per role, in the order of ROLES.
    statuses: tuple[int, int, int, int]
    # The status of a success with htmx: the dialog or an HX-Redirect, not a redirect.
    htmx_success: int = 200


def detail_url(view):
    return lambda cast: reverse(f"portfolios:{view}", args=[cast["portfolio"].pk])


def no_data(cast):
    return {}


ACTIONS = [
    Action("home", "get", lambda cast: reverse("home"), no_data, (200, 200, 200, 200)),
    Action(
        "manage",
        "get",
        lambda cast: reverse("portfolios:manage"),
        no_data,
        (200, 403, 403, 200),
    ),
    Action(
        "create form",
        "get",
        lambda cast: reverse("portfolios:create"),
        no_data,
        (200, 403, 403, 200),
    ),
    Action(
        "create",
        "post",
        lambda cast: reverse("portfolios:create"),
        lambda cast: {"name": "Clients Bretagne"},
        (302, 403, 403, 302),
        # A plain page, not in the dialog: it redirects with or without htmx.
        htmx_success=302,
    ),
    Action("detail", "get", detail_url("detail"), no_data, (200, 200, 404, 404)),
    Action(
        "search",
        "get",
        detail_url("detail"),
        lambda cast: {"etablissement": cast["attached_client"].account.siren},
        (200, 200, 404, 404),
    ),
    Action("rename form", "get", detail_url("rename"), no_data, (200, 403, 404, 404)),
    Action(
        "rename",
        "post",
        detail_url("rename"),
        lambda cast: {"name": "Clients Normandie"},
        (302, 403, 404, 404),
    ),
    Action("terminate form", "get", detail_url("terminate"), no_data, (200, 403, 404, 404)),
    Action("terminate", "post", detail_url("terminate"), no_data, (302, 403, 404, 404)),
    Action(
        "add client",
        "post",
        detail_url("add_client"),
        lambda cast: {"numero": cast["attached_client"].account.number},
        (302, 302, 404, 404),
    ),
    Action(
        "remove client",
        "post",
        lambda cast: reverse(
            "portfolios:remove_client",
            args=[cast["portfolio"].pk, cast["client_in_portfolio"].pk],
        ),
        no_data,
        (302, 302, 404, 404),
    ),
    Action(
        "add subscriber form",
        "get",
        detail_url("add_subscriber"),
        no_data,
        (200, 403, 404, 404),
    ),
    Action(
        "add subscriber",
        "post",
        detail_url("add_subscriber"),
        lambda cast: {"user": cast["outsider_collaborator"].pk},
        (302, 403, 404, 404),
    ),
    Action(
        "remove subscriber",
        "post",
        lambda cast: reverse(
            "portfolios:remove_subscriber",
            args=[cast["portfolio"].pk, cast["second_subscriber"].pk],
        ),
        no_data,
        (302, 403, 404, 404),
    ),
]

CASES = [
    pytest.param(action, role, status, id=f"{action.name}-{role}")
    for action in ACTIONS
    for role, status in zip(ROLES, action.statuses, strict=True)
]


@pytest.fixture
def cast(
    portfolio,
    admin,
    subscriber,
    outsider_collaborator,
    other_admin,
    client_in_portfolio,
    attached_client,
    second_subscriber,
):
    return {
        "portfolio": portfolio,
        "admin": admin,
        "subscriber": subscriber,
        "outsider_collaborator": outsider_collaborator,
        "other_admin": other_admin,
        "client_in_portfolio": client_in_portfolio,
        "attached_client": attached_client,
        "second_subscriber": second_subscriber,
    }


def snapshot(portfolio):
    """What any action could change in the firm's data."""
    return {
        "portfolios": sorted(Portfolio.objects.values_list("firm_id", "name")),
        "entries": sorted(
            PortfolioClient.objects.filter(portfolio=portfolio).values_list(
                "firm_client_id", flat=True
            )
        ),
        "subscriptions": sorted(
            PortfolioSubscription.objects.filter(portfolio=portfolio).values_list(
                "user_id", flat=True
            )
        ),
    }


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_permission_matrix(client, cast, action, role, expected, htmx):
    client.force_login(cast[role])
    before = snapshot(cast["portfolio"])
    headers = {"HX-Request": "true"} if htmx else {}
    send = getattr(client, action.method)

    response = send(action.url(cast), action.data(cast), headers=headers)

    if htmx and expected == 302:
        expected = action.htmx_success
    assert response.status_code == expected
    if expected in (403, 404):
        assert snapshot(cast["portfolio"]) == before


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_anonymous_redirected_to_login(client, cast, action):
    before = snapshot(cast["portfolio"])

    response = getattr(client, action.method)(action.url(cast), action.data(cast))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot(cast["portfolio"]) == before


def test_home_lists_only_visible_portfolios(client_for, cast):
    name = cast["portfolio"].name
    visible = {
        role: name in client_for(cast[role]).get(reverse("home")).content.decode() for role in ROLES
    }

    assert visible == {
        "admin": True,
        "subscriber": True,
        "outsider_collaborator": False,
        "other_admin": False,
    }


def test_manage_shows_own_firm_only(client_for, cast):
    content = client_for(cast["other_admin"]).get(reverse("portfolios:manage")).content.decode()

    assert cast["portfolio"].name not in content
    assert cast["admin"].email not in content
    assert cast["other_admin"].email in content


def test_other_admin_creates_in_own_firm(client_for, cast):
    client_for(cast["other_admin"]).post(reverse("portfolios:create"), {"name": "Clients Bretagne"})

    created = Portfolio.objects.get(name="Clients Bretagne")
    assert created.firm_id == cast["other_admin"].firm_id


def test_subscriber_adds_and_removes_clients(client_for, cast):
    portfolio = cast["portfolio"]
    client = client_for(cast["subscriber"])

    client.post(
        reverse("portfolios:add_client", args=[portfolio.pk]),
        {"numero": cast["attached_client"].account.number},
    )
    client.post(
        reverse("portfolios:remove_client", args=[portfolio.pk, cast["client_in_portfolio"].pk])
    )

    entries = set(portfolio.entries.values_list("firm_client_id", flat=True))
    assert entries == {cast["attached_client"].pk}


def test_terminated_portfolio_is_not_found(client_for, cast):
    portfolio = cast["portfolio"]
    Portfolio.objects.filter(pk=portfolio.pk).update(
        name="Ancien", terminated_at="2026-01-01T00:00Z"
    )

    response = client_for(cast["admin"]).get(reverse("portfolios:detail", args=[portfolio.pk]))

    assert response.status_code == 404


def test_unknown_portfolio_is_not_found(client_for, cast):
    response = client_for(cast["admin"]).get(reverse("portfolios:detail", args=[999_999]))

    assert response.status_code == 404


def test_remove_client_of_other_firm_changes_nothing(client_for, cast, other_firm):
    # A firm client id of another firm, posted against our portfolio.
    foreign = factories.PortfolioClientFactory(portfolio__firm=other_firm).firm_client
    client = client_for(cast["admin"])

    client.post(reverse("portfolios:remove_client", args=[cast["portfolio"].pk, foreign.pk]))

    assert PortfolioClient.objects.filter(firm_client=foreign).exists()


def test_add_subscriber_of_other_firm_refused(client_for, cast):
    client = client_for(cast["admin"])
    url = reverse("portfolios:add_subscriber", args=[cast["portfolio"].pk])

    response = client.post(url, {"user": cast["other_admin"].pk})

    assert response.status_code == 200
    assert "Choisissez un utilisateur dans la liste" in response.content.decode()
    assert not PortfolioSubscription.objects.filter(user=cast["other_admin"]).exists()


def test_collaborator_dialog_has_no_admin_buttons(client_for, cast):
    url = reverse("portfolios:detail", args=[cast["portfolio"].pk])

    content = client_for(cast["subscriber"]).get(url).content.decode()

    assert "Rechercher un établissement" in content
    assert "Retirer du portefeuille" in content
    for label in ("Modifier", "Résilier", "Ajouter un abonné", "Abonnés du portefeuille"):
        assert f">{label}<" not in content, label
