"""The « Journal » page: access, filters, keyset pagination, query counts, CSV export."""

import csv
import datetime
import html
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portefeuilles.audit import export, journal
from portefeuilles.audit.models import Action
from portefeuilles.audit.services import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

JOURNAL = reverse("audit:journal")
EXPORT = reverse("audit:journal_export")
PARIS_NOON = datetime.datetime(2025, 3, 10, 11, 0, tzinfo=datetime.UTC)


def rows_of(response) -> list[str]:
    """Return the text of each entry row of the journal table."""
    body = response.content.decode()
    table = body.split('id="journal-entries"', 1)[1] if 'id="journal-entries"' in body else ""
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


def exported(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def add_entries(admin, portfolio, count):
    for index in range(count):
        journal.portfolio_renamed(admin, portfolio, f"Ancien nom {index}")


# -- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [JOURNAL, EXPORT])
def test_anonymous_redirected_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [JOURNAL, EXPORT])
def test_admin_allowed(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("url", [JOURNAL, EXPORT])
@pytest.mark.parametrize("cast_member", ["subscriber", "outsider_collaborator"])
def test_collaborators_forbidden(client_for, request, url, cast_member):
    user = request.getfixturevalue(cast_member)

    assert client_for(user).get(url).status_code == 403


def test_other_admin_sees_only_own_firm(client_for, admin, portfolio, other_admin):
    journal.portfolio_created(admin, portfolio)

    response = client_for(other_admin).get(JOURNAL)

    assert response.status_code == 200
    assert "Clients Île-de-France" not in response.content.decode()
    assert "admin@dupont.example" not in response.content.decode()


def test_other_admin_export_only_own_firm(client_for, admin, portfolio, other_admin):
    journal.portfolio_created(admin, portfolio)

    rows = exported(client_for(other_admin).get(EXPORT))

    assert all("Clients Île-de-France" not in cell for row in rows for cell in row)


# -- Content and filters ----------------------------------------------------------------


def test_page_lists_entry(admin_client, admin, portfolio):
    journal.portfolio_renamed(admin, portfolio, "Ancien nom")

    rows = rows_of(admin_client.get(JOURNAL))

    # Newest first: the rename, then the test client's login.
    assert len(rows) == 2
    assert "Connexion réussie" in rows[1]
    assert "Portefeuille renommé" in rows[0]
    assert "« Ancien nom » renommé « Clients Île-de-France »" in rows[0]
    assert "admin@dupont.example" in rows[0]


def test_filter_by_period(admin_client, admin, portfolio):
    for day in (1, 10, 20):
        with time_machine.travel(PARIS_NOON.replace(day=day), tick=False):
            journal.portfolio_renamed(admin, portfolio, f"Nom du {day}")

    response = admin_client.get(JOURNAL, {"start": "2025-03-10", "end": "2025-03-10"})

    rows = rows_of(response)
    assert len(rows) == 1
    assert "Nom du 10" in rows[0]
    assert "10/03/2025 12:00:00" in rows[0]


def test_filter_period_uses_paris_days(admin_client, admin, portfolio):
    # 23:30 UTC on 9 March is 00:30 on 10 March in Paris.
    with time_machine.travel(datetime.datetime(2025, 3, 9, 23, 30, tzinfo=datetime.UTC)):
        journal.portfolio_renamed(admin, portfolio, "Juste après minuit")

    on_the_ninth = admin_client.get(JOURNAL, {"start": "2025-03-09", "end": "2025-03-09"})
    on_the_tenth = admin_client.get(JOURNAL, {"start": "2025-03-10", "end": "2025-03-10"})

    assert rows_of(on_the_ninth) == []
    assert len(rows_of(on_the_tenth)) == 1


def test_filter_period_reversed_rejected(admin_client):
    response = admin_client.get(JOURNAL, {"start": "2025-03-10", "end": "2025-03-01"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "La période va du 10/03/2025 au 01/03/2025" in content
    assert 'id="journal-entries"' not in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"end": "9999-12-31"}, "La date 31/12/9999 est hors de la période"),
        ({"start": "0001-01-01"}, "La date 01/01/0001 est hors de la période"),
        ({"start": "2025-13-45"}, "« 2025-13-45 » n'est pas une date"),
    ],
)
def test_filter_period_out_of_range_rejected(admin_client, params, message):
    response = admin_client.get(JOURNAL, params)

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert message in content
    assert 'id="journal-entries"' not in content


@pytest.mark.parametrize("params", [{"end": "9999-12-31"}, {"start": "0001-01-01"}])
def test_export_period_out_of_range_redirects(admin_client, params):
    response = admin_client.get(EXPORT, params)

    assert response.status_code == 302
    assert response["Location"].startswith(JOURNAL)


def test_filter_period_widest_range_accepted(admin_client, admin, portfolio):
    journal.portfolio_created(admin, portfolio)

    response = admin_client.get(JOURNAL, {"start": "1900-01-01", "end": "9998-12-31"})

    assert response.status_code == 200
    assert len(rows_of(response)) == 2


def test_filter_by_user_as_actor_or_object(admin_client, admin, portfolio, subscriber):
    journal.subscriber_added(admin, portfolio, subscriber)
    firm_client = factories.PortfolioClientFactory(portfolio=portfolio).firm_client
    journal.client_added(subscriber, portfolio, firm_client)
    journal.portfolio_created(admin, portfolio)

    rows = rows_of(admin_client.get(JOURNAL, {"user": subscriber.pk}))

    assert len(rows) == 2
    assert "Client ajouté au portefeuille" in rows[0]
    assert "Abonné ajouté au portefeuille" in rows[1]


def test_filter_by_action(admin_client, admin, portfolio):
    journal.portfolio_created(admin, portfolio)
    journal.portfolio_renamed(admin, portfolio, "Avant")

    rows = rows_of(admin_client.get(JOURNAL, {"action": Action.PORTFOLIO_CREATED}))

    assert len(rows) == 1
    assert "Portefeuille créé" in rows[0]


def test_filter_by_portfolio_includes_terminated(admin_client, admin, firm, portfolio):
    other = factories.PortfolioFactory(firm=firm, name="Autre")
    journal.portfolio_created(admin, portfolio)
    journal.portfolio_created(admin, other)
    other.terminated_at = PARIS_NOON
    other.save()

    response = admin_client.get(JOURNAL, {"portfolio": other.pk})

    rows = rows_of(response)
    assert len(rows) == 1
    assert "Autre" in rows[0]
    assert "Autre (résilié)" in response.content.decode()


def test_filter_by_portfolio_of_other_firm_rejected(admin_client, other_firm):
    foreign = factories.PortfolioFactory(firm=other_firm)

    response = admin_client.get(JOURNAL, {"portfolio": foreign.pk})

    assert 'id="journal-entries"' not in response.content.decode()
    assert "Corrigez les filtres" in response.content.decode()


@pytest.mark.parametrize("kind", ["siren", "siret", "account"])
def test_filter_by_identifier(admin_client, admin, portfolio, kind):
    wanted = factories.PortfolioClientFactory(portfolio=portfolio).firm_client
    other = factories.PortfolioClientFactory(portfolio=portfolio).firm_client
    journal.client_added(admin, portfolio, wanted)
    journal.client_added(admin, portfolio, other)
    account = wanted.account
    typed = {
        "siren": account.siren,
        "siret": f"{account.siret[:3]} {account.siret[3:6]} {account.siret[6:]}",
        "account": account.number,
    }[kind]

    rows = rows_of(admin_client.get(JOURNAL, {"identifier": typed}))

    assert len(rows) == 1
    assert account.number in rows[0]


def test_filter_by_invalid_identifier(admin_client):
    response = admin_client.get(JOURNAL, {"identifier": "12345"})

    content = response.content.decode()
    assert "« 12345 » compte 5 chiffres" in content
    assert 'id="journal-entries"' not in content


# -- Keyset pagination ------------------------------------------------------------------


def test_pages_cover_every_entry_once(admin_client, admin, portfolio):
    # One frozen instant: every entry shares created_at, so the id breaks ties.
    with time_machine.travel(PARIS_NOON, tick=False):
        add_entries(admin, portfolio, 2 * PAGE_SIZE + 7)

    seen = []
    cursor = {}
    for expected in (PAGE_SIZE, PAGE_SIZE, 7):
        response = admin_client.get(JOURNAL, {"action": Action.PORTFOLIO_RENAMED, **cursor})
        rows = rows_of(response)
        assert len(rows) == expected
        seen.extend(re.search(r"Ancien nom (\d+)", row).group(1) for row in rows)
        match = re.search(r'apres=([0-9-]+)"', response.content.decode())
        cursor = {"apres": match.group(1)} if match else {}
    assert not cursor
    assert seen == [str(index) for index in reversed(range(2 * PAGE_SIZE + 7))]


def test_newer_page_returns_previous(admin_client, admin, portfolio):
    add_entries(admin, portfolio, PAGE_SIZE + 5)
    first = admin_client.get(JOURNAL)
    older_cursor = re.search(r'apres=([0-9-]+)"', first.content.decode()).group(1)
    second = admin_client.get(JOURNAL, {"apres": older_cursor})
    newer_cursor = re.search(r'avant=([0-9-]+)"', second.content.decode()).group(1)

    back = admin_client.get(JOURNAL, {"avant": newer_cursor})

    assert rows_of(back) == rows_of(first)


def test_pagination_keeps_filters(admin_client, admin, portfolio):
    add_entries(admin, portfolio, PAGE_SIZE + 1)

    response = admin_client.get(JOURNAL, {"action": Action.PORTFOLIO_RENAMED})

    assert re.search(r"\?action=portfolio_renamed&amp;apres=\d+-\d+", response.content.decode())


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "12-",
        "-5",
        "99999999999999999999999-1",
        "--5-3",
        "²-1",
        "1-²",
        "1-99999999999999999999",
    ],
)
def test_invalid_cursor_gives_first_page(admin_client, admin, portfolio, cursor):
    journal.portfolio_created(admin, portfolio)

    for parameter in ("apres", "avant"):
        response = admin_client.get(JOURNAL, {parameter: cursor})

        assert response.status_code == 200
        # The creation and the test client's login.
        assert len(rows_of(response)) == 2


# -- Query counts -------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [JOURNAL, EXPORT])
@pytest.mark.parametrize("params", [{}, {"action": Action.PORTFOLIO_RENAMED}])
def test_query_count_constant(admin_client, admin, portfolio, url, params):
    add_entries(admin, portfolio, 1)
    with_one = count_queries(admin_client, url, params)

    add_entries(admin, portfolio, 199)
    with_many = count_queries(admin_client, url, params)

    assert with_one == with_many
    # Session, user, the session's activity row, the two filter lists (users,
    # portfolios), the entries.
    assert with_many == 6


# -- CSV export ---------------------------------------------------------------------------


def test_export_format(admin_client, admin, portfolio):
    with time_machine.travel(PARIS_NOON, tick=False):
        journal.portfolio_renamed(admin, portfolio, "Ancien nom")

    response = admin_client.get(EXPORT, {"action": Action.PORTFOLIO_RENAMED})

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="journal-')
    header, row = exported(response)
    assert header[0] == "Date (UTC)"
    assert header[4] == "Action"
    assert row[0] == "2025-03-10T11:00:00.000000Z"
    assert row[2] == "admin@dupont.example"
    assert row[3] == "portfolio_renamed"
    assert row[4] == "Portefeuille renommé"
    assert row[8] == str(portfolio.pk)


def test_export_joins_rows_into_chunks(admin_client, admin, portfolio, monkeypatch):
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 2)
    add_entries(admin, portfolio, 4)

    response = admin_client.get(EXPORT)
    chunks = [chunk.decode("utf-8") for chunk in response.streaming_content]

    # The header, then the four renamings and the login in chunks of 2, 2 and 1.
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 2, 2, 1]
    rows = list(csv.reader(io.StringIO("".join(chunks)[1:]), delimiter=";"))[1:]
    assert [row[4] for row in rows] == ["Portefeuille renommé"] * 4 + ["Connexion réussie"]


def test_export_neutralises_formulas(admin_client, admin, firm):
    names = ['=HYPERLINK("http://x")', "+33 1", "-2", "@SUM(A1)", "Normal"]
    for name in names:
        journal.portfolio_created(admin, factories.PortfolioFactory(firm=firm, name=name))

    rows = exported(admin_client.get(EXPORT, {"action": Action.PORTFOLIO_CREATED}))[1:]

    labels = sorted(row[7] for row in rows)
    assert labels == sorted(['\'=HYPERLINK("http://x")', "'+33 1", "'-2", "'@SUM(A1)", "Normal"])


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_formula_starts(start):
    assert export.neutralise(f"{start}1+1") == f"'{start}1+1"
    assert export.neutralise(f"a{start}1") == f"a{start}1"


def test_export_applies_filters(admin_client, admin, portfolio):
    journal.portfolio_created(admin, portfolio)
    journal.portfolio_renamed(admin, portfolio, "Avant")

    rows = exported(admin_client.get(EXPORT, {"action": Action.PORTFOLIO_CREATED}))[1:]

    assert [row[3] for row in rows] == ["portfolio_created"]


def test_export_invalid_filters_redirects(admin_client):
    response = admin_client.get(EXPORT, {"identifier": "abc"})

    assert response.status_code == 302
    assert response["Location"] == f"{JOURNAL}?identifier=abc"
