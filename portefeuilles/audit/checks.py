"""System checks on the retention settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_retention_settings(app_configs, **kwargs):
    errors = []
    journal_days = settings.JOURNAL_RETENTION_DAYS
    terminated_days = settings.TERMINATED_PORTFOLIO_RETENTION_DAYS
    for name, value in (
        ("JOURNAL_RETENTION_DAYS", journal_days),
        ("TERMINATED_PORTFOLIO_RETENTION_DAYS", terminated_days),
    ):
        if value < 1:
            message = f"{name} is {value}; set it to a number of days of 1 or more."
            errors.append(Error(message, id="audit.E001"))
    # Restoring a résilié portfolio reads its résiliation entry back from the
    # journal, so that entry must outlive the portfolio.
    if journal_days < terminated_days:
        errors.append(
            Error(
                f"JOURNAL_RETENTION_DAYS ({journal_days}) is shorter than "
                f"TERMINATED_PORTFOLIO_RETENTION_DAYS ({terminated_days}); "
                "keep journal entries at least as long as résilié portfolios.",
                id="audit.E002",
            )
        )
    return errors
