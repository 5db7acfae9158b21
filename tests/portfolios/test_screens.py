"""The screens with and without htmx: the dialog partial or the plain page, post then
redirect without JavaScript, the help page's labels, « Fermer » and the abonnés."""

import pytest
from django.urls import reverse

from portefeuilles.portfolios.models import PortfolioSubscription
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def detail(portfolio):
    return reverse("portfolios:detail", args=[portfolio.pk])


def test_home_for_admin(client_for, admin, portfolio, client_in_portfolio):
    content = client_for(admin).get(reverse("home")).content.decode()

    assert "<h1>Mes portefeuilles</h1>" in content
    assert ">Gérer les utilisateurs</button>" in content
    assert f'hx-get="{detail(portfolio)}?retour=accueil"' in content
    assert f'href="{detail(portfolio)}?retour=accueil"' in content


def test_home_for_collaborator(client_for, subscriber, portfolio):
    content = client_for(subscriber).get(reverse("home")).content.decode()

    assert portfolio.name in content
    assert "Gérer les utilisateurs" not in content


def test_home_without_portfolio(client_for, outsider_collaborator):
    content = client_for(outsider_collaborator).get(reverse("home")).content.decode()

    assert "Aucun portefeuille clients ne vous est encore ouvert." in content


def test_manage_page(client_for, admin, subscriber, portfolio, client_in_portfolio):
    content = client_for(admin).get(reverse("portfolios:manage")).content.decode()

    assert "Abonnés de l'entreprise" in content
    assert ">Créer un nouveau portefeuille</button>" in content
    assert 'aria-label="Modifier le portefeuille Clients Île-de-France"' in content
    assert '<svg class="icon"' in content
    # The users table, with profiles.
    assert admin.email in content
    assert subscriber.email in content
    assert "Administrateur" in content
    assert "Collaborateur" in content


def test_detail_plain_page(client_for, admin, portfolio):
    response = client_for(admin).get(detail(portfolio), {"retour": "gestion"})

    content = response.content.decode()
    assert "<html" in content
    assert "<dialog" not in content
    assert "Portefeuille tiers déclarant" in content
    assert '<h1 id="dialog-title" tabindex="-1">Clients Île-de-France</h1>' in content
    for label in ("Siren/Siret de l&#x27;établissement", "Numéro de compte"):
        assert f">{label}</label>" in content
    for button in ("Rechercher", "Modifier", "Résilier", "Ajouter un abonné", "Fermer"):
        assert f">{button}</button>" in content, button
    assert f'action="{reverse("portfolios:manage")}"' in content
    assert "HX-Request" in response["Vary"]


def test_detail_htmx_partial(client_for, admin, portfolio):
    response = client_for(admin).get(detail(portfolio), headers=HTMX)

    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith("<dialog")
    assert 'hx-target="#dialog-body"' in content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("retour", "close_view"),
    [
        ("gestion", "portfolios:manage"),
        ("accueil", "home"),
        ("", "home"),
        ("//evil.example", "home"),
    ],
)
def test_close_leads_back(client_for, admin, portfolio, retour, close_view):
    content = client_for(admin).get(detail(portfolio), {"retour": retour}).content.decode()

    assert f'<form method="get" action="{reverse(close_view)}">' in content
    assert "evil.example" not in content


def test_search_keeps_return_page(client_for, admin, portfolio):
    content = client_for(admin).get(detail(portfolio), {"retour": "gestion"}).content.decode()

    assert '<input type="hidden" name="retour" value="gestion">' in content


# -- Abonnés -----------------------------------------------------------------


def test_add_subscriber_form_lists_firm_users(
    client_for, admin, portfolio, subscriber, outsider_collaborator, other_admin
):
    response = client_for(admin).get(reverse("portfolios:add_subscriber", args=[portfolio.pk]))

    content = response.content.decode()
    assert ">Utilisateur de l&#x27;entreprise</label>" in content
    assert ">Confirmer l'ajout</button>" in content
    assert outsider_collaborator.email in content
    assert other_admin.email not in content
    # Already an abonné: listed with « Retirer », not offered.
    assert f'<option value="{subscriber.pk}"' not in content


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_add_subscriber(client_for, admin, portfolio, outsider_collaborator, htmx):
    response = client_for(admin).post(
        reverse("portfolios:add_subscriber", args=[portfolio.pk]),
        {"user": outsider_collaborator.pk},
        headers=HTMX if htmx else {},
    )

    assert PortfolioSubscription.objects.filter(
        portfolio=portfolio, user=outsider_collaborator
    ).exists()
    if htmx:
        assert response.status_code == 200
        assert "est abonné au portefeuille Clients Île-de-France." in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == detail(portfolio)


def test_add_subscriber_without_choice(client_for, admin, portfolio, outsider_collaborator):
    response = client_for(admin).post(reverse("portfolios:add_subscriber", args=[portfolio.pk]))

    content = response.content.decode()
    assert "Choisissez l&#x27;utilisateur à abonner dans la liste." in content
    assert 'role="alert"' in content


def test_add_subscriber_when_everyone_subscribed(client_for, admin, portfolio, subscriber):
    PortfolioSubscription.objects.create(portfolio=portfolio, user=admin)

    response = client_for(admin).get(reverse("portfolios:add_subscriber", args=[portfolio.pk]))

    assert "sont déjà abonnés à ce portefeuille" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_remove_subscriber(client_for, admin, portfolio, subscriber, htmx):
    response = client_for(admin).post(
        reverse("portfolios:remove_subscriber", args=[portfolio.pk, subscriber.pk]),
        headers=HTMX if htmx else {},
    )

    assert not PortfolioSubscription.objects.filter(user=subscriber).exists()
    assert response.status_code == (200 if htmx else 302)
    # The former abonné no longer opens the portfolio.
    assert client_for(subscriber).get(detail(portfolio)).status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_remove_client(client_for, subscriber, portfolio, client_in_portfolio, htmx):
    response = client_for(subscriber).post(
        reverse("portfolios:remove_client", args=[portfolio.pk, client_in_portfolio.pk]),
        {"after": "750000000000000049"},
        headers=HTMX if htmx else {},
    )

    assert not portfolio.entries.exists()
    if htmx:
        assert "Le client est retiré du portefeuille." in response.content.decode()
    else:
        assert response["Location"] == detail(portfolio) + "?after=750000000000000049"


def test_messages_shown_once_in_htmx_dialog(client_for, subscriber, portfolio, client_in_portfolio):
    client = client_for(subscriber)
    url = reverse("portfolios:remove_client", args=[portfolio.pk, client_in_portfolio.pk])

    first = client.post(url, headers=HTMX).content.decode()
    second = client.get(detail(portfolio), headers=HTMX).content.decode()

    assert first.count("Le client est retiré du portefeuille.") == 1
    assert "Le client est retiré" not in second


@pytest.mark.parametrize(
    ("clients", "expected"),
    [(0, "0 client ·"), (1, "1 client ·"), (2, "2 clients ·")],
)
def test_dialog_counts_in_french(client_for, admin, portfolio, clients, expected):
    """French puts 0 and 1 in the singular."""
    factories.PortfolioClientFactory.create_batch(clients, portfolio=portfolio)

    response = client_for(admin).get(reverse("portfolios:detail", args=[portfolio.pk]))

    text = " ".join(response.content.decode().split())
    assert expected in text
    assert "0 abonné" in text
