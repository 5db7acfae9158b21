from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """« Se connecter »: the help page's « Identifiant » and « Mot de passe » fields."""

    username = forms.EmailField(
        label=_("Identifiant"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Identifiant ou mot de passe incorrect. Vérifiez votre adresse e-mail et votre "
            "mot de passe, en respectant les majuscules."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'administrateur de votre espace."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()
