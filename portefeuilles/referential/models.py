from django.db import models
from django.utils.translation import gettext_lazy as _


class Establishment(models.Model):
    """An establishment of the INSEE SIRENE register (StockEtablissement, format 3.11)."""

    class State(models.TextChoices):
        ACTIVE = "A", _("Actif")
        CLOSED = "F", _("Fermé")

    siret = models.CharField(_("SIRET"), max_length=14, primary_key=True)
    siren = models.CharField(_("SIREN"), max_length=9, db_index=True)
    nic = models.CharField(_("NIC"), max_length=5)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    street = models.CharField(_("adresse"), max_length=250, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    is_head_office = models.BooleanField(_("siège"), default=False)
    state = models.CharField(_("état administratif"), max_length=1, choices=State.choices)
    activity_code = models.CharField(_("activité principale"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return f"{self.siret} {self.name}".strip()


class UrssafAccount(models.Model):
    """A compte cotisant: the 18-digit account under which an Urssaf collects contributions."""

    class Regime(models.TextChoices):
        GENERAL = "RG", _("Régime général")
        SELF_EMPLOYED = "TI", _("Travailleur indépendant")
        MEDICAL = "PAM", _("Praticien et auxiliaire médical")

    class State(models.TextChoices):
        ACTIVE = "1", _("Actif")
        SUSPENDED = "2", _("Suspendu")
        CLOSED = "3", _("Radié")

    number = models.CharField(_("numéro de compte"), max_length=18, unique=True)
    regime = models.CharField(
        _("régime"), max_length=3, choices=Regime.choices, default=Regime.GENERAL
    )
    state = models.CharField(_("état"), max_length=1, choices=State.choices, default=State.ACTIVE)
    urssaf_code = models.CharField(_("Urssaf de gestion"), max_length=3)
    department = models.CharField(_("département"), max_length=3, blank=True)
    # A plain column, not a foreign key: an account may name a SIRET that the
    # establishment referential does not hold (yet).
    siret = models.CharField(_("SIRET"), max_length=14, db_index=True)
    siren = models.CharField(_("SIREN"), max_length=9, db_index=True)
    siret_created_on = models.DateField(_("date de création du SIRET"), null=True, blank=True)
    siret_closed_on = models.DateField(_("date de disparition du SIRET"), null=True, blank=True)

    class Meta:
        verbose_name = _("compte cotisant")
        verbose_name_plural = _("comptes cotisants")

    def __str__(self) -> str:
        return self.number
