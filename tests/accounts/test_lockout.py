"""Brute force: 5 failures per identifiant or 20 per address in 15 minutes lock for 15 minutes."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from portefeuilles.accounts import lockout
from portefeuilles.accounts.models import LoginAttempt
from portefeuilles.accounts.user_sessions import key_digest

from .conftest import PASSWORD, comparable_body

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 10 h 00 in Paris


def attempt(client, username, password="wrong password!", address="192.0.2.10"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_five_failures_lock_identifiant(client, subscriber):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            response = attempt(client, subscriber.email)
            assert response.status_code == 200
            assert "Identifiant ou mot de passe incorrect" in response.content.decode()
        response = attempt(client, subscriber.email, password=PASSWORD)
    content = response.content.decode()
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in content
    assert "réessayez à partir de 10 h 15" in content
    assert "_auth_user_id" not in client.session


def seed_failures(username, address, count):
    """Record failures directly: each HTTP attempt costs one Argon2 hash (about 0.3 s)."""
    for _ in range(count):
        lockout.record_failure(username, address)


def test_lockout_released_after_15_minutes(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        seed_failures(subscriber.email, "192.0.2.10", 5)
        traveller.shift(dt.timedelta(minutes=14, seconds=59))
        assert attempt(client, subscriber.email, password=PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(seconds=2))
        response = attempt(client, subscriber.email, password=PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_refused_attempts_do_not_extend_lockout(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        seed_failures(subscriber.email, "192.0.2.10", 5)
        for _ in range(10):
            traveller.shift(dt.timedelta(minutes=1))
            attempt(client, subscriber.email)
        traveller.shift(dt.timedelta(minutes=6))
        response = attempt(client, subscriber.email, password=PASSWORD)
    assert response.status_code == 302


def test_failures_spread_over_window_do_not_lock(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(8):
            seed_failures(subscriber.email, "192.0.2.10", 1)
            traveller.shift(dt.timedelta(minutes=4))
        response = attempt(client, subscriber.email, password=PASSWORD)
    assert response.status_code == 302


def test_same_answer_for_unknown_identifiant(client, subscriber):
    with time_machine.travel(START, tick=False):
        seed_failures(subscriber.email, "192.0.2.1", 4)
        seed_failures("personne@inconnu.example", "192.0.2.2", 4)
        known_failure = attempt(client, subscriber.email, address="192.0.2.1")
        unknown_failure = attempt(client, "personne@inconnu.example", address="192.0.2.2")
        known = attempt(client, subscriber.email, address="192.0.2.1")
        unknown = attempt(client, "personne@inconnu.example", address="192.0.2.2")
    assert known_failure.status_code == unknown_failure.status_code == 200
    assert comparable_body(known_failure, subscriber.email) == comparable_body(
        unknown_failure, "personne@inconnu.example"
    )
    assert known.status_code == unknown.status_code == 429
    assert comparable_body(known, subscriber.email) == comparable_body(
        unknown, "personne@inconnu.example"
    )


def test_twenty_failures_lock_address(client, subscriber):
    with time_machine.travel(START, tick=False):
        seed_failures("someone@inconnu.example", "198.51.100.7", 19)
        attempt(client, "essai@inconnu.example", address="198.51.100.7")
        blocked = attempt(client, subscriber.email, password=PASSWORD, address="198.51.100.7")
        elsewhere = attempt(client, subscriber.email, password=PASSWORD, address="198.51.100.8")
    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


def test_nineteen_failures_do_not_lock_address(client, subscriber):
    with time_machine.travel(START, tick=False):
        seed_failures("someone@inconnu.example", "198.51.100.7", 18)
        attempt(client, "essai@inconnu.example", address="198.51.100.7")
        response = attempt(client, subscriber.email, password=PASSWORD, address="198.51.100.7")
    assert response.status_code == 302


def test_success_clears_identifiant_failures(client, subscriber):
    with time_machine.travel(START, tick=False):
        seed_failures(subscriber.email, "192.0.2.10", 4)
        assert attempt(client, subscriber.email, password=PASSWORD).status_code == 302
        client.logout()
        seed_failures(subscriber.email, "192.0.2.10", 4)
        response = attempt(client, subscriber.email, password=PASSWORD)
    assert response.status_code == 302


def test_attempts_pruned_after_window_and_lockout(client, subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        attempt(client, subscriber.email)
        traveller.shift(dt.timedelta(minutes=31))
        attempt(client, subscriber.email)
    assert LoginAttempt.objects.count() == 1


def test_identifiant_stored_as_digest(client, subscriber):
    attempt(client, subscriber.email)
    row = LoginAttempt.objects.get()
    assert subscriber.email not in row.username_digest
    assert len(row.username_digest) == 64
    assert row.username_digest != key_digest(subscriber.email)


def test_inactive_account_gets_same_error(client, subscriber):
    subscriber.is_active = False
    subscriber.save()
    response = attempt(client, subscriber.email, password=PASSWORD)
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert LoginAttempt.objects.count() == 1


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_lockout_counts_forwarded_address(client, subscriber):
    with time_machine.travel(START, tick=False):
        seed_failures("someone@inconnu.example", "198.51.100.9", 19)
        client.post(
            reverse("accounts:login"),
            {"username": "x@inconnu.example", "password": "wrong password!"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.9",
        )
        same_client = client.post(
            reverse("accounts:login"),
            {"username": subscriber.email, "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.9",
        )
        other_client = client.post(
            reverse("accounts:login"),
            {"username": subscriber.email, "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.10",
        )
    assert other_client.status_code == 302
    assert same_client.status_code == 429
