from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portefeuilles.accounts.demo import give_demo_second_factor
from portefeuilles.accounts.models import User
from portefeuilles.accounts.provisioning import ProvisioningError
from portefeuilles.portfolios import demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (entreprise « Cabinet Démo », utilisateurs, "
        "référentiel fictif, portefeuilles) puis affiche les identifiants de connexion. "
        "Relancée, elle ne change rien."
    )

    def handle(self, *args, **options):
        try:
            result = demo.load()
        except ProvisioningError as error:
            raise CommandError(str(error)) from None

        if result.created:
            self.stdout.write(
                _(
                    "Données de démonstration chargées : %(establishments)s établissements, "
                    "%(accounts)s comptes, %(clients)s clients rattachés, %(portfolios)s "
                    "portefeuilles."
                )
                % {
                    "establishments": result.establishments,
                    "accounts": result.accounts,
                    "clients": result.clients,
                    "portfolios": result.portfolios,
                }
            )
        else:
            self.stdout.write(
                _(
                    "Les données de démonstration sont déjà chargées : elles n'ont pas été "
                    "modifiées."
                )
            )

        self.stdout.write(_("Identifiants de démonstration, à ne jamais utiliser en production :"))
        for user in demo.USERS:
            self.stdout.write(
                _("  %(role)s : %(email)s, mot de passe %(password)s")
                % {"role": user.role.label, "email": user.email, "password": demo.PASSWORD}
            )
        # Administrators must log in with a second factor: print the demo's.
        administrator = User.objects.get(email=demo.ADMINISTRATOR.email)
        self.stdout.write(give_demo_second_factor(administrator))
        self.stdout.write(
            _("Chaque lancement remet à neuf ce second facteur et ses codes de secours.")
        )
