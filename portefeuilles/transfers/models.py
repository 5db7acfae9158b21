from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from portefeuilles.accounts.models import Firm
from portefeuilles.portfolios.models import Portfolio
from portefeuilles.referential.models import UrssafAccount


class ImportBatch(models.Model):
    """One uploaded file, from its preview to its application.

    The rows read from the file wait in ``pending_rows`` (JSON) until they are
    checked, chunk by chunk, into ImportLine rows. ``fingerprint`` sums up the
    state the preview was computed on; applying compares it again so a preview
    made stale by another change is never applied.
    """

    class Kind(models.TextChoices):
        CLIENTS = "clients", _("clients d'un portefeuille")
        SUBSCRIBERS = "subscribers", _("abonnés des portefeuilles")

    class Mode(models.TextChoices):
        ADD = "add", _("ajouter à la liste")
        REPLACE = "replace", _("remplacer la liste")

    class Status(models.TextChoices):
        CHECKING = "checking", _("vérification en cours")
        READY = "ready", _("aperçu prêt")
        APPLIED = "applied", _("appliqué")
        STALE = "stale", _("périmé")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="import_batches")
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, null=True, blank=True, related_name="import_batches"
    )
    # Null for imports run from the command line by an operator.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CLIENTS)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ADD)
    file_name = models.CharField(_("fichier"), max_length=255)
    file_description = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    fingerprint = models.CharField(max_length=200, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    pending_rows = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100
        return min(100, self.checked_rows * 100 // self.total_rows)


class ImportLine(models.Model):
    """The preview of one line of the file, or of one removal in « remplacer la liste » mode.

    A SIREN or SIRET alone can match several attached accounts: each gets its own
    ImportLine with the same ``line_number``. The apply step carries out exactly
    what these rows say, set-based.
    """

    class Status(models.TextChoices):
        ADDED = "added", _("ajouté")
        UNCHANGED = "unchanged", _("déjà dans le portefeuille")
        ATTACH = "attach", _("sera rattaché au cabinet")
        REMOVED = "removed", _("retiré")
        ERROR = "error", _("erreur")

    # Indexed by ``importline_batch_status`` below, which starts with the batch.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    # Null for the removals listed by « remplacer la liste ».
    line_number = models.PositiveIntegerField(null=True, blank=True)
    raw = models.CharField(max_length=200, blank=True)
    siret = models.CharField(max_length=14, blank=True)
    siren = models.CharField(max_length=9, blank=True)
    account_number = models.CharField(max_length=18, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField(blank=True)
    # No index: the apply step joins from the batch's lines to firm clients.
    account = models.ForeignKey(
        UrssafAccount, on_delete=models.CASCADE, null=True, blank=True, db_index=False
    )
    firm_client_id = models.BigIntegerField(null=True, blank=True)
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, null=True, blank=True, db_index=False
    )
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["batch", "status"], name="importline_batch_status")]

    def __str__(self) -> str:
        return f"{self.line_number} {self.status}"


LINE_COLUMNS = (
    "batch_id",
    "line_number",
    "raw",
    "siret",
    "siren",
    "account_number",
    "status",
    "message",
    "account_id",
    "firm_client_id",
    "portfolio_id",
    "subscriber_id",
)
_LINE_DEFAULTS = dict.fromkeys(LINE_COLUMNS, None) | {
    "raw": "",
    "siret": "",
    "siren": "",
    "account_number": "",
    "message": "",
}


def insert_lines(lines: list[dict]) -> None:
    """Insert ImportLine rows given as dicts of LINE_COLUMNS, bypassing model instances.

    Previews insert up to a million rows, and building model instances for
    ``bulk_create`` took about half of the preview's time. SQLite runs in
    process, so one ``executemany`` is its fastest path; PostgreSQL pays a
    round trip per row there, so it gets multi-row ``VALUES`` statements.
    """
    if not lines:
        return
    table = connection.ops.quote_name(ImportLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in LINE_COLUMNS)
    row_placeholders = "(" + ", ".join(["%s"] * len(LINE_COLUMNS)) + ")"
    rows = [tuple((_LINE_DEFAULTS | line)[column] for column in LINE_COLUMNS) for line in lines]
    insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(insert + row_placeholders, rows)
            return
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            params = [value for row in chunk for value in row]
            cursor.execute(insert + ", ".join([row_placeholders] * len(chunk)), params)


# 1000 rows of 12 columns stay far below PostgreSQL's 65,535 parameters.
ROWS_PER_STATEMENT = 1000
