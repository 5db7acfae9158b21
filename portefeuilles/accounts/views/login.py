"""« Se connecter » in two steps: password, then the second factor when enrolled or required.

Between the steps the session holds only the pending user's id: the user is not
logged in until the second step succeeds, so no view can be reached with the
password alone.
"""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from .. import lockout, twofactor
from ..client_address import client_address
from ..forms import EnrolmentForm, LoginForm, SecondFactorForm
from ..models import User

PENDING_KEY = "accounts_pending_login"
# Time allowed between the password and the second factor.
PENDING_MAX_AGE = 5 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def complete_login(request, user, device=None) -> None:
    """Log ``user`` in, record the second factor used and reset their failure count."""
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=MODEL_BACKEND)
    if device is not None:
        django_otp.login(request, device)
    lockout.clear_failures(user.email)


def _start_pending(request, user, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user_id": user.pk, "at": time.time(), "next": next_url}


def _pending(request):
    """Return the user who passed the password step and where they go next, or (None, None)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_MAX_AGE:
        return None, None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending["next"]


def _pending_expired(request):
    request.session.pop(PENDING_KEY, None)
    messages.error(
        request,
        _("Votre connexion n'a pas été terminée dans les 5 minutes : reconnectez-vous."),
    )
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        next_url = self.get_success_url()
        if twofactor.is_enrolled(user):
            _start_pending(self.request, user, next_url)
            return redirect("accounts:login_second_factor")
        if twofactor.is_required(user):
            _start_pending(self.request, user, next_url)
            return redirect("accounts:login_enrol")
        complete_login(self.request, user)
        return redirect(next_url)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.is_locked:
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """Log out and delete the session on the server (``UserSession`` row included)."""


@login_not_required
@never_cache
@csrf_protect
@sensitive_post_parameters("code")
def second_factor(request):
    """Second step of the login: the TOTP code or a recovery code."""
    user, next_url = _pending(request)
    if user is None:
        return _pending_expired(request)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        until = lockout.locked_until(user.email, address)
        device = None if until else twofactor.verify_code(user, form.cleaned_data["code"])
        if until:
            lockout.signal_failure(request, user.email, locked=True)
            form.add_error(None, lockout.lockout_message(until))
            status = 429
        elif device is None:
            lockout.record_failure(user.email, address)
            # A wrong second factor is a failed login too: the journal records it.
            lockout.signal_failure(request, user.email)
            form.add_error(
                "code",
                _(
                    "Code incorrect ou expiré. Saisissez le code affiché maintenant par votre "
                    "application, ou un code de secours."
                ),
            )
        else:
            complete_login(request, user, device)
            if device.persistent_id.startswith("otp_static"):
                remaining = twofactor.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    _(
                        "Vous vous êtes connecté avec un code de secours ; il vous en reste "
                        "%(count)s. Générez-en de nouveaux depuis « Mon compte »."
                    )
                    % {"count": remaining},
                )
            return redirect(next_url)
    return render(request, "accounts/login_second_factor.html", {"form": form}, status=status)


@login_not_required
@never_cache
@csrf_protect
def enrol_at_login(request):
    """First login of an administrator without a second factor: enrol before anything else."""
    user, next_url = _pending(request)
    if user is None:
        return _pending_expired(request)
    if twofactor.is_enrolled(user):
        return redirect("accounts:login_second_factor")
    device = twofactor.enrolment_device(user, request.session)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(device, form.cleaned_data["code"])
        if codes is not None:
            complete_login(request, user, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": [twofactor.format_recovery_code(c) for c in codes], "next": next_url},
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
            "at_login": True,
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )
