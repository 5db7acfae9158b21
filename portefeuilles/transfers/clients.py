"""Checking and applying an import of clients into a portfolio, set-based.

The rules are those of ``portfolios.services.search_accounts`` and
``add_client``, applied to thousands of lines with one lookup per chunk:

- a numéro de compte of an account already attached to the firm is added;
- a numéro de compte not yet attached needs the SIREN or SIRET it belongs to
  in the referential: the line « sera rattaché au cabinet »;
- a SIREN or SIRET alone matches only accounts already attached to the firm
  (every one of them is added), so nobody can browse other companies' accounts.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from portefeuilles.audit import journal
from portefeuilles.audit.models import Action
from portefeuilles.portfolios.models import FirmClient, PortfolioClient
from portefeuilles.portfolios.services import account_warnings
from portefeuilles.referential.identifiers import Kind
from portefeuilles.referential.models import Establishment, UrssafAccount

from .cells import clean_identifier
from .columns import shown_text
from .models import ImportBatch, ImportLine, insert_lines

Status = ImportLine.Status


def fingerprint(firm_id: int, portfolio_id: int) -> str:
    """Sum up the portfolio's entries and the firm's clients, which a preview depends on.

    Ids only grow (AUTOINCREMENT on SQLite, sequences on PostgreSQL), so any
    insertion changes the maximum and any deletion the count.
    """
    entries = PortfolioClient.objects.filter(portfolio_id=portfolio_id).aggregate(
        count=Count("id"), last=Max("id"), total=Sum("firm_client_id")
    )
    attached = FirmClient.objects.filter(firm_id=firm_id).aggregate(
        count=Count("id"), last=Max("id")
    )
    return (
        f"p{entries['count']}:{entries['last']}:{entries['total']}"
        f"|f{attached['count']}:{attached['last']}"
    )


@dataclass
class ParsedLine:
    line_number: int
    raw: str
    siret: str = ""
    siren: str = ""
    account_number: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""

    def line(self, status: str, message: str = "", **fields) -> dict:
        """Return the ImportLine columns of this line, as ``insert_lines`` takes them."""
        values = {
            "line_number": self.line_number,
            "raw": self.raw,
            "siret": self.siret,
            "siren": self.siren,
            "account_number": self.account_number,
        }
        values.update(fields)
        parts = list(dict.fromkeys(self.notes))
        if message:
            parts.append(message)
        values.update(status=status, message="; ".join(parts))
        return values

    @property
    def identifier(self) -> tuple[Kind, str] | None:
        if self.siret:
            return Kind.SIRET, self.siret
        if self.siren:
            return Kind.SIREN, self.siren
        return None


def parse_line(line_number: int, raw: str, cells: list[str]) -> ParsedLine:
    """Clean the SIRET, SIREN and numéro de compte cells of one line."""
    parsed = ParsedLine(line_number, raw)
    siret_cell, siren_cell, account_cell = cells
    errors = []
    for cell, expected in ((siret_cell, Kind.SIRET), (siren_cell, Kind.SIREN)):
        clean = clean_identifier(cell, expected)
        if clean.error:
            errors.append(clean.error)
        elif clean.value:
            parsed.notes.extend(clean.notes)
            if clean.kind == Kind.SIRET:
                parsed.siret = clean.value
            else:
                parsed.siren = clean.value
    clean = clean_identifier(account_cell, Kind.ACCOUNT)
    if clean.error:
        errors.append(clean.error)
    elif clean.value:
        parsed.notes.extend(clean.notes)
        parsed.account_number = clean.value
    if parsed.siret and parsed.siren and parsed.siret[:9] != parsed.siren:
        errors.append(f"le SIRET {parsed.siret} n'appartient pas au SIREN {parsed.siren}")
    if not errors and not (parsed.siret or parsed.siren or parsed.account_number):
        errors.append("aucun SIRET, SIREN ni numéro de compte sur cette ligne")
    if errors:
        parsed.error = "; ".join(errors)
    return parsed


def check_rows(batch: ImportBatch, chunk: list) -> None:
    """Check one chunk of pending rows into ImportLine rows (one lookup of each kind)."""
    parsed = [
        parse_line(line_number, shown_text(cells) or other_cells, cells)
        for line_number, other_cells, cells in chunk
    ]
    valid = [p for p in parsed if not p.error]
    numbers = {p.account_number for p in valid if p.account_number}
    accounts = {
        row[1]: _Account(*row)
        for row in UrssafAccount.objects.filter(number__in=numbers).values_list(
            "id", "number", "siret", "siren", "state"
        )
    }
    sirets = {p.siret for p in valid if p.siret and not p.account_number}
    sirens = {p.siren for p in valid if p.siren and not p.siret and not p.account_number}
    by_identifier: dict[str, list[tuple]] = {}
    if sirets or sirens:
        matches = (
            FirmClient.objects.filter(firm_id=batch.firm_id)
            .filter(Q(account__siret__in=sirets) | Q(account__siren__in=sirens))
            .order_by("account__number")
            .values_list("id", "account_id", "account__number", "account__siret", "account__siren")
        )
        for match in matches:
            by_identifier.setdefault(match[3], []).append(match)
            by_identifier.setdefault(match[4], []).append(match)
    account_ids = {account.pk for account in accounts.values()}
    account_ids |= {match[1] for group in by_identifier.values() for match in group}
    attached = dict(
        FirmClient.objects.filter(firm_id=batch.firm_id, account_id__in=account_ids).values_list(
            "account_id", "id"
        )
    )
    in_portfolio = set(
        PortfolioClient.objects.filter(
            portfolio_id=batch.portfolio_id, firm_client_id__in=attached.values()
        ).values_list("firm_client_id", flat=True)
    )
    seen = dict(
        batch.lines.filter(account_id__in=account_ids)
        .exclude(status=Status.ERROR)
        .values_list("account_id", "line_number")
    )
    attach_sirets = {a.siret for a in accounts.values() if a.pk not in attached}
    establishments = Establishment.objects.in_bulk(list(attach_sirets))
    context = _Context(accounts, by_identifier, attached, in_portfolio, seen, establishments)
    lines: list[dict] = []
    for line in parsed:
        for values in _classify(line, context):
            values["batch_id"] = batch.pk
            lines.append(values)
    insert_lines(lines)


@dataclass
class _Account:
    """The columns of UrssafAccount that checking needs, without a model instance per row."""

    pk: int
    number: str
    siret: str
    siren: str
    state: str


@dataclass
class _Context:
    accounts: dict
    by_identifier: dict
    attached: dict
    in_portfolio: set
    seen: dict
    establishments: dict


def _classify(parsed: ParsedLine, context: _Context) -> list[dict]:
    if parsed.error:
        return [parsed.line(Status.ERROR, parsed.error)]
    if parsed.account_number:
        return [_classify_account(parsed, context)]
    kind, value = parsed.identifier
    matches = context.by_identifier.get(value, [])
    if kind == Kind.SIREN:
        matches = [m for m in matches if m[4] == value]
    else:
        matches = [m for m in matches if m[3] == value]
    if not matches:
        label = "SIRET" if kind == Kind.SIRET else "SIREN"
        return [
            parsed.line(
                Status.ERROR,
                f"aucun compte rattaché à votre entreprise pour le {label} {value} : ajoutez le "
                "numéro de compte sur la ligne pour rattacher ce client",
            )
        ]
    lines = []
    for firm_client_id, account_id, number, _siret, _siren in matches:
        lines.append(
            _entry_line(parsed, context, account_id, firm_client_id, account_number=number)
        )
    return lines


def _classify_account(parsed: ParsedLine, context: _Context) -> dict:
    number = parsed.account_number
    account = context.accounts.get(number)
    if account is None:
        return parsed.line(
            Status.ERROR,
            f"aucun compte ne porte le numéro {number} : vérifiez-le sur un bordereau ou une "
            "attestation du client",
        )
    identifier = parsed.identifier
    if identifier is not None:
        kind, value = identifier
        owner = account.siret if kind == Kind.SIRET else account.siren
        if owner != value:
            label = "SIRET" if kind == Kind.SIRET else "SIREN"
            return parsed.line(
                Status.ERROR,
                f"le numéro de compte {number} n'appartient pas au {label} {value} : vérifiez "
                "les deux numéros sur un document du client",
            )
    firm_client_id = context.attached.get(account.pk)
    if firm_client_id is not None:
        return _entry_line(parsed, context, account.pk, firm_client_id)
    if identifier is None:
        return parsed.line(
            Status.ERROR,
            f"le compte {number} n'est pas encore rattaché à votre entreprise : ajoutez sur la "
            "ligne son SIREN ou son SIRET pour le rattacher",
        )
    if account.pk in context.seen:
        return parsed.line(
            Status.UNCHANGED,
            f"en double : déjà à la ligne {context.seen[account.pk]}",
            account_id=account.pk,
        )
    context.seen[account.pk] = parsed.line_number
    warnings = account_warnings(account, context.establishments.get(account.siret))
    return parsed.line(Status.ATTACH, ", ".join(warnings), account_id=account.pk)


def _entry_line(parsed, context, account_id, firm_client_id, **fields) -> dict:
    if account_id in context.seen:
        return parsed.line(
            Status.UNCHANGED,
            f"en double : déjà à la ligne {context.seen[account_id]}",
            account_id=account_id,
            firm_client_id=firm_client_id,
            **fields,
        )
    context.seen[account_id] = parsed.line_number
    status = Status.UNCHANGED if firm_client_id in context.in_portfolio else Status.ADDED
    return parsed.line(status, account_id=account_id, firm_client_id=firm_client_id, **fields)


def list_removals(batch: ImportBatch) -> None:
    """In « remplacer la liste » mode, add one REMOVED line per client absent from the file."""
    if batch.mode != ImportBatch.Mode.REPLACE:
        return
    kept = batch.lines.exclude(status=Status.ERROR).filter(account__isnull=False)
    absent = (
        PortfolioClient.objects.filter(portfolio_id=batch.portfolio_id)
        .exclude(firm_client__account_id__in=kept.values("account_id"))
        .order_by("firm_client__account__number")
        .values_list(
            "firm_client_id",
            "firm_client__account_id",
            "firm_client__account__number",
            "firm_client__account__siret",
        )
    )
    removals = [
        {
            "batch_id": batch.pk,
            "raw": number,
            "account_number": number,
            "siret": siret,
            "siren": siret[:9],
            "status": Status.REMOVED,
            "message": "absent du fichier",
            "account_id": account_id,
            "firm_client_id": firm_client_id,
        }
        for firm_client_id, account_id, number, siret in absent.iterator(chunk_size=5000)
    ]
    insert_lines(removals)


def apply(batch: ImportBatch) -> dict[str, int]:
    """Carry out the batch's lines with three set-based statements, in the caller's transaction.

    ``INSERT … SELECT`` from the batch's lines keeps 100,000 rows in the
    database instead of a round trip through Python. ``ON CONFLICT DO NOTHING``
    (SQLite 3.24+, PostgreSQL 9.5+) skips an account that another request
    attached to the firm meanwhile, as ``bulk_create(ignore_conflicts=True)``
    would.
    """
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    firm_clients = quote(FirmClient._meta.db_table)
    entries = quote(PortfolioClient._meta.db_table)
    lines = quote(ImportLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {firm_clients} (firm_id, account_id, attached_at) "  # noqa: S608
            f"SELECT %s, account_id, %s FROM {lines} "
            "WHERE batch_id = %s AND status = %s "
            "ON CONFLICT (firm_id, account_id) DO NOTHING",
            [batch.firm_id, now, batch.pk, Status.ATTACH],
        )
        attached = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {entries} (portfolio_id, firm_client_id, added_at) "  # noqa: S608
            f"SELECT %s, fc.id, %s FROM {lines} line "
            f"JOIN {firm_clients} fc ON fc.account_id = line.account_id AND fc.firm_id = %s "
            "WHERE line.batch_id = %s AND line.status IN (%s, %s) "
            "ON CONFLICT (portfolio_id, firm_client_id) DO NOTHING",
            [batch.portfolio_id, now, batch.firm_id, batch.pk, Status.ADDED, Status.ATTACH],
        )
        added = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {entries} WHERE portfolio_id = %s AND firm_client_id IN "  # noqa: S608
            f"(SELECT firm_client_id FROM {lines} WHERE batch_id = %s AND status = %s)",
            [batch.portfolio_id, batch.pk, Status.REMOVED],
        )
        removed = cursor.rowcount
    return {"attached": attached, "added": added, "removed": removed}


def journal_changes(batch: ImportBatch, user) -> None:
    """Write one journal entry per client the applied batch added or removed.

    Entries are copied from the batch's lines inside the database, so the journal
    page finds a bulk-imported client by SIRET or account number like any other.
    """
    quote = connection.ops.quote_name
    firm_clients = quote(FirmClient._meta.db_table)
    lines = quote(ImportLine._meta.db_table)
    added = (
        f"SELECT fc.id FROM {lines} line "  # noqa: S608
        f"JOIN {firm_clients} fc ON fc.account_id = line.account_id AND fc.firm_id = %s "
        "WHERE line.batch_id = %s AND line.status IN (%s, %s)"
    )
    journal.clients_changed_in_bulk(
        user,
        batch.portfolio,
        Action.CLIENT_ADDED,
        added,
        [batch.firm_id, batch.pk, Status.ADDED, Status.ATTACH],
    )
    removed = f"SELECT firm_client_id FROM {lines} WHERE batch_id = %s AND status = %s"  # noqa: S608
    journal.clients_changed_in_bulk(
        user, batch.portfolio, Action.CLIENT_REMOVED, removed, [batch.pk, Status.REMOVED]
    )
