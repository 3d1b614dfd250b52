"""congso stats rebuild [--from DATE --to DATE] | congso stats check"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from congso.stats import rebuild


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text[:40]!r}") from None


class Command(BaseCommand):
    help = "Rebuild the statistics aggregates from the dossiers, or check them against a recount."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        rebuild_parser = sub.add_parser("rebuild", help="Recount the aggregates (all, or a range of days).")
        rebuild_parser.add_argument("--from", dest="start", help="first local day (YYYY-MM-DD)")
        rebuild_parser.add_argument("--to", dest="end", help="last local day (YYYY-MM-DD), inclusive")
        check_parser = sub.add_parser("check", help="Compare the aggregates with a recount; exit 1 on a difference.")
        check_parser.add_argument("--limit", type=int, default=50, help="differences listed at most")

    def handle(self, *args, what, **options):
        if what == "rebuild":
            return self.rebuild(options.get("start"), options.get("end"))
        report = rebuild.check(limit=options["limit"])
        if report.ok:
            self.stdout.write(f"OK: {report.dossiers} dossiers, {report.rows} aggregate rows, no difference.")
            return
        for line in report.differences:
            self.stderr.write(line)
        raise CommandError(f"{len(report.differences)} difference(s) between the aggregates and the recount.",
                           returncode=1)

    def rebuild(self, start, end):
        if (start is None) != (end is None):
            raise CommandError("Give both --from and --to, or neither.")
        if start is None:
            n = rebuild.rebuild_all(progress=lambda done: self.stdout.write(f"  {done} dossiers", ending="\r"))
            self.stdout.write(f"Rebuilt: {n} dossiers counted.")
            return
        first, last = _date(start), _date(end)
        if last < first:
            raise CommandError("--to is before --from.")
        n = rebuild.rebuild_range(first, last)
        self.stdout.write(f"Re-synced {n} dossiers submitted or received from {first:%d/%m/%Y} to {last:%d/%m/%Y}.")
