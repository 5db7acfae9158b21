"""Import of an Urssaf account extract into UrssafAccount.

The extract is a ``;``-separated text file with the header
``Urssaf_gestion;Dep;Compte;Etat_compte;Siren;Siret;Date_crea_siret;Date_disp_siret``
and an optional ``Regime`` column (RG, TI or PAM; RG when the column is absent or
the field empty). Dates are written CYYMMDD, where C is 0 for the 1900s and 1 for
the 2000s. docs/formats.md describes every column.
"""

import datetime
import logging
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from . import identifiers
from .importing import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_PROGRESS_EVERY,
    ImportSummary,
    Record,
    Rejection,
    RowError,
    import_rows,
    invalid_identifier_message,
    open_text,
    read_records,
)
from .models import UrssafAccount

logger = logging.getLogger(__name__)

DELIMITER = ";"

REQUIRED_COLUMNS = (
    "Urssaf_gestion",
    "Dep",
    "Compte",
    "Etat_compte",
    "Siren",
    "Siret",
    "Date_crea_siret",
    "Date_disp_siret",
)
REGIME_COLUMN = "Regime"

_CENTURIES = {"0": 1900, "1": 2000}
_STATES = {choice.value for choice in UrssafAccount.State}
_REGIMES = {choice.value for choice in UrssafAccount.Regime}


def import_file(
    path: Path | str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_reject: Callable[[Rejection], None] | None = None,
    on_progress: Callable[[ImportSummary], None] | None = None,
    progress_every: int = DEFAULT_PROGRESS_EVERY,
) -> ImportSummary:
    """Import an account extract (.csv, or a .zip that contains it), upserting on the number.

    An account whose SIRET is missing from the establishment referential is
    imported all the same. Raises ImportFileError when the file cannot be read.
    """
    logger.info("account extract import started file=%s", path)
    with open_text(path) as stream:
        summary = import_rows(
            read_records(stream, delimiter=DELIMITER, required_columns=REQUIRED_COLUMNS),
            parse=parse_account,
            model=UrssafAccount,
            key_field="number",
            batch_size=batch_size,
            on_reject=on_reject,
            on_progress=on_progress,
            progress_every=progress_every,
        )
    logger.info(
        "account extract import finished read=%s created=%s updated=%s rejected=%s",
        summary.read,
        summary.created,
        summary.updated,
        summary.rejected,
    )
    return summary


def parse_cyymmdd(value: str) -> datetime.date:
    """Return the date written CYYMMDD: ``1130828`` is 2013-08-28, ``0991231`` 1999-12-31.

    Raises ValueError when the value is not 7 digits, C is not 0 or 1, or the day
    does not exist.
    """
    if len(value) != 7 or not identifiers.is_digits(value) or value[0] not in _CENTURIES:
        raise ValueError(value)
    year = _CENTURIES[value[0]] + int(value[1:3])
    return datetime.date(year, int(value[3:5]), int(value[5:7]))


def format_cyymmdd(day: datetime.date) -> str:
    """Write ``day`` as CYYMMDD, the inverse of parse_cyymmdd (years 1900 to 2099)."""
    century = {1900: "0", 2000: "1"}[day.year // 100 * 100]
    return f"{century}{day:%y%m%d}"


def _required(record: Record, column: str) -> str:
    value = record.get(column)
    if not value:
        raise RowError(_("le champ obligatoire %(column)s est vide.") % {"column": column})
    return value


def _date(record: Record, column: str) -> datetime.date | None:
    value = record.get(column)
    if not value:
        return None
    if len(value) != 7 or not identifiers.is_digits(value) or value[0] not in _CENTURIES:
        raise RowError(
            _(
                "la date %(column)s « %(value)s » est mal écrite : elle s'écrit CYYMMDD, "
                "C valant 0 pour les années 1900 et 1 pour les années 2000 "
                "(1130828 pour le 28 août 2013)."
            )
            % {"column": column, "value": value}
        )
    try:
        return parse_cyymmdd(value)
    except ValueError:
        raise RowError(
            _("la date %(column)s « %(value)s » n'existe pas : vérifiez le jour et le mois.")
            % {"column": column, "value": value}
        ) from None


def parse_account(record: Record) -> UrssafAccount:
    """Build an UrssafAccount from one row, or raise RowError saying why the row is rejected."""
    number = _required(record, "Compte")
    if not identifiers.is_valid_account_number(number):
        raise RowError(
            _("le numéro de compte « %(number)s » est invalide : il compte 18 chiffres.")
            % {"number": number}
        )

    urssaf_code = _required(record, "Urssaf_gestion")
    if len(urssaf_code) != 3 or not identifiers.is_digits(urssaf_code):
        raise RowError(
            _("le code Urssaf_gestion « %(code)s » est invalide : il compte 3 chiffres.")
            % {"code": urssaf_code}
        )
    department = record.get("Dep").upper()
    if department and not (
        2 <= len(department) <= 3 and department.isascii() and department.isalnum()
    ):
        raise RowError(
            _(
                "le département « %(department)s » est invalide : il s'écrit en 2 ou 3 "
                "caractères (75, 2A, 971)."
            )
            % {"department": department}
        )

    state = _required(record, "Etat_compte")
    if state not in _STATES:
        raise RowError(
            _(
                "l'état du compte « %(state)s » est inconnu : il vaut 1 (actif), "
                "2 (suspendu) ou 3 (radié)."
            )
            % {"state": state}
        )

    siren = _required(record, "Siren")
    siret = _required(record, "Siret")
    if not identifiers.is_valid_siren(siren):
        raise RowError(invalid_identifier_message("SIREN", siren, 9))
    if not identifiers.is_valid_siret(siret):
        raise RowError(invalid_identifier_message("SIRET", siret, 14))
    if siret[:9] != siren:
        raise RowError(
            _("le SIRET « %(siret)s » n'appartient pas au SIREN « %(siren)s ».")
            % {"siret": siret, "siren": siren}
        )

    _required(record, "Date_crea_siret")
    created_on = _date(record, "Date_crea_siret")
    closed_on = _date(record, "Date_disp_siret")
    if closed_on is not None and closed_on < created_on:
        raise RowError(
            _(
                "la date de disparition du SIRET (%(closed)s) précède sa date de "
                "création (%(created)s)."
            )
            % {"closed": closed_on.isoformat(), "created": created_on.isoformat()}
        )

    regime = record.get(REGIME_COLUMN).upper() or UrssafAccount.Regime.GENERAL
    if regime not in _REGIMES:
        raise RowError(
            _(
                "le régime « %(regime)s » est inconnu : il vaut RG (régime général), "
                "TI (travailleur indépendant) ou PAM (praticien et auxiliaire médical)."
            )
            % {"regime": regime}
        )

    return UrssafAccount(
        number=number,
        regime=regime,
        state=state,
        urssaf_code=urssaf_code,
        department=department,
        siret=siret,
        siren=siren,
        siret_created_on=created_on,
        siret_closed_on=closed_on,
    )
