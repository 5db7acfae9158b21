from django.conf import settings
from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portefeuilles.portfolios.services import PortfolioError, require_administrator

from . import export, restore
from .forms import JournalFilterForm, RestoreForm
from .presentation import summarize
from .services import firm_entries, journal_page


@require_GET
def journal(request):
    """« Journal »: who did what in the firm, filtered, newest first, 50 a page."""
    require_administrator(request.user)
    form = JournalFilterForm(request.GET or None, firm_id=request.user.firm_id)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else None
        page = journal_page(
            firm_entries(request.user, filters),
            older_than=request.GET.get("apres", ""),
            newer_than=request.GET.get("avant", ""),
        )
        for entry in page.entries:
            entry.summary = summarize(entry)
    query = request.GET.copy()
    for cursor in ("apres", "avant"):
        query.pop(cursor, None)
    return render(
        request,
        "audit/journal.html",
        {"form": form, "page": page, "filter_query": query.urlencode()},
    )


@require_GET
def journal_export(request):
    """Stream the filtered journal as a CSV file, so that a year of entries never sits in memory."""
    require_administrator(request.user)
    form = JournalFilterForm(request.GET or None, firm_id=request.user.firm_id)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Corrigez les filtres avant d'exporter le journal."))
        return redirect(f"{reverse('audit:journal')}?{request.GET.urlencode()}")
    entries = firm_entries(request.user, form.filters() if form.is_bound else None)
    response = StreamingHttpResponse(
        export.stream_csv(entries), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    return response


@require_GET
def terminated_list(request):
    """« Portefeuilles résiliés »: what an administrator can still restore."""
    portfolios = list(restore.restorable_portfolios(request.user))
    for portfolio in portfolios:
        portfolio.restore_deadline = restore.restore_deadline(portfolio)
    context = {
        "portfolios": portfolios,
        "retention_days": settings.TERMINATED_PORTFOLIO_RETENTION_DAYS,
    }
    return render(request, "audit/terminated.html", context)


@require_http_methods(["GET", "POST"])
def restore_portfolio(request, portfolio_id):
    """Confirm, then restore a résilié portfolio; ask for a new name if its own is taken."""
    portfolio = restore.get_restorable_portfolio(request.user, portfolio_id)
    needs_name = restore.name_is_taken(portfolio, portfolio.name) or "name" in request.POST
    form = RestoreForm(request.POST if request.method == "POST" else None, needs_name=needs_name)
    if request.method == "POST" and form.is_valid():
        try:
            restore.restore_portfolio(request.user, portfolio.pk, form.new_name())
        except PortfolioError as error:
            # Also reached when another portfolio took the name after the page
            # was shown. The form then requests a new name and gives the reason.
            form = RestoreForm(request.POST, needs_name=True)
            form.is_valid()
            form.errors["name"] = form.error_class([str(error)])
        else:
            return redirect("audit:restored", portfolio_id=portfolio.pk)
    plan = restore.plan_restore(portfolio)
    context = {
        "portfolio": portfolio,
        "plan": plan,
        "form": form,
        "needs_name": "name" in form.fields,
        "restore_deadline": restore.restore_deadline(portfolio),
    }
    return render(request, "audit/restore.html", context)


@require_GET
def restored(request, portfolio_id):
    """Show the latest restoration's result: what came back and what was left out."""
    entry = restore.last_restore_entry(request.user, portfolio_id)
    return render(request, "audit/restored.html", {"entry": entry, "details": entry.details})
