from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portefeuilles.accounts.models import User
from portefeuilles.portfolios.models import Portfolio
from portefeuilles.referential import identifiers

from .models import Action
from .services import JournalFilters


class JournalFilterForm(forms.Form):
    """The filters of the « Journal » page, read from the query string."""

    start = forms.DateField(
        label=gettext_lazy("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    user = forms.TypedChoiceField(
        label=gettext_lazy("Utilisateur"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    portfolio = forms.TypedChoiceField(
        label=gettext_lazy("Portefeuille"), required=False, coerce=int, empty_value=None
    )
    identifier = forms.CharField(
        label=gettext_lazy("SIRET ou numéro de compte"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("SIREN (9 chiffres), SIRET (14) ou numéro de compte (18)."),
    )

    def __init__(self, *args, firm_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("Tous"))]
        # Choices are read once here, so that validating a filter costs no query.
        users = User.objects.filter(firm_id=firm_id).order_by("email").values_list("pk", "email")
        self.fields["user"].choices = everyone + list(users)
        self.fields["action"].choices = everyone + list(Action.choices)
        portfolios = (
            Portfolio.objects.filter(firm_id=firm_id)
            .order_by("name_key", "pk")
            .values_list("pk", "name", "terminated_at")
        )
        self.fields["portfolio"].choices = everyone + [
            (pk, _("%(name)s (résilié)") % {"name": name} if terminated_at else name)
            for pk, name, terminated_at in portfolios
        ]

    def clean_identifier(self):
        raw = self.cleaned_data["identifier"]
        if not raw.strip():
            return None
        try:
            return identifiers.parse(raw)
        except identifiers.InvalidIdentifier as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _(
                    "La période va du %(start)s au %(end)s : la date de début doit précéder "
                    "la date de fin. Inversez les deux dates."
                )
                % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")}
            )
        return cleaned

    def filters(self) -> JournalFilters:
        """Return the filters of a valid form."""
        data = self.cleaned_data
        return JournalFilters(
            start=data["start"],
            end=data["end"],
            user_id=data["user"],
            action=data["action"] or None,
            portfolio_id=data["portfolio"],
            identifier=data["identifier"],
        )


class RestoreForm(forms.Form):
    """Confirmation of a restoration, with a new name when the old one is taken."""

    name = forms.CharField(
        label=gettext_lazy("Nouveau nom du portefeuille"),
        error_messages={
            "required": gettext_lazy(
                "Saisissez un nouveau nom pour le portefeuille restauré (1 à 100 caractères)."
            ),
        },
    )

    def __init__(self, *args, needs_name: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_name:
            del self.fields["name"]

    def new_name(self) -> str | None:
        """Return the new name typed, or None when the portfolio keeps its own."""
        return self.cleaned_data.get("name")
