import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_labels(client):
    response = client.get(reverse("accounts:login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Identifiant" in content
    assert "Mot de passe" in content


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_with_email_and_password(client, subscriber):
    # A collaborator without a second factor; administrators go on to it (tests/accounts).
    response = client.post(
        reverse("accounts:login"),
        {"username": "ABONNE@dupont.example", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
