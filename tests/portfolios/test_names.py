"""Portfolio names: trimmed, 1 to 100 characters, no control characters, unique within
the firm ignoring case and accents; creation and renaming, through services and screens."""

import pytest
from django.urls import reverse

from portefeuilles.portfolios import services
from portefeuilles.portfolios.models import Portfolio
from portefeuilles.portfolios.services import PortfolioError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Clients Nord", "Clients Nord"),
        ("  Clients Nord  ", "Clients Nord"),
        ("Clients   Nord", "Clients Nord"),
        ("\u00a0Clients Nord\u00a0", "Clients Nord"),
        ("x", "x"),
        ("a" * 100, "a" * 100),
    ],
)
def test_clean_name_accepts(raw, expected):
    assert services.clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Saisissez le nom du portefeuille"),
        ("   ", "Saisissez le nom du portefeuille"),
        ("a" * 101, "compte 101 caractères"),
        ("Clients\tNord", "caractère de contrôle"),
        ("Clients\nNord", "caractère de contrôle"),
        ("Clients\x00Nord", "caractère de contrôle"),
        ("Clients\x7fNord", "caractère de contrôle"),
    ],
)
def test_clean_name_rejects(raw, message):
    with pytest.raises(PortfolioError, match=message):
        services.clean_name(raw)


def test_create_stores_trimmed_name(admin):
    portfolio = services.create_portfolio(admin, "  Clients Nord ")

    assert portfolio.name == "Clients Nord"
    assert portfolio.firm_id == admin.firm_id


@pytest.mark.parametrize(
    "duplicate",
    [
        "clients ile-de-france",
        "CLIENTS ÎLE-DE-FRANCE",
        "Clients Ile-de-France",
        " clients  île-de-france ",
    ],
)
def test_create_rejects_name_equal_ignoring_case_and_accents(admin, portfolio, duplicate):
    with pytest.raises(PortfolioError, match="existe déjà dans votre entreprise"):
        services.create_portfolio(admin, duplicate)

    assert Portfolio.objects.filter(firm=admin.firm).count() == 1


def test_same_name_allowed_in_other_firm(portfolio, other_admin):
    created = services.create_portfolio(other_admin, "clients ile-de-france")

    assert created.firm_id == other_admin.firm_id


def test_collaborator_cannot_create(subscriber):
    with pytest.raises(services.PermissionDenied):
        services.create_portfolio(subscriber, "Clients Nord")


def test_rename_to_other_case_of_itself(admin, portfolio):
    services.rename_portfolio(admin, portfolio, "CLIENTS ÎLE-DE-FRANCE")

    portfolio.refresh_from_db()
    assert portfolio.name == "CLIENTS ÎLE-DE-FRANCE"


def test_rename_to_taken_name_refused(admin, portfolio, firm):
    other = factories.PortfolioFactory(firm=firm, name="Clients Nord")

    with pytest.raises(PortfolioError, match="existe déjà"):
        services.rename_portfolio(admin, other, "clients île-de-france")

    other.refresh_from_db()
    assert other.name == "Clients Nord"


def test_terminated_name_can_be_reused(admin, portfolio):
    services.terminate_portfolio(admin, portfolio)

    created = services.create_portfolio(admin, "Clients Île-de-France")

    assert created.name == "Clients Île-de-France"


# -- Screens -----------------------------------------------------------------


def test_create_page_labels(client_for, admin):
    content = client_for(admin).get(reverse("portfolios:create")).content.decode()

    assert '<label for="id_name">Nom du portefeuille</label>' in content
    assert "Confirmer la création" in content


def test_create_shows_success_message(client_for, admin):
    client = client_for(admin)

    response = client.post(reverse("portfolios:create"), {"name": " Clients Nord "}, follow=True)

    assert response.redirect_chain == [(reverse("portfolios:manage"), 302)]
    content = response.content.decode()
    assert "Le nouveau portefeuille Clients Nord est créé." in content
    assert 'aria-label="Modifier le portefeuille Clients Nord"' in content


def test_create_duplicate_shows_error_on_field(client_for, admin, portfolio):
    response = client_for(admin).post(
        reverse("portfolios:create"), {"name": "clients ile-de-france"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in content
    assert "Un portefeuille nommé « clients ile-de-france » existe déjà" in content
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_name_error"' in content
    assert 'id="id_name_error" role="alert"' in content
    assert Portfolio.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "message"), [("", "Saisissez le nom"), ("a" * 101, "101 caractères")]
)
def test_create_invalid_name_shows_error(client_for, admin, raw, message):
    response = client_for(admin).post(reverse("portfolios:create"), {"name": raw})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Portfolio.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_rename_success(client_for, admin, portfolio, htmx):
    headers = {"HX-Request": "true"} if htmx else {}

    response = client_for(admin).post(
        reverse("portfolios:rename", args=[portfolio.pk]),
        {"name": "Clients Normandie", "retour": "gestion"},
        headers=headers,
    )

    portfolio.refresh_from_db()
    assert portfolio.name == "Clients Normandie"
    if htmx:
        assert response.status_code == 200
        assert "portfoliosChanged" in response["HX-Trigger"]
        assert "Le portefeuille est renommé « Clients Normandie »." in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("portfolios:detail", args=[portfolio.pk]) + (
            "?retour=gestion"
        )


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_rename_duplicate_keeps_form_open(client_for, admin, portfolio, firm, htmx):
    factories.PortfolioFactory(firm=firm, name="Clients Nord")
    headers = {"HX-Request": "true"} if htmx else {}

    response = client_for(admin).post(
        reverse("portfolios:rename", args=[portfolio.pk]),
        {"name": "CLIENTS NORD"},
        headers=headers,
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "existe déjà" in content
    assert "Enregistrer" in content
    # The heading keeps the saved name, the field the refused one.
    assert '<h1 id="dialog-title" tabindex="-1">Clients Île-de-France</h1>' in content
    assert 'value="CLIENTS NORD"' in content
    portfolio.refresh_from_db()
    assert portfolio.name == "Clients Île-de-France"


def test_rename_form_shows_current_name(client_for, admin, portfolio):
    response = client_for(admin).get(reverse("portfolios:rename", args=[portfolio.pk]))

    content = response.content.decode()
    assert 'value="Clients Île-de-France"' in content
    assert ">Enregistrer<" in content
    assert ">Modifier<" not in content
