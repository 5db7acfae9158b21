from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "portefeuilles.portfolios"
    label = "portfolios"
    verbose_name = "Portefeuilles clients"
