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

    @property
    def is_firm_admin(self) -> bool:
        return self.firm_id is not None and self.role == self.Role.ADMINISTRATOR and self.is_active

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email
