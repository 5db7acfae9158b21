import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portefeuilles.accounts import provisioning


class Command(BaseCommand):
    help = (
        "Ouvre l'espace d'une entreprise (tiers déclarant) et crée son administrateur. "
        "Le mot de passe est demandé à l'invite, ou lu sur une ligne de l'entrée standard."
    )
    # call_command(..., stdin=StringIO(...)) replaces the standard input in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--siren", required=True, help=gettext_lazy("SIREN, 9 chiffres"))
        parser.add_argument("--name", required=True, help=gettext_lazy("raison sociale"))
        parser.add_argument(
            "--admin-email",
            required=True,
            help=gettext_lazy("adresse e-mail, identifiant de l'administrateur"),
        )

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        try:
            details = provisioning.clean_firm_details(
                options["siren"], options["name"], options["admin_email"]
            )
            password = self.read_password(stdin)
            firm, user = provisioning.create_firm(
                details.siren, details.name, details.admin_email, password
            )
        except provisioning.ProvisioningError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Entreprise « %(name)s » (SIREN %(siren)s) créée ; administrateur : %(email)s.")
            % {"name": firm.name, "siren": firm.siren, "email": user.email}
        )

    def read_password(self, stdin) -> str:
        if stdin.isatty():
            password = getpass.getpass(_("Mot de passe de l'administrateur : "))
            if password != getpass.getpass(_("Confirmez le mot de passe : ")):
                raise CommandError(_("Les deux mots de passe diffèrent. Relancez la commande."))
        else:
            password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(
                _(
                    "Aucun mot de passe lu. Saisissez-le à l'invite, ou passez-le sur une "
                    "ligne de l'entrée standard."
                )
            )
        return password
