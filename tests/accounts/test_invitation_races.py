"""An invitation changed while its link is being accepted, on PostgreSQL.

The administrator's revocation or resend holds the invitation row; the
acceptance must wait for it, then see the change and refuse. Each thread has
its own database connection, so these tests need committed data.
"""

import re
import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from portefeuilles.accounts import services
from portefeuilles.accounts.models import Invitation, User
from tests import factories
from tests.concurrency import in_thread, wait_for_lock_waiter

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]

PASSWORD = "un long chemin vers la mer"


def build_url(path: str) -> str:
    return f"http://testserver{path}"


def sent_token() -> str:
    return re.search(r"/invitation/([^/\s]+)/", mail.outbox[-1].body).group(1)


@pytest.fixture
def invitation(transactional_db):
    admin = factories.AdministratorFactory(firm=factories.FirmFactory())
    invitation = services.invite(admin, "nouvelle@dupont.example", "collaborator", build_url)
    return invitation, admin, sent_token()


@pytest.mark.parametrize("change", ["revoke", "resend"])
def test_acceptance_waits_and_sees_change(invitation, change):
    invitation, admin, token = invitation
    locked = threading.Event()
    release = threading.Event()

    def administrator():
        with transaction.atomic():
            row = Invitation.objects.select_for_update().get(pk=invitation.pk)
            locked.set()
            release.wait()
            if change == "revoke":
                services.revoke_invitation(admin, row)
            else:
                services.resend_invitation(admin, row, build_url)

    admin_thread, admin_outcome = in_thread(administrator)
    locked.wait()
    accept_thread, accept_outcome = in_thread(
        lambda: services.accept_invitation(token, "Nina", "Roux", PASSWORD)
    )
    waited = wait_for_lock_waiter(accept_thread)
    release.set()
    admin_thread.join()
    accept_thread.join()

    assert waited
    assert "error" not in admin_outcome
    assert isinstance(accept_outcome.get("error"), services.AccountError)
    assert "remplacé par un lien plus récent ou annulé" in str(accept_outcome["error"])
    assert not User.objects.filter(email="nouvelle@dupont.example").exists()


def test_two_firms_accepted_at_once(invitation):
    invitation, _admin, token = invitation
    other_admin = factories.AdministratorFactory(firm=factories.FirmFactory())
    services.invite(other_admin, "nouvelle@dupont.example", "collaborator", build_url)
    other_token = sent_token()
    inserted = threading.Event()
    release = threading.Event()

    def first():
        with transaction.atomic():
            user = services.accept_invitation(token, "Nina", "Roux", PASSWORD)
            inserted.set()
            release.wait()
            return user

    first_thread, first_outcome = in_thread(first)
    inserted.wait()
    second_thread, second_outcome = in_thread(
        lambda: services.accept_invitation(other_token, "Nina", "Roux", PASSWORD)
    )
    waited = wait_for_lock_waiter(second_thread)
    release.set()
    first_thread.join()
    second_thread.join()

    assert waited
    assert "error" not in first_outcome
    assert isinstance(second_outcome.get("error"), services.AccountError)
    assert "déjà l'identifiant d'un compte" in str(second_outcome["error"])
    assert User.objects.get(email="nouvelle@dupont.example").firm_id == invitation.firm_id
