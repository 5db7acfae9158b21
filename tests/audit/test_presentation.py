"""One-line French summaries of entries' details, as the page and the export show them."""

import pytest

from portefeuilles.audit.models import Action, JournalEntry
from portefeuilles.audit.presentation import summarize


@pytest.mark.parametrize(
    ("action", "details", "label", "expected"),
    [
        (Action.PORTFOLIO_RENAMED, {"old_name": "A", "new_name": "B"}, "", "« A » renommé « B »"),
        (
            Action.PORTFOLIO_TERMINATED,
            {"clients": 1, "subscribers": 2},
            "",
            "1 client, 2 abonnés",
        ),
        (
            Action.PORTFOLIO_RESTORED,
            {
                "clients": 3,
                "subscribers": 1,
                "left_out_clients": [{"id": 1}],
                "left_out_subscribers": [{"id": 2}],
                "old_name": "A",
                "new_name": "B",
            },
            "",
            "3 clients, 1 abonné ; 2 laissés de côté ; « A » renommé « B »",
        ),
        (Action.CLIENT_ADDED, {"portfolio": "Lyon"}, "", "portefeuille « Lyon »"),
        (Action.USER_INVITED, {"role": "administrator"}, "", "profil Administrateur"),
        (
            Action.USER_PROFILE_CHANGED,
            {"old_role": "collaborator", "new_role": "administrator"},
            "",
            "profil Collaborateur → Administrateur",
        ),
        (
            Action.IMPORT_APPLIED,
            {"kind": "clients", "file_name": "a.csv", "counts": {"added": 4, "other": 1}},
            "",
            "import de clients « a.csv » : ajoutés : 4, other : 1",
        ),
        (
            Action.ACCESS_DENIED,
            {"status": 404, "method": "GET"},
            "/portefeuilles/3/",
            "404 sur GET /portefeuilles/3/",
        ),
        (Action.LOGIN_SUCCEEDED, {}, "", ""),
        (Action.LOGIN_FAILED, {}, "", ""),
        (
            Action.LOGIN_FAILED,
            {"locked": True},
            "",
            "refusée sans vérification : connexion bloquée après trop d'échecs",
        ),
    ],
)
def test_summarize(action, details, label, expected):
    entry = JournalEntry(action=action, details=details, object_label=label)

    assert summarize(entry) == expected
