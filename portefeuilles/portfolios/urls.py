from django.urls import path

from . import views

app_name = "portfolios"

urlpatterns = [
    path("utilisateurs/", views.manage, name="manage"),
]
