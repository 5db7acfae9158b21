"""Requests after the session ended: every page needs login, and the user comes back
to the page they were on, with or without JavaScript."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/connexion/"


def test_page_get_keeps_its_address(client, portfolio):
    url = reverse("portfolios:detail", args=[portfolio.pk]) + "?retour=gestion"

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/portefeuilles/{portfolio.pk}/%3Fretour%3Dgestion"


def test_form_post_returns_to_referring_page(client, portfolio):
    page = f"http://testserver/portefeuilles/{portfolio.pk}/?retour=gestion"
    url = reverse("portfolios:add_client", args=[portfolio.pk])

    response = client.post(url, {"numero": "827000000000000001"}, HTTP_REFERER=page)

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{LOGIN}?next=%2Fportefeuilles%2F{portfolio.pk}%2F%3Fretour%3Dgestion"
    )


def test_form_post_ignores_foreign_referer(client, portfolio):
    url = reverse("portfolios:terminate", args=[portfolio.pk])

    response = client.post(url, HTTP_REFERER="https://evil.example/portefeuilles/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN


@pytest.mark.parametrize("method", ["get", "post"])
def test_htmx_request_redirects_whole_page(client, portfolio, method):
    url = reverse("portfolios:detail", args=[portfolio.pk])
    if method == "post":
        url = reverse("portfolios:remove_client", args=[portfolio.pk, 1])

    response = getattr(client, method)(
        url,
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/utilisateurs/",
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next=%2Futilisateurs%2F"


def test_htmx_foreign_current_url_dropped(client, portfolio):
    url = reverse("portfolios:detail", args=[portfolio.pk])

    response = client.get(
        url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/utilisateurs/"
    )

    assert response["HX-Redirect"] == LOGIN


def test_login_page_stays_open(client):
    response = client.get(LOGIN, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
