"""« Confirmer votre identité »: password (and code) within the last 10 minutes."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils.http import urlencode

from portefeuilles.portfolios.models import Portfolio

from .conftest import (
    PASSWORD,
    current_code,
    enrol,
    forget_recent_authentication,
    mark_recent_authentication,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ENROL_URL = "/compte/double-authentification/"


def log_in_long_ago(client, user):
    """Log in, then age the last password entry past the 10 minutes."""
    client.force_login(user)
    forget_recent_authentication(client)


def reauth_url(next_url):
    return f"{reverse('accounts:reauthenticate')}?{urlencode({'next': next_url})}"


def test_get_view_redirects_to_confirmation_and_back(client, subscriber):
    log_in_long_ago(client, subscriber)
    response = client.get(reverse("accounts:two_factor_enrol"))
    assert response.status_code == 302
    assert response["Location"] == reauth_url(ENROL_URL)
    page = client.get(response["Location"])
    assert "Confirmer votre identité" in page.content.decode()
    confirmed = client.post(
        reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": ENROL_URL}
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == ENROL_URL
    assert client.get(ENROL_URL).status_code == 200


def test_post_view_comes_back_to_referring_page(client, admin, subscriber):
    log_in_long_ago(client, admin)
    manage = reverse("portfolios:manage")
    response = client.post(
        reverse("accounts:deactivate_user", args=[subscriber.pk]),
        HTTP_REFERER=f"http://testserver{manage}",
    )
    assert response["Location"] == reauth_url(f"http://testserver{manage}")
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_post_view_ignores_foreign_referer(client, admin, subscriber):
    log_in_long_ago(client, admin)
    response = client.post(
        reverse("accounts:deactivate_user", args=[subscriber.pk]),
        HTTP_REFERER="https://ailleurs.example/piege",
    )
    assert response["Location"] == reauth_url(reverse("home"))


def test_htmx_request_gets_hx_redirect(client, admin, subscriber):
    log_in_long_ago(client, admin)
    response = client.post(
        reverse("accounts:deactivate_user", args=[subscriber.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/utilisateurs/",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reauth_url("http://testserver/utilisateurs/")


def test_wrong_password_refused(client, subscriber):
    log_in_long_ago(client, subscriber)
    response = client.post(
        reverse("accounts:reauthenticate"), {"password": "not my password", "next": ENROL_URL}
    )
    assert response.status_code == 200
    assert "Mot de passe incorrect" in response.content.decode()
    assert client.get(ENROL_URL).status_code == 302


def test_enrolled_user_must_give_code(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        device, _ = enrol(subscriber)
        log_in_long_ago(client, subscriber)
        traveller.shift(dt.timedelta(seconds=60))
        without_code = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD})
        assert without_code.status_code == 200
        assert "Code incorrect" in without_code.content.decode()
        traveller.shift(dt.timedelta(seconds=60))
        with_code = client.post(
            reverse("accounts:reauthenticate"),
            {"password": PASSWORD, "code": current_code(device), "next": ENROL_URL},
        )
        assert with_code["Location"] == ENROL_URL
        assert client.get(ENROL_URL).status_code == 200


def test_confirmation_lasts_ten_minutes(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        log_in_long_ago(client, subscriber)
        mark_recent_authentication(client)
        traveller.shift(dt.timedelta(minutes=9, seconds=59))
        assert client.get(ENROL_URL).status_code == 200
        traveller.shift(dt.timedelta(seconds=2))
        assert client.get(ENROL_URL).status_code == 302


def test_login_counts_as_recent_authentication(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        client.post(reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD})
        traveller.shift(dt.timedelta(minutes=5))
        assert client.get(ENROL_URL).status_code == 200


def test_unsafe_next_is_ignored(client, subscriber):
    client.force_login(subscriber)
    response = client.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == reverse("accounts:account")


def test_confirmation_locks_after_five_failures(client, subscriber):
    client.force_login(subscriber)
    for _ in range(5):
        client.post(reverse("accounts:reauthenticate"), {"password": "pas le bon"})
    response = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_confirmation_page_needs_login(client, db):
    response = client.get(reverse("accounts:reauthenticate"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_collaborator_gets_403_before_confirmation(client, admin, subscriber):
    log_in_long_ago(client, subscriber)
    response = client.post(reverse("accounts:deactivate_user", args=[admin.pk]))
    assert response.status_code == 403


def test_other_firm_gets_404_before_confirmation(client, other_admin, subscriber):
    log_in_long_ago(client, other_admin)
    response = client.post(reverse("accounts:deactivate_user", args=[subscriber.pk]))
    assert response.status_code == 404


def test_terminate_needs_recent_authentication(client, admin, portfolio):
    log_in_long_ago(client, admin)
    url = reverse("portfolios:terminate", args=[portfolio.pk])
    response = client.post(url, HTTP_REFERER=f"http://testserver{reverse('portfolios:manage')}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert Portfolio.objects.active().filter(pk=portfolio.pk).exists()
    confirmation = client.get(url)
    assert confirmation["Location"] == reauth_url(url)
    mark_recent_authentication(client)
    assert client.post(url).status_code == 302
    assert not Portfolio.objects.active().filter(pk=portfolio.pk).exists()
