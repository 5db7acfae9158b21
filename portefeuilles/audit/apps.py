from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portefeuilles.audit"
    label = "audit"
    verbose_name = "Journal"

    def ready(self):
        from . import checks, signals  # noqa: F401 (connects receivers, registers checks)
