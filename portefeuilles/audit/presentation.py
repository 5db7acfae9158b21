"""French one-line summaries of journal entries' details, for the page and the CSV export."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from portefeuilles.accounts.models import User

from .models import Action, JournalEntry

# Labels of the line statuses that imports count, by the keys they use.
COUNT_LABELS = {
    "added": _lazy("ajoutés"),
    "attached": _lazy("rattachés au cabinet"),
    "unchanged": _lazy("déjà présents"),
    "removed": _lazy("retirés"),
    "rejected": _lazy("en erreur"),
}


def _role_label(role: str) -> str:
    try:
        return str(User.Role(role).label)
    except ValueError:
        return role


def _counted(count: int, singular: str, plural: str) -> str:
    return ngettext(singular, plural, count) % {"count": count}


def _clients_and_subscribers(details: dict) -> str:
    return _("%(clients)s, %(subscribers)s") % {
        "clients": _counted(details.get("clients", 0), "%(count)s client", "%(count)s clients"),
        "subscribers": _counted(
            details.get("subscribers", 0), "%(count)s abonné", "%(count)s abonnés"
        ),
    }


def _renaming(details: dict) -> str:
    return _("« %(old)s » renommé « %(new)s »") % {
        "old": details.get("old_name", ""),
        "new": details.get("new_name", ""),
    }


def summarize(entry: JournalEntry) -> str:
    """Return the details of ``entry`` as one French line (empty when there is nothing to add)."""
    details = entry.details or {}
    action = entry.action
    if action == Action.PORTFOLIO_RENAMED:
        return _renaming(details)

    if action in (Action.PORTFOLIO_TERMINATED, Action.PORTFOLIO_PURGED):
        return _clients_and_subscribers(details)

    if action == Action.PORTFOLIO_RESTORED:
        parts = [_clients_and_subscribers(details)]
        left_out = len(details.get("left_out_clients", [])) + len(
            details.get("left_out_subscribers", [])
        )
        if left_out:
            parts.append(
                _counted(left_out, "%(count)s laissé de côté", "%(count)s laissés de côté")
            )
        if "old_name" in details:
            parts.append(_renaming(details))
        return " ; ".join(parts)

    if action in (
        Action.CLIENT_ADDED,
        Action.CLIENT_REMOVED,
        Action.SUBSCRIBER_ADDED,
        Action.SUBSCRIBER_REMOVED,
    ):
        return _("portefeuille « %(name)s »") % {"name": details.get("portfolio", "")}

    if action == Action.USER_INVITED:
        return _("profil %(role)s") % {"role": _role_label(details.get("role", ""))}

    if action == Action.USER_PROFILE_CHANGED:
        return _("profil %(old)s → %(new)s") % {
            "old": _role_label(details.get("old_role", "")),
            "new": _role_label(details.get("new_role", "")),
        }

    if action == Action.IMPORT_APPLIED:
        counts = ", ".join(
            f"{COUNT_LABELS.get(name, name)} : {count}"
            for name, count in (details.get("counts") or {}).items()
        )
        if details.get("kind") == "abonnés":
            template = _("import d'abonnés « %(file)s » : %(counts)s")
        else:
            template = _("import de clients « %(file)s » : %(counts)s")
        return template % {"file": details.get("file_name", ""), "counts": counts}

    if action == Action.LOGIN_FAILED and details.get("locked"):
        return _("refusée sans vérification : connexion bloquée après trop d'échecs")

    if action == Action.ACCESS_DENIED:
        return _("%(status)s sur %(method)s %(path)s") % {
            "status": details.get("status", ""),
            "method": details.get("method", ""),
            "path": entry.object_label,
        }
    return ""
