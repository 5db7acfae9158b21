from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode


class PortefeuillesAdminSite(admin.AdminSite):
    site_header = "Portefeuilles : administration de la plateforme"
    site_title = "Portefeuilles"

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """Send operators to the product's login page, which applies the lockout and 2FA."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
