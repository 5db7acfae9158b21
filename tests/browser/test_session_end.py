"""A session that ends while the portfolio dialog is open, in Chromium."""

import pytest
from playwright.sync_api import expect, sync_playwright

from portefeuilles.accounts.demo import DEMO_TOTP_SECRET, give_demo_second_factor
from tests import factories
from tests.browser.support import launch_chromium, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin(transactional_db, settings):
    firm = factories.FirmFactory(name="Cabinet Dupont")
    factories.PortfolioFactory(firm=firm, name="Clients Bretagne")
    admin = factories.AdministratorFactory(firm=firm, email="admin@dupont.example")
    # Administrators log in with a second factor: the demo's, whose secret is known.
    give_demo_second_factor(admin)
    return admin


def test_dialog_action_after_logout_opens_login(live_server, admin):
    console_errors = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = new_page(browser, console_errors)
        log_in(page, live_server.url, admin.email, DEMO_TOTP_SECRET)
        page.get_by_role("button", name="Gérer les utilisateurs").click()
        page.get_by_role("link", name="Modifier le portefeuille Clients Bretagne").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Clients Bretagne")).to_be_visible()

        # The session ends (expiry, logout in another tab) while the dialog is open.
        page.context.clear_cookies()
        dialog.get_by_role("button", name="Rechercher").click()

        # The whole page goes to the login form, which then leads back to the list.
        expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
        assert page.url == f"{live_server.url}/connexion/?next=%2Futilisateurs%2F"
        page.get_by_label("Identifiant").fill(admin.email)
        page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        # The TOTP code of this time step is spent: log in with a recovery code.
        page.get_by_label("Code à usage unique").fill("demo-2222")
        page.get_by_role("button", name="Valider").click()
        expect(page.get_by_role("heading", name="Gérer les utilisateurs")).to_be_visible()
        browser.close()

    assert console_errors == []


def test_stale_csrf_token_says_page_expired(live_server, admin):
    console_errors = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = new_page(browser, console_errors)
        log_in(page, live_server.url, admin.email, DEMO_TOTP_SECRET)
        page.get_by_role("button", name="Gérer les utilisateurs").click()
        page.get_by_role("link", name="Modifier le portefeuille Clients Bretagne").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("button", name="Modifier", exact=True).click()
        dialog.get_by_label("Nom du portefeuille").fill("Clients Normandie")

        # The token in the page no longer matches: a login elsewhere rotates it.
        page.context.clear_cookies(name="csrftoken")
        dialog.get_by_role("button", name="Enregistrer").click()

        expect(dialog.get_by_role("alert")).to_have_text(
            "La page a expiré, par exemple après une nouvelle connexion dans un autre onglet. "
            "Rechargez la page, puis recommencez."
        )
        browser.close()

    # Chromium and htmx both log the refused request (403), and nothing else is logged.
    assert all("403" in error for error in console_errors)
