"""Find which columns of a table hold what: by header name, or by content when there is no header.

Header names are compared ignoring case, accents, spaces and punctuation, so
« N° SIRET », « Siret établissement » and « siret » all name the SIRET column.
A header may sit below title lines; they are skipped and reported.
"""

import itertools
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from portefeuilles.referential import identifiers

from .readers import Rows
from .sniffing import ImportFileError

# How many non-blank rows are looked at to find the header or guess columns.
SCAN_ROWS = 20


class Role(StrEnum):
    SIRET = "siret"
    SIREN = "siren"
    ACCOUNT = "account"
    PORTFOLIO = "portfolio"
    USER = "user"
    ACTION = "action"


CLIENT_ROLES = (Role.SIRET, Role.SIREN, Role.ACCOUNT)
SUBSCRIBER_ROLES = (Role.PORTFOLIO, Role.USER, Role.ACTION)

# Header words that name another column about the same thing ("Date création
# SIRET", "État compte"), not the identifier itself.
_NOT_IDENTIFIER = ("date", "etat", "regime", "type", "libelle", "nom", "statut", "nombre")


def header_key(text: str) -> str:
    """Return ``text`` without accents, case, spaces or punctuation: « N° SIRET » gives "nsiret"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and ch.isascii())


def role_of_header(text: str, roles: tuple[Role, ...]) -> Role | None:
    key = header_key(text)
    if not key or len(key) > 60:
        return None
    if roles == CLIENT_ROLES:
        if any(word in key for word in _NOT_IDENTIFIER):
            return None
        if "siret" in key:
            return Role.SIRET
        if "siren" in key:
            return Role.SIREN
        if "compte" in key or "cotisant" in key:
            return Role.ACCOUNT
        return None
    if "portefeuille" in key:
        return Role.PORTFOLIO
    if "action" in key:
        return Role.ACTION
    if key.startswith("identifiant") or "mail" in key or key in ("courriel", "utilisateur"):
        return Role.USER
    if key.startswith("abonne"):
        return Role.USER
    return None


@dataclass
class Layout:
    """The column (0-based index) of each role, and notes on how they were found."""

    columns: dict[Role, int]
    header_line: int | None = None
    notes: list[str] = field(default_factory=list)


def find_layout(rows: Rows, roles: tuple[Role, ...]) -> tuple[Layout, Rows]:
    """Return the layout and the data rows that follow the header (or all rows without one)."""
    head: list[tuple[int, list[str]]] = []
    for line_number, cells in rows:
        if any(cell.strip() for cell in cells):
            head.append((line_number, cells))
            if len(head) >= SCAN_ROWS:
                break
    if not head:
        raise ImportFileError(
            "Le fichier ne contient aucune ligne remplie. Choisissez le fichier exporté de "
            "votre logiciel, avec une ligne par client."
        )
    for position, (line_number, cells) in enumerate(head):
        columns: dict[Role, int] = {}
        for index, cell in enumerate(cells):
            role = role_of_header(cell, roles)
            if role is not None and role not in columns:
                columns[role] = index
        if columns and _header_complete(columns, roles) and not _is_title(head, position):
            layout = Layout(columns, header_line=line_number)
            if position:
                layout.notes.append(
                    f"{position} ligne(s) de titre ignorée(s) au-dessus de l'en-tête "
                    f"(ligne {line_number})"
                )
            return layout, itertools.chain(head[position + 1 :], rows)
    layout = _layout_by_content(head, roles)
    first_data = _first_data_position(head, layout)
    if first_data:
        layout.notes.append(f"{first_data} ligne(s) de titre ignorée(s) en haut du fichier")
    return layout, itertools.chain(head[first_data:], rows)


def _is_title(head, position: int) -> bool:
    """Return whether the row is a title: a lone filled cell above a wider row."""
    if position + 1 >= len(head):
        return False
    filled = sum(1 for cell in head[position][1] if cell.strip())
    next_filled = sum(1 for cell in head[position + 1][1] if cell.strip())
    return filled == 1 and next_filled > 1


def _header_complete(columns: dict[Role, int], roles: tuple[Role, ...]) -> bool:
    if roles == CLIENT_ROLES:
        return True
    return Role.PORTFOLIO in columns and Role.USER in columns


def _content_role(cell: str) -> Role | None:
    value = identifiers.normalize(cell)
    if value.endswith((".0", ",0")):
        value = value[:-2]
    value = value.replace(",", "")
    if not (value.isascii() and value.isdigit()):
        return None
    return {18: Role.ACCOUNT, 14: Role.SIRET, 13: Role.SIRET, 9: Role.SIREN, 8: Role.SIREN}.get(
        len(value)
    )


def _layout_by_content(head, roles: tuple[Role, ...]) -> Layout:
    if roles == SUBSCRIBER_ROLES:
        if all(len(cells) >= 3 for _, cells in head):
            return Layout(
                {Role.PORTFOLIO: 0, Role.USER: 1, Role.ACTION: 2},
                notes=[
                    "pas d'en-tête : colonnes lues dans l'ordre portefeuille, identifiant, action"
                ],
            )
        raise ImportFileError(
            "Nous ne trouvons pas les colonnes « portefeuille », « identifiant » et « action ». "
            "Écrivez une ligne d'en-tête portefeuille;identifiant;action, puis une ligne par "
            "abonné."
        )
    votes: dict[int, dict[Role, int]] = {}
    for _, cells in head:
        for index, cell in enumerate(cells):
            role = _content_role(cell)
            if role is not None:
                votes.setdefault(index, {}).setdefault(role, 0)
                votes[index][role] += 1
    columns: dict[Role, int] = {}
    for index in sorted(votes):
        role, count = max(votes[index].items(), key=lambda item: item[1])
        if count * 2 >= len(head) and role not in columns:
            columns[role] = index
    if not columns:
        raise ImportFileError(
            "Nous ne trouvons aucune colonne de SIRET, de SIREN ou de numéros de compte. "
            "Ajoutez une ligne d'en-tête (par exemple « SIRET » ou « Numéro de compte ») au-dessus "
            "des valeurs, puis recommencez."
        )
    names = {Role.SIRET: "SIRET", Role.SIREN: "SIREN", Role.ACCOUNT: "numéro de compte"}
    found = ", ".join(f"{names[role]} en colonne {index + 1}" for role, index in columns.items())
    return Layout(columns, notes=[f"pas d'en-tête : colonnes reconnues à leur contenu ({found})"])


def _first_data_position(head, layout: Layout) -> int:
    """Count the title lines at the top: rows before the first one with a recognisable value."""
    if set(layout.columns) <= set(SUBSCRIBER_ROLES):
        return 0
    for position, (_, cells) in enumerate(head):
        for index in layout.columns.values():
            if index < len(cells) and _content_role(cells[index]) is not None:
                return position
    return 0


# Characters of a cell kept for checking. No valid value is longer: an
# identifier has at most 18 digits plus separators (error messages show 40
# characters of it), a portfolio name 100 characters, an e-mail address 254.
# Longer cells stay errors once cut, and the cut keeps a file whose rows repeat
# one huge cell (ODS repeated rows, XLSX shared strings) from filling memory
# with a million copies of it.
ROLE_MAX_CHARS = {
    Role.SIRET: 41,
    Role.SIREN: 41,
    Role.ACCOUNT: 41,
    Role.PORTFOLIO: 101,
    Role.USER: 254,
    Role.ACTION: 32,
}


def pick(cells: list[str], layout: Layout, roles: tuple[Role, ...]) -> list[str]:
    """Return the cells of ``roles`` in that order, cut at ROLE_MAX_CHARS, empty when absent."""
    picked = []
    for role in roles:
        index = layout.columns.get(role)
        cell = cells[index] if index is not None and index < len(cells) else ""
        picked.append(cell[: ROLE_MAX_CHARS[role]])
    return picked


def shown_text(picked: list[str]) -> str:
    """Return the value shown for a line in the preview: its filled picked cells, 200 characters."""
    return " ; ".join(cell for cell in picked if cell.strip())[:200]
