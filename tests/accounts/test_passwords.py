"""Password rules, change and reset by e-mail."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portefeuilles import settings as project_settings
from portefeuilles.accounts.models import Firm, User, UserSession
from portefeuilles.audit.models import Action, JournalEntry

from .conftest import PASSWORD, comparable_body

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "une phrase de passe toute neuve"


def messages_for(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.fixture
def someone(firm):
    return User(email="jeanne.martin@dupont.example", firm=firm)


def test_twelve_characters_accepted(someone):
    assert messages_for("velo rouge z", someone) == []


def test_eleven_characters_refused(someone):
    assert any("12 caractères" in m for m in messages_for("velo rouge!", someone))


def test_128_characters_accepted(someone):
    assert messages_for("x" * 64 + "y" * 64, someone) == []


def test_no_composition_rules(someone):
    assert messages_for("tout en minuscules sans chiffre", someone) == []


def test_common_password_refused(someone):
    assert any("trop courant" in m for m in messages_for("qwerty123456", someone))


@pytest.mark.parametrize("password", ["jeanne.martin2026!", "JeanneMartin 2026", "xx jeannemartin"])
def test_email_local_part_refused(someone, password):
    assert any("adresse e-mail" in m for m in messages_for(password, someone))


@pytest.mark.parametrize(
    "password", ["cabinet dupont 2026", "CabinetDupont!!", "mon cabinet-dupont"]
)
def test_firm_name_refused(someone, password):
    assert any("nom de votre entreprise" in m for m in messages_for(password, someone))


def test_firm_name_of_unsaved_firm_refused():
    user = User(email="a@b.example", firm=Firm(name="Fiduciaire Lumière"))
    assert any("nom de votre entreprise" in m for m in messages_for("fiduciairelumiere1", user))


def test_production_hasher_is_argon2id():
    assert project_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert Argon2PasswordHasher().encode("x" * 12, "saltsaltsalt").startswith("argon2$argon2id$")


def test_change_needs_current_password(client, subscriber):
    client.force_login(subscriber)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pas le bon",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.check_password(PASSWORD)


def change_password(client, old_password, address="192.0.2.10"):
    return client.post(
        reverse("accounts:password_change"),
        {
            "old_password": old_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        REMOTE_ADDR=address,
    )


def test_change_locks_after_five_wrong_passwords(client, subscriber):
    client.force_login(subscriber)
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            assert change_password(client, "pas le bon").status_code == 200
        locked = change_password(client, PASSWORD)
        login = Client().post(
            reverse("accounts:login"),
            {"username": subscriber.email, "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        released = change_password(client, PASSWORD)

    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert login.status_code == 429
    assert released.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.check_password(NEW_PASSWORD)


def test_change_wrong_password_journaled(client, subscriber):
    client.force_login(subscriber)

    change_password(client, "pas le bon")

    [entry] = JournalEntry.objects.filter(action=Action.LOGIN_FAILED)
    assert entry.object_id == str(subscriber.pk)
    assert entry.client_address == "192.0.2.10"


def test_change_ends_other_sessions_and_keeps_current(subscriber):
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        client.post(reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD})
    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:account")
    assert laptop.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).status_code == 302
    assert UserSession.objects.filter(user=subscriber).count() == 1
    subscriber.refresh_from_db()
    assert subscriber.check_password(NEW_PASSWORD)


def request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def reset_link(message) -> str:
    return re.search(r"http://testserver(/mot-de-passe-oublie/\S+/)", message.body).group(1)


def test_reset_same_answer_for_unknown_address(client, subscriber):
    known = request_reset(client, subscriber.email)
    unknown = request_reset(client, "personne@inconnu.example")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    known_page = client.get(known["Location"])
    unknown_page = client.get(unknown["Location"])
    assert comparable_body(known_page) == comparable_body(unknown_page)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [subscriber.email]


def test_reset_email_contents(client, subscriber):
    request_reset(client, subscriber.email)
    message = mail.outbox[0]
    html, mimetype = message.alternatives[0]
    link = reset_link(message)
    assert message.subject == "Choisir un nouveau mot de passe"
    assert "pendant 1 heure" in message.body
    assert subscriber.email in message.body
    assert mimetype == "text/html"
    assert link in html
    assert "<a href=" in html


def test_reset_link_single_use_and_ends_sessions(client, subscriber):
    other_device = Client()
    other_device.post(
        reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD}
    )
    request_reset(client, subscriber.email)
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert other_device.get(reverse("home")).status_code == 302
    assert not UserSession.objects.filter(user=subscriber).exists()
    reused = Client().get(link, follow=True)
    assert "plus valable" in reused.content.decode()
    login = Client().post(
        reverse("accounts:login"), {"username": subscriber.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_reset_link_expires_after_one_hour(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        request_reset(client, subscriber.email)
        link = reset_link(mail.outbox[0])
        traveller.shift(dt.timedelta(minutes=59))
        assert "Enregistrer le mot de passe" in Client().get(link, follow=True).content.decode()
        traveller.shift(dt.timedelta(minutes=61))
        expired = Client().get(link, follow=True)
    assert "plus valable" in expired.content.decode()


def test_reset_refuses_weak_password(client, subscriber):
    request_reset(client, subscriber.email)
    set_page = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        set_page.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"}
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.check_password(PASSWORD)
