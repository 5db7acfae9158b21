from django.utils.translation import gettext_lazy as _

from portefeuilles.referential import accounts_extract
from portefeuilles.referential.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe un extrait de comptes Urssaf (séparateur « ; », dates CYYMMDD, colonne "
        "Regime facultative). Relancé, il met à jour les comptes."
    )
    importer = staticmethod(accounts_extract.import_file)
    row_noun_plural = _("Comptes")
