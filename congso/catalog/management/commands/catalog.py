"""`congso catalog import FILE [--dry-run]` and `congso catalog export FILE (.json|.xlsx) [--on YYYY-MM-DD]`."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.catalog.exporting import export_catalogue
from congso.catalog.importing import import_catalogue


class Command(BaseCommand):
    help = "Import or export the procedure catalogue (JSON or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        do_import = sub.add_parser("import", help="Validate a catalogue file and write it (all or nothing).")
        do_import.add_argument("file")
        do_import.add_argument("--dry-run", action="store_true", help="Only check; write nothing.")
        do_import.add_argument("--json-report", action="store_true", help="Print the report as JSON.")
        do_export = sub.add_parser("export", help="Write the catalogue in force to a .json or .xlsx file.")
        do_export.add_argument("file")
        do_export.add_argument("--on", help="The day the exported versions are in force (default today).")

    def handle(self, *args, **options):
        if options["action"] == "export":
            return self._export(options)
        return self._import(options)

    def _export(self, options):
        path = options["file"]
        if not path.lower().endswith((".json", ".xlsx")):
            raise CommandError("The file name must end in .json or .xlsx.")
        on = None
        if options.get("on"):
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError("--on takes a date YYYY-MM-DD.") from exc
        count = export_catalogue(path, on=on)
        self.stdout.write(f"{count} procedure(s) written to {path}")

    def _import(self, options):
        report = import_catalogue(options["file"], dry_run=options["dry_run"])
        if options["json_report"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            for issue in report.issues:
                self.stdout.write(f"{issue.severity:7} {issue.row:24} {issue.code:10} {issue.field:18} {issue.message}")
            self.stdout.write(report.summary())
        if report.has_errors:
            raise CommandError("The file has errors; nothing was written.")
