"""Pages to import clients and abonnés from a file, preview and confirm, and to export.

Client imports and portfolio exports are open to the administrators and the
portfolio's abonnés (``get_portfolio_for_user``: 404 for anyone else); subscriber
imports and firm exports to administrators (403 for collaborators).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from portefeuilles.portfolios.services import get_portfolio_for_user, require_administrator

from . import exports, services
from .forms import ClientImportForm, UploadForm, too_large_message
from .models import ImportBatch, ImportLine
from .sniffing import ImportFileError

logger = logging.getLogger(__name__)

LINES_PER_PAGE = 100
# Room for the form fields and multipart boundaries around the file itself.
UPLOAD_OVERHEAD_BYTES = 64 * 1024


def _body_too_large(request) -> int | None:
    """Return the announced body size when it is past the limit, before Django reads the body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > settings.IMPORT_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD_BYTES:
        return length
    return None


def _upload(request, form_class, start) -> tuple[dict, ImportBatch | None]:
    """Run the upload form; return the page's context and the batch, None unless the file was read.

    A body announced past the limit is refused before Django reads it, so a
    huge upload is not spooled to disk first.
    """
    if request.method != "POST":
        return {"form": form_class(), "upload_error": ""}, None
    too_large = _body_too_large(request)
    if too_large is not None:
        return {"form": form_class(), "upload_error": too_large_message(too_large)}, None
    form = form_class(request.POST, request.FILES)
    context = {"form": form, "upload_error": ""}
    if not form.is_valid():
        return context, None
    upload = form.cleaned_data["file"]
    try:
        batch = start(upload.read(), upload.name, form.cleaned_data)
    except ImportFileError as error:
        logger.info("import rejected user=%s reason=%s", request.user.pk, error)
        form.add_error("file", str(error))
        return context, None
    return context, batch


@require_http_methods(["GET", "POST"])
def client_import(request, portfolio_id):
    portfolio = get_portfolio_for_user(request.user, portfolio_id)

    def start(data, file_name, cleaned):
        return services.start_client_import(
            portfolio=portfolio,
            user=request.user,
            data=data,
            file_name=file_name,
            mode=cleaned["mode"],
        )

    context, batch = _upload(request, ClientImportForm, start)
    if batch is not None:
        return redirect("transfers:batch", batch_id=batch.pk)
    context["portfolio"] = portfolio
    return render(request, "transfers/client_import.html", context)


@require_http_methods(["GET", "POST"])
def subscriber_import(request):
    require_administrator(request.user)

    def start(data, file_name, cleaned):
        return services.start_subscriber_import(user=request.user, data=data, file_name=file_name)

    context, batch = _upload(request, UploadForm, start)
    if batch is not None:
        return redirect("transfers:batch", batch_id=batch.pk)
    return render(request, "transfers/subscriber_import.html", context)


def batch_detail(request, batch_id):
    """Show the preview; while rows remain to check, check some and show the progress.

    A GET does this work, so a browser without JavaScript moves the check
    forward through the page's meta refresh, and htmx through polling.
    """
    batch = services.get_batch_for_user(request.user, batch_id)
    if batch.status == ImportBatch.Status.CHECKING:
        batch = services.advance(batch, seconds=settings.IMPORT_STEP_SECONDS)
    context = {"batch": batch}
    if batch.status == ImportBatch.Status.CHECKING:
        if request.htmx:
            return render(request, "transfers/_progress.html", context)
        return render(request, "transfers/batch.html", context)
    if request.htmx:
        response = render(request, "transfers/_progress.html", context)
        response["HX-Refresh"] = "true"
        return response
    context.update(_lines_page(request, batch))
    labels = status_labels(batch)
    counts = services.totals(batch)
    context["totals"] = [(status, labels[status], counts[status]) for status in labels]
    context["error_count"] = counts[ImportLine.Status.ERROR]
    context["stale_message"] = services.stale_message(batch)
    return render(request, "transfers/batch.html", context)


def status_labels(batch: ImportBatch) -> dict[str, str]:
    """The status names shown in a preview, in display order; abonnés have their own words."""
    Status = ImportLine.Status
    if batch.kind == ImportBatch.Kind.CLIENTS:
        labels = {
            Status.ADDED: "ajouté",
            Status.ATTACH: "sera rattaché au cabinet",
            Status.UNCHANGED: "déjà dans le portefeuille",
            Status.ERROR: "erreur",
        }
        if batch.mode == ImportBatch.Mode.REPLACE:
            labels[Status.REMOVED] = "sera retiré (absent du fichier)"
        return labels
    return {
        Status.ADDED: "abonné ajouté",
        Status.REMOVED: "abonné retiré",
        Status.UNCHANGED: "rien à faire",
        Status.ERROR: "erreur",
    }


def _lines_page(request, batch: ImportBatch) -> dict:
    lines = batch.lines.order_by("id")
    status = request.GET.get("statut", "")
    if status in ImportLine.Status.values:
        lines = lines.filter(status=status)
    else:
        status = ""
    try:
        after = int(request.GET.get("apres", "0"))
    except ValueError:
        after = 0
    page = list(lines.filter(id__gt=after)[: LINES_PER_PAGE + 1])
    has_next = len(page) > LINES_PER_PAGE
    page = page[:LINES_PER_PAGE]
    labels = status_labels(batch)
    for line in page:
        line.label = labels.get(line.status, line.get_status_display())
    return {
        "lines": page,
        "status_filter": status,
        "next_after": page[-1].pk if has_next else None,
        "statuses": list(labels.items()),
    }


@require_POST
def batch_apply(request, batch_id):
    batch = services.get_batch_for_user(request.user, batch_id)
    try:
        counts = services.apply_batch(batch, request.user)
    except services.ImportApplyError as error:
        messages.error(request, str(error))
        return redirect("transfers:batch", batch_id=batch.pk)
    if batch.kind == ImportBatch.Kind.CLIENTS:
        messages.success(
            request,
            f"Import appliqué : {counts['added']} client(s) ajouté(s) au portefeuille, dont "
            f"{counts['attached']} rattaché(s) au cabinet, et {counts['removed']} retiré(s).",
        )
    else:
        messages.success(
            request,
            f"Import appliqué : {counts['added']} abonnement(s) ajouté(s) et "
            f"{counts['removed']} retiré(s).",
        )
    return redirect("transfers:batch", batch_id=batch.pk)


def _file_name(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv_response(header, rows, stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(stem, "csv")}"'
    return response


def _xlsx_response(sheets, stem: str) -> FileResponse:
    return FileResponse(
        exports.xlsx_file(sheets),
        as_attachment=True,
        filename=_file_name(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def portfolio_export(request, portfolio_id, file_format):
    portfolio = get_portfolio_for_user(request.user, portfolio_id)
    stem = f"portefeuille-{portfolio.pk}"
    rows = exports.portfolio_client_rows(portfolio)
    if file_format == "csv":
        return _csv_response(exports.CLIENT_HEADER, rows, stem)
    if file_format == "xlsx":
        sheet = ("Clients", exports.CLIENT_HEADER, rows, exports.CLIENT_IDENTIFIER_COLUMNS)
        return _xlsx_response([sheet], stem)
    raise Http404


def firm_export_csv(request, content):
    require_administrator(request.user)
    firm_id = request.user.firm_id
    if content == "clients":
        header = ["Portefeuille", *exports.CLIENT_HEADER]
        return _csv_response(header, exports.firm_client_rows(firm_id), "clients")
    if content == "abonnes":
        header = exports.SUBSCRIBER_HEADER
        return _csv_response(header, exports.subscriber_rows(firm_id), "abonnes")
    raise Http404


def firm_export_xlsx(request):
    require_administrator(request.user)
    firm_id = request.user.firm_id
    text_columns = {index + 1 for index in exports.CLIENT_IDENTIFIER_COLUMNS}
    sheets = [
        (
            "Clients",
            ["Portefeuille", *exports.CLIENT_HEADER],
            exports.firm_client_rows(firm_id),
            text_columns,
        ),
        ("Abonnés", exports.SUBSCRIBER_HEADER, exports.subscriber_rows(firm_id), set()),
    ]
    return _xlsx_response(sheets, "portefeuilles")
