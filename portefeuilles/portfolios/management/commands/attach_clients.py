from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portefeuilles.accounts.models import Firm
from portefeuilles.portfolios import client_lists
from portefeuilles.referential import identifiers
from portefeuilles.referential.importing import ImportFileError, read_lines


class Command(BaseCommand):
    help = (
        "Rattache à une entreprise les comptes Urssaf listés dans un fichier texte, un "
        "numéro de compte par ligne (lignes vides et commentaires « # » acceptés)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--firm", required=True, help=gettext_lazy("SIREN de l'entreprise (tiers déclarant)")
        )
        parser.add_argument("file", help=gettext_lazy("fichier texte des numéros de compte"))

    def handle(self, *args, **options):
        siren = identifiers.normalize(options["firm"])
        firm = Firm.objects.filter(siren=siren).first()
        if firm is None:
            raise CommandError(
                _(
                    "Aucune entreprise ne porte le SIREN « %(siren)s ». Vérifiez le SIREN, ou "
                    "créez l'entreprise avec la commande create_firm."
                )
                % {"siren": options["firm"]}
            )

        path = Path(options["file"])
        try:
            with path.open("rb") as raw:
                summary = client_lists.attach_accounts(firm, read_lines(raw), self.report_rejection)
        except (FileNotFoundError, IsADirectoryError):
            raise CommandError(
                _("Le fichier « %(path)s » est introuvable. Vérifiez son chemin.") % {"path": path}
            ) from None
        except OSError as error:
            raise CommandError(
                _("Impossible de lire le fichier « %(path)s » : %(error)s.")
                % {"path": path, "error": error.strerror}
            ) from None
        except ImportFileError as error:
            raise CommandError(_("%(error)s Rien n'a été rattaché.") % {"error": error}) from None

        self.stdout.write(
            "\n".join(
                [
                    _("Comptes rattachés : %(count)s") % {"count": summary.attached},
                    _("Comptes déjà rattachés : %(count)s") % {"count": summary.already_attached},
                    _("Lignes rejetées : %(count)s") % {"count": summary.rejected},
                ]
            )
        )

    def report_rejection(self, rejection: client_lists.LineRejection) -> None:
        self.stderr.write(
            _("Ligne %(line)s rejetée : %(message)s")
            % {"line": rejection.line, "message": rejection.message}
        )
