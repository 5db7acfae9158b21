"""An administrator invites a collaborator, who chooses a password, logs in and enrols TOTP.

Data is created before Playwright starts and checked after it stops: Playwright's
sync API runs an event loop in this thread, and Django refuses ORM calls there.
The live server runs in this process, so the invitation is read from
``django.core.mail.outbox``.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect, sync_playwright

from portefeuilles.accounts.demo import DEMO_TOTP_SECRET, give_demo_second_factor
from portefeuilles.accounts.models import User
from portefeuilles.accounts.twofactor import is_enrolled
from tests import factories
from tests.browser.support import launch_chromium, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_EMAIL = "nina.roux@dupont.example"
NEW_PASSWORD = "un long chemin vers la mer"


@pytest.fixture
def admin(transactional_db):
    firm = factories.FirmFactory(name="Cabinet Dupont")
    user = factories.AdministratorFactory(firm=firm, email="admin@dupont.example")
    give_demo_second_factor(user)
    return user


def test_invitation_first_login_and_enrolment(live_server, admin):
    console_errors = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context().new_page()
        page.on("pageerror", lambda error: console_errors.append(str(error)))

        # The administrator logs in with the second factor.
        page.goto(live_server.url + "/connexion/")
        page.get_by_label("Identifiant").fill(admin.email)
        page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
        page.get_by_label("Code à usage unique").fill(totp_code(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Valider").click()

        # « Gérer les utilisateurs », « Ajouter un nouveau collaborateur ».
        page.get_by_role("link", name="Gérer les utilisateurs").click()
        page.get_by_label("Adresse e-mail", exact=True).fill(NEW_EMAIL)
        page.get_by_label("Profil", exact=True).select_option("collaborator")
        page.get_by_role("button", name="Ajouter un nouveau collaborateur").click()
        expect(page.get_by_text(f"Une invitation valable 7 jours a été envoyée à {NEW_EMAIL}"))
        expect(page.locator("#firm-users")).to_contain_text(NEW_EMAIL)

        link = re.search(r"http://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
        assert mail.outbox[-1].to == [NEW_EMAIL]

        # The collaborator, in another browser, chooses a password.
        page = browser.new_context().new_page()
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.goto(link)
        expect(page.get_by_role("heading", name="Rejoindre l'espace de Cabinet Dupont"))
        page.get_by_label("Prénom").fill("Nina")
        page.get_by_label("Nom", exact=True).fill("Roux")
        page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Confirmation du mot de passe").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Créer mon compte").click()
        expect(page.get_by_text("Votre compte est créé.")).to_be_visible()

        # First login: a collaborator has no second factor yet.
        page.get_by_label("Identifiant").fill(NEW_EMAIL)
        page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Mes portefeuilles")).to_be_visible()

        # « Mon compte »: enrol TOTP with the secret shown next to the QR code.
        page.get_by_role("link", name="Mon compte").click()
        page.get_by_role("link", name="Configurer la double authentification").click()
        expect(page.locator(".qr-code svg")).to_be_visible()
        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("Code affiché par l'application").fill(totp_code(secret))
        page.get_by_role("button", name="Activer la double authentification").click()
        expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
        codes = page.locator(".recovery-codes code").all_inner_texts()
        assert len(codes) == 10

        # The next login requires the second factor, and a recovery code works once.
        page.get_by_role("button", name="Se déconnecter").click()
        page.get_by_label("Identifiant").fill(NEW_EMAIL)
        page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_label("Code à usage unique").fill(codes[0])
        page.get_by_role("button", name="Valider").click()
        expect(page.get_by_role("heading", name="Mes portefeuilles")).to_be_visible()

        browser.close()

    assert console_errors == []
    user = User.objects.get(email=NEW_EMAIL)
    assert user.firm_id == admin.firm_id
    assert user.role == User.Role.COLLABORATOR
    assert is_enrolled(user)
