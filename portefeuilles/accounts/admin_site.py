from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class PortefeuillesAdminSite(admin.AdminSite):
    site_header = "Portefeuilles : administration de la plateforme"
    site_title = "Portefeuilles"

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """Send operators to the product's login page, which applies the lockout and 2FA.

        A signed-in user who is not an operator gets 403: our login page would
        send them straight back to the admin, which would send them here again.
        """
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(
                _(
                    "L'administration de la plateforme est réservée à ses opérateurs, et "
                    "votre compte %(email)s n'en fait pas partie. Revenez à votre espace."
                )
                % {"email": request.user.email}
            )
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
