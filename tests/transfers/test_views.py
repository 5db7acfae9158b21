"""Pages: the permission matrix of every view, the upload-preview-confirm path, progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portefeuilles.transfers import services
from portefeuilles.transfers.models import ImportBatch
from tests import factories
from tests.transfers.conftest import account_numbers_in
from tests.transfers.helpers import FILES

pytestmark = pytest.mark.django_db

CAST = ("admin", "subscriber", "outsider_collaborator", "other_admin")
SAGE = (FILES / "sage_tiers_cp1252.txt").read_bytes()


def upload(data=SAGE, name="sage.txt"):
    return SimpleUploadedFile(name, data, content_type="text/plain")


@pytest.fixture
def client_batch(referential, portfolio, admin, subscriber):
    """A ready preview of SAGE for each user who may make one."""

    def make(user):
        batch = services.start_client_import(
            portfolio=portfolio, user=user, data=SAGE, file_name="sage.txt"
        )
        return services.advance(batch)

    return make


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 200), ("subscriber", 200), ("outsider_collaborator", 404), ("other_admin", 404)],
)
@pytest.mark.parametrize(
    "url_name", ["client_import", "portfolio_export_csv", "portfolio_export_xlsx"]
)
def test_portfolio_views_matrix(request, client_for, portfolio, who, expected, url_name):
    client = client_for(request.getfixturevalue(who))
    if url_name == "client_import":
        url = reverse("transfers:client_import", args=[portfolio.pk])
    else:
        url = reverse("transfers:portfolio_export", args=[portfolio.pk, url_name[-4:].strip("_")])
    assert client.get(url).status_code == expected


def test_unknown_export_format_is_404(client_for, admin, portfolio):
    url = reverse("transfers:portfolio_export", args=[portfolio.pk, "pdf"])
    assert client_for(admin).get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 200), ("subscriber", 403), ("outsider_collaborator", 403), ("other_admin", 200)],
)
@pytest.mark.parametrize(
    "url",
    [
        reverse("transfers:subscriber_import"),
        reverse("transfers:firm_export_csv", args=["clients"]),
        reverse("transfers:firm_export_csv", args=["abonnes"]),
        reverse("transfers:firm_export_xlsx"),
    ],
)
def test_firm_views_matrix(request, client_for, portfolio, who, expected, url):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 200), ("subscriber", 404), ("outsider_collaborator", 404), ("other_admin", 404)],
)
def test_batch_page_matrix(request, client_for, client_batch, admin, who, expected):
    batch = client_batch(admin)
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("transfers:batch", args=[batch.pk])).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 302), ("subscriber", 404), ("outsider_collaborator", 404), ("other_admin", 404)],
)
def test_batch_apply_matrix(request, client_for, client_batch, admin, portfolio, who, expected):
    batch = client_batch(admin)
    client = client_for(request.getfixturevalue(who))
    response = client.post(reverse("transfers:batch_apply", args=[batch.pk]))
    assert response.status_code == expected
    batch.refresh_from_db()
    applied = batch.status == ImportBatch.Status.APPLIED
    assert applied == (expected == 302)


def test_subscriber_loses_batch_with_access(client_for, client_batch, subscriber, portfolio):
    batch = client_batch(subscriber)
    client = client_for(subscriber)
    assert client.get(reverse("transfers:batch", args=[batch.pk])).status_code == 200
    portfolio.subscriptions.filter(user=subscriber).delete()
    assert client.get(reverse("transfers:batch", args=[batch.pk])).status_code == 404


def test_upload_preview_confirm(client_for, subscriber, referential, portfolio):
    client = client_for(subscriber)
    url = reverse("transfers:client_import", args=[portfolio.pk])

    response = client.post(url, {"file": upload(), "mode": "add"})

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("transfers:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "sera rattaché au cabinet" in page
    assert "erreur : « 81200005700017 » n&#x27;est pas un SIRET valide" in page
    assert "Les 2 lignes en erreur seront ignorées." in page
    assert "Confirmer l'import" in page

    response = client.post(reverse("transfers:batch_apply", args=[batch.pk]), follow=True)

    assert "Import appliqué : 2 client(s) ajouté(s) au portefeuille, dont 1" in (
        response.content.decode()
    )
    assert len(account_numbers_in(portfolio)) == 3


def test_bad_file_shows_message(client_for, admin, portfolio):
    url = reverse("transfers:client_import", args=[portfolio.pk])
    response = client_for(admin).post(url, {"file": upload(b"%PDF-1.4"), "mode": "add"})
    assert response.status_code == 200
    assert "Ce fichier est un document PDF" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_upload_over_limit(client_for, admin, portfolio, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    url = reverse("transfers:client_import", args=[portfolio.pk])
    response = client_for(admin).post(url, {"file": upload(), "mode": "add"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le fichier pèse 0,1 Mo : la limite est de 0,0 Mo." in page
    assert not ImportBatch.objects.exists()


def test_body_over_limit_is_refused_before_reading(client_for, admin, portfolio, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    url = reverse("transfers:client_import", args=[portfolio.pk])
    response = client_for(admin).post(url, {"file": upload(b"x" * 200_000), "mode": "add"})
    assert "Le fichier pèse 0,3 Mo : la limite est de 0,0 Mo." in response.content.decode()


def test_upload_just_over_limit_reads_larger(client_for, admin, portfolio, settings):
    # One byte over a limit of 1,0 Mo once read « pèse 1,0 Mo : la limite est de 1,0 Mo ».
    settings.IMPORT_MAX_UPLOAD_BYTES = 1_000_000
    url = reverse("transfers:client_import", args=[portfolio.pk])
    data = b"SIRET\r\n" + b"9" * (1_000_001 - 7)
    response = client_for(admin).post(url, {"file": upload(data, "gros.csv"), "mode": "add"})
    assert "Le fichier pèse 1,1 Mo : la limite est de 1,0 Mo." in response.content.decode()


def test_progress_without_and_with_htmx(client_for, admin, firm, portfolio, settings, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 5)
    settings.IMPORT_STEP_SECONDS = 0
    numbers = [c.account.number for c in factories.FirmClientFactory.create_batch(12, firm=firm)]
    client = client_for(admin)
    response = client.post(
        reverse("transfers:client_import", args=[portfolio.pk]),
        {"file": upload("\n".join(numbers).encode(), "c.txt"), "mode": "add"},
    )
    url = response["Location"]

    page = client.get(url).content.decode()
    assert "Vérification des lignes : 5 sur 12." in page
    assert '<meta http-equiv="refresh" content="1">' in page
    assert 'hx-trigger="load delay:300ms"' in page

    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "Vérification des lignes : 10 sur 12." in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = client.get(url).content.decode()
    assert "Confirmer l'import" in page
    assert "refresh" not in page


def test_replace_mode_preview_lists_removals(client_for, admin, referential, portfolio):
    client = client_for(admin)
    data = b"Compte\n117000000000000010\n"
    response = client.post(
        reverse("transfers:client_import", args=[portfolio.pk]),
        {"file": upload(data, "c.csv"), "mode": "replace"},
    )
    page = client.get(response["Location"] + "?statut=removed").content.decode()
    assert "sera retiré (absent du fichier)" in page
    assert "117000000000000028" in page
    assert "117000000000000010" not in page


def test_stale_preview_message(client_for, admin, client_batch, referential, portfolio):
    batch = client_batch(admin)
    factories.PortfolioClientFactory(portfolio=portfolio, firm_client=referential["E0"])
    client = client_for(admin)
    response = client.post(reverse("transfers:batch_apply", args=[batch.pk]), follow=True)
    assert "ont changé depuis l&#x27;aperçu" in response.content.decode()


def test_subscriber_upload(client_for, admin, subscriber, portfolio):
    client = client_for(admin)
    data = "portefeuille;identifiant;action\nClients Île-de-France;abonne@dupont.example;retirer"
    response = client.post(
        reverse("transfers:subscriber_import"), {"file": upload(data.encode(), "a.csv")}
    )
    page = client.get(response["Location"]).content.decode()
    assert "abonné retiré" in page
    client.post(reverse("transfers:batch_apply", args=[ImportBatch.objects.get().pk]))
    assert not portfolio.subscriptions.exists()


@pytest.mark.parametrize("lines", [1, 150])
def test_preview_page_query_count(
    client_for, admin, firm, portfolio, lines, django_assert_num_queries
):
    numbers = [c.account.number for c in factories.FirmClientFactory.create_batch(lines, firm=firm)]
    batch = services.advance(
        services.start_client_import(
            portfolio=portfolio, user=admin, data="\n".join(numbers).encode(), file_name="c.txt"
        )
    )
    client = client_for(admin)
    with django_assert_num_queries(7):
        response = client.get(reverse("transfers:batch", args=[batch.pk]))
    assert response.content.decode().count('class="status-added"') == min(lines, 100)


def test_dialog_and_manage_page_link_here(client_for, admin, subscriber, portfolio):
    dialog = client_for(subscriber).get(reverse("portfolios:detail", args=[portfolio.pk]))
    assert reverse("transfers:client_import", args=[portfolio.pk]) in dialog.content.decode()
    assert reverse("transfers:portfolio_export", args=[portfolio.pk, "xlsx"]) in (
        dialog.content.decode()
    )
    manage = client_for(admin).get(reverse("portfolios:manage")).content.decode()
    assert reverse("transfers:subscriber_import") in manage
    assert reverse("transfers:firm_export_xlsx") in manage


def test_django_body_limit_explains_itself(client_for, admin, portfolio, settings):
    # Django refuses a form past DATA_UPLOAD_MAX_MEMORY_SIZE (files aside) with a 400.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = reverse("transfers:client_import", args=[portfolio.pk])
    response = client_for(admin).post(
        url, "mode=add&x=" + "a" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "dépasse les limites du serveur" in response.content.decode()


def test_django_file_count_limit_explains_itself(client_for, admin, portfolio, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    url = reverse("transfers:client_import", args=[portfolio.pk])
    response = client_for(admin).post(url, {"file": [upload(), upload()], "mode": "add"})
    assert response.status_code == 400
    assert "envoyez un seul fichier à la fois" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_expired_form_explains_itself(admin, portfolio):
    # A form shown before logging in again in another tab carries a stale token.
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    url = reverse("transfers:client_import", args=[portfolio.pk])
    response = client.post(url, {"file": upload(), "mode": "add", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert "plus de jeton de sécurité valide" in response.content.decode()
    assert not ImportBatch.objects.exists()
