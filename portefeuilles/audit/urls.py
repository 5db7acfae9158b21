from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("journal/", views.journal, name="journal"),
    path("journal/export.csv", views.journal_export, name="journal_export"),
    path("portefeuilles-resilies/", views.terminated_list, name="terminated"),
    path(
        "portefeuilles-resilies/<int:portfolio_id>/restaurer/",
        views.restore_portfolio,
        name="restore",
    ),
    path(
        "portefeuilles-resilies/<int:portfolio_id>/restaure/",
        views.restored,
        name="restored",
    ),
]
