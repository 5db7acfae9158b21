import unicodedata

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portefeuilles.accounts.models import Firm
from portefeuilles.referential.models import UrssafAccount

# The zero width joiner, which binds emoji sequences, and the variation selectors,
# which pick an emoji's look: names may hold them, comparisons ignore them.
KEY_IGNORED_CHARACTERS = frozenset("\u200d" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))


def name_key(name: str) -> str:
    """Return the comparison key of a portfolio name: no accents, case folded, spaces folded.

    « Clients Île-de-France » and « clients  ile-de-france » share one key. The
    key can be longer than the name: NFKD and case folding expand « ß » to « ss ».
    """
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and ch not in KEY_IGNORED_CHARACTERS
    )
    return " ".join(without_accents.casefold().split())


class FirmClient(models.Model):
    """An Urssaf account that the firm declares for (« client du cabinet »)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="clients")
    account = models.ForeignKey(UrssafAccount, on_delete=models.PROTECT, related_name="firm_links")
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client du cabinet")
        verbose_name_plural = _("clients du cabinet")
        constraints = [
            models.UniqueConstraint(fields=["firm", "account"], name="firmclient_unique_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.firm_id}"


class PortfolioQuerySet(models.QuerySet):
    def active(self):
        """Portfolios that are not résiliés: the only ones any screen or rule works on."""
        return self.filter(terminated_at__isnull=True)


class Portfolio(models.Model):
    """A portefeuille clients: a named list of the firm's clients shared with its abonnés."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="portfolios")
    name = models.CharField(_("nom du portefeuille"), max_length=100)
    # Set from ``name`` on every save; the unique constraint below makes names
    # unique per firm ignoring case and accents, even under concurrent requests.
    name_key = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the portfolio is résilié and kept until it is purged for good.
    terminated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    clients = models.ManyToManyField(
        FirmClient, through="PortfolioClient", related_name="portfolios"
    )
    subscribers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PortfolioSubscription", related_name="portfolios"
    )

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        verbose_name = _("portefeuille clients")
        verbose_name_plural = _("portefeuilles clients")
        ordering = ["name_key"]
        constraints = [
            # Unique among active portfolios only, so a résilié portfolio kept for
            # restoration does not block its name.
            models.UniqueConstraint(
                fields=["firm", "name_key"],
                condition=models.Q(terminated_at__isnull=True),
                name="portfolio_unique_active_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class PortfolioClient(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="entries")
    firm_client = models.ForeignKey(
        FirmClient, on_delete=models.CASCADE, related_name="portfolio_entries"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "firm_client"], name="portfolioclient_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_client_id} in {self.portfolio_id}"


class PortfolioSubscription(models.Model):
    """Access of one abonné to one portfolio."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "user"], name="subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.portfolio_id}"
