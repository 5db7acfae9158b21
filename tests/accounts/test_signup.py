"""« Créer votre espace en ligne »: request, e-mail confirmation, operator decision."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from portefeuilles.accounts.models import Firm, SignupRequest, User
from tests import factories

from .conftest import comparable_body

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SIREN = "552 032 534"
PASSWORD = "le phare au bout de la jetée"


def form_data(**overrides):
    data = {
        "siren": SIREN,
        "firm_name": "Fiduciaire Lumière",
        "first_name": "Inès",
        "last_name": "Moreau",
        "email": "ines@lumiere.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def submit(client, **overrides):
    return client.post(reverse("accounts:signup"), form_data(**overrides))


def confirm_path(message) -> str:
    return re.search(r"http://testserver(/creer-votre-espace/confirmer/\S+/)", message.body).group(
        1
    )


@pytest.fixture
def operator(db):
    return factories.UserFactory(
        firm=None, is_staff=True, is_superuser=True, email="operateur@plateforme.example"
    )


def pending_request(client):
    submit(client)
    client.post(confirm_path(mail.outbox[-1]))
    return SignupRequest.objects.get(status=SignupRequest.Status.PENDING)


def run_action(operator, action, signup_request):
    client = Client()
    client.force_login(operator)
    return client.post(
        reverse("admin:accounts_signuprequest_changelist"),
        {"action": action, "_selected_action": [signup_request.pk]},
        follow=True,
    )


def test_signup_page_public(client, db):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert "SIREN" in response.content.decode()


def test_submit_sends_confirmation(client, db):
    with time_machine.travel(START, tick=False):
        response = submit(client)
    assert response["Location"] == reverse("accounts:signup_sent")
    signup_request = SignupRequest.objects.get()
    assert signup_request.status == SignupRequest.Status.UNCONFIRMED
    assert signup_request.siren == "552032534"
    assert signup_request.password.startswith("argon2$")
    message = mail.outbox[0]
    html_part, mimetype = message.alternatives[0]
    assert message.to == ["ines@lumiere.example"]
    assert message.subject == "Confirmez votre demande d'adhésion"
    assert "Fiduciaire Lumière (SIREN 552032534)" in message.body
    assert "valable jusqu'au 4 mars 2026 à 10:00" in message.body
    assert mimetype == "text/html"
    assert confirm_path(message) in html_part


def test_invalid_siren_named_in_error(client, db):
    response = submit(client, siren="552 032 535")
    content = response.content.decode()
    assert response.status_code == 200
    assert "552 032 535" in content
    assert "clé de contrôle" in content
    assert not SignupRequest.objects.exists()


def test_siren_with_existing_space_refused(client, firm):
    response = submit(client, siren=firm.siren)
    assert "déjà un espace en ligne" in response.content.decode()
    assert "administrateur de cet espace" in response.content.decode()
    assert not mail.outbox


def test_password_with_firm_name_refused(client, db):
    response = submit(client, password1="fiduciaire lumiere!", password2="fiduciaire lumiere!")
    assert "nom de votre entreprise" in response.content.decode()
    assert not SignupRequest.objects.exists()


def test_existing_address_gets_same_answer(client, subscriber):
    new = submit(Client(), email="nouveau@lumiere.example")
    existing = submit(Client(), email=subscriber.email)
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"]
    assert comparable_body(client.get(existing["Location"])) == comparable_body(
        client.get(new["Location"])
    )


def test_existing_address_gets_notice_not_request(client, subscriber, db):
    submit(client, email=subscriber.email)
    assert not SignupRequest.objects.exists()
    assert mail.outbox[0].to == [subscriber.email]
    assert "déjà l'identifiant d'un compte" in mail.outbox[0].body


def test_confirmation_then_pending(client, db):
    submit(client)
    path = confirm_path(mail.outbox[0])
    page = client.get(path)
    assert "Confirmer mon adresse e-mail" in page.content.decode()
    assert SignupRequest.objects.get().status == SignupRequest.Status.UNCONFIRMED
    response = client.post(path)
    assert "en attente de validation" in response.content.decode()
    assert SignupRequest.objects.get().status == SignupRequest.Status.PENDING


def test_confirmation_expires_after_48_hours(client, db):
    with time_machine.travel(START, tick=False) as traveller:
        submit(client)
        path = confirm_path(mail.outbox[0])
        traveller.shift(dt.timedelta(hours=48, seconds=1))
        response = client.post(path)
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    assert SignupRequest.objects.get().status == SignupRequest.Status.UNCONFIRMED


def test_confirmation_within_48_hours(client, db):
    with time_machine.travel(START, tick=False) as traveller:
        submit(client)
        traveller.shift(dt.timedelta(hours=47, minutes=59))
        response = client.post(confirm_path(mail.outbox[0]))
    assert response.status_code == 200


def test_second_request_for_pending_siren_refused(client, db):
    pending_request(client)
    response = submit(Client(), email="autre@lumiere.example")
    assert "déjà en attente de validation" in response.content.decode()


def test_unknown_confirmation_link(client, db):
    response = client.post(reverse("accounts:signup_confirm", args=["inconnu"]))
    assert response.status_code == 410


def test_operator_approves(client, operator):
    signup_request = pending_request(client)
    response = run_action(operator, "approve", signup_request)
    assert response.status_code == 200
    firm = Firm.objects.get(siren="552032534")
    admin = User.objects.get(email="ines@lumiere.example")
    assert firm.name == "Fiduciaire Lumière"
    assert admin.firm == firm
    assert admin.role == User.Role.ADMINISTRATOR
    assert admin.check_password(PASSWORD)
    signup_request.refresh_from_db()
    assert signup_request.status == SignupRequest.Status.APPROVED
    assert signup_request.password == ""
    approved = mail.outbox[-1]
    assert approved.subject == "Votre espace en ligne est créé"
    assert "double authentification" in approved.body
    login = Client().post(
        reverse("accounts:login"), {"username": admin.email, "password": PASSWORD}
    )
    assert login["Location"] == reverse("accounts:login_enrol")


def test_operator_refuses_with_reason(client, operator):
    signup_request = pending_request(client)
    signup_request.refusal_reason = "Le SIREN n'est pas celui d'un tiers déclarant."
    signup_request.save()
    run_action(operator, "refuse", signup_request)
    signup_request.refresh_from_db()
    assert signup_request.status == SignupRequest.Status.REFUSED
    assert not Firm.objects.filter(siren="552032534").exists()
    refused = mail.outbox[-1]
    assert refused.subject == "Votre demande d'adhésion n'a pas été acceptée"
    assert "Le SIREN n'est pas celui d'un tiers déclarant." in refused.body


def test_unconfirmed_request_cannot_be_approved(client, operator):
    submit(client)
    response = run_action(operator, "approve", SignupRequest.objects.get())
    assert "en attente de validation" in response.content.decode()
    assert not Firm.objects.filter(siren="552032534").exists()


def test_admin_changelist_needs_staff(client, admin):
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_signuprequest_changelist"))
    assert response.status_code == 302
