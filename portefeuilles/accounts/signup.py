"""« Créer votre espace en ligne »: the demande d'adhésion of a firm, from form to approval.

1. The applicant gives the firm's SIREN and name and the first administrator's
   name, e-mail and password. A link valid ``SIGNUP_CONFIRMATION_TIMEOUT``
   seconds (48 hours) confirms the e-mail address.
2. The request then waits « en attente de validation » until an operator (a
   staff user) approves or refuses it in the Django admin.
3. Approval creates the firm and its administrator. The applicant gets an
   e-mail either way.

One space per SIREN: a SIREN that already has a firm, or a request awaiting an
operator, is rejected with a message naming whom to ask.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portefeuilles.referential import identifiers

from . import emails
from .models import Firm, SignupRequest, User
from .services import AccountError, UrlBuilder
from .tokens import new_token, token_digest

logger = logging.getLogger(__name__)


def clean_siren(raw: str) -> str:
    """Return the 9-digit SIREN, or raise AccountError naming the value and the fix."""
    value = identifiers.normalize(raw)
    if len(value) != 9 or not value.isdigit():
        raise AccountError(
            _(
                "« %(value)s » n'est pas un SIREN : un SIREN compte 9 chiffres, par exemple "
                "732 829 320."
            )
            % {"value": (raw or "").strip()}
        )
    if not identifiers.is_valid_siren(value):
        raise AccountError(
            _(
                "« %(value)s » n'est pas un SIREN valide : sa clé de contrôle est fausse. "
                "Vérifiez chaque chiffre sur l'avis de situation SIRENE de l'entreprise."
            )
            % {"value": (raw or "").strip()}
        )
    return value


def check_siren_free(siren: str) -> None:
    if Firm.objects.filter(siren=siren).exists():
        raise AccountError(
            _(
                "L'entreprise de SIREN %(siren)s a déjà un espace en ligne. Demandez à "
                "l'administrateur de cet espace de vous inviter avec « Ajouter un nouveau "
                "collaborateur »."
            )
            % {"siren": siren}
        )
    if SignupRequest.objects.filter(siren=siren, status=SignupRequest.Status.PENDING).exists():
        raise AccountError(
            _(
                "Une demande d'adhésion pour le SIREN %(siren)s est déjà en attente de "
                "validation. Vous recevrez un e-mail dès qu'elle aura été traitée."
            )
            % {"siren": siren}
        )


def applicant_user(firm_name: str, email: str, first_name: str = "", last_name: str = "") -> User:
    """Return an unsaved administrator with its unsaved firm, for password validation."""
    return User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        firm=Firm(name=firm_name),
        role=User.Role.ADMINISTRATOR,
    )


@transaction.atomic
def submit(
    *,
    siren: str,
    firm_name: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    build_url: UrlBuilder,
) -> SignupRequest | None:
    """File a request and e-mail the confirmation link.

    When the address is already an identifiant, no request is filed and the
    address gets an e-mail explaining why. The page shows the same response
    either way, so the form does not reveal which addresses have an account.
    """
    siren = clean_siren(siren)
    check_siren_free(siren)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        emails.send(
            "signup_existing_account",
            email,
            {"reset_link": build_url(reverse("accounts:password_reset"))},
        )
        logger.info("signup not filed: the address is already an identifiant")
        return None
    token, digest = new_token()
    request = SignupRequest.objects.create(
        siren=siren,
        firm_name=" ".join(firm_name.split()),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        password=make_password(password),
        token_digest=digest,
        created_at=timezone.now(),
    )
    emails.send(
        "signup_confirm",
        email,
        {
            "signup": request,
            "link": build_url(reverse("accounts:signup_confirm", args=[token])),
            "expires_at": request.created_at
            + timedelta(seconds=settings.SIGNUP_CONFIRMATION_TIMEOUT),
        },
    )
    logger.info("signup submitted id=%s", request.pk)
    return request


@transaction.atomic
def confirm_email(token: str) -> SignupRequest:
    """Mark the request's address as confirmed; it then waits for an operator."""
    request = (
        SignupRequest.objects.select_for_update().filter(token_digest=token_digest(token)).first()
    )
    if request is None or request.status == SignupRequest.Status.REFUSED:
        raise AccountError(
            _(
                "Ce lien de confirmation n'est pas valide. Vérifiez que vous avez copié "
                "le lien entier, ou déposez une nouvelle demande."
            )
        )
    if request.status != SignupRequest.Status.UNCONFIRMED:
        return request
    expires_at = request.created_at + timedelta(seconds=settings.SIGNUP_CONFIRMATION_TIMEOUT)
    if timezone.now() > expires_at:
        raise AccountError(
            _(
                "Ce lien de confirmation a expiré : il était valable 48 heures. Déposez une "
                "nouvelle demande avec « Créer votre espace en ligne »."
            )
        )
    check_siren_free(request.siren)
    request.status = SignupRequest.Status.PENDING
    request.confirmed_at = timezone.now()
    try:
        with transaction.atomic():
            request.save(update_fields=["status", "confirmed_at"])
    except IntegrityError:
        # Another request for the SIREN was confirmed at the same moment.
        check_siren_free(request.siren)
        raise
    logger.info("signup confirmed id=%s", request.pk)
    return request


@transaction.atomic
def approve(operator: User, request: SignupRequest, build_url: UrlBuilder) -> User:
    """Create the firm and its first administrator, then tell the applicant."""
    request = SignupRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SignupRequest.Status.PENDING:
        raise AccountError(
            _("La demande %(name)s n'est pas en attente de validation (état : %(status)s).")
            % {"name": request, "status": request.get_status_display()}
        )
    if Firm.objects.filter(siren=request.siren).exists():
        raise AccountError(
            _("Le SIREN %(siren)s a déjà un espace : refusez cette demande.")
            % {"siren": request.siren}
        )
    if User.objects.filter(email__iexact=request.email).exists():
        raise AccountError(
            _("L'adresse %(email)s est déjà l'identifiant d'un compte : refusez cette demande.")
            % {"email": request.email}
        )
    firm = Firm.objects.create(siren=request.siren, name=request.firm_name)
    admin = User(
        email=request.email,
        first_name=request.first_name,
        last_name=request.last_name,
        firm=firm,
        role=User.Role.ADMINISTRATOR,
        password=request.password,
    )
    admin.save()
    request.status = SignupRequest.Status.APPROVED
    request.decided_at = timezone.now()
    request.decided_by = operator
    request.firm = firm
    request.password = ""
    request.save(update_fields=["status", "decided_at", "decided_by", "firm", "password"])
    emails.send(
        "signup_approved",
        request.email,
        {"signup": request, "login_link": build_url(reverse("accounts:login"))},
    )
    logger.info("signup approved id=%s firm=%s by=%s", request.pk, firm.pk, operator.pk)
    return admin


@transaction.atomic
def refuse(operator: User, request: SignupRequest) -> None:
    """Refuse the request and tell the applicant, with the operator's reason if given."""
    request = SignupRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SignupRequest.Status.PENDING:
        raise AccountError(
            _("La demande %(name)s n'est pas en attente de validation (état : %(status)s).")
            % {"name": request, "status": request.get_status_display()}
        )
    request.status = SignupRequest.Status.REFUSED
    request.decided_at = timezone.now()
    request.decided_by = operator
    request.password = ""
    request.save(update_fields=["status", "decided_at", "decided_by", "password"])
    emails.send("signup_refused", request.email, {"signup": request})
    logger.info("signup rejected id=%s by=%s", request.pk, operator.pk)
