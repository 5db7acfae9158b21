"""Demo data: the firm « Cabinet Démo », its users, a fictitious referential and portfolios.

The referential is written as a StockEtablissement file and an Urssaf account
extract, then loaded through the same importers as the real files, so the demo
also exercises them. Every name contains « DEMO » and the generator is seeded,
so two runs on empty databases produce the same rows.
"""

import csv
import logging
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from portefeuilles.accounts import provisioning
from portefeuilles.accounts.models import Firm, User
from portefeuilles.referential import accounts_extract, sirene
from portefeuilles.referential.identifiers import luhn_complete
from portefeuilles.referential.importing import Rejection
from portefeuilles.referential.models import UrssafAccount

from . import services
from .models import FirmClient, Portfolio, PortfolioClient

logger = logging.getLogger(__name__)

FIRM_SIREN = luhn_complete("99990001")
FIRM_NAME = "Cabinet Démo"
# Demo only: load_demo prints this password. Never load the demo data on a
# server that contains real clients.
PASSWORD = "demo-portefeuilles"


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: str


ADMINISTRATOR = DemoUser("admin@cabinet-demo.example", "Alix", "Démo", User.Role.ADMINISTRATOR)
COLLABORATORS = (
    DemoUser("camille@cabinet-demo.example", "Camille", "Démo", User.Role.COLLABORATOR),
    DemoUser("dominique@cabinet-demo.example", "Dominique", "Démo", User.Role.COLLABORATOR),
)
USERS = (ADMINISTRATOR, *COLLABORATORS)

COMPANY_COUNT = 150
SEED = 20240918

# NOTE: the SIRENs are valid numbers starting with 9999, picked without checking
# the register. The « DEMO » names are what marks the rows as fictitious.
_SIREN_PREFIX = "9999"
_ACCOUNT_PREFIX = "9"

# (trade, activity code, régime of its accounts)
_TRADES = (
    ("BOULANGERIE", "10.71C", UrssafAccount.Regime.GENERAL),
    ("GARAGE", "45.20A", UrssafAccount.Regime.GENERAL),
    ("LIBRAIRIE", "47.61Z", UrssafAccount.Regime.GENERAL),
    ("RESTAURANT", "56.10A", UrssafAccount.Regime.GENERAL),
    ("TRANSPORTS", "49.41A", UrssafAccount.Regime.GENERAL),
    ("PLOMBERIE", "43.22A", UrssafAccount.Regime.SELF_EMPLOYED),
    ("FLEURISTE", "47.76Z", UrssafAccount.Regime.SELF_EMPLOYED),
    ("CONSEIL", "70.22Z", UrssafAccount.Regime.SELF_EMPLOYED),
    ("CABINET INFIRMIER", "86.90D", UrssafAccount.Regime.MEDICAL),
    ("KINESITHERAPIE", "86.90E", UrssafAccount.Regime.MEDICAL),
)
# (Urssaf code, department, postcode, city). The Urssaf codes are made up.
_PLACES = (
    ("117", "75", "75011", "PARIS 11"),
    ("117", "92", "92100", "BOULOGNE-BILLANCOURT"),
    ("117", "93", "93100", "MONTREUIL"),
    ("827", "69", "69003", "LYON 3"),
    ("827", "69", "69100", "VILLEURBANNE"),
    ("537", "33", "33000", "BORDEAUX"),
    ("317", "31", "31000", "TOULOUSE"),
    ("227", "59", "59000", "LILLE"),
)
_STREETS = (
    ("RUE", "DES DEMONSTRATIONS"),
    ("AV", "DE L EXEMPLE"),
    ("BD", "DU SPECIMEN"),
    ("PL", "DU MODELE"),
    ("IMP", "DE LA MAQUETTE"),
    ("CHE", "DU PROTOTYPE"),
)
_ILE_DE_FRANCE = {"75", "92", "93"}


@dataclass
class DemoResult:
    created: bool
    establishments: int = 0
    accounts: int = 0
    clients: int = 0
    portfolios: int = 0


def load() -> DemoResult:
    """Load the demo data once; when the demo firm exists, change nothing.

    Raises provisioning.ProvisioningError when a demo e-mail address already
    belongs to a user of another firm, or when the firm with the demo SIREN
    lacks the demo administrator, so it is not the demo's.
    """
    firm = Firm.objects.filter(siren=FIRM_SIREN).first()
    if firm is not None:
        if firm.users.filter(email=ADMINISTRATOR.email).exists():
            return DemoResult(created=False)
        raise provisioning.ProvisioningError(
            _(
                "L'entreprise « %(name)s » porte déjà le SIREN %(siren)s de la démonstration "
                "sans en avoir l'administrateur %(email)s : les données de démonstration ne "
                "sont pas chargées. Chargez-les dans une autre base (DATABASE_URL)."
            )
            % {"name": firm.name, "siren": FIRM_SIREN, "email": ADMINISTRATOR.email}
        )
    taken_emails = sorted(
        User.objects.filter(email__in=[user.email for user in USERS]).values_list(
            "email", flat=True
        )
    )
    if taken_emails:
        raise provisioning.ProvisioningError(
            _(
                "Les adresses %(emails)s appartiennent déjà à des utilisateurs hors de la "
                "démonstration : les données de démonstration ne sont pas chargées."
            )
            % {"emails": ", ".join(taken_emails)}
        )
    with transaction.atomic():
        result = _load()
    logger.info(
        "demo loaded establishments=%s accounts=%s clients=%s portfolios=%s",
        result.establishments,
        result.accounts,
        result.clients,
        result.portfolios,
    )
    return result


def _load() -> DemoResult:
    rng = random.Random(SEED)
    establishments, accounts = generate(rng)
    with tempfile.TemporaryDirectory(prefix="portefeuilles-demo-") as directory:
        stock_path = Path(directory) / "StockEtablissement_demo.csv"
        extract_path = Path(directory) / "comptes_demo.csv"
        write_stock_file(stock_path, establishments)
        write_account_extract(extract_path, accounts)
        sirene.import_file(stock_path, on_reject=_generator_bug)
        accounts_extract.import_file(extract_path, on_reject=_generator_bug)

    firm, admin = provisioning.create_firm(FIRM_SIREN, FIRM_NAME, ADMINISTRATOR.email, PASSWORD)
    User.objects.filter(pk=admin.pk).update(
        first_name=ADMINISTRATOR.first_name, last_name=ADMINISTRATOR.last_name
    )
    collaborators = [
        User.objects.create_user(
            demo_user.email,
            PASSWORD,
            firm=firm,
            role=demo_user.role,
            first_name=demo_user.first_name,
            last_name=demo_user.last_name,
        )
        for demo_user in COLLABORATORS
    ]
    admin.refresh_from_db()

    known_sirets = {row["siret"] for row in establishments}
    unknown_siret_accounts = {row["Compte"] for row in accounts if row["Siret"] not in known_sirets}
    clients = _attach_clients(
        rng, firm, [row["Compte"] for row in accounts], always=unknown_siret_accounts
    )
    portfolios = _create_portfolios(admin, collaborators, clients)
    return DemoResult(
        created=True,
        establishments=len(establishments),
        accounts=len(accounts),
        clients=len(clients),
        portfolios=len(portfolios),
    )


def _generator_bug(rejection: Rejection) -> None:
    raise AssertionError(f"demo row rejected at line {rejection.line}: {rejection.message}")


def generate(rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Return the StockEtablissement rows and the account extract rows, as dicts by column."""
    establishments: list[dict] = []
    accounts: list[dict] = []
    for company in range(1, COMPANY_COUNT + 1):
        siren = luhn_complete(f"{_SIREN_PREFIX}{company:04d}")
        trade, activity, regime = rng.choice(_TRADES)
        urssaf_code, department, postcode, city = rng.choice(_PLACES)
        company_closed = rng.random() < 0.08
        for index in range(1 + rng.choice((0, 0, 1, 1, 2, 3))):
            siret = luhn_complete(f"{siren}{index + 1:04d}")
            closed = company_closed or (index > 0 and rng.random() < 0.1)
            street_type, street_name = rng.choice(_STREETS)
            establishments.append(
                {
                    "siren": siren,
                    "nic": siret[9:],
                    "siret": siret,
                    "statutDiffusionEtablissement": "O",
                    "etablissementSiege": "true" if index == 0 else "false",
                    "numeroVoieEtablissement": str(rng.randint(1, 180)),
                    "indiceRepetitionEtablissement": rng.choice(("", "", "", "", "B", "T")),
                    "typeVoieEtablissement": street_type,
                    "libelleVoieEtablissement": street_name,
                    "codePostalEtablissement": postcode,
                    "libelleCommuneEtablissement": city,
                    "etatAdministratifEtablissement": "F" if closed else "A",
                    "denominationUsuelleEtablissement": (
                        f"{trade} DEMO {company:03d}" if index == 0 else ""
                    ),
                    "enseigne1Etablissement": (
                        f"{trade} DEMO {company:03d}-{index}" if index > 0 else ""
                    ),
                    "activitePrincipaleEtablissement": activity,
                    "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                    sirene.NAF25_COLUMN: activity,
                }
            )
            accounts.append(
                _account_row(
                    rng, len(accounts), siret, regime, closed, place=(urssaf_code, department)
                )
            )
        if company % 40 == 0:
            # An account whose establishment is missing from the referential, as
            # happens when the INSEE file is older than the account extract.
            missing_siret = luhn_complete(f"{siren}9001")
            accounts.append(
                _account_row(
                    rng, len(accounts), missing_siret, regime, False, (urssaf_code, department)
                )
            )
    return establishments, accounts


def _account_row(rng, counter, siret, regime, closed, place) -> dict:
    urssaf_code, department = place
    created_on = date(1995, 1, 1) + timedelta(days=rng.randint(0, 28 * 365))
    if closed or rng.random() < 0.05:
        state = UrssafAccount.State.CLOSED
        closed_on = created_on + timedelta(days=rng.randint(200, 3000))
    else:
        state = rng.choice([UrssafAccount.State.ACTIVE] * 12 + [UrssafAccount.State.SUSPENDED])
        closed_on = None
    return {
        "Urssaf_gestion": urssaf_code,
        "Dep": department,
        "Compte": f"{urssaf_code}{_ACCOUNT_PREFIX}{counter + 1:014d}",
        "Etat_compte": state,
        "Siren": siret[:9],
        "Siret": siret,
        "Date_crea_siret": accounts_extract.format_cyymmdd(created_on),
        "Date_disp_siret": accounts_extract.format_cyymmdd(closed_on) if closed_on else "",
        "Regime": regime,
    }


def write_stock_file(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` as a 54-column StockEtablissement file; absent columns stay empty."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(
            stream, fieldnames=[*sirene.COLUMNS, sirene.NAF25_COLUMN], restval=""
        )
        writer.writeheader()
        writer.writerows(rows)


def write_account_extract(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` as a ``;``-separated account extract with the optional Regime column."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(
            stream,
            fieldnames=[*accounts_extract.REQUIRED_COLUMNS, accounts_extract.REGIME_COLUMN],
            delimiter=";",
        )
        writer.writeheader()
        writer.writerows(rows)


def _attach_clients(
    rng: random.Random, firm: Firm, numbers: list[str], always: set[str]
) -> list[FirmClient]:
    """Attach about four accounts in five to the firm, and every account listed in ``always``."""
    chosen = [number for number in numbers if number in always or rng.random() < 0.8]
    accounts = UrssafAccount.objects.filter(number__in=chosen)
    FirmClient.objects.bulk_create([FirmClient(firm=firm, account=account) for account in accounts])
    return list(FirmClient.objects.filter(firm=firm).select_related("account"))


def _create_portfolios(admin: User, collaborators: list[User], clients) -> list[Portfolio]:
    camille, dominique = collaborators
    by_name = {
        "Clients Paris et petite couronne": [
            client for client in clients if client.account.department in _ILE_DE_FRANCE
        ],
        "Indépendants": [
            client
            for client in clients
            if client.account.regime == UrssafAccount.Regime.SELF_EMPLOYED
        ],
        "Professions médicales": [
            client for client in clients if client.account.regime == UrssafAccount.Regime.MEDICAL
        ],
    }
    subscribers = {
        "Clients Paris et petite couronne": [camille],
        "Indépendants": [camille, dominique],
        "Professions médicales": [dominique],
    }
    portfolios = []
    for name, members in by_name.items():
        portfolio = services.create_portfolio(admin, name)
        PortfolioClient.objects.bulk_create(
            [PortfolioClient(portfolio=portfolio, firm_client=client) for client in members]
        )
        for user in subscribers[name]:
            services.add_subscriber(admin, portfolio, user.pk)
        portfolios.append(portfolio)
    return portfolios
