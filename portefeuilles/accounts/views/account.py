"""« Mon compte », « Mes sessions », passwords, second factor and « Confirmer votre identité »."""

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import lockout, reauth, twofactor, user_sessions
from ..forms import (
    EnrolmentForm,
    LockedPasswordChangeForm,
    ReauthenticationForm,
    ResetRequestForm,
)
from ..models import UserSession
from ..reauth import require_recent_authentication


@never_cache
def account(request):
    """« Mon compte »: identity, password and second factor."""
    user = request.user
    context = {
        "enrolled": twofactor.is_enrolled(user),
        "required": twofactor.is_required(user),
        "recovery_code_count": twofactor.remaining_recovery_codes(user),
    }
    return render(request, "accounts/account.html", context)


@never_cache
def sessions(request):
    """« Mes sessions »: the user's open sessions, each with « Déconnecter »."""
    user_sessions.prune_expired(request.user)
    current = user_sessions.current_row(request)
    rows = []
    for row in UserSession.objects.filter(user=request.user).order_by("-last_activity"):
        rows.append(
            {
                "row": row,
                "browser": user_sessions.describe_user_agent(row.user_agent)
                or _("Navigateur inconnu"),
                "is_current": current is not None and row.pk == current.pk,
            }
        )
    return render(request, "accounts/sessions.html", {"sessions": rows})


@require_POST
def end_session(request, pk):
    row = UserSession.objects.filter(pk=pk, user=request.user).first()
    if row is None:
        raise Http404
    current = user_sessions.current_row(request)
    if current is not None and current.pk == row.pk:
        logout(request)
        return redirect("accounts:login")
    row.delete()
    messages.success(request, _("La session a été déconnectée."))
    return redirect("accounts:sessions")


@require_POST
def end_other_sessions(request):
    count = user_sessions.end_all_sessions(request.user, keep_request=request)
    messages.success(request, _("%(count)s autre(s) session(s) déconnectée(s).") % {"count": count})
    return redirect("accounts:sessions")


@never_cache
@sensitive_post_parameters("password", "code")
def reauthenticate(request):
    """« Confirmer votre identité »: the password, and the second factor when enrolled."""
    next_url = reauth.safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    form = ReauthenticationForm(request.POST or None, request=request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reauth.mark_authenticated(request)
            if form.device is not None:
                django_otp.login(request, form.device)
            lockout.clear_failures(request.user.email)
            return redirect(next_url or "accounts:account")
        if form.has_error("__all__", "locked"):
            status = 429
    return render(
        request, "accounts/reauthenticate.html", {"form": form, "next": next_url}, status=status
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password after checking the current one, then end the other sessions."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")
    form_class = LockedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.is_locked:
            response.status_code = 429
        return response

    def form_valid(self, form):
        old_digest = user_sessions.key_digest(self.request.session.session_key)
        response = super().form_valid(form)
        user_sessions.rekey(old_digest, self.request)
        user_sessions.end_all_sessions(self.request.user, keep_request=self.request)
        reauth.mark_authenticated(self.request)
        lockout.clear_failures(self.request.user.email)
        messages.success(
            self.request,
            _("Votre mot de passe a été changé. Vos autres sessions ont été déconnectées."),
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """« Mot de passe oublié »: the same response whether or not the address has an account.

    NOTE: the e-mail is sent during the request, so the response to an existing
    address can take measurably longer than to an unknown one.
    """

    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    email_template_name = "accounts/emails/password_reset.txt"
    html_email_template_name = "accounts/emails/password_reset.html"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the e-mail link (valid 1 hour, single use).

    Every session of the user ends, so anyone who knew the old password is logged out.
    """

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user_sessions.end_all_sessions(form.user)
        lockout.clear_failures(form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@require_recent_authentication
def enrol(request):
    """Enrol (or replace) the second factor from « Mon compte »."""
    device = twofactor.enrolment_device(request.user, request.session)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(device, form.cleaned_data["code"])
        if codes is not None:
            django_otp.login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": [twofactor.format_recovery_code(c) for c in codes], "next": None},
            )
        form.add_error(
            "code",
            _(
                "Ce code ne correspond pas. Vérifiez que l'heure de votre téléphone est "
                "exacte, puis saisissez le code affiché maintenant."
            ),
        )
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_code": twofactor.qr_code_svg(device),
            "secret": twofactor.secret_base32(device),
            "at_login": False,
        },
    )


@require_POST
@require_recent_authentication
def new_recovery_codes(request):
    if not twofactor.is_enrolled(request.user):
        return redirect("accounts:account")
    codes = twofactor.new_recovery_codes(request.user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [twofactor.format_recovery_code(c) for c in codes], "next": None},
    )


@require_POST
@require_recent_authentication
def disable_second_factor(request):
    """Collaborators may turn the second factor off; administrators and operators may not."""
    if twofactor.is_required(request.user):
        raise PermissionDenied
    twofactor.reset(request.user)
    messages.success(request, _("La double authentification est désactivée pour votre compte."))
    return redirect("accounts:account")
