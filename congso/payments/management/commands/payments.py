"""`congso payments reconcile [--since YYYY-MM-DD | --since 2025-01-20T09:00]`: ask the gateway (querydr) about
every open or expired order created since then (default: 7 days) and settle it; safe to repeat."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from congso.payments.services import reconcile


def _since(value: str) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD) or a date and time (ISO 8601)")
        moment = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Online payments: reconcile open orders with the gateway."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="Query the gateway about open orders and settle them.")
        rec.add_argument("--since", type=_since, default=None,
                         help="only orders created since this date or time (local time; default: 7 days ago)")

    def handle(self, *args, **options):
        report = reconcile(since=options["since"])
        self.stdout.write(
            f"checked={report.checked} paid={report.paid} failed={report.failed} expired={report.expired} "
            f"open={report.still_open} mismatched={report.mismatched} errors={report.errors}"
        )
        if report.errors:
            raise CommandError(f"{report.errors} order(s) could not be checked: the gateway did not answer properly")
