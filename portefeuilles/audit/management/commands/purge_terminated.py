from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from portefeuilles.audit.restore import purge_terminated


class Command(BaseCommand):
    help = (
        "Supprime définitivement les portefeuilles résiliés depuis plus de "
        "TERMINATED_PORTFOLIO_RETENTION_DAYS jours (30 par défaut), avec leur liste de "
        "clients et leurs abonnés. À lancer une fois par jour."
    )

    def handle(self, *args, **options):
        purged = purge_terminated()
        self.stdout.write(
            _(
                "Portefeuilles résiliés supprimés définitivement : %(count)s (résiliés depuis "
                "plus de %(days)s jours)."
            )
            % {"count": purged, "days": settings.TERMINATED_PORTFOLIO_RETENTION_DAYS}
        )
