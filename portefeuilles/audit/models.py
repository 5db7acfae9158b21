"""The journal: an append-only record of who did what, when and from where.

Entries name the objects they are about by plain ids and labels copied at the
time of the event, never by foreign keys, so they outlive the portfolio, user or
firm they name. Database triggers (migration 0002) reject UPDATE and DELETE on
the table; the retention purge is the only way to delete entries.
"""

import datetime
from contextlib import contextmanager

from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JournalIsAppendOnly(Exception):
    """Raised when code tries to change or delete a journal entry."""


class Action(models.TextChoices):
    PORTFOLIO_CREATED = "portfolio_created", _("Portefeuille créé")
    PORTFOLIO_RENAMED = "portfolio_renamed", _("Portefeuille renommé")
    PORTFOLIO_TERMINATED = "portfolio_terminated", _("Portefeuille résilié")
    PORTFOLIO_RESTORED = "portfolio_restored", _("Portefeuille restauré")
    PORTFOLIO_PURGED = "portfolio_purged", _("Portefeuille résilié supprimé définitivement")
    CLIENT_ADDED = "client_added", _("Client ajouté au portefeuille")
    CLIENT_REMOVED = "client_removed", _("Client retiré du portefeuille")
    SUBSCRIBER_ADDED = "subscriber_added", _("Abonné ajouté au portefeuille")
    SUBSCRIBER_REMOVED = "subscriber_removed", _("Abonné retiré du portefeuille")
    USER_INVITED = "user_invited", _("Utilisateur invité")
    USER_PROFILE_CHANGED = "user_profile_changed", _("Profil d'utilisateur modifié")
    USER_DEACTIVATED = "user_deactivated", _("Utilisateur désactivé")
    USER_REACTIVATED = "user_reactivated", _("Utilisateur réactivé")
    IMPORT_APPLIED = "import_applied", _("Import appliqué")
    LOGIN_SUCCEEDED = "login_succeeded", _("Connexion réussie")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    ACCESS_DENIED = "access_denied", _("Accès refusé")


class ObjectKind(models.TextChoices):
    PORTFOLIO = "portfolio", _("Portefeuille")
    CLIENT = "client", _("Client du cabinet")
    USER = "user", _("Utilisateur")
    INVITATION = "invitation", _("Invitation")
    FIRM = "firm", _("Entreprise")
    PAGE = "page", _("Page")


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise JournalIsAppendOnly("Journal entries cannot be changed.")

    def delete(self):
        raise JournalIsAppendOnly(
            "Journal entries cannot be deleted; use JournalEntry.objects.purge_before()."
        )

    def newest_first(self):
        return self.order_by("-created_at", "-id")

    def purge_before(self, cutoff: datetime.datetime) -> int:
        """Delete the entries created before ``cutoff`` and return how many went.

        This is the retention purge, the one deletion the triggers let through:
        on PostgreSQL a transaction-local setting, on SQLite a row in the
        ``audit_purge_permit`` table that lives only inside this transaction.
        """
        alias = router.db_for_write(JournalEntry)
        connection = connections[alias]
        table = connection.ops.quote_name(JournalEntry._meta.db_table)
        with (
            transaction.atomic(using=alias),
            purge_permit(connection),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [cutoff])  # noqa: S608
            return cursor.rowcount


@contextmanager
def purge_permit(connection):
    """Let the triggers accept DELETE on the journal until the block ends.

    Use it inside a transaction: the PostgreSQL setting is SET LOCAL, and the
    SQLite permit row is removed again before the transaction commits. When the
    block raises, the enclosing transaction's rollback removes the permit.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL portefeuilles.journal_purge = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL portefeuilles.journal_purge = 'off'")
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_purge_permit")


class JournalEntry(models.Model):
    """One event: an action by an actor on an object, with where and when it happened.

    Write entries through the named constructors of ``portefeuilles.audit.journal``.
    """

    created_at = models.DateTimeField(_("date (UTC)"), default=timezone.now)
    firm_id = models.BigIntegerField(_("entreprise"), null=True, blank=True)
    actor_id = models.BigIntegerField(_("utilisateur"), null=True, blank=True)
    actor_email = models.CharField(_("identifiant de l'utilisateur"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    object_kind = models.CharField(
        _("type d'objet"), max_length=20, choices=ObjectKind.choices, blank=True
    )
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    object_label = models.CharField(_("objet"), max_length=300, blank=True)
    # Copied out of the object so that the journal page can filter on them with
    # an index: the portfolio an event concerns, and the client's identifiers.
    portfolio_id = models.BigIntegerField(_("portefeuille"), null=True, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    account_number = models.CharField(_("numéro de compte"), max_length=18, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)
    client_address = models.GenericIPAddressField(_("adresse du client"), null=True, blank=True)
    request_id = models.UUIDField(_("identifiant de requête"), null=True, blank=True)

    objects = JournalQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("entrées du journal")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["firm_id", "-created_at", "-id"], name="journal_firm_time"),
            models.Index(fields=["created_at"], name="journal_time"),
            models.Index(fields=["firm_id", "portfolio_id"], name="journal_firm_portfolio"),
            models.Index(fields=["firm_id", "actor_id"], name="journal_firm_actor"),
            models.Index(fields=["firm_id", "siret"], name="journal_firm_siret"),
            models.Index(fields=["firm_id", "account_number"], name="journal_firm_account"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise JournalIsAppendOnly(f"Journal entry {self.pk} cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise JournalIsAppendOnly(
            f"Journal entry {self.pk} cannot be deleted; only the retention purge deletes entries."
        )
