"""``portefeuilles import_clients --firm SIREN --portfolio NAME FILE [--dry-run] [--replace]``.

Runs the same preview as the « Importer des clients » page, prints its totals
and errors, then applies it unless ``--dry-run``. The progress bar goes to
standard error, so standard output holds only the summary.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portefeuilles.transfers import services
from portefeuilles.transfers.models import ImportBatch, ImportLine
from portefeuilles.transfers.sniffing import ImportFileError

# Error lines printed in full; the rest are counted.
MAX_ERRORS_SHOWN = 50


class ProgressBar:
    """A one-line bar redrawn with a carriage return: « Vérification [#####-----] 5000/10000 »."""

    def __init__(self, stream, label: str, width: int = 30):
        # ``stream`` is a command's OutputWrapper: ``ending=""`` keeps the bar on one line.
        self.stream = stream
        self.label = label
        self.width = width

    def update(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} lignes", ending="")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("")
        self.stream.flush()


class Command(BaseCommand):
    help = "Importe des clients dans un portefeuille depuis un fichier CSV, TXT, XLSX ou ODS."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="fichier CSV, TXT, XLSX ou ODS")
        parser.add_argument("--firm", required=True, help="SIREN de l'entreprise (9 chiffres)")
        parser.add_argument("--portfolio", required=True, help="nom du portefeuille")
        parser.add_argument(
            "--dry-run", action="store_true", help="affiche l'aperçu sans rien modifier"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="remplace la liste : retire aussi les clients absents du fichier",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture impossible de {path} : {error.strerror}.") from None
        mode = ImportBatch.Mode.REPLACE if options["replace"] else ImportBatch.Mode.ADD
        try:
            firm = services.firm_by_siren(options["firm"])
            portfolio = services.portfolio_by_name(firm, options["portfolio"])
            batch = services.start_client_import(
                portfolio=portfolio, user=None, data=data, file_name=path.name, mode=mode
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Fichier {path.name} : {batch.file_description}.")
        for note in batch.notes.splitlines():
            self.stdout.write(f"  {note}")
        bar = ProgressBar(self.stderr, "Vérification")
        batch = services.advance(batch, on_progress=bar.update)
        bar.close()
        if batch.status == ImportBatch.Status.STALE:
            raise CommandError(services.stale_message(batch))
        self._print_preview(batch)
        if options["dry_run"]:
            self.stdout.write("Essai (--dry-run) : rien n'a été modifié.")
            return
        try:
            counts = services.apply_batch(batch, None)
        except services.ImportApplyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Appliqué : {counts['added']} client(s) ajouté(s) au portefeuille, dont "
            f"{counts['attached']} rattaché(s) au cabinet, {counts['removed']} retiré(s)."
        )

    def _print_preview(self, batch: ImportBatch) -> None:
        totals = services.totals(batch)
        Status = ImportLine.Status
        self.stdout.write(
            f"Aperçu : {totals[Status.ADDED]} ajouté(s), {totals[Status.ATTACH]} à rattacher "
            f"au cabinet, {totals[Status.UNCHANGED]} déjà dans le portefeuille, "
            f"{totals[Status.REMOVED]} à retirer, {totals[Status.ERROR]} erreur(s)."
        )
        errors = batch.lines.filter(status=Status.ERROR).order_by("id")
        for line in errors[:MAX_ERRORS_SHOWN]:
            self.stdout.write(f"  ligne {line.line_number} : erreur : {line.message}")
        if totals[Status.ERROR] > MAX_ERRORS_SHOWN:
            self.stdout.write(
                f"  … et {totals[Status.ERROR] - MAX_ERRORS_SHOWN} autre(s) erreur(s)."
            )
