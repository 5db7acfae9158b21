"""Normalise, validate and classify the identifiers users type: SIREN, SIRET, account number.

SIREN and SIRET checks are python-stdnum's (``stdnum.fr.siren``, ``stdnum.fr.siret``),
which apply the Luhn key and La Poste's exception: the establishments of SIREN
356000000 other than the head office are checked by digit sum, not by Luhn.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

ACCOUNT_NUMBER_LENGTH = 18

# Separators people type or paste inside identifiers: any Unicode space, dots,
# underscores, hyphens, dashes (U+2010 to U+2015) and the minus sign. A copy from
# a web page or a word processor also brings invisible characters: zero width
# space and joiners, directional marks, soft hyphen, word joiner, byte order mark.
_SEPARATORS = re.compile(r"[\s._\-\u2010-\u2015\u2212\u200b-\u200f\u00ad\u2060\ufeff]")

# Maximum length of a rejected value quoted in a message, so a pasted page cannot flood it.
SHOWN_MAX_LENGTH = 30


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
    return _SEPARATORS.sub("", raw or "")


def is_digits(value: str) -> bool:
    """Check that ``value`` is made of ASCII digits only.

    ``str.isdigit`` alone also accepts other scripts' digits (« ٠١٢ ») and
    superscripts (« ² »), which no identifier holds.
    """
    return value.isascii() and value.isdigit()


def shown(raw: str) -> str:
    """Return ``raw`` as a message quotes it: trimmed, control characters replaced, cut short."""
    text = "".join(
        "\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in (raw or "").strip()
    )
    if len(text) > SHOWN_MAX_LENGTH:
        return text[:SHOWN_MAX_LENGTH] + "…"
    return text


def is_valid_siren(value: str) -> bool:
    return len(value) == 9 and is_digits(value) and stdnum_siren.is_valid(value)


def is_valid_siret(value: str) -> bool:
    return len(value) == 14 and is_digits(value) and stdnum_siret.is_valid(value)


def is_valid_account_number(value: str) -> bool:
    # NOTE: the Urssaf publishes no check key for account numbers, so only the
    # shape (18 digits) is checked; membership is checked against the referential.
    return len(value) == ACCOUNT_NUMBER_LENGTH and is_digits(value)


def parse(raw: str) -> Identifier:
    """Return the identifier that ``raw`` holds: 9 digits SIREN, 14 SIRET, 18 account number.

    Raises InvalidIdentifier with a French message otherwise.
    """
    value = normalize(raw)
    if not value:
        raise InvalidIdentifier(
            _(
                "Saisissez un SIREN (9 chiffres), un SIRET (14 chiffres) "
                "ou un numéro de compte (18 chiffres)."
            )
        )
    if not is_digits(value):
        raise InvalidIdentifier(
            _(
                "« %(value)s » contient des caractères autres que des chiffres : saisissez "
                "un SIREN (9 chiffres), un SIRET (14 chiffres) ou un numéro de compte "
                "(18 chiffres)."
            )
            % {"value": shown(raw)}
        )
    if len(value) == 9:
        return Identifier(Kind.SIREN, _checked(value, raw, stdnum_siren, "SIREN"))
    if len(value) == 14:
        return Identifier(Kind.SIRET, _checked(value, raw, stdnum_siret, "SIRET"))
    if len(value) == ACCOUNT_NUMBER_LENGTH:
        return Identifier(Kind.ACCOUNT, value)
    raise InvalidIdentifier(
        _(
            "« %(value)s » compte %(length)s chiffres : un SIREN en compte 9, un SIRET 14 "
            "et un numéro de compte 18. Vérifiez qu'aucun chiffre ne manque."
        )
        % {"value": shown(raw), "length": len(value)}
    )


def parse_siren_or_siret(raw: str) -> Identifier:
    identifier = parse(raw)
    if identifier.kind == Kind.ACCOUNT:
        raise InvalidIdentifier(
            _(
                "« %(value)s » est un numéro de compte : saisissez-le dans le champ "
                "« Numéro de compte » et le SIREN ou le SIRET (9 ou 14 chiffres) ici."
            )
            % {"value": shown(raw)}
        )
    return identifier


def parse_account_number(raw: str) -> str:
    value = normalize(raw)
    if not is_valid_account_number(value):
        raise InvalidIdentifier(
            _("« %(value)s » n'est pas un numéro de compte valide : il compte 18 chiffres.")
            % {"value": shown(raw)}
        )
    return value


def _checked(value: str, raw: str, module, label: str) -> str:
    try:
        return module.validate(value)
    except ValidationError:
        raise InvalidIdentifier(
            _(
                "« %(value)s » n'est pas un %(label)s valide : sa clé de contrôle est fausse. "
                "Vérifiez chaque chiffre du %(label)s."
            )
            % {"value": shown(raw), "label": label}
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
