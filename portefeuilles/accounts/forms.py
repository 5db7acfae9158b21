from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordMixin,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import lockout, twofactor
from .client_address import client_address
from .models import User
from .signup import applicant_user

# Django's own message, « Saisissez une adresse e-mail valide. », names neither
# the value typed nor what an address looks like.
INVALID_EMAIL = {
    "invalid": _(
        "« %(value)s » n'est pas une adresse e-mail : saisissez une adresse complète, "
        "par exemple prenom.nom@cabinet.fr."
    )
}


class LoginForm(AuthenticationForm):
    """« Se connecter »: the help page's « Identifiant » and « Mot de passe » fields.

    Failed attempts count towards the lockout (see ``lockout.py``); a locked
    identifiant or address gets the same message whether the account exists or not.
    """

    username = forms.EmailField(
        label=_("Identifiant"),
        error_messages=INVALID_EMAIL,
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

    is_locked = False

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        until = lockout.locked_until(username, address)
        if until is not None:
            self.is_locked = True
            lockout.signal_failure(self.request, username, locked=True)
            raise ValidationError(lockout.lockout_message(until), code="locked")
        try:
            return super().clean()
        except ValidationError:
            lockout.record_failure(username, address)
            raise


class SecondFactorForm(forms.Form):
    """The 6-digit code of the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code à usage unique"),
        max_length=20,
        help_text=_(
            "Le code à 6 chiffres affiché par votre application d'authentification, ou l'un "
            "de vos codes de secours."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("Code affiché par l'application"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReauthenticationForm(forms.Form):
    """« Confirmer votre identité »: the password, and a code when a second factor is enrolled."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Code à usage unique"),
        max_length=20,
        required=False,
        help_text=_("Le code de votre application d'authentification, ou un code de secours."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.needs_code = twofactor.is_enrolled(self.user)
        self.device = None
        if not self.needs_code:
            del self.fields["code"]

    def clean(self):
        cleaned = super().clean()
        address = client_address(self.request)
        until = lockout.locked_until(self.user.email, address)
        if until is not None:
            lockout.signal_failure(self.request, self.user.email, locked=True)
            raise ValidationError(lockout.lockout_message(until), code="locked")
        password = cleaned.get("password")
        user = authenticate(self.request, username=self.user.email, password=password or "")
        if user is None or user.pk != self.user.pk:
            lockout.record_failure(self.user.email, address)
            raise ValidationError(
                _("Mot de passe incorrect. Saisissez le mot de passe de votre compte."),
                code="invalid_password",
            )
        if self.needs_code:
            self.device = twofactor.verify_code(self.user, cleaned.get("code", ""))
            if self.device is None:
                lockout.record_failure(self.user.email, address)
                lockout.signal_failure(self.request, self.user.email)
                raise ValidationError(
                    _(
                        "Code incorrect ou expiré. Saisissez le code affiché maintenant par "
                        "votre application, ou un code de secours."
                    ),
                    code="invalid_code",
                )
        return cleaned


class LockedPasswordChangeForm(PasswordChangeForm):
    """« Changer le mot de passe »: a wrong current password counts as a failed login.

    Without the lockout, whoever holds an open session could try passwords here
    as fast as the server hashes them.
    """

    is_locked = False

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        address = client_address(self.request)
        until = lockout.locked_until(self.user.email, address)
        if until is not None:
            self.is_locked = True
            lockout.signal_failure(self.request, self.user.email, locked=True)
            raise ValidationError(lockout.lockout_message(until), code="locked")
        try:
            return super().clean_old_password()
        except ValidationError:
            lockout.record_failure(self.user.email, address)
            lockout.signal_failure(self.request, self.user.email)
            raise


class ResetRequestForm(PasswordResetForm):
    """« Mot de passe oublié ? »: Django's form, with an error that names the value typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages.update(INVALID_EMAIL)


class InvitationForm(forms.Form):
    """« Ajouter un nouveau collaborateur »."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Elle sera son identifiant. Le lien envoyé est valable 7 jours."),
        error_messages=INVALID_EMAIL,
    )
    role = forms.ChoiceField(
        label=_("Profil"), choices=User.Role.choices, initial=User.Role.COLLABORATOR
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Profil"), choices=User.Role.choices)


class NewPasswordForm(SetPasswordMixin, forms.Form):
    """Name and password chosen by a new user (invitation)."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Mot de passe"), label2=_("Confirmation du mot de passe")
    )

    def __init__(self, *args, user_for_validation, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_for_validation = user_for_validation

    def clean(self):
        self.validate_passwords()
        self.user_for_validation.first_name = self.cleaned_data.get("first_name", "")
        self.user_for_validation.last_name = self.cleaned_data.get("last_name", "")
        self.validate_password_for_user(self.user_for_validation)
        return super().clean()


class SignupForm(SetPasswordMixin, forms.Form):
    """« Créer votre espace en ligne »: the firm and its first administrator."""

    siren = forms.CharField(
        label=_("SIREN de l'entreprise"),
        max_length=20,
        help_text=_("9 chiffres, espaces permis."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    firm_name = forms.CharField(label=_("Raison sociale"), max_length=200)
    first_name = forms.CharField(label=_("Prénom de l'administrateur"), max_length=150)
    last_name = forms.CharField(label=_("Nom de l'administrateur"), max_length=150)
    email = forms.EmailField(
        label=_("Adresse e-mail de l'administrateur"),
        error_messages=INVALID_EMAIL,
        help_text=_("Elle sera son identifiant."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Mot de passe"), label2=_("Confirmation du mot de passe")
    )

    def clean(self):
        self.validate_passwords()
        user = applicant_user(
            self.cleaned_data.get("firm_name", ""),
            self.cleaned_data.get("email", ""),
            self.cleaned_data.get("first_name", ""),
            self.cleaned_data.get("last_name", ""),
        )
        self.validate_password_for_user(user)
        return super().clean()
