from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ImportBatch
from .sniffing import megabytes


def too_large_message(size: int) -> str:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    return _(
        "Le fichier pèse %(size)s : la limite est de %(limit)s. Découpez-le en plusieurs "
        "fichiers, ou enregistrez-le en CSV, plus léger qu'un classeur."
    ) % {"size": megabytes(size, round_up=True), "limit": megabytes(limit)}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier (CSV, TXT, XLSX ou ODS)"),
        help_text=_("20 Mo au plus."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(limit)s au plus.") % {
            "limit": megabytes(settings.IMPORT_MAX_UPLOAD_BYTES)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_large_message(upload.size))
        return upload


class ClientImportForm(UploadForm):
    mode = forms.ChoiceField(
        label=_("Que faire des clients du fichier ?"),
        choices=[
            (ImportBatch.Mode.ADD, _("Les ajouter au portefeuille")),
            (
                ImportBatch.Mode.REPLACE,
                _("Remplacer la liste : retirer aussi les clients absents du fichier"),
            ),
        ],
        initial=ImportBatch.Mode.ADD,
        widget=forms.RadioSelect,
    )
