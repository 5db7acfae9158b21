from django.utils.translation import gettext_lazy as _

from portefeuilles.referential import sirene
from portefeuilles.referential.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe le fichier StockEtablissement de l'INSEE (SIRENE, format 3.11), en .csv "
        "ou dans l'archive .zip publiée. Relancé, il met à jour les établissements."
    )
    importer = staticmethod(sirene.import_file)
    row_noun_plural = _("Établissements")
