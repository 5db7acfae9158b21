"""Two administrators demote or deactivate each other at the same moment, on PostgreSQL.

The first change holds the firm's row lock until it commits; the second waits
for it, then finds itself the last active administrator and is refused.
Without the lock, each would still see the other as an administrator and the
firm would be left with none.
"""

import threading

import pytest
from django.db import connection, transaction

from portefeuilles.accounts import services
from portefeuilles.accounts.models import User
from tests import factories
from tests.concurrency import in_thread, wait_for_lock_waiter

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def demote(actor, target):
    return services.change_role(actor, target, User.Role.COLLABORATOR)


def fresh(user):
    """Return a new instance of ``user``, as each request loads its own."""
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("second_change", [demote, services.deactivate])
def test_two_admins_cannot_remove_each_other(transactional_db, second_change):
    firm = factories.FirmFactory()
    first_admin = factories.AdministratorFactory(firm=firm)
    second_admin = factories.AdministratorFactory(firm=firm)
    changed = threading.Event()
    release = threading.Event()

    def first():
        with transaction.atomic():
            demote(fresh(first_admin), fresh(second_admin))
            changed.set()
            release.wait()

    first_thread, first_outcome = in_thread(first)
    changed.wait()
    second_thread, second_outcome = in_thread(
        lambda: second_change(fresh(second_admin), fresh(first_admin))
    )
    waited = wait_for_lock_waiter(second_thread)
    release.set()
    first_thread.join()
    second_thread.join()

    assert waited
    assert "error" not in first_outcome
    assert isinstance(second_outcome.get("error"), services.AccountError)
    assert "seul administrateur actif" in str(second_outcome["error"])
    active_admins = User.objects.filter(firm=firm, role=User.Role.ADMINISTRATOR, is_active=True)
    assert list(active_admins) == [first_admin]
