"""`congso privacy purge [--dry-run]`: remove access-log rows older than CONGSO_ACCESS_LOG_RETENTION_DAYS."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.privacy.models import AccessLog
from congso.privacy.services import purge_access_logs, retention_days


class Command(BaseCommand):
    help = "Personal data: purge the access log past its retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="Delete access-log rows older than the retention period.")
        purge.add_argument("--dry-run", action="store_true", help="Only count; delete nothing.")

    def handle(self, *args, **options):
        days = retention_days()
        if options["dry_run"]:
            count = AccessLog.objects.filter(at__lt=timezone.now() - dt.timedelta(days=days)).count()
            self.stdout.write(_("%(count)d access-log row(s) older than %(days)d days would be deleted.")
                              % {"count": count, "days": days})
            return
        count = purge_access_logs()
        self.stdout.write(_("%(count)d access-log row(s) older than %(days)d days deleted.")
                          % {"count": count, "days": days})
