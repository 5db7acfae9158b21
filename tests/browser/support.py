"""Chromium start-up and the login steps shared by the browser tests."""

from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import Browser, Page, Playwright, expect

from tests import factories

CHROMIUM_PATH = "/usr/bin/chromium"
# Debian's Chromium as root, with nothing reaching out of this machine: without
# the background-networking flags it tries Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )


def new_page(browser: Browser, console_errors: list) -> Page:
    """Open a page whose console errors and uncaught exceptions go to ``console_errors``."""
    page = browser.new_context().new_page()
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    return page


def totp_code(secret_base32: str) -> str:
    """Return the code an authenticator app shows now for the secret."""
    return f"{totp(b32decode(secret_base32)):06d}"


def log_in(page: Page, base_url: str, email: str, totp_secret: str | None = None) -> None:
    """Log in from the home page, typing the TOTP code when the account has a second factor."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Identifiant").fill(email)
    page.get_by_label("Mot de passe").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if totp_secret is not None:
        page.get_by_label("Code à usage unique").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Mes portefeuilles")).to_be_visible()
