"""Import of the INSEE StockEtablissement file (SIRENE, format 3.11) into Establishment.

The file is comma-separated UTF-8 with a header row. Its 53 columns became 54
when INSEE appended ``activitePrincipaleNAF25Etablissement``; columns are found by
name, so both layouts import. Fields that INSEE hides for establishments in
partial diffusion read ``[ND]`` and are stored empty.
"""

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
    truncate,
)
from .models import Establishment

logger = logging.getLogger(__name__)

DELIMITER = ","
NOT_DISCLOSED = "[ND]"

# The 53 columns of format 3.11, in file order. NAF25_COLUMN follows them in the
# files published since INSEE added the NAF 2025 activity code.
COLUMNS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
)
NAF25_COLUMN = "activitePrincipaleNAF25Etablissement"

REQUIRED_COLUMNS = (
    "siren",
    "nic",
    "siret",
    "etablissementSiege",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
)

# Common codes of typeVoieEtablissement, written out the way INSEE writes the
# street name (upper case, no accents). A code missing here is kept as written.
STREET_TYPES = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CITE": "CITE",
    "COR": "CORNICHE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "DSC": "DESCENTE",
    "ECA": "ECART",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "GR": "GRANDE RUE",
    "HAM": "HAMEAU",
    "HLE": "HALLE",
    "IMP": "IMPASSE",
    "LD": "LIEU-DIT",
    "LOT": "LOTISSEMENT",
    "MAR": "MARCHE",
    "MTE": "MONTEE",
    "PAS": "PASSAGE",
    "PL": "PLACE",
    "PLN": "PLAINE",
    "PLT": "PLATEAU",
    "PRO": "PROMENADE",
    "PRV": "PARVIS",
    "QUA": "QUARTIER",
    "QUAI": "QUAI",
    "RES": "RESIDENCE",
    "RLE": "RUELLE",
    "ROC": "ROCADE",
    "RPT": "ROND-POINT",
    "RTE": "ROUTE",
    "RUE": "RUE",
    "SEN": "SENTIER",
    "SQ": "SQUARE",
    "TPL": "TERRE-PLEIN",
    "TRA": "TRAVERSE",
    "VLA": "VILLA",
    "VLGE": "VILLAGE",
}

# indiceRepetitionEtablissement: B, T, Q and C are bis, ter, quater and quinquies.
# Other letters (A, D, E…) are kept as written.
REPETITION_INDICES = {"B": "BIS", "T": "TER", "Q": "QUATER", "C": "QUINQUIES"}

_STATES = {choice.value for choice in Establishment.State}


def import_file(
    path: Path | str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_reject: Callable[[Rejection], None] | None = None,
    on_progress: Callable[[ImportSummary], None] | None = None,
    progress_every: int = DEFAULT_PROGRESS_EVERY,
) -> ImportSummary:
    """Import a StockEtablissement .csv file, or the .zip archive that contains it.

    Raises ImportFileError when the file cannot be read or lacks a required column.
    """
    logger.info("SIRENE import started file=%s", path)
    with open_text(path) as stream:
        summary = import_rows(
            read_records(stream, delimiter=DELIMITER, required_columns=REQUIRED_COLUMNS),
            parse=parse_establishment,
            model=Establishment,
            key_field="siret",
            batch_size=batch_size,
            on_reject=on_reject,
            on_progress=on_progress,
            progress_every=progress_every,
        )
    logger.info(
        "SIRENE import finished read=%s created=%s updated=%s rejected=%s",
        summary.read,
        summary.created,
        summary.updated,
        summary.rejected,
    )
    return summary


def _field(record: Record, column: str) -> str:
    value = record.get(column)
    return "" if value == NOT_DISCLOSED else value


def _required(record: Record, column: str) -> str:
    value = _field(record, column)
    if not value:
        raise RowError(_("le champ obligatoire %(column)s est vide.") % {"column": column})
    return value


def parse_establishment(record: Record) -> Establishment:
    """Build an Establishment from one row, or raise RowError saying why the row is rejected."""
    siret = _required(record, "siret")
    siren = _required(record, "siren")
    nic = _required(record, "nic")
    if not identifiers.is_valid_siret(siret):
        raise RowError(invalid_identifier_message("SIRET", siret, 14))
    if siren != siret[:9]:
        raise RowError(
            _(
                "le SIREN « %(siren)s » n'est pas le début du SIRET « %(siret)s » "
                "(attendu %(expected)s)."
            )
            % {"siren": siren, "siret": siret, "expected": siret[:9]}
        )
    if nic != siret[9:]:
        raise RowError(
            _("le NIC « %(nic)s » n'est pas la fin du SIRET « %(siret)s » (attendu %(expected)s).")
            % {"nic": nic, "siret": siret, "expected": siret[9:]}
        )

    state = _required(record, "etatAdministratifEtablissement")
    if state not in _STATES:
        raise RowError(
            _(
                "l'état administratif « %(state)s » du SIRET %(siret)s est inconnu : "
                "il vaut A (actif) ou F (fermé)."
            )
            % {"state": state, "siret": siret}
        )
    head_office = _required(record, "etablissementSiege").lower()
    if head_office not in ("true", "false"):
        raise RowError(
            _(
                "le champ etablissementSiege vaut « %(value)s » pour le SIRET %(siret)s : "
                "il vaut true ou false."
            )
            % {"value": head_office, "siret": siret}
        )

    name = _field(record, "denominationUsuelleEtablissement") or _field(
        record, "enseigne1Etablissement"
    )
    city = _field(record, "libelleCommuneEtablissement") or _field(
        record, "libelleCommuneEtrangerEtablissement"
    )
    return Establishment(
        siret=siret,
        siren=siren,
        nic=nic,
        name=truncate(Establishment, "name", name),
        street=truncate(Establishment, "street", street(record)),
        postcode=truncate(Establishment, "postcode", _field(record, "codePostalEtablissement")),
        city=truncate(Establishment, "city", city),
        is_head_office=head_office == "true",
        state=state,
        activity_code=truncate(
            Establishment, "activity_code", _field(record, "activitePrincipaleEtablissement")
        ),
    )


def street(record: Record) -> str:
    """Return the street line: number, repetition index, street type written out, street name."""
    index = _field(record, "indiceRepetitionEtablissement").upper()
    street_type = _field(record, "typeVoieEtablissement").upper()
    parts = [
        _field(record, "numeroVoieEtablissement"),
        REPETITION_INDICES.get(index, index),
        STREET_TYPES.get(street_type, street_type),
        _field(record, "libelleVoieEtablissement"),
    ]
    return " ".join(part for part in parts if part)
