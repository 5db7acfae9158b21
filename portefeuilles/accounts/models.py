from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Firm(models.Model):
    """A tiers déclarant: the accounting firm or payroll bureau that owns a space."""

    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("raison sociale"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entreprise (tiers déclarant)")
        verbose_name_plural = _("entreprises (tiers déclarants)")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.siren})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An abonné of a firm's space, identified by e-mail address.

    Operators of the platform are Django staff users without a firm.
    """

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrateur")
        COLLABORATOR = "collaborator", _("Collaborateur")

    username = None
    email = models.EmailField(_("identifiant (adresse e-mail)"), unique=True)
    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(
        _("profil"), max_length=20, choices=Role.choices, default=Role.COLLABORATOR
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        # The login form lower-cases the identifiant typed, and uniqueness is
        # checked case-sensitively: an address saved with capitals (from the
        # operators' admin) could never log in, or would duplicate another.
        self.email = self.email.strip().lower()

    @property
    def is_firm_admin(self) -> bool:
        return self.firm_id is not None and self.role == self.Role.ADMINISTRATOR and self.is_active

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class LoginAttempt(models.Model):
    """A failed login, kept for the lockout window then pruned (see ``lockout.py``)."""

    # An HMAC of the identifiant as typed, so that a password typed into the
    # identifiant field by mistake is never stored.
    username_digest = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField()
    attempted_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("échec de connexion")
        verbose_name_plural = _("échecs de connexion")
        indexes = [
            models.Index(fields=["username_digest", "attempted_at"], name="loginattempt_username"),
            models.Index(fields=["ip_address", "attempted_at"], name="loginattempt_address"),
        ]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class UserSession(models.Model):
    """An open session of a user, listed in « Mes sessions » (see ``sessions.py``).

    The row is keyed by a SHA-256 digest of the session key: the key itself is a
    bearer credential and is never stored outside Django's session store. A
    session whose row is gone is logged out on its next request.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions"
    )
    key_digest = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse"), null=True, blank=True)
    created_at = models.DateTimeField(_("ouverte le"))
    last_activity = models.DateTimeField(_("dernière activité"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_activity"]

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id}"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations neither accepted nor revoked; an expired one can still be resent."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """« Ajouter un nouveau collaborateur »: an e-mail link to join a firm's space.

    The link contains a random token, and only its SHA-256 digest is stored. It is valid
    ``INVITATION_TIMEOUT`` seconds and works once.
    """

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(
        _("profil"), max_length=20, choices=User.Role.choices, default=User.Role.COLLABORATOR
    )
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyée le"))
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_unique_open_email",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} to firm {self.firm_id}"


class SignupRequest(models.Model):
    """A demande d'adhésion: « Créer votre espace en ligne », approved by an operator.

    The applicant's password is stored hashed, as on ``User``, and copied to the
    administrator account on approval.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("adresse e-mail à confirmer")
        PENDING = "pending", _("en attente de validation")
        APPROVED = "approved", _("validée")
        REFUSED = "refused", _("refusée")

    siren = models.CharField(_("SIREN"), max_length=9)
    firm_name = models.CharField(_("raison sociale"), max_length=200)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse e-mail"))
    password = models.CharField(max_length=128, editable=False)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.UNCONFIRMED
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("déposée le"))
    confirmed_at = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    refusal_reason = models.TextField(
        _("motif du refus"),
        blank=True,
        help_text=_("Envoyé au demandeur dans l'e-mail de refus."),
    )
    firm = models.ForeignKey(
        Firm, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        ordering = ["-created_at"]
        constraints = [
            # One request awaiting an operator per SIREN: two applicants for one
            # firm must not both get a space.
            models.UniqueConstraint(
                fields=["siren"],
                condition=models.Q(status="pending"),
                name="signuprequest_unique_pending_siren",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_name} ({self.siren})"
