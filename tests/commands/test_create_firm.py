import io

import pytest
from django.core.management import CommandError

from portefeuilles.accounts.models import Firm, User
from tests import factories
from tests.commands.helpers import run

pytestmark = pytest.mark.django_db

PASSWORD = "une phrase de passe solide"


def create_firm(stdin: str | io.StringIO = PASSWORD + "\n", **overrides):
    options = {
        "siren": "732 829 320",
        "name": "Cabinet  Martin",
        "admin_email": "Admin@Martin.example",
    }
    options.update(overrides)
    if isinstance(stdin, str):
        stdin = io.StringIO(stdin)
    return run("create_firm", stdin=stdin, **options)


def test_creates_firm_and_administrator():
    stdout, _ = create_firm()

    firm = Firm.objects.get()
    assert firm.siren == "732829320"
    assert firm.name == "Cabinet Martin"
    user = User.objects.get()
    assert user.email == "admin@martin.example"
    assert user.firm == firm
    assert user.role == User.Role.ADMINISTRATOR
    assert user.check_password(PASSWORD)
    assert stdout == (
        "Entreprise « Cabinet Martin » (SIREN 732829320) créée ; "
        "administrateur : admin@martin.example.\n"
    )


def test_password_line_keeps_inner_spaces():
    create_firm(stdin="  espaces autour gardés  \r\n")

    assert User.objects.get().check_password("  espaces autour gardés  ")


class TerminalInput(io.StringIO):
    def isatty(self):
        return True


def test_prompts_on_terminal(monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    prompts = []

    def fake_getpass(prompt):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    create_firm(stdin=TerminalInput())

    assert prompts == ["Mot de passe de l'administrateur : ", "Confirmez le mot de passe : "]
    assert User.objects.get().check_password(PASSWORD)


def test_prompt_confirmation_mismatch(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError) as error:
        create_firm(stdin=TerminalInput())

    assert "Les deux mots de passe diffèrent" in str(error.value)
    assert not Firm.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "stdin", "expected"),
    [
        ({"siren": "732829321"}, PASSWORD, "Le SIREN « 732829321 » est invalide"),
        ({"siren": "73282932"}, PASSWORD, "Le SIREN « 73282932 » est invalide"),
        ({"siren": "35600000000048"}, PASSWORD, "Le SIREN « 35600000000048 » est invalide"),
        ({"name": "   "}, PASSWORD, "Saisissez la raison sociale"),
        ({"admin_email": "admin@"}, PASSWORD, "L'adresse e-mail « admin@ » est invalide"),
        ({}, "", "Aucun mot de passe lu"),
        ({}, "court\n", "Ce mot de passe est trop court"),
        ({}, "password1234\n", "Ce mot de passe est trop courant"),
    ],
)
def test_rejects_bad_input(overrides, stdin, expected):
    with pytest.raises(CommandError) as error:
        create_firm(stdin=stdin, **overrides)

    assert expected in str(error.value)
    assert not Firm.objects.exists()
    assert not User.objects.exists()


def test_rejects_existing_siren():
    factories.FirmFactory(siren="732829320", name="Cabinet Existant")

    with pytest.raises(CommandError) as error:
        create_firm()

    assert str(error.value) == (
        "Une entreprise porte déjà le SIREN 732829320 : « Cabinet Existant ». Son espace existe."
    )
    assert Firm.objects.count() == 1
    assert not User.objects.exists()


def test_rejects_existing_email_ignoring_case():
    factories.UserFactory(email="admin@martin.example")

    with pytest.raises(CommandError) as error:
        create_firm(admin_email="ADMIN@martin.example")

    assert "L'adresse e-mail admin@martin.example est déjà l'identifiant" in str(error.value)
    assert not Firm.objects.filter(siren="732829320").exists()
