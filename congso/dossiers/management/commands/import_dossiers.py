import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congso.dossiers.legacy import import_dossiers


class Command(BaseCommand):
    help = ("Import in-flight and historical dossiers from another system (CSV, XLSX or JSON); all rows or none. "
            "See docs/legacy-import.md.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV, XLSX or JSON file of dossiers.")
        parser.add_argument("--log", dest="log_file", help="CSV or XLSX file of the processing log (code, at, "
                                                           "action or status, actor, note).")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument("--skip-existing", action="store_true",
                            help="Skip rows whose dossier code already exists (reported as unchanged).")

    def handle(self, file, log_file=None, dry_run=False, json=False, skip_existing=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file}, returncode=2)
        log_path = Path(log_file) if log_file else None
        if log_path is not None and not log_path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": log_file}, returncode=2)
        report = import_dossiers(
            path.read_bytes(), path.name, log_content=log_path.read_bytes() if log_path else None,
            log_filename=log_path.name if log_path else "", dry_run=dry_run, skip_existing=skip_existing,
        )
        self.stdout.write(_dumps(report.as_dict()) if json else report.summary())
        if not report.ok:
            raise CommandError(_("The file has errors; nothing was written."), returncode=1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
