from django.urls import path

from . import views

app_name = "portfolios"

urlpatterns = [
    path("utilisateurs/", views.manage, name="manage"),
    path("portefeuilles/nouveau/", views.create, name="create"),
    path("portefeuilles/<int:pk>/", views.detail, name="detail"),
    path("portefeuilles/<int:pk>/renommer/", views.rename, name="rename"),
    path("portefeuilles/<int:pk>/resilier/", views.terminate, name="terminate"),
    path("portefeuilles/<int:pk>/clients/ajouter/", views.add_client, name="add_client"),
    path(
        "portefeuilles/<int:pk>/clients/<int:firm_client_id>/retirer/",
        views.remove_client,
        name="remove_client",
    ),
    path("portefeuilles/<int:pk>/abonnes/ajouter/", views.add_subscriber, name="add_subscriber"),
    path(
        "portefeuilles/<int:pk>/abonnes/<int:user_id>/retirer/",
        views.remove_subscriber,
        name="remove_subscriber",
    ),
]
