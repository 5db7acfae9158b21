import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from portefeuilles.audit.models import JournalEntry


class Command(BaseCommand):
    help = (
        "Supprime les entrées du journal plus anciennes que JOURNAL_RETENTION_DAYS jours "
        "(365 par défaut). À lancer une fois par jour."
    )

    def handle(self, *args, **options):
        days = settings.JOURNAL_RETENTION_DAYS
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted = JournalEntry.objects.purge_before(cutoff)
        self.stdout.write(
            _(
                "Entrées du journal supprimées : %(count)s (antérieures au %(cutoff)s UTC, "
                "conservation de %(days)s jours)."
            )
            % {"count": deleted, "cutoff": f"{cutoff:%Y-%m-%d %H:%M:%S}", "days": days}
        )
