"""Opening a firm's space: the Firm and its first administrator, for operators and the demo."""

import logging
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portefeuilles.referential import identifiers

from .models import Firm, User

logger = logging.getLogger(__name__)


class ProvisioningError(ValueError):
    """Raised when the firm cannot be created, with a French message naming the value and fix."""


@dataclass(frozen=True)
class FirmDetails:
    siren: str
    name: str
    admin_email: str


def clean_firm_details(siren: str, name: str, admin_email: str) -> FirmDetails:
    """Normalise and check the details of a new firm, or raise ProvisioningError.

    Checks the SIREN's check key, that no firm has this SIREN and that no user has
    this e-mail address (ignoring case).
    """
    value = identifiers.normalize(siren)
    if not identifiers.is_valid_siren(value):
        raise ProvisioningError(
            _(
                "Le SIREN « %(siren)s » est invalide : saisissez les 9 chiffres du SIREN de "
                "l'entreprise, clé de contrôle comprise."
            )
            % {"siren": siren}
        )
    clean_name = " ".join((name or "").split())
    max_length = Firm._meta.get_field("name").max_length
    if not clean_name or len(clean_name) > max_length:
        raise ProvisioningError(
            _("Saisissez la raison sociale de l'entreprise (1 à %(max)s caractères).")
            % {"max": max_length}
        )
    email = (admin_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ProvisioningError(
            _("L'adresse e-mail « %(email)s » est invalide : saisissez une adresse complète.")
            % {"email": admin_email}
        ) from None

    existing = Firm.objects.filter(siren=value).first()
    if existing is not None:
        raise ProvisioningError(
            _("Une entreprise porte déjà le SIREN %(siren)s : « %(name)s ». Son espace existe.")
            % {"siren": value, "name": existing.name}
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ProvisioningError(
            _(
                "L'adresse e-mail %(email)s est déjà l'identifiant d'un utilisateur. "
                "Choisissez une autre adresse pour l'administrateur."
            )
            % {"email": email}
        )
    return FirmDetails(siren=value, name=clean_name, admin_email=email)


def check_password(password: str, email: str) -> None:
    """Raise ProvisioningError unless ``password`` passes the AUTH_PASSWORD_VALIDATORS."""
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as error:
        raise ProvisioningError(
            _("Mot de passe refusé : %(reasons)s") % {"reasons": " ".join(error.messages)}
        ) from None


def create_firm(siren: str, name: str, admin_email: str, password: str) -> tuple[Firm, User]:
    """Create the firm and its administrator in one transaction, or raise ProvisioningError."""
    details = clean_firm_details(siren, name, admin_email)
    check_password(password, details.admin_email)
    try:
        with transaction.atomic():
            firm = Firm.objects.create(siren=details.siren, name=details.name)
            user = User.objects.create_user(
                details.admin_email, password, firm=firm, role=User.Role.ADMINISTRATOR
            )
    except IntegrityError:
        # Another process created the same SIREN or e-mail address since the checks.
        clean_firm_details(siren, name, admin_email)
        raise
    logger.info("firm created id=%s administrator=%s", firm.pk, user.pk)
    return firm, user
