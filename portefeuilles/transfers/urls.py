from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path(
        "portefeuilles/<int:portfolio_id>/importer/",
        views.client_import,
        name="client_import",
    ),
    path(
        "portefeuilles/<int:portfolio_id>/export.<str:file_format>",
        views.portfolio_export,
        name="portfolio_export",
    ),
    path("imports/<int:batch_id>/", views.batch_detail, name="batch"),
    path("imports/<int:batch_id>/confirmer/", views.batch_apply, name="batch_apply"),
    path("entreprise/abonnes/importer/", views.subscriber_import, name="subscriber_import"),
    path("entreprise/export/<str:content>.csv", views.firm_export_csv, name="firm_export_csv"),
    path("entreprise/export/portefeuilles.xlsx", views.firm_export_xlsx, name="firm_export_xlsx"),
]
