"""Error pages that Django renders itself: French, with what to do next."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from portefeuilles.portfolios.models import Portfolio

pytestmark = pytest.mark.django_db


def test_oversized_post_gets_french_400(client_for, admin):
    response = client_for(admin).post(reverse("portfolios:create"), {"name": "a" * 3_000_000})

    assert response.status_code == 400
    content = response.content.decode()
    assert "<h1>Demande refusée</h1>" in content
    assert "plus de 2,5 Mo" in content
    assert not Portfolio.objects.exists()


def test_too_many_fields_gets_french_400(client_for, admin):
    fields = {f"champ{index}": "x" for index in range(1_001)}

    response = client_for(admin).post(reverse("portfolios:create"), fields)

    assert response.status_code == 400
    assert "Demande refusée" in response.content.decode()


def test_server_error_page_is_french():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_stale_csrf_token_explained(admin, portfolio, htmx):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = client.post(
        reverse("portfolios:terminate", args=[portfolio.pk]),
        {"csrfmiddlewaretoken": "périmé"},
        **headers,
    )

    assert response.status_code == 403
    assert response["X-Portefeuilles-Error"] == "csrf"
    assert "Page expirée" in response.content.decode()
    assert Portfolio.objects.filter(pk=portfolio.pk).exists()


def test_base_page_carries_csrf_error_text(client_for, admin):
    content = client_for(admin).get(reverse("home")).content.decode()

    assert 'data-error-csrf="La page a expiré' in content
