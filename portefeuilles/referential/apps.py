from django.apps import AppConfig


class ReferentialConfig(AppConfig):
    name = "portefeuilles.referential"
    label = "referential"
    verbose_name = "Référentiel"
