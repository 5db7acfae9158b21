"""Screens of portfolios: « Mes portefeuilles », « Gérer les utilisateurs », creation and
the « Portefeuille tiers déclarant » dialog.

Every dialog action works twice. With htmx, the server returns the dialog and the
page swaps its content in place. Without JavaScript, the form posts, then the
server redirects to the dialog's plain page (post/redirect/get). Access is checked
by ``services`` on every request: 404 outside the firm, 403 for a collaborator on
administrator actions.
"""

import logging
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from portefeuilles.accounts.reauth import check_recent_authentication
from portefeuilles.audit.restore import restore_deadline
from portefeuilles.referential.identifiers import InvalidIdentifier

from . import services
from .forms import PortfolioNameForm, SearchForm, SubscriberForm
from .services import PortfolioError

logger = logging.getLogger(__name__)

# The pages « Fermer » may lead back to, by the value of the ``retour`` parameter.
# A fixed list, so the parameter cannot redirect anywhere else.
RETURN_PAGES = {"gestion": "portfolios:manage", "accueil": "home"}

# Sent to the page behind the dialog after a change, so it reloads its list.
CHANGED_EVENT = "portfoliosChanged"

# Longer than any identifier typed with separators (an account number with a
# space every three digits is 23 characters); longer values are cut.
STATE_VALUE_MAX_LENGTH = 40


@dataclass(frozen=True)
class DialogState:
    """The dialog's view state (search fields, list cursor, return page), carried in its links
    and hidden fields from one request to the next."""

    etablissement: str = ""
    compte: str = ""
    after: str = ""
    before: str = ""
    retour: str = ""

    @classmethod
    def from_data(cls, data) -> "DialogState":
        values = {
            f.name: (data.get(f.name) or "").strip()[:STATE_VALUE_MAX_LENGTH] for f in fields(cls)
        }
        if values["retour"] not in RETURN_PAGES:
            values["retour"] = ""
        return cls(**values)

    def items(self) -> list[tuple[str, str]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]

    @property
    def query(self) -> str:
        """The query string, with its ``?``, or empty."""
        items = self.items()
        return "?" + urlencode(items) if items else ""

    @property
    def has_search(self) -> bool:
        return bool(self.etablissement or self.compte)

    def with_page(self, *, after: str = "", before: str = "") -> "DialogState":
        return replace(self, after=after, before=before)

    def without_search(self) -> "DialogState":
        return replace(self, etablissement="", compte="", after="", before="")

    def close_url(self) -> str:
        return reverse(RETURN_PAGES.get(self.retour, "home"))


# -- Lists -------------------------------------------------------------------


@require_GET
def home(request):
    portfolios = list(services.visible_portfolios(request.user))
    return render(request, "portfolios/home.html", {"portfolios": portfolios})


@require_GET
def manage(request):
    """« Gérer les utilisateurs », section « Abonnés de l'entreprise »."""
    services.require_administrator(request.user)
    context = {
        "portfolios": list(services.visible_portfolios(request.user)),
        "firm_users": list(services.firm_users(request.user)),
        "firm": request.user.firm,
    }
    return render(request, "portfolios/manage.html", context)


@require_http_methods(["GET", "POST"])
def create(request):
    """« Créer un nouveau portefeuille »: a name, then « Confirmer la création »."""
    services.require_administrator(request.user)
    form = PortfolioNameForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            portfolio = services.create_portfolio(request.user, form.cleaned_data["name"])
        except PortfolioError as error:
            logger.info(
                "portfolio creation rejected firm=%s user=%s", request.user.firm_id, request.user.pk
            )
            form.add_error("name", str(error))
        else:
            messages.success(
                request,
                _("Le nouveau portefeuille %(name)s est créé.") % {"name": portfolio.name},
            )
            return redirect("portfolios:manage")
    return render(request, "portfolios/create.html", {"form": form})


# -- The dialog --------------------------------------------------------------


def _search_context(portfolio, state: DialogState) -> dict:
    form = SearchForm(
        {"etablissement": state.etablissement, "compte": state.compte} if state.has_search else None
    )
    search = None
    search_error = ""
    if form.is_bound and form.is_valid():
        search = form.cleaned_data["search"]
        try:
            services.search_accounts(portfolio.firm_id, portfolio, search)
        except PortfolioError as error:
            search_error = str(error)
    return {"search_form": form, "search": search, "search_error": search_error}


def _dialog_context(request, portfolio, state: DialogState, mode: str, **forms) -> dict:
    is_admin = request.user.is_firm_admin
    context = {
        "portfolio": portfolio,
        "state": state,
        "mode": mode,
        "is_admin": is_admin,
        "close_url": state.close_url(),
        "client_count": portfolio.entries.count(),
        **_search_context(portfolio, state),
        **forms,
    }
    page = services.clients_page(
        portfolio, context["search"], after=state.after, before=state.before
    )
    context["clients"] = page
    context["next_state"] = state.with_page(after=page.after) if page.has_next else None
    context["previous_state"] = state.with_page(before=page.before) if page.has_previous else None
    context["all_clients_state"] = state.without_search()
    if is_admin:
        context["subscribers"] = list(services.portfolio_subscribers(portfolio))
    return context


@vary_on_headers("HX-Request")
def _render_dialog(request, portfolio, state, mode="view", **forms):
    context = _dialog_context(request, portfolio, state, mode, **forms)
    template = "portfolios/_dialog.html" if request.htmx else "portfolios/detail.html"
    return render(request, template, context)


def _after_change(request, portfolio, state):
    """Return the response to a successful change: the dialog for htmx, else a redirect."""
    if request.htmx:
        response = _render_dialog(request, portfolio, state)
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect(reverse("portfolios:detail", args=[portfolio.pk]) + state.query)


@require_GET
def detail(request, pk):
    """« Portefeuille tiers déclarant »: search, clients, abonnés and the actions."""
    portfolio = services.get_portfolio_for_user(request.user, pk)
    return _render_dialog(request, portfolio, DialogState.from_data(request.GET))


@require_http_methods(["GET", "POST"])
def rename(request, pk):
    """« Modifier » shows the name in a field; « Enregistrer » saves it."""
    portfolio = services.get_portfolio_for_user(request.user, pk)
    services.require_administrator(request.user, portfolio.firm_id)
    data = request.POST if request.method == "POST" else request.GET
    state = DialogState.from_data(data)
    if request.method == "GET":
        form = PortfolioNameForm(initial={"name": portfolio.name})
        return _render_dialog(request, portfolio, state, "rename", name_form=form)

    form = PortfolioNameForm(request.POST)
    if form.is_valid():
        old_name = portfolio.name
        try:
            services.rename_portfolio(request.user, portfolio, form.cleaned_data["name"])
        except PortfolioError as error:
            logger.info("portfolio rename rejected id=%s user=%s", portfolio.pk, request.user.pk)
            form.add_error("name", str(error))
            # The instance kept the rejected name; show the saved one in the heading.
            portfolio.name = old_name
        else:
            messages.success(
                request,
                _("Le portefeuille est renommé « %(name)s ».") % {"name": portfolio.name},
            )
            return _after_change(request, portfolio, state)
    return _render_dialog(request, portfolio, state, "rename", name_form=form)


@require_http_methods(["GET", "POST"])
def terminate(request, pk):
    """« Résilier »: a confirmation stating the client count, then the deletion."""
    portfolio = services.get_portfolio_for_user(request.user, pk)
    services.require_administrator(request.user, portfolio.firm_id)
    # Résilier needs the password (and code) entered within the last 10 minutes.
    check_recent_authentication(request)
    data = request.POST if request.method == "POST" else request.GET
    state = DialogState.from_data(data)
    if request.method == "GET":
        return _render_dialog(request, portfolio, state, "terminate")

    name = portfolio.name
    client_count = services.terminate_portfolio(request.user, portfolio)
    if client_count == 0:
        # ngettext would pick the plural for 0, « ses 0 clients ».
        confirmation = _("Le portefeuille %(name)s est résilié ; sa liste de clients était vide.")
    else:
        confirmation = ngettext(
            "Le portefeuille %(name)s est résilié ; la liste de son client est supprimée.",
            "Le portefeuille %(name)s est résilié ; la liste de ses %(count)s clients est "
            "supprimée.",
            client_count,
        )
    restorable = _(
        "Vous pouvez le restaurer, avec ses clients et ses abonnés, jusqu'au %(date)s "
        "depuis « Portefeuilles résiliés »."
    ) % {"date": date_format(timezone.localtime(restore_deadline(portfolio)), "d/m/Y")}
    messages.success(
        request, confirmation % {"name": name, "count": client_count} + " " + restorable
    )
    target = state.close_url() if state.retour else reverse("portfolios:manage")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_POST
def add_client(request, pk):
    """« Ajouter au portefeuille », attaching the account to the firm first when needed.

    An account not yet attached comes with the SIREN or SIRET typed in the search,
    and ``services.add_client`` checks again that both belong together.
    """
    portfolio = services.get_portfolio_for_user(request.user, pk)
    state = DialogState.from_data(request.POST)
    number = request.POST.get("numero", "")
    try:
        firm_client, added = services.add_client(
            request.user, portfolio, number, state.etablissement
        )
    except (PortfolioError, InvalidIdentifier) as error:
        logger.info("client addition rejected portfolio=%s user=%s", portfolio.pk, request.user.pk)
        messages.error(request, str(error))
        return _after_change(request, portfolio, state)

    account = firm_client.account
    if added:
        messages.success(
            request,
            _("Le compte %(number)s est ajouté au portefeuille %(name)s.")
            % {"number": account.number, "name": portfolio.name},
        )
    else:
        messages.info(
            request,
            _("Le compte %(number)s est déjà dans ce portefeuille.") % {"number": account.number},
        )
    warnings = services.client_warnings(firm_client)
    if warnings:
        messages.warning(
            request,
            _("Attention, compte %(number)s : %(warnings)s.")
            % {"number": account.number, "warnings": ", ".join(warnings)},
        )
    return _after_change(request, portfolio, state)


@require_POST
def remove_client(request, pk, firm_client_id):
    """« Retirer du portefeuille »: the account stays attached to the firm."""
    portfolio = services.get_portfolio_for_user(request.user, pk)
    state = DialogState.from_data(request.POST)
    if services.remove_client(request.user, portfolio, firm_client_id):
        messages.success(request, _("Le client est retiré du portefeuille."))
    else:
        messages.info(request, _("Ce client n'était plus dans le portefeuille."))
    return _after_change(request, portfolio, state)


@require_http_methods(["GET", "POST"])
def add_subscriber(request, pk):
    """« Ajouter un abonné »: choose a user of the firm, then confirm."""
    portfolio = services.get_portfolio_for_user(request.user, pk)
    services.require_administrator(request.user, portfolio.firm_id)
    data = request.POST if request.method == "POST" else request.GET
    state = DialogState.from_data(data)
    form = SubscriberForm(request.POST if request.method == "POST" else None, portfolio=portfolio)
    if form.is_bound and form.is_valid():
        try:
            subscriber = services.add_subscriber(
                request.user, portfolio, form.cleaned_data["user"].pk
            )
        except PortfolioError as error:
            logger.info(
                "subscriber addition rejected portfolio=%s user=%s", portfolio.pk, request.user.pk
            )
            form.add_error("user", str(error))
        else:
            messages.success(
                request,
                _("%(user)s est abonné au portefeuille %(name)s.")
                % {"user": subscriber.display_name, "name": portfolio.name},
            )
            return _after_change(request, portfolio, state)
    return _render_dialog(request, portfolio, state, "subscriber", subscriber_form=form)


@require_POST
def remove_subscriber(request, pk, user_id):
    """« Retirer » an abonné: they lose access to this portfolio."""
    portfolio = services.get_portfolio_for_user(request.user, pk)
    services.require_administrator(request.user, portfolio.firm_id)
    state = DialogState.from_data(request.POST)
    if services.remove_subscriber(request.user, portfolio, user_id):
        messages.success(request, _("L'abonné est retiré de ce portefeuille."))
    else:
        messages.info(request, _("Cet utilisateur n'était plus abonné à ce portefeuille."))
    return _after_change(request, portfolio, state)
