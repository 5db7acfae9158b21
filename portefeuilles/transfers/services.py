"""Imports, from the uploaded file to the applied change: read, check in chunks, preview, apply.

1. ``start_client_import`` / ``start_subscriber_import`` read the whole file
   (rejecting bad files with a French message), keep its rows as JSON on a new
   ImportBatch and record the fingerprint of the state they will be checked on.
2. ``advance`` checks the rows chunk by chunk into ImportLine rows, each chunk in
   its own transaction, until a time budget runs out. A page load of the
   preview calls it, so a large file is checked over several page loads that
   show the progress, and no request runs long.
3. ``apply_batch`` carries out the preview in one transaction, after checking
   the fingerprint again, or raises ImportApplyError.

Access: client imports follow ``get_portfolio_for_user`` (administrators and the
portfolio's abonnés), subscriber imports ``require_administrator``.
"""

import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from portefeuilles.accounts.models import Firm, User
from portefeuilles.audit import journal
from portefeuilles.portfolios.models import Portfolio, name_key
from portefeuilles.portfolios.services import get_portfolio_for_user, require_administrator

from . import clients, subscribers
from .columns import CLIENT_ROLES, SUBSCRIBER_ROLES, find_layout, pick, shown_text
from .models import ImportBatch, ImportLine
from .readers import open_table
from .sniffing import ImportFileError

logger = logging.getLogger(__name__)

# Rows checked per transaction: each chunk makes one set of lookups
# (``number IN (...)`` of this many values) and one bulk insert.
CHUNK_ROWS = 5000
# Characters kept of a line whose identifier cells are all empty, to show it.
OTHER_CELLS_MAX_CHARS = 80
# Previews older than this are deleted when a new import starts.
BATCH_RETENTION = timedelta(days=1)

ProgressCallback = Callable[[int, int], None]


class ImportApplyError(ValueError):
    """The preview cannot be applied. The French message states why and what to do."""


def start_client_import(
    *,
    portfolio: Portfolio,
    user: User | None,
    data: bytes,
    file_name: str,
    mode: str = ImportBatch.Mode.ADD,
) -> ImportBatch:
    """Read the file and create the batch that will hold its preview. Raises ImportFileError."""
    if user is not None:
        portfolio = get_portfolio_for_user(user, portfolio.pk)
    return _start(
        kind=ImportBatch.Kind.CLIENTS,
        firm_id=portfolio.firm_id,
        portfolio=portfolio,
        user=user,
        data=data,
        file_name=file_name,
        mode=mode,
        roles=CLIENT_ROLES,
    )


def start_subscriber_import(*, user: User, data: bytes, file_name: str) -> ImportBatch:
    require_administrator(user)
    return _start(
        kind=ImportBatch.Kind.SUBSCRIBERS,
        firm_id=user.firm_id,
        portfolio=None,
        user=user,
        data=data,
        file_name=file_name,
        mode=ImportBatch.Mode.ADD,
        roles=SUBSCRIBER_ROLES,
    )


def _start(*, kind, firm_id, portfolio, user, data, file_name, mode, roles) -> ImportBatch:
    preferred = ("Abonnés",) if kind == ImportBatch.Kind.SUBSCRIBERS else ("Clients",)
    # NOTE: the whole file is read in this one request, before the chunked
    # checking starts. That takes about 1 s for 100,000 CSV lines but about 15 s
    # for a 100,000-row XLSX (openpyxl), measured on the benchmark machine.
    table = open_table(data, file_name, preferred_sheets=preferred)
    layout, rows = find_layout(table.rows, roles)
    pending = []
    for line_number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        picked = pick(cells, layout, roles)
        # The shown value is rebuilt from the picked cells while checking, and
        # stored here only for a line without any: a pending row stays small.
        other_cells = "" if shown_text(picked) else " ; ".join(cells)[:OTHER_CELLS_MAX_CHARS]
        pending.append([line_number, other_cells, picked])
    if not pending:
        raise ImportFileError(
            "Le fichier ne contient que son en-tête, sans aucune ligne de données. Ajoutez une "
            "ligne par client, puis recommencez."
        )
    _purge_old_batches()
    batch = ImportBatch(
        kind=kind,
        firm_id=firm_id,
        portfolio=portfolio,
        user=user,
        mode=mode,
        file_name=file_name[:255],
        file_description=table.description[:255],
        notes="\n".join(layout.notes),
        total_rows=len(pending),
        pending_rows=json.dumps(pending, separators=(",", ":")),
    )
    batch.fingerprint = _fingerprint(batch)
    batch.save()
    logger.info(
        "import started batch=%s kind=%s firm=%s portfolio=%s user=%s rows=%s",
        batch.pk,
        kind,
        firm_id,
        portfolio.pk if portfolio else None,
        user.pk if user else None,
        len(pending),
    )
    return batch


def _purge_old_batches() -> None:
    ImportBatch.objects.filter(created_at__lt=timezone.now() - BATCH_RETENTION).delete()


def _fingerprint(batch: ImportBatch) -> str:
    if batch.kind == ImportBatch.Kind.CLIENTS:
        return clients.fingerprint(batch.firm_id, batch.portfolio_id)
    return subscribers.fingerprint(batch.firm_id)


def get_batch_for_user(user: User, batch_id) -> ImportBatch:
    """Return the user's own batch ``batch_id`` if they may still act on it, else raise Http404."""
    try:
        batch = ImportBatch.objects.defer("pending_rows").get(pk=batch_id, user_id=user.pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if batch.kind == ImportBatch.Kind.CLIENTS:
        batch.portfolio = get_portfolio_for_user(user, batch.portfolio_id)
    else:
        require_administrator(user, batch.firm_id)
    return batch


def advance(
    batch: ImportBatch, seconds: float | None = None, on_progress: ProgressCallback | None = None
) -> ImportBatch:
    """Check pending rows chunk by chunk until done, or until ``seconds`` have passed.

    Each chunk runs in its own transaction with the batch row locked, so two
    page loads of one preview never check the same rows twice.
    """
    if batch.status != ImportBatch.Status.CHECKING:
        return batch
    deadline = None if seconds is None else time.monotonic() + seconds
    rows = json.loads(ImportBatch.objects.values_list("pending_rows", flat=True).get(pk=batch.pk))
    while True:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().defer("pending_rows").get(pk=batch.pk)
            if locked.status != ImportBatch.Status.CHECKING:
                return locked
            if _fingerprint(locked) != locked.fingerprint:
                _mark_stale(locked)
                return locked
            chunk = rows[locked.checked_rows : locked.checked_rows + CHUNK_ROWS]
            _check_rows(locked, chunk)
            locked.checked_rows += len(chunk)
            update_fields = ["checked_rows"]
            if locked.checked_rows >= locked.total_rows:
                if locked.kind == ImportBatch.Kind.CLIENTS:
                    clients.list_removals(locked)
                locked.status = ImportBatch.Status.READY
                locked.pending_rows = ""
                update_fields += ["status", "pending_rows"]
            locked.save(update_fields=update_fields)
        if on_progress is not None:
            on_progress(locked.checked_rows, locked.total_rows)
        if locked.status != ImportBatch.Status.CHECKING:
            return locked
        if deadline is not None and time.monotonic() >= deadline:
            return locked


def _check_rows(batch: ImportBatch, chunk: list) -> None:
    if batch.kind == ImportBatch.Kind.CLIENTS:
        clients.check_rows(batch, chunk)
    else:
        subscribers.check_rows(batch, chunk)


def _mark_stale(batch: ImportBatch) -> None:
    batch.status = ImportBatch.Status.STALE
    batch.pending_rows = ""
    batch.save(update_fields=["status", "pending_rows"])
    logger.info("import stale batch=%s", batch.pk)


def totals(batch: ImportBatch) -> dict[str, int]:
    """Count the batch's lines by status, every status present with 0 when absent."""
    counts = dict.fromkeys(ImportLine.Status.values, 0)
    for row in batch.lines.values("status").annotate(count=Count("id")).order_by():
        counts[row["status"]] = row["count"]
    return counts


def apply_batch(batch: ImportBatch, user: User | None) -> dict[str, int]:
    """Carry out the preview in one transaction; return counts of what changed.

    Raises ImportApplyError when the preview is not ready, was already applied,
    or the state changed since it was computed. Nothing is written then, except
    the stale status of a stale preview.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().defer("pending_rows").get(pk=batch.pk)
        problem = _apply_problem(locked)
        if problem is None:
            if locked.kind == ImportBatch.Kind.CLIENTS:
                counts = clients.apply(locked)
            else:
                counts = subscribers.apply(locked, user)
            locked.status = ImportBatch.Status.APPLIED
            locked.applied_at = timezone.now()
            locked.save(update_fields=["status", "applied_at"])
            _journal_applied(locked, user, counts)
    if problem is not None:
        raise ImportApplyError(problem)
    logger.info(
        "import applied batch=%s user=%s counts=%s", locked.pk, user.pk if user else None, counts
    )
    return counts


def _journal_applied(batch: ImportBatch, user: User | None, counts: dict[str, int]) -> None:
    """Write the import's journal entry, with the applied counts and the rejected lines."""
    rejected = batch.lines.filter(status=ImportLine.Status.ERROR).count()
    if batch.kind == ImportBatch.Kind.CLIENTS:
        # The abonnés import journals each change as it applies it.
        clients.journal_changes(batch, user)
    journal.import_applied(
        user,
        firm_id=batch.firm_id,
        portfolio=batch.portfolio,
        kind="clients" if batch.kind == ImportBatch.Kind.CLIENTS else "abonnés",
        counts={**counts, "rejected": rejected},
        file_name=batch.file_name,
        mode=batch.mode,
    )


def _apply_problem(batch: ImportBatch) -> str | None:
    """Return why ``batch`` cannot be applied (French), marking it stale when it is; else None."""
    if batch.status == ImportBatch.Status.APPLIED:
        return "Cet import a déjà été appliqué : rien n'a été modifié."
    if batch.status == ImportBatch.Status.CHECKING:
        return "L'aperçu n'est pas terminé. Attendez la fin de la vérification, puis confirmez."
    if batch.status == ImportBatch.Status.STALE:
        return stale_message(batch)
    if batch.kind == ImportBatch.Kind.CLIENTS and not _lock_active_portfolio(batch):
        return (
            f"Le portefeuille « {batch.portfolio.name} » a été résilié depuis l'aperçu : rien "
            "n'a été modifié. Restaurez-le depuis « Portefeuilles résiliés », puis importez de "
            "nouveau le fichier."
        )
    if _fingerprint(batch) != batch.fingerprint:
        _mark_stale(batch)
        return stale_message(batch)
    replacing = batch.kind == ImportBatch.Kind.CLIENTS and batch.mode == ImportBatch.Mode.REPLACE
    if replacing and batch.lines.filter(status=ImportLine.Status.ERROR).exists():
        return (
            "Le fichier contient des lignes en erreur : en mode « remplacer la liste », elles "
            "retireraient des clients par erreur. Corrigez-les, puis importez de nouveau le "
            "fichier."
        )
    return None


def _lock_active_portfolio(batch: ImportBatch) -> bool:
    """Lock the batch's portfolio row and return whether it is still active.

    The page checked access before this transaction began, and the command
    long before: the lock orders a concurrent résiliation after the import.
    """
    portfolio = Portfolio.objects.select_for_update().filter(pk=batch.portfolio_id)
    return portfolio.filter(terminated_at__isnull=True).exists()


def stale_message(batch: ImportBatch) -> str:
    if batch.kind == ImportBatch.Kind.CLIENTS:
        return (
            "Le portefeuille ou les clients de l'entreprise ont changé depuis l'aperçu : rien "
            "n'a été modifié. Importez de nouveau le fichier pour obtenir un aperçu à jour."
        )
    return (
        "Les portefeuilles, les utilisateurs ou les abonnés ont changé depuis l'aperçu : rien "
        "n'a été modifié. Importez de nouveau le fichier pour obtenir un aperçu à jour."
    )


def firm_by_siren(siren: str) -> Firm:
    try:
        return Firm.objects.get(siren=siren)
    except Firm.DoesNotExist:
        raise ImportFileError(f"Aucune entreprise ne porte le SIREN {siren}.") from None


def portfolio_by_name(firm: Firm, name: str) -> Portfolio:
    try:
        return Portfolio.objects.active().get(firm=firm, name_key=name_key(name))
    except Portfolio.DoesNotExist:
        raise ImportFileError(
            f"L'entreprise {firm.siren} n'a pas de portefeuille nommé « {name} »."
        ) from None
