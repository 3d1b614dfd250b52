import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from congso.org.importing import import_agencies, import_units


class Command(BaseCommand):
    help = "Import administrative units or agencies from a CSV or XLSX file; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["units", "agencies"])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, kind, file, dry_run=False, json=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file", returncode=2)
        function = import_units if kind == "units" else import_agencies
        report = function(path.read_bytes(), path.name, dry_run=dry_run)
        self.stdout.write(_dumps(report.as_dict()) if json else report.summary())
        if not report.ok:
            raise CommandError("the file has errors; nothing was written", returncode=1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
