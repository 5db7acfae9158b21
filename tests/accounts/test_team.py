"""Team management in « Gérer les utilisateurs »: invitations, profiles, deactivation."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from portefeuilles.accounts import twofactor
from portefeuilles.accounts.models import Invitation, User, UserSession
from portefeuilles.portfolios.models import PortfolioSubscription
from tests import factories

from .conftest import PASSWORD, enrol

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "un long chemin vers la mer"
MANAGE = reverse("portfolios:manage")


def invite(client, email="nouvelle@dupont.example", role=User.Role.COLLABORATOR):
    return client.post(reverse("accounts:invite"), {"email": email, "role": role})


def invitation_path(message) -> str:
    return re.search(r"http://testserver(/invitation/[^/\s]+/)", message.body).group(1)


def accept(path, first_name="Nina", password=NEW_PASSWORD):
    return Client().post(
        path,
        {
            "first_name": first_name,
            "last_name": "Roux",
            "password1": password,
            "password2": password,
        },
    )


def test_manage_page_lists_team(client_for, admin, subscriber, outsider_collaborator):
    enrol(subscriber)
    content = client_for(admin).get(MANAGE).content.decode()
    assert "Utilisateurs de l'entreprise" in content
    assert subscriber.email in content
    assert outsider_collaborator.email in content
    assert "Activée" in content
    assert "Ajouter un nouveau collaborateur" in content
    assert "admin@durand.example" not in content


def test_manage_page_shows_last_admin_reason(client_for, admin):
    content = client_for(admin).get(MANAGE).content.decode()
    assert "seul administrateur actif" in content
    assert reverse("accounts:deactivate_user", args=[admin.pk]) not in content


def test_manage_page_query_count_flat(client_for, admin, firm, django_assert_max_num_queries):
    client = client_for(admin)
    factories.UserFactory(firm=firm)
    Invitation.objects.create(
        firm=firm, email="a@x.example", token_digest="a", created_at=START, expires_at=START
    )
    with django_assert_max_num_queries(100) as few:
        client.get(MANAGE)
    for index in range(30):
        factories.UserFactory(firm=firm)
        Invitation.objects.create(
            firm=firm,
            email=f"b{index}@x.example",
            token_digest=f"b{index}",
            created_at=START,
            expires_at=START,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(MANAGE)


def test_invitation_email_and_acceptance(client_for, admin, firm):
    with time_machine.travel(START, tick=False):
        response = invite(client_for(admin))
        message = mail.outbox[0]
        path = invitation_path(message)
        page = Client().get(path)
        accepted = accept(path)
    assert response["Location"] == MANAGE
    html_part, mimetype = message.alternatives[0]
    assert message.to == ["nouvelle@dupont.example"]
    assert message.subject == "Invitation à rejoindre l'espace de Cabinet Dupont"
    assert "Cabinet Dupont" in message.body
    assert "jusqu'au 9 mars 2026 à 10:00" in message.body
    assert mimetype == "text/html"
    assert path in html_part
    assert page.status_code == 200
    assert "nouvelle@dupont.example" in page.content.decode()
    assert accepted["Location"] == reverse("accounts:login")
    user = User.objects.get(email="nouvelle@dupont.example")
    assert user.firm == firm
    assert user.role == User.Role.COLLABORATOR
    assert user.check_password(NEW_PASSWORD)
    assert user.first_name == "Nina"


def test_invited_administrator_gets_role(client_for, admin):
    invite(client_for(admin), role=User.Role.ADMINISTRATOR)
    accept(invitation_path(mail.outbox[0]))
    assert User.objects.get(email="nouvelle@dupont.example").role == User.Role.ADMINISTRATOR


def test_invitation_link_single_use(client_for, admin):
    invite(client_for(admin))
    path = invitation_path(mail.outbox[0])
    accept(path)
    again = Client().get(path)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.content.decode()
    assert accept(path, first_name="Autre").status_code == 410
    assert User.objects.filter(email="nouvelle@dupont.example").count() == 1


def test_invitation_expires_after_seven_days(client_for, admin):
    with time_machine.travel(START, tick=False) as traveller:
        invite(client_for(admin))
        path = invitation_path(mail.outbox[0])
        traveller.shift(dt.timedelta(days=6, hours=23))
        assert Client().get(path).status_code == 200
        traveller.shift(dt.timedelta(hours=2))
        expired = Client().get(path)
    assert expired.status_code == 410
    assert "a expiré" in expired.content.decode()


def test_invitation_password_rules(client_for, admin):
    invite(client_for(admin))
    response = accept(invitation_path(mail.outbox[0]), password="cabinet dupont 2026")
    assert response.status_code == 200
    assert "nom de votre entreprise" in response.content.decode()
    assert not User.objects.filter(email="nouvelle@dupont.example").exists()


def test_resend_replaces_link(client_for, admin):
    client = client_for(admin)
    with time_machine.travel(START, tick=False) as traveller:
        invite(client)
        old_path = invitation_path(mail.outbox[0])
        traveller.shift(dt.timedelta(days=8))
        invitation = Invitation.objects.get()
        response = client.post(reverse("accounts:resend_invitation", args=[invitation.pk]))
        assert response["Location"] == MANAGE
        new_path = invitation_path(mail.outbox[1])
        assert Client().get(old_path).status_code == 410
        assert Client().get(new_path).status_code == 200


def test_revoke_invalidates_link(client_for, admin):
    client = client_for(admin)
    invite(client)
    path = invitation_path(mail.outbox[0])
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:revoke_invitation", args=[invitation.pk]))
    assert Client().get(path).status_code == 410
    assert (
        reverse("accounts:resend_invitation", args=[invitation.pk])
        not in client.get(MANAGE).content.decode()
    )


def test_invite_own_firm_identifiant_refused(client_for, admin, outsider_collaborator):
    response = invite(client_for(admin), email=outsider_collaborator.email.upper())
    assert response.status_code == 200
    assert "déjà l'identifiant d'un compte" in html.unescape(response.content.decode())
    assert not mail.outbox
    assert not Invitation.objects.exists()


def test_invite_other_firm_identifiant_same_answer(client_for, admin, other_admin):
    client = client_for(admin)
    unknown = invite(client, email="inconnue@durand.example")
    unknown_page = client.get(unknown["Location"])
    existing = invite(client, email=other_admin.email)
    existing_page = client.get(existing["Location"])

    def flashed(page, email):
        return [str(message).replace(email, "VALUE") for message in page.context["messages"]]

    assert existing.status_code == unknown.status_code == 302
    assert existing["Location"] == unknown["Location"]
    assert flashed(existing_page, other_admin.email) == flashed(
        unknown_page, "inconnue@durand.example"
    )
    assert len(mail.outbox) == 2


def test_invitation_for_existing_account_explains(client_for, admin, other_admin):
    invite(client_for(admin), email=other_admin.email)
    path = invitation_path(mail.outbox[0])

    page = Client().get(path)
    accepted = accept(path)

    content = html.unescape(page.content.decode())
    assert page.status_code == 410
    assert f"L'adresse {other_admin.email} est déjà l'identifiant d'un compte" in content
    assert "administrateur de Cabinet Dupont de vous inviter avec une autre adresse" in content
    assert accepted.status_code == 410
    other_admin.refresh_from_db()
    assert other_admin.firm.name == "Cabinet Durand"


def test_invitation_after_address_became_account(client_for, admin, other_firm):
    invite(client_for(admin))
    path = invitation_path(mail.outbox[0])
    factories.UserFactory(firm=other_firm, email="nouvelle@dupont.example")

    response = accept(path)

    assert response.status_code == 410
    assert "déjà l'identifiant d'un compte" in html.unescape(response.content.decode())
    assert User.objects.filter(email="nouvelle@dupont.example").count() == 1
    assert Invitation.objects.get().accepted_at is None


def test_revoke_after_acceptance_refused(client_for, admin):
    client = client_for(admin)
    invite(client)
    invitation = Invitation.objects.get()
    revoke_url = reverse("accounts:revoke_invitation", args=[invitation.pk])
    resend_url = reverse("accounts:resend_invitation", args=[invitation.pk])
    from portefeuilles.accounts import services

    stale = services.get_firm_invitation(admin, invitation.pk)
    accept(invitation_path(mail.outbox[0]))

    with pytest.raises(services.AccountError, match="vient d'être acceptée ou annulée"):
        services.revoke_invitation(admin, stale)
    with pytest.raises(services.AccountError, match="vient d'être acceptée ou annulée"):
        services.resend_invitation(admin, stale, lambda path: path)
    assert client.post(revoke_url).status_code == 404
    assert client.post(resend_url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert len(mail.outbox) == 1


def test_invite_twice_refused(client_for, admin):
    client = client_for(admin)
    invite(client)
    response = invite(client, email="NOUVELLE@dupont.example")
    assert response.status_code == 200
    assert "Renvoyer" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_promote_and_demote(client_for, admin, subscriber):
    client = client_for(admin)
    url = reverse("accounts:change_role", args=[subscriber.pk])
    client.post(url, {"role": User.Role.ADMINISTRATOR})
    subscriber.refresh_from_db()
    assert subscriber.role == User.Role.ADMINISTRATOR
    client.post(reverse("accounts:change_role", args=[admin.pk]), {"role": "collaborator"})
    admin.refresh_from_db()
    assert admin.role == User.Role.COLLABORATOR


def test_last_admin_cannot_be_demoted(client_for, admin):
    client = client_for(admin)
    response = client.post(
        reverse("accounts:change_role", args=[admin.pk]), {"role": "collaborator"}, follow=True
    )
    admin.refresh_from_db()
    assert admin.role == User.Role.ADMINISTRATOR
    assert "seul administrateur actif" in response.content.decode()


def test_last_active_admin_cannot_be_deactivated(client_for, admin, firm):
    other = factories.AdministratorFactory(firm=firm)
    client = client_for(other)
    client.post(reverse("accounts:deactivate_user", args=[admin.pk]))
    admin.refresh_from_db()
    assert not admin.is_active
    inactive_admin_count = User.objects.filter(firm=firm, role="administrator", is_active=True)
    assert inactive_admin_count.count() == 1
    response = client.post(
        reverse("accounts:change_role", args=[other.pk]), {"role": "collaborator"}, follow=True
    )
    assert "seul administrateur actif" in response.content.decode()


def test_deactivated_admin_does_not_count(firm, admin):
    from portefeuilles.accounts import services

    factories.AdministratorFactory(firm=firm, is_active=False)
    with pytest.raises(services.AccountError):
        services.change_role(admin, admin, User.Role.COLLABORATOR)


def test_self_deactivation_refused(client_for, admin, firm):
    factories.AdministratorFactory(firm=firm)
    response = client_for(admin).post(
        reverse("accounts:deactivate_user", args=[admin.pk]), follow=True
    )
    admin.refresh_from_db()
    assert admin.is_active
    assert "votre propre compte" in response.content.decode()


def test_deactivation_ends_sessions_and_hides_portfolios(admin, subscriber, portfolio):
    collaborator = Client()
    collaborator.post(
        reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD}
    )
    assert portfolio.name in collaborator.get(reverse("home")).content.decode()
    manager = Client()
    manager.force_login(admin)
    manager.post(reverse("accounts:deactivate_user", args=[subscriber.pk]))
    assert not UserSession.objects.filter(user=subscriber).exists()
    response = collaborator.get(reverse("home"))
    assert response.status_code == 302
    again = Client().post(
        reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD}
    )
    assert again.status_code == 200
    assert PortfolioSubscription.objects.filter(user=subscriber).exists()

    manager.post(reverse("accounts:reactivate_user", args=[subscriber.pk]))
    back = Client()
    back.post(reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD})
    assert portfolio.name in back.get(reverse("home")).content.decode()


def test_end_user_sessions(admin, subscriber):
    collaborator = Client()
    collaborator.force_login(subscriber)
    manager = Client()
    manager.force_login(admin)
    response = manager.post(reverse("accounts:end_user_sessions", args=[subscriber.pk]))
    assert response["Location"] == MANAGE
    assert collaborator.get(reverse("home")).status_code == 302
    assert manager.get(reverse("home")).status_code == 200


def test_end_own_sessions_keeps_current(admin):
    current, other = Client(), Client()
    current.force_login(admin)
    other.force_login(admin)
    current.post(reverse("accounts:end_user_sessions", args=[admin.pk]))
    assert current.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_reset_second_factor(client_for, admin, firm):
    other_admin_of_firm = factories.AdministratorFactory(firm=firm)
    enrol(other_admin_of_firm)
    client_for(admin).post(
        reverse("accounts:reset_user_second_factor", args=[other_admin_of_firm.pk])
    )
    assert not twofactor.is_enrolled(other_admin_of_firm)
    login = Client().post(
        reverse("accounts:login"), {"username": other_admin_of_firm.email, "password": PASSWORD}
    )
    assert login["Location"] == reverse("accounts:login_enrol")


def test_reset_second_factor_ends_sessions(client_for, admin, subscriber):
    enrol(subscriber)
    phone = Client()
    phone.force_login(subscriber)

    response = client_for(admin).post(
        reverse("accounts:reset_user_second_factor", args=[subscriber.pk]), follow=True
    )

    assert "ses sessions sont fermées" in response.content.decode()
    assert not UserSession.objects.filter(user=subscriber).exists()
    assert phone.get(reverse("home")).status_code == 302


def test_promotion_without_second_factor_ends_sessions(client_for, admin, subscriber):
    collaborator = Client()
    collaborator.force_login(subscriber)

    response = client_for(admin).post(
        reverse("accounts:change_role", args=[subscriber.pk]),
        {"role": User.Role.ADMINISTRATOR},
        follow=True,
    )
    login = Client().post(
        reverse("accounts:login"), {"username": subscriber.email, "password": PASSWORD}
    )

    assert "Ses sessions sont fermées" in response.content.decode()
    assert collaborator.get(reverse("home")).status_code == 302
    assert login["Location"] == reverse("accounts:login_enrol")


def test_promotion_with_second_factor_keeps_sessions(client_for, admin, subscriber):
    enrol(subscriber)
    collaborator = Client()
    collaborator.force_login(subscriber)

    response = client_for(admin).post(
        reverse("accounts:change_role", args=[subscriber.pk]),
        {"role": User.Role.ADMINISTRATOR},
        follow=True,
    )

    assert "Ses sessions sont fermées" not in response.content.decode()
    assert collaborator.get(reverse("home")).status_code == 200


def test_reset_own_second_factor_refused(client_for, admin):
    enrol(admin)
    client_for(admin).post(reverse("accounts:reset_user_second_factor", args=[admin.pk]))
    assert twofactor.is_enrolled(admin)
