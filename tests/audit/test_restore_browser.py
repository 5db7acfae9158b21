"""In Chromium: résilier a portfolio by mistake, restore it, and find both in the journal.

Data is created before Playwright starts and checked after it stops: Playwright's
sync API runs an event loop in this thread, and Django refuses ORM calls there.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

from portefeuilles.accounts.demo import DEMO_TOTP_SECRET, give_demo_second_factor
from portefeuilles.portfolios.models import Portfolio, PortfolioClient, PortfolioSubscription
from tests import factories
from tests.browser.support import launch_chromium, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Clients Bretagne"


@pytest.fixture
def filled_portfolio(transactional_db):
    firm = factories.FirmFactory(name="Cabinet Dupont")
    admin = factories.AdministratorFactory(firm=firm, email="admin@dupont.example")
    # Administrators log in with a second factor: the demo's, whose secret is known.
    give_demo_second_factor(admin)
    portfolio = factories.PortfolioFactory(firm=firm, name=NAME)
    for _ in range(2):
        factories.PortfolioClientFactory(portfolio=portfolio)
    factories.PortfolioSubscriptionFactory(
        portfolio=portfolio, user__email="camille@dupont.example"
    )
    return portfolio


def test_terminate_then_restore(live_server, filled_portfolio):
    clients_before = set(
        PortfolioClient.objects.filter(portfolio=filled_portfolio).values_list("pk", flat=True)
    )
    console_errors = []

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context().new_page()
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.goto(live_server.url + "/connexion/")
        page.get_by_label("Identifiant").fill("admin@dupont.example")
        page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_label("Code à usage unique").fill(totp_code(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Valider").click()
        page.get_by_role("link", name="Gérer les utilisateurs").click()

        page.get_by_role("link", name=f"Modifier le portefeuille {NAME}").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("button", name="Résilier").click()
        expect(dialog.get_by_text("Pendant 30 jours, vous pourrez restaurer")).to_be_visible()
        dialog.get_by_role("button", name="Confirmer la résiliation").click()
        expect(page.get_by_text(f"Le portefeuille {NAME} est résilié")).to_be_visible()

        page.get_by_role("link", name="Portefeuilles résiliés").click()
        page.get_by_role("link", name=f"Restaurer le portefeuille {NAME}").click()
        expect(page.get_by_text("2 clients")).to_be_visible()
        page.get_by_role("button", name="Restaurer").click()
        expect(
            page.get_by_role("heading", name=f"Le portefeuille « {NAME} » est restauré.")
        ).to_be_visible()

        page.get_by_role("link", name="Retour à « Gérer les utilisateurs »").click()
        page.get_by_role("link", name=f"Modifier le portefeuille {NAME}").click()
        history = page.get_by_role("dialog").get_by_role(
            "region", name="Historique du portefeuille"
        )
        expect(history.get_by_text("Portefeuille restauré")).to_be_visible()
        expect(history.get_by_text("Portefeuille résilié")).to_be_visible()
        page.keyboard.press("Escape")

        page.get_by_role("link", name="Journal", exact=True).click()
        entries = page.locator("#journal-entries tbody tr")
        expect(entries.first).to_contain_text("Portefeuille restauré")
        expect(entries.nth(1)).to_contain_text("Portefeuille résilié")
        browser.close()

    assert console_errors == []
    filled_portfolio.refresh_from_db()
    assert filled_portfolio.terminated_at is None
    assert (
        set(PortfolioClient.objects.filter(portfolio=filled_portfolio).values_list("pk", flat=True))
        == clients_before
    )
    assert PortfolioSubscription.objects.filter(portfolio=filled_portfolio).count() == 1
    assert Portfolio.objects.active().count() == 1
