"""`manage.py import_projects FILE [--dry-run]`: the /projects/import flow for operators, in-process.

The columns are mapped as the page would propose them (a mapping a producer confirmed for the same headers, else
the recognised spellings). The dry-run table is printed; without --dry-run the rows are then committed through
the same services. The import is recorded like one made on the page, so its report can be downloaded there.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spreadsheets import services, steps
from spreadsheets.models import ImportRow
from spreadsheets.report import describe
from tracker.errors import ApplicationError
from tracker.models import Organisation
from tracker.services import organisation_default


class Command(BaseCommand):
    help = "Import projects (and deliverables) from an .xlsx or .csv; --dry-run shows what would change."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
        parser.add_argument("--organisation", help="organisation slug (default: TRACKER_DEFAULT_ORGANISATION)")
        parser.add_argument("--quiet-rows", action="store_true", help="print only the summary, not every row")

    def handle(self, *args, file: Path, dry_run: bool, organisation: str | None, quiet_rows: bool, **options):
        target = self._organisation(organisation)
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            upload = services.spreadsheet_import_upload(
                organisation=target, actor=None, file_name=file.name, content=content
            )
            services.spreadsheet_import_set_mapping(
                spreadsheet_import=upload, actor=None, mapping=upload.mapping, enqueue=False
            )
            result = steps.spreadsheet_import_plan(import_id=upload.pk)
            if not dry_run:
                services.spreadsheet_import_start_commit(
                    spreadsheet_import=result, actor=None, sha256=result.sha256, enqueue=False
                )
                result = steps.spreadsheet_import_commit(import_id=upload.pk)
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        if not quiet_rows:
            for stored in ImportRow.objects.filter(spreadsheet_import=result).iterator(chunk_size=1000):
                row = stored.as_json()
                self.stdout.write(f"{row['sheet']}!{row['row']}\t{row['key'] or '—'}\t{describe(row)}")
        counts = result.summary
        line = (
            f"{counts['create']} to create, {counts['update']} to update, {counts['unchanged']} unchanged, "
            f"{counts['error']} with errors"
        )
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run (nothing written): {line}. Import #{result.pk}."))
        elif result.error:
            raise CommandError(result.error)
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {result.results_text}. Import #{result.pk}."))

    def _organisation(self, slug: str | None) -> Organisation:
        if not slug:
            return organisation_default()
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"no organisation {slug!r}")
        return organisation
