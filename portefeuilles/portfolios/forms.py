"""Forms of the portfolio screens: they collect input; the rules live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portefeuilles.referential import identifiers
from portefeuilles.referential.identifiers import InvalidIdentifier

from . import services


class PortfolioNameForm(forms.Form):
    # Neither required nor stripped here: services.clean_name trims the name and
    # writes every rejection message, so the form and the other callers share one rule.
    name = forms.CharField(
        label=_("Nom du portefeuille"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class SearchForm(forms.Form):
    """« Rechercher un établissement »: a SIREN or SIRET, an account number, or both."""

    etablissement = forms.CharField(
        label=_("Siren/Siret de l'établissement"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    compte = forms.CharField(
        label=_("Numéro de compte"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_etablissement(self):
        value = self.cleaned_data["etablissement"]
        if value:
            try:
                identifiers.parse(value)
            except InvalidIdentifier as error:
                raise forms.ValidationError(str(error)) from None
        return value

    def clean_compte(self):
        value = self.cleaned_data["compte"]
        if value:
            try:
                identifiers.parse_account_number(value)
            except InvalidIdentifier as error:
                raise forms.ValidationError(str(error)) from None
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["search"] = services.parse_search(
                cleaned.get("etablissement", ""), cleaned.get("compte", "")
            )
        except InvalidIdentifier as error:
            self.add_error("etablissement", str(error))
        return cleaned


class SubscriberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Utilisateur de l'entreprise"),
        queryset=None,
        empty_label=_("Choisissez un utilisateur"),
        error_messages={
            "required": _("Choisissez l'utilisateur à abonner dans la liste."),
            "invalid_choice": _(
                "Cet utilisateur n'existe pas, n'est plus actif ou est déjà abonné. "
                "Choisissez un utilisateur dans la liste."
            ),
        },
        widget=forms.Select(attrs={"autofocus": True}),
    )

    def __init__(self, *args, portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.subscribable_users(portfolio)
        self.fields["user"].label_from_instance = _user_choice_label


def _user_choice_label(user) -> str:
    if user.get_full_name():
        return f"{user.get_full_name()} ({user.email}) · {user.get_role_display()}"
    return f"{user.email} · {user.get_role_display()}"
