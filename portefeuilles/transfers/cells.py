"""Clean one identifier cell the way spreadsheets and exports mangle them, noting each repair.

Repairs (each noted on its line): spaces, non-breaking spaces, dots and dashes
removed; a ``.0`` or ``,0`` decimal suffix removed; a SIREN or SIRET that lost
its leading zero (8 or 13 digits) padded back when the padded value passes its
check key. Scientific notation is rejected: the spreadsheet kept only the first
digits. Formulas are rejected: we read values, never formulas.

Also neutralises text cells for exports (OWASP CSV injection advice).
"""

import re
from dataclasses import dataclass, field

from portefeuilles.referential import identifiers
from portefeuilles.referential.identifiers import Kind

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$")
# One or two decimal zeros, as "Nombre" cell formats write them. Three zeros
# after a dot are a thousands group ("552.032.000"), handled as separators.
_DECIMAL_SUFFIX = re.compile(r"^(?P<digits>[\d \u00a0\u202f]+)[.,]0{1,2}$")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SCIENTIFIC_HELP = (
    "le tableur l'a écrit en notation scientifique et a perdu les derniers chiffres. "
    "Mettez la colonne au format Texte dans le tableur, saisissez de nouveau les numéros, "
    "ou exportez-la comme texte, puis recommencez"
)


@dataclass
class CleanCell:
    """The result of cleaning one cell: the value (or None), repair notes, or an error."""

    value: str | None = None
    kind: Kind | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def clean_identifier(raw: str, expected: Kind) -> CleanCell:
    """Clean ``raw`` from a column of SIRET/SIREN (``expected`` SIRET or SIREN) or account numbers.

    In a SIRET or SIREN column the length decides: 9 digits is a SIREN, 14 a SIRET.
    """
    text = (raw or "").strip()
    result = CleanCell()
    if not text:
        return result
    if "\n" in text or "\r" in text:
        # In a CSV file, a quote left open swallows the following lines into this cell.
        result.error = (
            f"« {_shown(text)} » s'étend sur plusieurs lignes : un guillemet ouvert n'a pas été "
            "refermé (fichier CSV) ou la cellule contient un retour à la ligne (classeur). "
            "Corrigez la cellule, puis recommencez"
        )
        return result
    if text.startswith("="):
        result.error = (
            f"« {_shown(text)} » est une formule : nous lisons les valeurs, pas les formules. "
            "Remplacez la formule par sa valeur (Copier, puis Collage spécial > Valeurs)"
        )
        return result
    if _SCIENTIFIC.match(text.replace(" ", "")):
        result.error = f"« {_shown(text)} » : {SCIENTIFIC_HELP}"
        return result
    suffix = _DECIMAL_SUFFIX.match(text)
    if suffix:
        text = suffix.group("digits")
        result.notes.append("suffixe décimal « ,0 » retiré")
    value = identifiers.normalize(text)
    if value != text:
        result.notes.append("espaces, points ou tirets retirés")
    # str.isdigit() also accepts full-width, superscript and Arabic-Indic digits.
    if not (value.isascii() and value.isdigit()):
        result.error = f"« {_shown(raw)} » contient des caractères autres que des chiffres"
        return result
    if expected == Kind.ACCOUNT:
        return _clean_account(raw, value, result)
    return _clean_siren_or_siret(raw, value, result)


def _clean_account(raw: str, value: str, result: CleanCell) -> CleanCell:
    if not identifiers.is_valid_account_number(value):
        result.error = (
            f"« {_shown(raw)} » compte {len(value)} chiffres : un numéro de compte en compte 18"
        )
        return result
    result.value, result.kind = value, Kind.ACCOUNT
    return result


def _clean_siren_or_siret(raw: str, value: str, result: CleanCell) -> CleanCell:
    if len(value) in (8, 13):
        padded = "0" + value
        if identifiers.is_valid_siren(padded) or identifiers.is_valid_siret(padded):
            result.notes.append("zéro initial rétabli (perdu dans un tableur)")
            value = padded
    if len(value) == 9:
        kind, valid = Kind.SIREN, identifiers.is_valid_siren(value)
    elif len(value) == 14:
        kind, valid = Kind.SIRET, identifiers.is_valid_siret(value)
    else:
        result.error = (
            f"« {_shown(raw)} » compte {len(value)} chiffres : un SIREN en compte 9 et un "
            "SIRET 14. Vérifiez qu'aucun chiffre ne manque"
        )
        return result
    if not valid:
        label = identifiers.KIND_LABELS[kind]
        result.error = (
            f"« {_shown(raw)} » n'est pas un {label} valide : sa clé de contrôle est fausse. "
            f"Vérifiez chaque chiffre du {label}"
        )
        return result
    result.value, result.kind = value, kind
    return result


def _shown(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= 40 else text[:40] + "…"


def neutralise(value: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (= + - @ tab CR)."""
    if value and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo ``neutralise``, so exported text reads back as it was."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value
