"""The upload form and the column-mapping form (one choice per header of each sheet)."""

from django import forms
from django.conf import settings

from .columns import COLUMNS, DELIVERABLES, PROJECTS

KIND_LABELS = {PROJECTS: "Projects sheet", DELIVERABLES: "Deliverables sheet"}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="An .xlsx or .csv: the OMG export, or the template below.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SPREADSHEET_IMPORT_MAX_BYTES
        if upload.size > limit:  # refused before it is read into memory
            raise forms.ValidationError(f"The file is {upload.size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB.")
        return upload


class MappingForm(forms.Form):
    """Each header of each sheet -> one of the import's fields, or ignored."""

    def __init__(self, *args, headers: dict, mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.sections = []
        for kind, kind_headers in headers.items():
            choices = [("", "— ignore —"), *((name, spellings[0]) for name, spellings in COLUMNS[kind].items())]
            names = []
            for index, header in enumerate(kind_headers):
                if not header:
                    continue
                name = f"{kind}-{index}"
                self.fields[name] = forms.ChoiceField(
                    label=header, choices=choices, required=False, initial=mapping.get(kind, {}).get(header, "")
                )
                names.append(name)
            self.sections.append((KIND_LABELS[kind], [self[name] for name in names]))

    def mapping(self) -> dict:
        result = {}
        for kind, kind_headers in self.headers.items():
            result[kind] = {
                header: self.cleaned_data.get(f"{kind}-{index}")
                for index, header in enumerate(kind_headers)
                if header and self.cleaned_data.get(f"{kind}-{index}")
            }
        return result
