from django.contrib.admin.apps import AdminConfig


class PortefeuillesAdminConfig(AdminConfig):
    """Django's admin whose login page is ours, with the lockout and the second factor."""

    default_site = "portefeuilles.accounts.admin_site.PortefeuillesAdminSite"
