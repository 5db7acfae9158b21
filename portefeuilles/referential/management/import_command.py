"""The shared front of the import commands: options, progress, rejections and summary."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portefeuilles.referential.importing import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_PROGRESS_EVERY,
    ImportFileError,
    ImportSummary,
    Rejection,
)


class ImportCommand(BaseCommand):
    """Run one importer on FILE, reporting rejected rows and progress on stderr.

    Subclasses set ``importer`` (a function taking the path and the callbacks) and
    ``row_noun_plural`` for the summary.
    """

    importer = None
    row_noun_plural = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("fichier .csv, ou archive .zip qui le contient"))
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=_("lignes écrites par transaction (%(default)s par défaut)"),
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=DEFAULT_PROGRESS_EVERY,
            help=_("afficher l'avancement toutes les N lignes lues (%(default)s par défaut)"),
        )

    def handle(self, *args, **options):
        batch_size = options["batch_size"]
        progress_every = options["progress_every"]
        if batch_size < 1 or progress_every < 1:
            raise CommandError(_("--batch-size et --progress-every sont des entiers positifs."))

        def report_progress(summary: ImportSummary) -> None:
            self.stderr.write(
                _("%(read)s lignes lues (%(rejected)s rejetées)…")
                % {"read": summary.read, "rejected": summary.rejected}
            )

        try:
            summary = self.importer(
                options["file"],
                batch_size=batch_size,
                on_reject=self.report_rejection,
                on_progress=report_progress,
                progress_every=progress_every,
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None

        self.stdout.write(self.format_summary(summary))

    def report_rejection(self, rejection: Rejection) -> None:
        self.stderr.write(
            _("Ligne %(line)s rejetée : %(message)s")
            % {"line": rejection.line, "message": rejection.message}
        )

    def format_summary(self, summary: ImportSummary) -> str:
        return "\n".join(
            [
                _("Lignes lues : %(count)s") % {"count": summary.read},
                _("%(noun)s créés : %(count)s")
                % {"noun": self.row_noun_plural, "count": summary.created},
                _("%(noun)s mis à jour : %(count)s")
                % {"noun": self.row_noun_plural, "count": summary.updated},
                _("Lignes rejetées : %(count)s") % {"count": summary.rejected},
            ]
        )
