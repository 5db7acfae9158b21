from django.contrib import admin
from django.urls import include, path

from portefeuilles.portfolios import views as portfolio_views

urlpatterns = [
    path("", portfolio_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("", include("portefeuilles.accounts.urls")),
    path("", include("portefeuilles.portfolios.urls")),
    path("", include("portefeuilles.audit.urls")),
    path("", include("portefeuilles.transfers.urls")),
]
