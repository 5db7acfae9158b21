"""« Mes sessions », idle and absolute timeouts, sessions ended on the server."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from portefeuilles.accounts.models import UserSession
from portefeuilles.accounts.user_sessions import describe_user_agent, key_digest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def log_in(user, user_agent=FIREFOX, address="192.0.2.20") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_login_records_session_without_its_key(subscriber):
    client = log_in(subscriber)
    row = UserSession.objects.get(user=subscriber)
    key = client.session.session_key
    assert row.key_digest == key_digest(key)
    assert key not in row.key_digest
    assert row.user_agent == FIREFOX
    assert row.ip_address == "192.0.2.20"


def test_sessions_page_lists_sessions(subscriber):
    phone = log_in(subscriber, user_agent=SAFARI, address="203.0.113.5")
    log_in(subscriber)
    response = phone.get(reverse("accounts:sessions"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Safari sur iOS" in content
    assert "Firefox sur Linux" in content
    assert "203.0.113.5" in content
    assert content.count("(cette session)") == 1
    assert content.count(">Déconnecter<") == 2


def test_sessions_page_query_count(subscriber, django_assert_num_queries):
    client = log_in(subscriber)
    for index in range(1):
        log_in(subscriber, address=f"192.0.2.{index + 100}")
    with django_assert_num_queries(6):
        client.get(reverse("accounts:sessions"))
    for index in range(30):
        log_in(subscriber, address=f"198.51.100.{index + 1}")
    with django_assert_num_queries(6):
        client.get(reverse("accounts:sessions"))


def test_end_other_session_logs_it_out(subscriber):
    laptop = log_in(subscriber)
    phone = log_in(subscriber, user_agent=SAFARI)
    phone_row = UserSession.objects.get(key_digest=key_digest(phone.session.session_key))
    response = laptop.post(reverse("accounts:end_session", args=[phone_row.pk]))
    assert response.status_code == 302
    assert laptop.get(reverse("home")).status_code == 200
    ended = phone.get(reverse("home"))
    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in phone.session


def test_end_current_session_logs_out(subscriber):
    client = log_in(subscriber)
    row = UserSession.objects.get(user=subscriber)
    response = client.post(reverse("accounts:end_session", args=[row.pk]))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.exists()


def test_end_session_of_someone_else_is_404(subscriber, outsider_collaborator):
    log_in(outsider_collaborator)
    row = UserSession.objects.get(user=outsider_collaborator)
    client = log_in(subscriber)
    response = client.post(reverse("accounts:end_session", args=[row.pk]))
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=row.pk).exists()


def test_end_other_sessions_keeps_current(subscriber):
    laptop = log_in(subscriber)
    phone = log_in(subscriber, user_agent=SAFARI)
    tablet = log_in(subscriber, user_agent=SAFARI)
    laptop.post(reverse("accounts:end_other_sessions"))
    assert laptop.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).status_code == 302
    assert tablet.get(reverse("home")).status_code == 302


def test_sessions_pages_need_login(client, db):
    for url in (reverse("accounts:sessions"), reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_idle_timeout_after_30_minutes(subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        client = log_in(subscriber)
        for _ in range(3):
            traveller.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        login_page = client.get(response["Location"])
    assert "Votre session a expiré" in login_page.content.decode()
    assert not UserSession.objects.exists()


def test_absolute_timeout_after_12_hours(subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        client = log_in(subscriber)
        for _ in range(35):
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=19))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=2))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@override_settings(SESSION_IDLE_TIMEOUT=5 * 60, SESSION_ABSOLUTE_TIMEOUT=60 * 60)
def test_timeouts_are_configurable(subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        client = log_in(subscriber)
        traveller.shift(dt.timedelta(minutes=4))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        assert client.get(reverse("home")).status_code == 302


def test_activity_written_once_a_minute(subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        client = log_in(subscriber)
        traveller.shift(dt.timedelta(seconds=59))
        client.get(reverse("home"))
        assert UserSession.objects.get().last_activity == START
        traveller.shift(dt.timedelta(seconds=2))
        client.get(reverse("home"))
        assert UserSession.objects.get().last_activity == START + dt.timedelta(seconds=61)


def test_ended_session_gets_hx_redirect_for_htmx(subscriber):
    client = log_in(subscriber)
    UserSession.objects.all().delete()
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_sessions_page_hides_timed_out_sessions(subscriber):
    with time_machine.travel(START, tick=False) as traveller:
        log_in(subscriber, user_agent=SAFARI)
        traveller.shift(dt.timedelta(minutes=31))
        client = log_in(subscriber)
        content = client.get(reverse("accounts:sessions")).content.decode()
    assert "Safari" not in content
    assert UserSession.objects.filter(user=subscriber).count() == 1


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX, "Firefox sur Linux"),
        (SAFARI, "Safari sur iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge sur Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/126.0.0.0 Safari/537.36",
            "Chrome sur macOS",
        ),
        ("curl/8.5.0", ""),
    ],
)
def test_describe_user_agent(user_agent, expected):
    assert describe_user_agent(user_agent) == expected
