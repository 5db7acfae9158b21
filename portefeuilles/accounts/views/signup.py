"""« Créer votre espace en ligne »: the demande d'adhésion, without login."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import signup as signup_rules
from ..emails import EmailNotSent
from ..forms import SignupForm
from ..services import AccountError


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signup_rules.submit(
                siren=data["siren"],
                firm_name=data["firm_name"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
                build_url=request.build_absolute_uri,
            )
        except AccountError as error:
            form.add_error("siren", str(error))
        except EmailNotSent as error:
            form.add_error(None, str(error))
        else:
            return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@login_not_required
def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


@login_not_required
@never_cache
def signup_confirm(request, token):
    """Confirm the address with a button, so that mail scanners opening the link do not."""
    if request.method != "POST":
        return render(request, "accounts/signup_confirm.html")
    try:
        signup_request = signup_rules.confirm_email(token)
    except AccountError as error:
        return render(request, "accounts/signup_confirm.html", {"error": error}, status=410)
    return render(request, "accounts/signup_pending.html", {"signup": signup_request})
