"""Password validators: refuse a password that contains the e-mail address or the firm's name.

Listed in ``AUTH_PASSWORD_VALIDATORS`` with Django's minimum length (12) and
common-password validators. There are no composition rules: length is what
makes a password strong.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Parts shorter than this are too common inside words to be refused.
MIN_PART_LENGTH = 4


def _folded(value: str) -> str:
    """Return ``value`` without accents, case, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


def _contains(password: str, part: str) -> bool:
    folded = _folded(part)
    return len(folded) >= MIN_PART_LENGTH and folded in _folded(password)


class EmailLocalPartValidator:
    """Refuse a password that contains the part of the e-mail address before the @."""

    def validate(self, password, user=None):
        email = getattr(user, "email", "") or ""
        local_part = email.split("@")[0]
        if _contains(password, local_part):
            raise ValidationError(
                _(
                    "Le mot de passe contient votre adresse e-mail (%(part)s). Choisissez un "
                    "mot de passe qui ne la contient pas."
                ),
                code="password_contains_email",
                params={"part": local_part},
            )

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas contenir votre adresse e-mail.")


class FirmNameValidator:
    """Refuse a password that contains the name of the user's firm."""

    def validate(self, password, user=None):
        firm = getattr(user, "firm", None) if user is not None else None
        name = getattr(firm, "name", "") or ""
        if _contains(password, name):
            raise ValidationError(
                _(
                    "Le mot de passe contient le nom de votre entreprise (%(name)s). "
                    "Choisissez un mot de passe qui ne le contient pas."
                ),
                code="password_contains_firm_name",
                params={"name": name},
            )

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas contenir le nom de votre entreprise.")
