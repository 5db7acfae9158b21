"""System checks on the retention settings."""

from portefeuilles.audit.checks import check_retention_settings


def error_ids(settings, journal_days, terminated_days):
    settings.JOURNAL_RETENTION_DAYS = journal_days
    settings.TERMINATED_PORTFOLIO_RETENTION_DAYS = terminated_days
    return [error.id for error in check_retention_settings(None)]


def test_defaults_pass(settings):
    assert error_ids(settings, 365, 30) == []


def test_journal_shorter_than_restore_delay(settings):
    assert error_ids(settings, 20, 30) == ["audit.E002"]


def test_zero_days_rejected(settings):
    assert error_ids(settings, 365, 0) == ["audit.E001"]
