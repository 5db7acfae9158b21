"""The operators' admin: what an operator types there must not break a login."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    operator = factories.UserFactory(
        firm=None, is_staff=True, is_superuser=True, email="operateur@plateforme.example"
    )
    client = Client()
    client.force_login(operator)
    return client


def change_email(client, user, email):
    return client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "firm": user.firm_id,
            "role": user.role,
            "is_active": "on",
        },
    )


def test_email_saved_in_lower_case(operator_client, subscriber):
    response = change_email(operator_client, subscriber, "  Nouvelle.Adresse@Dupont.example ")
    login = Client().post(
        reverse("accounts:login"),
        {"username": "nouvelle.adresse@dupont.example", "password": PASSWORD},
    )

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.email == "nouvelle.adresse@dupont.example"
    assert login.status_code == 302


def test_email_of_another_user_in_capitals_refused(operator_client, subscriber, admin):
    response = change_email(operator_client, subscriber, admin.email.upper())

    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email == "abonne@dupont.example"
