"""Every form that asks for an e-mail address names the value it rejects."""

import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE = "« {value} » n'est pas une adresse e-mail : saisissez une adresse complète"


def test_login_names_value(client):
    response = client.post(reverse("accounts:login"), {"username": "camille", "password": "x"})

    assert MESSAGE.format(value="camille") in html.unescape(response.content.decode())


def test_reset_names_value(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "camille@"})

    assert response.status_code == 200
    assert MESSAGE.format(value="camille@") in html.unescape(response.content.decode())


def test_invitation_names_value(client_for, admin):
    response = client_for(admin).post(
        reverse("accounts:invite"), {"email": "nina roux", "role": "collaborator"}
    )

    assert MESSAGE.format(value="nina roux") in html.unescape(response.content.decode())


def test_signup_names_value(client):
    response = client.post(reverse("accounts:signup"), {"email": "admin.dupont.example"})

    assert MESSAGE.format(value="admin.dupont.example") in html.unescape(response.content.decode())
