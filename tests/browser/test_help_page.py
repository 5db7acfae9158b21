"""The Urssaf help page « Comment créer, renommer ou supprimer un portefeuille clients »,
followed step by step in Chromium, then the collaborator's view of the result.

Data is created before Playwright starts and checked after it stops: Playwright's
sync API runs an event loop in this thread, and Django refuses ORM calls there.
"""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from portefeuilles.accounts.demo import DEMO_TOTP_SECRET, give_demo_second_factor
from portefeuilles.portfolios.models import FirmClient, Portfolio
from tests import factories
from tests.browser.support import launch_chromium, log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Clients Île-de-France"
NEW_NAME = "Clients Auvergne-Rhône-Alpes"


@pytest.fixture
def cast(transactional_db, settings):
    firm = factories.FirmFactory(name="Cabinet Dupont")
    admin = factories.AdministratorFactory(
        firm=firm, email="admin@dupont.example", first_name="Alice", last_name="Admin"
    )
    # Administrators log in with a second factor: the demo's, whose secret is known.
    give_demo_second_factor(admin)
    collaborator = factories.UserFactory(
        firm=firm, email="camille@dupont.example", first_name="Camille", last_name="Collab"
    )
    first = factories.UrssafAccountFactory(establishment__name="Boulangerie des Lilas")
    second = factories.UrssafAccountFactory(establishment__name="Garage du Port")
    return {"admin": admin, "collaborator": collaborator, "first": first, "second": second}


def search(dialog, siret: str, number: str) -> None:
    dialog.get_by_label("Siren/Siret de l'établissement").fill(siret)
    dialog.get_by_label("Numéro de compte").fill(number)
    dialog.get_by_role("button", name="Rechercher").click()
    expect(dialog.get_by_role("heading", name="Comptes Régime Général du SIREN")).to_be_visible()


def test_help_page_then_collaborator(live_server, cast):
    base_url = live_server.url
    first, second = cast["first"], cast["second"]
    console_errors = []

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)

        # 1. « Se connecter » with « Identifiant » and « Mot de passe ».
        admin_page = new_page(browser, console_errors)
        log_in(admin_page, base_url, "admin@dupont.example", DEMO_TOTP_SECRET)

        # 2. Créer un portefeuille clients.
        admin_page.get_by_role("button", name="Gérer les utilisateurs").click()
        expect(admin_page.get_by_role("heading", name="Abonnés de l'entreprise")).to_be_visible()
        admin_page.get_by_role("button", name="Créer un nouveau portefeuille").click()
        admin_page.get_by_label("Nom du portefeuille").fill(NAME)
        admin_page.get_by_role("button", name="Confirmer la création").click()
        expect(admin_page.get_by_text(f"Le nouveau portefeuille {NAME} est créé.")).to_be_visible()

        # Action 4: the pencil opens « Portefeuille tiers déclarant »; add the first client.
        admin_page.get_by_role("link", name=f"Modifier le portefeuille {NAME}", exact=True).click()
        dialog = admin_page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_text("Portefeuille tiers déclarant")).to_be_visible()
        expect(dialog.get_by_role("heading", name=NAME)).to_be_visible()
        search(dialog, first.siret, first.number)
        dialog.get_by_role("button", name="Ajouter au portefeuille").click()
        expect(dialog.get_by_text(f"Le compte {first.number} est ajouté")).to_be_visible()
        clients = dialog.get_by_role("region", name="Clients du portefeuille")
        expect(clients.get_by_role("rowheader", name=first.number)).to_be_visible()

        # Action 5: « Ajouter un abonné » gives the collaborator access.
        dialog.get_by_role("button", name="Ajouter un abonné").click()
        dialog.get_by_label("Utilisateur de l'entreprise").select_option(
            label="Camille Collab (camille@dupont.example) · Collaborateur"
        )
        dialog.get_by_role("button", name="Confirmer l'ajout").click()
        subscribers = dialog.get_by_role("region", name="Abonnés du portefeuille")
        expect(subscribers.get_by_text("Camille Collab")).to_be_visible()

        # 3. Renommer: « Modifier », then « Enregistrer ».
        dialog.get_by_role("button", name="Modifier").click()
        dialog.get_by_label("Nom du portefeuille").fill(NEW_NAME)
        dialog.get_by_role("button", name="Enregistrer").click()
        expect(dialog.get_by_role("heading", name=NEW_NAME)).to_be_visible()

        # « Fermer » closes the dialog; the list behind it shows the new name and counts.
        dialog.get_by_role("button", name="Fermer").click()
        expect(admin_page.get_by_role("dialog")).to_have_count(0)
        row = admin_page.get_by_role("row", name=re.compile(NEW_NAME))
        expect(row.get_by_role("cell").nth(0)).to_have_text("1")
        expect(
            admin_page.get_by_role("link", name=f"Modifier le portefeuille {NEW_NAME}")
        ).to_be_focused()

        # The collaborator gets exactly that portfolio and adds a client, without « Résilier ».
        collaborator_page = new_page(browser, console_errors)
        log_in(collaborator_page, base_url, "camille@dupont.example")
        portfolios = collaborator_page.locator("#portfolio-list").get_by_role("link")
        expect(portfolios).to_have_count(1)
        expect(portfolios).to_have_text(NEW_NAME)
        expect(
            collaborator_page.get_by_role("button", name="Gérer les utilisateurs")
        ).to_have_count(0)
        portfolios.click()
        dialog = collaborator_page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name=NEW_NAME)).to_be_visible()
        search(dialog, second.siret, second.number)
        dialog.get_by_role("button", name="Ajouter au portefeuille").click()
        expect(dialog.get_by_text(f"Le compte {second.number} est ajouté")).to_be_visible()
        for label in ("Résilier", "Modifier", "Ajouter un abonné"):
            expect(dialog.get_by_role("button", name=label, exact=True)).to_have_count(0)
        collaborator_page.keyboard.press("Escape")
        expect(collaborator_page.get_by_role("dialog")).to_have_count(0)

        # 4. Supprimer: « Résilier », then the confirmation that states the client count.
        admin_page.get_by_role("link", name=f"Modifier le portefeuille {NEW_NAME}").click()
        dialog = admin_page.get_by_role("dialog")
        dialog.get_by_role("button", name="Résilier").click()
        expect(dialog.get_by_text("La liste de ses 2 clients sera supprimée.")).to_be_visible()
        dialog.get_by_role("button", name="Confirmer la résiliation").click()
        expect(admin_page.get_by_text(f"Le portefeuille {NEW_NAME} est résilié")).to_be_visible()
        expect(
            admin_page.get_by_role("link", name=f"Modifier le portefeuille {NEW_NAME}")
        ).to_have_count(0)

        browser.close()

    assert console_errors == []

    # Résilié, kept for restoration until purge_terminated deletes it.
    assert not Portfolio.objects.active().exists()
    assert Portfolio.objects.get().terminated_at is not None
    assert FirmClient.objects.filter(account__in=[first, second]).count() == 2


def test_help_page_without_javascript(live_server, cast):
    """The same first steps with JavaScript off: plain pages, post then redirect."""
    base_url = live_server.url
    first = cast["first"]

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(java_script_enabled=False).new_page()
        log_in(page, base_url, "admin@dupont.example", DEMO_TOTP_SECRET)

        page.get_by_role("button", name="Gérer les utilisateurs").click()
        page.get_by_role("button", name="Créer un nouveau portefeuille").click()
        page.get_by_label("Nom du portefeuille").fill(NAME)
        page.get_by_role("button", name="Confirmer la création").click()
        expect(page.get_by_text(f"Le nouveau portefeuille {NAME} est créé.")).to_be_visible()

        page.get_by_role("link", name=f"Modifier le portefeuille {NAME}").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        main = page.get_by_role("main")
        expect(main.get_by_role("heading", name=NAME)).to_be_visible()
        search(main, first.siret, first.number)
        main.get_by_role("button", name="Ajouter au portefeuille").click()
        expect(main.get_by_text(f"Le compte {first.number} est ajouté")).to_be_visible()

        main.get_by_role("button", name="Modifier").click()
        main.get_by_label("Nom du portefeuille").fill(NEW_NAME)
        main.get_by_role("button", name="Enregistrer").click()
        expect(main.get_by_role("heading", name=NEW_NAME)).to_be_visible()

        main.get_by_role("button", name="Fermer").click()
        expect(page.get_by_role("heading", name="Gérer les utilisateurs")).to_be_visible()
        row = page.get_by_role("row", name=re.compile(NEW_NAME))
        expect(row.get_by_role("cell").nth(0)).to_have_text("1")

        browser.close()


def test_every_dialog_action_without_javascript(live_server, cast):
    """Abonnés, client removal and résiliation through the plain pages, JavaScript off."""
    first = cast["first"]
    portfolio = factories.PortfolioFactory(firm=cast["admin"].firm, name=NAME)
    factories.PortfolioClientFactory(
        portfolio=portfolio, firm_client__account=first, firm_client__firm=portfolio.firm
    )

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(java_script_enabled=False).new_page()
        log_in(page, live_server.url, "admin@dupont.example", DEMO_TOTP_SECRET)
        page.get_by_role("button", name="Gérer les utilisateurs").click()
        page.get_by_role("link", name=f"Modifier le portefeuille {NAME}").click()
        main = page.get_by_role("main")

        main.get_by_role("button", name="Ajouter un abonné").click()
        main.get_by_label("Utilisateur de l'entreprise").select_option(
            label="Camille Collab (camille@dupont.example) · Collaborateur"
        )
        main.get_by_role("button", name="Confirmer l'ajout").click()
        expect(
            main.get_by_text(f"Camille Collab est abonné au portefeuille {NAME}.")
        ).to_be_visible()

        main.get_by_role("button", name="Retirer", exact=True).click()
        expect(main.get_by_text("L'abonné est retiré de ce portefeuille.")).to_be_visible()

        main.get_by_role("button", name="Retirer du portefeuille").click()
        expect(main.get_by_text("Le client est retiré du portefeuille.")).to_be_visible()

        main.get_by_role("button", name="Résilier").click()
        expect(main.get_by_text("Sa liste de clients est vide.")).to_be_visible()
        main.get_by_role("button", name="Confirmer la résiliation").click()
        expect(
            page.get_by_text(
                f"Le portefeuille {NAME} est résilié ; sa liste de clients était vide."
            )
        ).to_be_visible()
        expect(page.get_by_role("heading", name="Gérer les utilisateurs")).to_be_visible()

        browser.close()

    assert not Portfolio.objects.active().exists()
    assert FirmClient.objects.filter(account=first).exists()
