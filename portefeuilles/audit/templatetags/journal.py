from django import template
from django.conf import settings

from portefeuilles.audit.models import JournalEntry
from portefeuilles.audit.presentation import summarize

register = template.Library()

HISTORY_LENGTH = 20


@register.simple_tag(takes_context=True)
def portfolio_history(context, portfolio, limit=HISTORY_LENGTH):
    """Return the latest journal entries about ``portfolio``, for its administrators only.

    Collaborators see no history: the journal, with addresses and who did what,
    is for the firm's administrators.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_firm_admin or user.firm_id != portfolio.firm_id:
        return []
    entries = list(
        JournalEntry.objects.filter(
            firm_id=portfolio.firm_id, portfolio_id=portfolio.pk
        ).newest_first()[:limit]
    )
    for entry in entries:
        entry.summary = summarize(entry)
    return entries


@register.simple_tag
def restore_delay_days():
    """Return how many days a résilié portfolio can be restored."""
    return settings.TERMINATED_PORTFOLIO_RETENTION_DAYS
