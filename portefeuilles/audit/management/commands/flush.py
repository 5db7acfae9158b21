"""Django's ``flush``, let through the journal's append-only triggers.

On SQLite, ``flush`` empties tables with DELETE, which the journal's trigger
rejects. Test runs flush the database after every transactional test, so this
command opens the purge permit for the duration of the flush. On PostgreSQL,
``flush`` uses TRUNCATE, which row triggers do not see.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from portefeuilles.audit.models import purge_permit


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias), purge_permit(connection):
            return super().handle(**options)
