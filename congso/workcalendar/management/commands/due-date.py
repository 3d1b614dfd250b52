"""`congso due-date --received 2025-01-20T09:00 --duration 5 --unit working_day [--cutoff 15:00]`.

Prints a short summary and, on its last line, the appointment in ISO 8601 with offset, so scripts can use
`congso due-date … | tail -n 1`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congso.workcalendar import services
from congso.workcalendar.inputs import InvalidInput, local_time_zone, parse_due_date_query


class Command(BaseCommand):
    help = "Compute an appointment (ngày hẹn trả) with the working calendar in force."

    def add_arguments(self, parser):
        parser.add_argument("--received", required=True, help="Receipt moment, ISO 8601; local time without offset.")
        parser.add_argument("--duration", required=True, help="Whole number of units, 0 = within the day.")
        parser.add_argument("--unit", default="working_day", help="working_day, working_hour or calendar_day.")
        parser.add_argument("--cutoff", default="", help="Cut-off time of the procedure, e.g. 15:00.")

    def handle(self, *args, **options):
        try:
            # Input is checked before the calendar is loaded: a typing error needs no database.
            query = parse_due_date_query(
                options["received"], options["duration"], options["unit"], options["cutoff"], local_time_zone()
            )
            result = services.due_date(query.received, query.duration, query.unit, query.cutoff)
        except InvalidInput as exc:
            lines = [f"--{field}: {' '.join(messages)}" for field, messages in exc.errors.items()]
            raise CommandError("\n".join(lines), returncode=2) from None
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None

        cutoff = query.cutoff.strftime("%H:%M") if query.cutoff else _("none")
        duration = _("%(count)d %(unit)s (cut-off: %(cutoff)s)") % {
            "count": query.duration,
            "unit": query.unit.label,
            "cutoff": cutoff,
        }
        rows = [
            (_("Received"), _human(result.received)),
            (_("Duration"), duration),
            (_("Counting starts"), _human(result.effective_start)),
            (_("Appointment"), _human(result.due_at)),
        ]
        width = max(len(label) for label, _value in rows) + 1
        for label, value in rows:
            self.stdout.write(f"{label + ':':<{width}} {value}")
        self.stdout.write(result.due_at.isoformat())


def _human(value) -> str:
    """dd/mm/yyyy HH:MM with the weekday, the way people read dates in Vietnam."""
    from django.utils.formats import date_format

    return f"{date_format(value, 'l')} {value:%d/%m/%Y %H:%M}"
