"""Threads and lock polling for the race tests that need PostgreSQL's row locks."""

import threading

from django.db import connection

# Bounds the wait for a thread to block on a lock; each poll is one query.
MAX_POLLS = 100_000


def in_thread(target):
    """Run ``target`` in a thread that closes its connection; return (thread, outcome)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # the test asserts on it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def lock_waiters() -> int:
    """Count the sessions of the test database that wait for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_for_lock_waiter(thread) -> bool:
    """Poll until a session waits for a lock; False when ``thread`` ended first."""
    for _poll in range(MAX_POLLS):
        if lock_waiters():
            return True
        if not thread.is_alive():
            return False
    return False
