import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portefeuilles.accounts.models import User
from portefeuilles.portfolios.models import Portfolio
from portefeuilles.referential import identifiers

from .models import Action
from .services import JournalFilters

# The period filter works on whole days in the local time zone, so the day after
# the end must exist and the start of each day must exist in UTC: years 1 and
# 9999 overflow Python's datetime. The bounds leave room on both sides.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9998, 12, 31)


def _french_date(day: datetime.date) -> str:
    # strftime("%Y") does not pad years below 1000 on every platform.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


class PeriodDateField(forms.DateField):
    """A day of the period filter; errors name the value typed and the expected form."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **kwargs,
        )

    def to_python(self, value):
        try:
            day = super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _(
                    "« %(value)s » n'est pas une date : saisissez-la sous la forme JJ/MM/AAAA, "
                    "par exemple 31/01/2025."
                )
                % {"value": str(value).strip()},
                code="invalid",
            ) from None
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                _(
                    "La date %(value)s est hors de la période que le journal peut couvrir : "
                    "saisissez une date entre le %(first)s et le %(last)s."
                )
                % {
                    "value": _french_date(day),
                    "first": _french_date(FIRST_DAY),
                    "last": _french_date(LAST_DAY),
                },
                code="out_of_range",
            )
        return day


class JournalFilterForm(forms.Form):
    """The filters of the « Journal » page, read from the query string."""

    start = PeriodDateField(label=gettext_lazy("Du"))
    end = PeriodDateField(label=gettext_lazy("Au"))
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
