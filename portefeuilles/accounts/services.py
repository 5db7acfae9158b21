"""Team management rules: invitations, profiles, deactivation, sessions, second factor.

Every function takes the acting user first and works inside that user's firm.
Users outside the firm get ``Http404`` (ids reveal nothing); members without
the administrator profile get ``PermissionDenied``. Broken rules raise
``AccountError`` with a French message that tells the user what to do next.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portefeuilles.audit import journal

from . import emails, twofactor, user_sessions
from .models import Firm, Invitation, User
from .tokens import new_token, token_digest

logger = logging.getLogger(__name__)

# Turns a path into an absolute URL for e-mails, e.g. ``request.build_absolute_uri``.
UrlBuilder = Callable[[str], str]


class AccountError(ValueError):
    """Raised when a rule is broken, with a French message naming the value and the fix."""


# -- Access ------------------------------------------------------------------


def require_firm_administrator(user: User) -> None:
    """Raise Http404 for a user without a firm, PermissionDenied for a collaborator."""
    if user.firm_id is None or not user.is_active:
        raise Http404
    if not user.is_firm_admin:
        raise PermissionDenied


def get_firm_user(admin: User, user_id) -> User:
    """Return the user ``user_id`` of the administrator's firm, else raise Http404."""
    require_firm_administrator(admin)
    try:
        return User.objects.get(pk=user_id, firm_id=admin.firm_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_firm_invitation(admin: User, invitation_id) -> Invitation:
    require_firm_administrator(admin)
    try:
        return Invitation.objects.open().get(pk=invitation_id, firm_id=admin.firm_id)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- The last active administrator --------------------------------------------


def _other_active_admins(firm_id: int, user: User):
    return User.objects.filter(
        firm_id=firm_id, role=User.Role.ADMINISTRATOR, is_active=True
    ).exclude(pk=user.pk)


def last_admin_reason(user: User, active_admin_count: int) -> str | None:
    """Return why ``user`` can be neither deactivated nor demoted, or None if they can."""
    if user.is_firm_admin and active_admin_count <= 1:
        return _(
            "%(name)s est le seul administrateur actif de l'entreprise : donnez d'abord le "
            "profil administrateur à un autre utilisateur."
        ) % {"name": user.display_name}
    return None


def _check_not_last_admin(target: User) -> None:
    # Locking the firm row serialises concurrent changes, so two administrators
    # cannot demote each other at the same moment and leave none.
    Firm.objects.select_for_update().get(pk=target.firm_id)
    is_active_admin = target.role == User.Role.ADMINISTRATOR and target.is_active
    if is_active_admin and not _other_active_admins(target.firm_id, target).exists():
        raise AccountError(last_admin_reason(target, 1))


# -- Invitations ---------------------------------------------------------------


def _send_invitation(invitation: Invitation, token: str, build_url: UrlBuilder) -> None:
    link = build_url(reverse("accounts:accept_invitation", args=[token]))
    emails.send(
        "invitation",
        invitation.email,
        {
            "firm": invitation.firm,
            "inviter": invitation.invited_by,
            "role": invitation.get_role_display(),
            "link": link,
            "expires_at": invitation.expires_at,
        },
    )


@transaction.atomic
def invite(admin: User, email: str, role: str, build_url: UrlBuilder) -> Invitation:
    """« Ajouter un nouveau collaborateur »: e-mail a single-use link valid 7 days."""
    require_firm_administrator(admin)
    email = User.objects.normalize_email(email).strip().lower()
    if role not in User.Role.values:
        raise AccountError(_("Choisissez le profil administrateur ou collaborateur."))
    # Only an account of the administrator's own firm is named: for an address
    # that identifies an account elsewhere, the invitation is sent as usual and
    # its link tells the owner, so the form never reveals other firms' accounts.
    if User.objects.filter(email__iexact=email, firm_id=admin.firm_id).exists():
        raise AccountError(
            _(
                "L'adresse %(email)s est déjà l'identifiant d'un compte. Si cette personne "
                "fait partie de votre entreprise, réactivez son compte dans la liste."
            )
            % {"email": email}
        )
    if Invitation.objects.open().filter(firm_id=admin.firm_id, email=email).exists():
        raise AccountError(
            _(
                "Une invitation a déjà été envoyée à %(email)s : utilisez « Renvoyer » "
                "dans la liste des invitations."
            )
            % {"email": email}
        )
    token, digest = new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                firm_id=admin.firm_id,
                email=email,
                role=role,
                token_digest=digest,
                invited_by=admin,
                created_at=now,
                expires_at=now + timedelta(seconds=settings.INVITATION_TIMEOUT),
            )
    except IntegrityError:
        raise AccountError(
            _("Une invitation a déjà été envoyée à %(email)s.") % {"email": email}
        ) from None
    _send_invitation(invitation, token, build_url)
    journal.user_invited(
        admin, firm_id=admin.firm_id, email=email, role=role, invitation_id=invitation.pk
    )
    logger.info("invitation sent id=%s firm=%s user=%s", invitation.pk, admin.firm_id, admin.pk)
    return invitation


def _lock_open_invitation(invitation: Invitation) -> Invitation:
    """Lock the invitation row, or raise AccountError if it was accepted or revoked meanwhile."""
    locked = Invitation.objects.open().select_for_update().filter(pk=invitation.pk).first()
    if locked is None:
        raise AccountError(
            _(
                "L'invitation de %(email)s vient d'être acceptée ou annulée : la liste des "
                "utilisateurs montre son état actuel."
            )
            % {"email": invitation.email}
        )
    return locked


@transaction.atomic
def resend_invitation(admin: User, invitation: Invitation, build_url: UrlBuilder) -> Invitation:
    """Send a new link, valid 7 days from now; the previous link stops working."""
    require_firm_administrator(admin)
    invitation = _lock_open_invitation(invitation)
    token, digest = new_token()
    now = timezone.now()
    invitation.token_digest = digest
    invitation.created_at = now
    invitation.expires_at = now + timedelta(seconds=settings.INVITATION_TIMEOUT)
    invitation.invited_by = admin
    invitation.save(update_fields=["token_digest", "created_at", "expires_at", "invited_by"])
    _send_invitation(invitation, token, build_url)
    logger.info("invitation resent id=%s user=%s", invitation.pk, admin.pk)
    return invitation


@transaction.atomic
def revoke_invitation(admin: User, invitation: Invitation) -> None:
    require_firm_administrator(admin)
    invitation = _lock_open_invitation(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    logger.info("invitation revoked id=%s user=%s", invitation.pk, admin.pk)


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """Return the invitation of an e-mail link, or raise AccountError saying why it is unusable.

    With ``for_update``, the row is locked first, so that the checks below see
    a revocation or a resent link committed by a concurrent request.
    """
    if for_update:
        invitations = Invitation.objects.select_for_update()
    else:
        invitations = Invitation.objects.select_related("firm")
    invitation = invitations.filter(token_digest=token_digest(token)).first()
    if invitation is None or invitation.revoked_at is not None:
        raise AccountError(
            _(
                "Ce lien d'invitation n'est pas valide : il a été remplacé par un lien plus "
                "récent ou annulé. Demandez à l'administrateur de votre entreprise de vous "
                "inviter à nouveau."
            )
        )
    if invitation.accepted_at is not None:
        raise AccountError(
            _(
                "Ce lien d'invitation a déjà été utilisé. Connectez-vous avec votre adresse "
                "e-mail et votre mot de passe."
            )
        )
    if invitation.expires_at <= timezone.now():
        raise AccountError(
            _(
                "Ce lien d'invitation a expiré : il était valable 7 jours. Demandez à "
                "l'administrateur de votre entreprise de vous le renvoyer."
            )
        )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AccountError(
            _(
                "L'adresse %(email)s est déjà l'identifiant d'un compte, et un compte "
                "appartient à une seule entreprise. Connectez-vous avec ce compte, ou demandez "
                "à l'administrateur de %(firm)s de vous inviter avec une autre adresse e-mail."
            )
            % {"email": invitation.email, "firm": invitation.firm.name}
        )
    return invitation


def new_invited_user(invitation: Invitation, first_name: str = "", last_name: str = "") -> User:
    """Return the unsaved account an invitation creates, for password validation."""
    return User(
        email=invitation.email,
        firm=invitation.firm,
        role=invitation.role,
        first_name=first_name,
        last_name=last_name,
    )


@transaction.atomic
def accept_invitation(token: str, first_name: str, last_name: str, password: str) -> User:
    """Create the invited account with the chosen password; the link then stops working."""
    # Locked, so that two submissions of the form create one account and a
    # revocation or a resent link committed meanwhile is seen.
    invitation = invitation_for_token(token, for_update=True)
    user = new_invited_user(invitation, first_name.strip(), last_name.strip())
    user.set_password(password)
    try:
        # Another firm's invitation to the same address may be accepted at the same moment.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        invitation_for_token(token)
        raise
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    logger.info("invitation accepted id=%s user=%s", invitation.pk, user.pk)
    return user


# -- Profiles, deactivation, sessions, second factor -------------------------------


@transaction.atomic
def change_role(admin: User, target: User, role: str) -> User:
    """Give ``target`` the administrator or collaborator profile."""
    require_firm_administrator(admin)
    if role not in User.Role.values:
        raise AccountError(_("Choisissez le profil administrateur ou collaborateur."))
    if role == target.role:
        return target
    if role == User.Role.COLLABORATOR:
        _check_not_last_admin(target)
    old_role = target.role
    target.role = role
    target.save(update_fields=["role"])
    if role == User.Role.ADMINISTRATOR and not twofactor.is_enrolled(target):
        # Administrators need a second factor. Their open sessions were logged
        # in without one, so they end now and the next login asks to enrol.
        user_sessions.end_all_sessions(target)
    journal.user_profile_changed(admin, target, old_role)
    logger.info("role changed user=%s role=%s by=%s", target.pk, role, admin.pk)
    return target


@transaction.atomic
def deactivate(admin: User, target: User) -> User:
    """Deactivate ``target`` and end their sessions at once.

    Their portfolio subscriptions stay, hidden while the account is inactive,
    so access returns on reactivation.
    """
    require_firm_administrator(admin)
    if target.pk == admin.pk:
        raise AccountError(
            _(
                "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre "
                "administrateur."
            )
        )
    if not target.is_active:
        return target
    _check_not_last_admin(target)
    target.is_active = False
    target.save(update_fields=["is_active"])
    user_sessions.end_all_sessions(target)
    journal.user_deactivated(admin, target)
    logger.info("user deactivated user=%s by=%s", target.pk, admin.pk)
    return target


@transaction.atomic
def reactivate(admin: User, target: User) -> User:
    require_firm_administrator(admin)
    if not target.is_active:
        target.is_active = True
        target.save(update_fields=["is_active"])
        journal.user_reactivated(admin, target)
        logger.info("user reactivated user=%s by=%s", target.pk, admin.pk)
    return target


def end_sessions(admin: User, target: User, request) -> int:
    """End every session of ``target``; when that is the admin, the current one stays."""
    require_firm_administrator(admin)
    keep_request = request if target.pk == admin.pk else None
    return user_sessions.end_all_sessions(target, keep_request=keep_request)


@transaction.atomic
def reset_second_factor(admin: User, target: User) -> None:
    """Delete ``target``'s second factor and end their sessions.

    A reset usually follows a lost or stolen phone, whose open sessions must not
    outlive the factor. An administrator enrols again at the next login.
    """
    require_firm_administrator(admin)
    if target.pk == admin.pk:
        raise AccountError(
            _(
                "Pour changer votre propre second facteur, passez par « Mon compte » ; la "
                "réinitialisation sert à aider un autre utilisateur."
            )
        )
    twofactor.reset(target)
    user_sessions.end_all_sessions(target)
    logger.info("second factor reset user=%s by=%s", target.pk, admin.pk)


def firm_team(admin: User):
    """Return the firm's users and its open invitations, for « Gérer les utilisateurs »."""
    require_firm_administrator(admin)
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    users = list(
        User.objects.filter(firm_id=admin.firm_id)
        .annotate(has_second_factor=Exists(enrolled))
        .order_by("role", "last_name", "first_name", "email")
    )
    invitations = list(Invitation.objects.open().filter(firm_id=admin.firm_id))
    return users, invitations
