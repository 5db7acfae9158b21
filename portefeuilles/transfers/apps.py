from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "portefeuilles.transfers"
    label = "transfers"
    verbose_name = "Imports et exports"
