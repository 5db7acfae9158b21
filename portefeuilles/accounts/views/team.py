"""Team management from « Gérer les utilisateurs », and accepting an invitation.

The forms live in ``accounts/_firm_users.html``, included in the « Gérer les
utilisateurs » page; every action posts here and comes back to that page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import services, twofactor
from ..emails import EmailNotSent
from ..forms import InvitationForm, NewPasswordForm, RoleForm
from ..models import User
from ..reauth import check_recent_authentication
from ..services import AccountError

MANAGE_URL = "portfolios:manage"


def _done(request, message: str):
    messages.success(request, message)
    return redirect(MANAGE_URL)


def _refused(request, error: Exception):
    messages.error(request, str(error))
    return redirect(MANAGE_URL)


def invite(request):
    """« Ajouter un nouveau collaborateur »: the form, also shown again with its errors."""
    services.require_firm_administrator(request.user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                request.user,
                form.cleaned_data["email"],
                form.cleaned_data["role"],
                request.build_absolute_uri,
            )
        except (AccountError, EmailNotSent) as error:
            form.add_error("email" if isinstance(error, AccountError) else None, str(error))
        else:
            return _done(
                request,
                _("Une invitation valable 7 jours a été envoyée à %(email)s.")
                % {"email": invitation.email},
            )
    return render(request, "accounts/invite.html", {"form": form})


@require_POST
def resend_invitation(request, pk):
    invitation = services.get_firm_invitation(request.user, pk)
    try:
        services.resend_invitation(request.user, invitation, request.build_absolute_uri)
    except (AccountError, EmailNotSent) as error:
        return _refused(request, error)
    return _done(
        request,
        _("Une nouvelle invitation a été envoyée à %(email)s ; l'ancien lien ne fonctionne plus.")
        % {"email": invitation.email},
    )


@require_POST
def revoke_invitation(request, pk):
    invitation = services.get_firm_invitation(request.user, pk)
    try:
        services.revoke_invitation(request.user, invitation)
    except AccountError as error:
        return _refused(request, error)
    return _done(request, _("L'invitation de %(email)s est annulée.") % {"email": invitation.email})


@require_POST
def change_role(request, pk):
    target = services.get_firm_user(request.user, pk)
    check_recent_authentication(request)
    form = RoleForm(request.POST)
    if not form.is_valid():
        error = AccountError(_("Choisissez le profil administrateur ou collaborateur."))
        return _refused(request, error)
    try:
        services.change_role(request.user, target, form.cleaned_data["role"])
    except AccountError as error:
        return _refused(request, error)
    message = _("%(name)s a maintenant le profil %(role)s.") % {
        "name": target.display_name,
        "role": target.get_role_display().lower(),
    }
    if target.role == User.Role.ADMINISTRATOR and not twofactor.is_enrolled(target):
        message += " " + _(
            "Ses sessions sont fermées : à sa prochaine connexion, il configurera la double "
            "authentification, obligatoire pour les administrateurs."
        )
    return _done(request, message)


@require_POST
def deactivate(request, pk):
    target = services.get_firm_user(request.user, pk)
    check_recent_authentication(request)
    try:
        services.deactivate(request.user, target)
    except AccountError as error:
        return _refused(request, error)
    return _done(
        request,
        _(
            "Le compte de %(name)s est désactivé et ses sessions sont fermées. Ses accès aux "
            "portefeuilles reviendront s'il est réactivé."
        )
        % {"name": target.display_name},
    )


@require_POST
def reactivate(request, pk):
    target = services.get_firm_user(request.user, pk)
    services.reactivate(request.user, target)
    return _done(request, _("Le compte de %(name)s est réactivé.") % {"name": target.display_name})


@require_POST
def end_user_sessions(request, pk):
    target = services.get_firm_user(request.user, pk)
    count = services.end_sessions(request.user, target, request)
    return _done(
        request,
        _("%(count)s session(s) de %(name)s fermée(s).")
        % {"count": count, "name": target.display_name},
    )


@require_POST
def reset_second_factor(request, pk):
    target = services.get_firm_user(request.user, pk)
    check_recent_authentication(request)
    try:
        services.reset_second_factor(request.user, target)
    except AccountError as error:
        return _refused(request, error)
    return _done(
        request,
        _(
            "La double authentification de %(name)s est réinitialisée et ses sessions sont "
            "fermées : il la configurera à nouveau à sa prochaine connexion."
        )
        % {"name": target.display_name},
    )


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token):
    """Create the invited account from the name and password the person chooses."""
    try:
        invitation = services.invitation_for_token(token)
    except AccountError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=410)
    form = NewPasswordForm(
        request.POST or None, user_for_validation=services.new_invited_user(invitation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(
                token,
                form.cleaned_data["first_name"],
                form.cleaned_data["last_name"],
                form.cleaned_data["password1"],
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Votre compte est créé. Connectez-vous avec %(email)s et votre mot de passe.")
                % {"email": invitation.email},
            )
            return redirect("accounts:login")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "invitation": invitation, "role_label": User.Role(invitation.role).label},
    )
