"""Checking and applying an import of abonnés: lines of ``portefeuille;identifiant;action``.

The action is « ajouter » or « retirer ». Portfolios are found by name the way
the product compares names (case and accents ignored), users by their
identifiant (e-mail address). Applying goes through ``add_subscriber`` and
``remove_subscriber``, so the rules are those of the « Ajouter un abonné » screen.
"""

import hashlib
import json

from portefeuilles.accounts.models import User
from portefeuilles.portfolios.models import Portfolio, PortfolioSubscription, name_key
from portefeuilles.portfolios.services import add_subscriber, remove_subscriber

from .cells import unneutralise
from .columns import header_key, shown_text
from .models import ImportBatch, ImportLine

Status = ImportLine.Status

ADD_WORDS = {"ajouter", "ajout", "ajoute", "add"}
ALREADY_SUBSCRIBED = "déjà abonné"
REMOVE_WORDS = {"retirer", "retrait", "retire", "supprimer", "remove"}


def fingerprint(firm_id: int) -> str:
    """Hash the firm's active portfolios, active users and subscriptions (a few thousand rows)."""
    state = {
        "portfolios": list(
            Portfolio.objects.active()
            .filter(firm_id=firm_id)
            .order_by("pk")
            .values_list("pk", "name_key")
        ),
        "users": list(
            User.objects.filter(firm_id=firm_id, is_active=True)
            .order_by("pk")
            .values_list("pk", "email")
        ),
        "subscriptions": list(
            PortfolioSubscription.objects.filter(portfolio__firm_id=firm_id)
            .order_by("pk")
            .values_list("pk", "portfolio_id", "user_id")
        ),
    }
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def check_rows(batch: ImportBatch, chunk: list) -> None:
    portfolios = {
        key: pk
        for pk, key in Portfolio.objects.active()
        .filter(firm_id=batch.firm_id)
        .values_list("pk", "name_key")
    }
    users = dict(
        User.objects.filter(firm_id=batch.firm_id, is_active=True).values_list("email", "pk")
    )
    subscribed = set(
        PortfolioSubscription.objects.filter(portfolio__firm_id=batch.firm_id).values_list(
            "portfolio_id", "user_id"
        )
    )
    earlier = {
        (line.portfolio_id, line.subscriber_id): (line.line_number, _is_addition(line))
        for line in batch.lines.exclude(status=Status.ERROR).only(
            "portfolio_id", "subscriber_id", "line_number", "status", "message"
        )
    }
    lines = []
    for line_number, other_cells, cells in chunk:
        raw = shown_text(cells) or other_cells
        line = _classify(line_number, raw, cells, portfolios, users, subscribed, earlier)
        line.batch_id = batch.pk
        lines.append(line)
    ImportLine.objects.bulk_create(lines, batch_size=80)


def _classify(line_number, raw, cells, portfolios, users, subscribed, earlier) -> ImportLine:
    name, email, action = (unneutralise(cell).strip() for cell in cells)
    line = ImportLine(line_number=line_number, raw=raw)
    errors = []
    portfolio_id = portfolios.get(name_key(name)) if name else None
    if not name:
        errors.append("le nom du portefeuille manque")
    elif portfolio_id is None:
        errors.append(f"aucun portefeuille actif ne se nomme « {name} » dans votre entreprise")
    user_id = users.get(email.lower()) if email else None
    if not email:
        errors.append("l'identifiant (adresse e-mail) de l'abonné manque")
    elif user_id is None:
        errors.append(f"aucun utilisateur actif de votre entreprise n'a l'identifiant « {email} »")
    verb = header_key(action)
    if verb not in ADD_WORDS | REMOVE_WORDS:
        errors.append(f"action « {action} » inconnue : écrivez « ajouter » ou « retirer »")
    if errors:
        line.status, line.message = Status.ERROR, "; ".join(errors)
        return line
    line.portfolio_id, line.subscriber_id = portfolio_id, user_id
    adding = verb in ADD_WORDS
    key = (portfolio_id, user_id)
    previous = earlier.get(key)
    if previous is not None:
        previous_line, previous_adding = previous
        if previous_adding != adding:
            line.status = Status.ERROR
            line.message = f"contredit la ligne {previous_line} pour le même abonné"
        else:
            line.status = Status.UNCHANGED
            line.message = f"en double : déjà à la ligne {previous_line}"
        line.portfolio_id = line.subscriber_id = None
        return line
    earlier[key] = (line_number, adding)
    if adding:
        line.status = Status.UNCHANGED if key in subscribed else Status.ADDED
        line.message = ALREADY_SUBSCRIBED if key in subscribed else "abonné ajouté"
    else:
        line.status = Status.REMOVED if key in subscribed else Status.UNCHANGED
        line.message = "abonné retiré" if key in subscribed else "pas abonné : rien à retirer"
    return line


def _is_addition(line: ImportLine) -> bool:
    return line.status == Status.ADDED or line.message == ALREADY_SUBSCRIBED


def apply(batch: ImportBatch, user: User) -> dict[str, int]:
    """Apply the ADDED and REMOVED lines through the portfolio services.

    Runs inside the caller's transaction, so one refused line undoes them all.
    """
    changes = batch.lines.filter(status__in=[Status.ADDED, Status.REMOVED]).values_list(
        "status", "portfolio_id", "subscriber_id"
    )
    portfolios = Portfolio.objects.active().filter(firm_id=batch.firm_id).in_bulk()
    counts = {"added": 0, "removed": 0}
    for status, portfolio_id, subscriber_id in changes:
        portfolio = portfolios[portfolio_id]
        if status == Status.ADDED:
            add_subscriber(user, portfolio, subscriber_id)
            counts["added"] += 1
        else:
            remove_subscriber(user, portfolio, subscriber_id)
            counts["removed"] += 1
    return counts
