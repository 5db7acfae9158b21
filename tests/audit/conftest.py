"""Helpers for the journal tests: watching the entries that an action writes."""

import pytest
from django.db.models import Max

from portefeuilles.audit.models import JournalEntry
from tests import factories


class JournalWatch:
    """Lists the journal entries written since the last ``mark()``."""

    def __init__(self):
        self.mark()

    def mark(self):
        self.last_id = JournalEntry.objects.aggregate(last=Max("id"))["last"] or 0

    def new(self) -> list[JournalEntry]:
        return list(JournalEntry.objects.filter(id__gt=self.last_id).order_by("id"))

    def only(self) -> JournalEntry:
        """Return the one entry written since the mark; fail when there are more or none."""
        entries = self.new()
        assert len(entries) == 1, [(entry.action, entry.object_label) for entry in entries]
        return entries[0]


@pytest.fixture
def journal_watch(db):
    return JournalWatch()


@pytest.fixture
def firm_client(firm):
    return factories.FirmClientFactory(firm=firm)


@pytest.fixture
def admin_client(client_for, admin, journal_watch):
    """The test client logged in as ``admin``, with the login entry already marked."""
    logged_in = client_for(admin)
    journal_watch.mark()
    return logged_in
