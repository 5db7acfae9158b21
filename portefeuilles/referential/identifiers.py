"""Normalise, validate and classify the identifiers users type: SIREN, SIRET, account number.

SIREN and SIRET checks are python-stdnum's (``stdnum.fr.siren``, ``stdnum.fr.siret``),
which apply the Luhn key and La Poste's exception: the establishments of SIREN
356000000 other than the head office are checked by digit sum, not by Luhn.
"""

from dataclasses import dataclass
from enum import StrEnum

from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

ACCOUNT_NUMBER_LENGTH = 18

# Separators people type or paste inside identifiers: spaces (plain, non-breaking,
# narrow non-breaking, thin), dots, dashes, underscores.
_SEPARATORS = str.maketrans("", "", " \t\u00a0\u202f\u2009.-_")


class Kind(StrEnum):
    SIREN = "siren"
    SIRET = "siret"
    ACCOUNT = "account"


KIND_LABELS = {
    Kind.SIREN: "SIREN",
    Kind.SIRET: "SIRET",
    Kind.ACCOUNT: "numéro de compte",
}


class InvalidIdentifier(ValueError):
    """Raised with a French message that names the value and says how to fix it."""


@dataclass(frozen=True)
class Identifier:
    kind: Kind
    value: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def siren(self) -> str | None:
        if self.kind in (Kind.SIREN, Kind.SIRET):
            return self.value[:9]
        return None


def normalize(raw: str) -> str:
    return (raw or "").strip().translate(_SEPARATORS)


def is_valid_siren(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and stdnum_siren.is_valid(value)


def is_valid_siret(value: str) -> bool:
    return len(value) == 14 and value.isdigit() and stdnum_siret.is_valid(value)


def is_valid_account_number(value: str) -> bool:
    # NOTE: the Urssaf publishes no check key for account numbers, so only the
    # shape (18 digits) is checked; membership is checked against the referential.
    return len(value) == ACCOUNT_NUMBER_LENGTH and value.isdigit()


def parse(raw: str) -> Identifier:
    """Return the identifier that ``raw`` holds: 9 digits SIREN, 14 SIRET, 18 account number.

    Raises InvalidIdentifier with a French message otherwise.
    """
    value = normalize(raw)
    shown = (raw or "").strip()
    if not value:
        raise InvalidIdentifier(
            "Saisissez un SIREN (9 chiffres), un SIRET (14 chiffres) "
            "ou un numéro de compte (18 chiffres)."
        )
    if not value.isdigit():
        raise InvalidIdentifier(
            f"« {shown} » contient des caractères autres que des chiffres : saisissez "
            "un SIREN (9 chiffres), un SIRET (14 chiffres) ou un numéro de compte (18 chiffres)."
        )
    if len(value) == 9:
        return Identifier(Kind.SIREN, _checked(value, shown, stdnum_siren, "SIREN"))
    if len(value) == 14:
        return Identifier(Kind.SIRET, _checked(value, shown, stdnum_siret, "SIRET"))
    if len(value) == ACCOUNT_NUMBER_LENGTH:
        return Identifier(Kind.ACCOUNT, value)
    raise InvalidIdentifier(
        f"« {shown} » compte {len(value)} chiffres : un SIREN en compte 9, un SIRET 14 "
        "et un numéro de compte 18. Vérifiez qu'aucun chiffre ne manque."
    )


def parse_siren_or_siret(raw: str) -> Identifier:
    identifier = parse(raw)
    if identifier.kind == Kind.ACCOUNT:
        raise InvalidIdentifier(
            f"« {(raw or '').strip()} » est un numéro de compte : saisissez-le dans le champ "
            "« Numéro de compte » et le SIREN ou le SIRET (9 ou 14 chiffres) ici."
        )
    return identifier


def parse_account_number(raw: str) -> str:
    value = normalize(raw)
    shown = (raw or "").strip()
    if not is_valid_account_number(value):
        raise InvalidIdentifier(
            f"« {shown} » n'est pas un numéro de compte valide : il compte 18 chiffres."
        )
    return value


def _checked(value: str, shown: str, module, label: str) -> str:
    try:
        return module.validate(value)
    except ValidationError:
        raise InvalidIdentifier(
            f"« {shown} » n'est pas un {label} valide : sa clé de contrôle est fausse. "
            f"Vérifiez chaque chiffre du {label}."
        ) from None


def luhn_complete(prefix: str) -> str:
    """Return ``prefix`` followed by the digit that makes the whole pass the Luhn check."""
    for digit in "0123456789":
        candidate = prefix + digit
        if _luhn_sum(candidate) % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def _luhn_sum(number: str) -> int:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total
