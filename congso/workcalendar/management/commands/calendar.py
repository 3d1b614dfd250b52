"""`congso calendar seed [--years 2015-2030]` and `congso calendar list --year 2025`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congso.workcalendar import seeding, services


class Command(BaseCommand):
    help = "Seed the calendar of days off (idempotent) or list its rows for a year."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{seed,list}")
        seed = actions.add_parser("seed", help="Insert missing days off and make-up days; never overwrites edits.")
        seed.add_argument("--years", default="2015-2030", help="Years to seed, e.g. 2015-2030 or 2025,2027.")
        listing = actions.add_parser("list", help="Print the calendar rows of one year.")
        listing.add_argument("--year", required=True, help="The year to list, e.g. 2025.")

    def handle(self, *args, **options):
        if options["action"] == "seed":
            return self._seed(options["years"])
        return self._list(options["year"])

    def _seed(self, text):
        try:
            years = seeding.parse_years(text)
        except ValueError:
            raise CommandError(
                _("Invalid years %(value)r; use e.g. 2015-2030 or 2025.") % {"value": str(text)[:40]}, returncode=2
            ) from None
        result = services.seed_calendar(years)
        self.stdout.write(
            _("Seeded %(first)d–%(last)d: %(result)s") % {"first": years[0], "last": years[-1], "result": result}
        )

    def _list(self, text):
        text = str(text).strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 9999):
            raise CommandError(_("Invalid year %(value)r; use e.g. 2025.") % {"value": text[:40]}, returncode=2)
        rows = list(services.days_of_year(int(text)))
        for row in rows:
            flag = "" if row.active else " " + _("(switched off)")
            self.stdout.write(
                f"{row.date.isoformat()} {row.date:%a} {row.kind:<11} {row.status:<11} {row.name} [{row.source}]{flag}"
            )
        self.stdout.write(_("%(count)d rows.") % {"count": len(rows)})
