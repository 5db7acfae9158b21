"""Second factor at login: mandatory for administrators and operators, optional otherwise."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portefeuilles.accounts import twofactor
from portefeuilles.accounts.models import User
from tests import factories

from .conftest import PASSWORD, current_code, enrol

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def log_in(client, user, next_url=None):
    url = reverse("accounts:login")
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"username": user.email, "password": PASSWORD})


def test_admin_without_device_must_enrol(client, admin):
    response = log_in(client, admin)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_enrol")
    assert "_auth_user_id" not in client.session
    blocked = client.get(reverse("accounts:account"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:login"))


def test_admin_enrols_then_reaches_home(client, admin):
    with time_machine.travel(START, tick=False):
        log_in(client, admin)
        page = client.get(reverse("accounts:login_enrol"))
        content = page.content.decode()
        assert "<svg" in content
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', content).group(1)
        device = TOTPDevice.objects.get(user=admin, confirmed=False)
        assert secret == twofactor.secret_base32(device)
        response = client.post(reverse("accounts:login_enrol"), {"code": current_code(device)})
        # Sessions read inside the travel: outside it they have expired.
        session = dict(client.session)
        home = client.get(reverse("home"))
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode())
    assert response.status_code == 200
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert int(session["_auth_user_id"]) == admin.pk
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert home.status_code == 200
    assert StaticToken.objects.filter(device__user=admin).count() == 10


def shown_secret(page) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)


def test_enrolment_secret_not_shared_between_sessions(admin):
    intruder, owner = Client(), Client()
    log_in(intruder, admin)
    intruder_secret = shown_secret(intruder.get(reverse("accounts:login_enrol")))
    log_in(owner, admin)
    owner_page = owner.get(reverse("accounts:login_enrol"))
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    owner.post(reverse("accounts:login_enrol"), {"code": current_code(device)})

    assert shown_secret(owner_page) != intruder_secret
    assert twofactor.secret_base32(twofactor.totp_device(admin)) == shown_secret(owner_page)
    assert TOTPDevice.objects.filter(user=admin).count() == 1


def test_enrolment_secret_kept_within_session(client, admin):
    log_in(client, admin)

    first = shown_secret(client.get(reverse("accounts:login_enrol")))
    again = shown_secret(client.get(reverse("accounts:login_enrol")))

    assert again == first


def test_wrong_enrolment_code_refused(client, admin):
    log_in(client, admin)
    client.get(reverse("accounts:login_enrol"))
    response = client.post(reverse("accounts:login_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert "Ce code ne correspond pas" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not twofactor.is_enrolled(admin)


def test_admin_with_device_enters_code(client, admin):
    with time_machine.travel(START, tick=False) as traveller:
        device, _ = enrol(admin)
        traveller.shift(dt.timedelta(seconds=60))
        response = log_in(client, admin, next_url=reverse("accounts:sessions"))
        assert response["Location"] == reverse("accounts:login_second_factor")
        assert "_auth_user_id" not in client.session
        response = client.post(
            reverse("accounts:login_second_factor"), {"code": current_code(device)}
        )
        session = dict(client.session)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sessions")
    assert int(session["_auth_user_id"]) == admin.pk


def test_code_reused_in_same_window_refused(admin):
    first, second = Client(), Client()
    with time_machine.travel(START, tick=False) as traveller:
        device, _ = enrol(admin)
        traveller.shift(dt.timedelta(seconds=60))
        code = current_code(device)
        for client in (first, second):
            log_in(client, admin)
        accepted = first.post(reverse("accounts:login_second_factor"), {"code": code})
        reused = second.post(reverse("accounts:login_second_factor"), {"code": code})
    assert accepted.status_code == 302
    assert reused.status_code == 200
    assert "_auth_user_id" not in second.session


def test_session_key_changes_at_each_step(client, admin):
    session = client.session
    session["planted"] = True
    session.save()
    planted_key = session.session_key
    client.cookies["sessionid"] = planted_key
    with time_machine.travel(START, tick=False) as traveller:
        device, _ = enrol(admin)
        traveller.shift(dt.timedelta(seconds=60))
        log_in(client, admin)
        pending_key = client.session.session_key
        client.post(reverse("accounts:login_second_factor"), {"code": current_code(device)})
        logged_in_key = client.session.session_key
    assert pending_key != planted_key
    assert logged_in_key not in (planted_key, pending_key)


@pytest.mark.parametrize(
    "url",
    ["/", "/utilisateurs/", "/journal/", "/compte/", "/compte/confirmer-identite/", "/admin/"],
)
def test_password_step_alone_reaches_nothing(client, admin, url):
    enrol(admin)
    log_in(client, admin)

    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})

    assert page.status_code == 302
    assert page["Location"].startswith(("/connexion/?next=", "/admin/login/?next="))
    # htmx navigates the whole page to the login form instead of swapping it in.
    assert fragment["HX-Redirect"].startswith(("/connexion/", "/admin/login/"))
    assert "_auth_user_id" not in client.session


def test_wrong_code_refused_and_counted(client, admin):
    with time_machine.travel(START, tick=False) as traveller:
        device, _ = enrol(admin)
        traveller.shift(dt.timedelta(seconds=60))
        log_in(client, admin)
        response = client.post(reverse("accounts:login_second_factor"), {"code": "123456"})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_step_locks_after_five_failures(client, admin):
    with time_machine.travel(START, tick=False) as traveller:
        device, _ = enrol(admin)
        traveller.shift(dt.timedelta(seconds=60))
        log_in(client, admin)
        for _ in range(5):
            # django-otp's own throttle doubles its delay after each failure.
            traveller.shift(dt.timedelta(seconds=20))
            client.post(reverse("accounts:login_second_factor"), {"code": "123456"})
        traveller.shift(dt.timedelta(seconds=60))
        response = client.post(
            reverse("accounts:login_second_factor"), {"code": current_code(device)}
        )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_recovery_code_works_once(client, admin):
    with time_machine.travel(START, tick=False) as traveller:
        _, codes = enrol(admin)
        log_in(client, admin)
        response = client.post(
            reverse("accounts:login_second_factor"), {"code": f"{codes[0][:4]}-{codes[0][4:]}"}
        )
        assert response.status_code == 302
        assert StaticToken.objects.filter(device__user=admin).count() == 9
        client.post(reverse("accounts:logout"))
        traveller.shift(dt.timedelta(seconds=60))
        log_in(client, admin)
        response = client.post(reverse("accounts:login_second_factor"), {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_collaborator_without_device_logs_in_directly(client, subscriber):
    response = log_in(client, subscriber)
    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == subscriber.pk


def test_collaborator_with_device_enters_code(client, subscriber):
    enrol(subscriber)
    response = log_in(client, subscriber)
    assert response["Location"] == reverse("accounts:login_second_factor")


def test_operator_must_enrol(client, db):
    operator = factories.UserFactory(firm=None, is_staff=True, email="operateur@plateforme.example")
    response = log_in(client, operator)
    assert response["Location"] == reverse("accounts:login_enrol")


def test_pending_login_expires_after_five_minutes(client, admin):
    with time_machine.travel(START, tick=False) as traveller:
        log_in(client, admin)
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        response = client.get(reverse("accounts:login_enrol"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_code_page_without_password_step_redirects(client, db):
    response = client.get(reverse("accounts:login_second_factor"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_admin_site_login_uses_our_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fadmin%2F"


@pytest.mark.parametrize("user_fixture", ["admin", "subscriber"])
def test_admin_site_refuses_firm_users(client, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert f"votre compte {user.email} n'en fait pas partie" in html.unescape(
        response.content.decode()
    )


def test_admin_site_open_to_signed_in_operator(client, db):
    operator = User.objects.create_superuser("operateur@plateforme.example", PASSWORD)
    client.force_login(operator)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/", follow=True).status_code == 200


def test_login_page_links_to_signup_and_reset(client, db):
    content = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:signup") in content
    assert "Créer votre espace en ligne" in content
    assert reverse("accounts:password_reset") in content


def test_logout_deletes_session_on_server(client, subscriber):
    from django.contrib.sessions.models import Session

    log_in(client, subscriber)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert subscriber.user_sessions.count() == 0
