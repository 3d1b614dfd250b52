"""`congso beat [--interval 60] [--once] [--wait] [--ticks N] [--lease SECONDS] [--status]`.

The one periodic process: every interval it enqueues the sweeps that are due (docs/operations-beat.md). Only one
beat runs at a time; a second one exits with code 3, or stands by with `--wait`. Bad options exit with code 2.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.env import ConfigurationError
from congso.operations import conf
from congso.operations.beat import AlreadyRunning, Beat, LostLease
from congso.operations.services import schedule
from congso.operations.services.lock import Lease

EXIT_USAGE = 2
EXIT_LOCKED = 3
MAX_INTERVAL = 86_400.0


class Command(BaseCommand):
    help = "Run the periodic beat: enqueue reminders, escalations, outbox delivery and other sweeps when due."

    def add_arguments(self, parser):
        parser.add_argument("--interval", default=None,
                            help="Seconds between ticks (default CONGSO_BEAT_INTERVAL or 60).")
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--ticks", default=None, help="Exit after this many ticks.")
        parser.add_argument("--wait", action="store_true",
                            help="If another beat holds the lock, stand by until it is free instead of exiting.")
        parser.add_argument("--lease", default=None,
                            help="Seconds a lease lasts without renewal (default 3 intervals).")
        parser.add_argument("--status", action="store_true", help="Print the lock and the schedule, then exit.")

    def handle(self, *args, **options):
        interval, lease, ticks = self._check(options)
        if options["status"]:
            self._status(interval, lease)
            return
        stop = threading.Event()
        previous = self._install_signals(stop)
        beat = Beat(interval=interval, lease=dt.timedelta(seconds=lease), wait=options["wait"], max_ticks=ticks,
                    stop=stop, say=self._say)
        try:
            beat.run()
        except (AlreadyRunning, LostLease) as exc:
            raise CommandError(str(exc), returncode=EXIT_LOCKED) from None
        finally:
            self._restore_signals(previous)

    # --- options -------------------------------------------------------------------------------------------------

    def _check(self, options) -> tuple[float, float, int | None]:
        errors = []
        try:
            default_interval = conf.beat_interval()
        except ConfigurationError as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from None
        interval = _seconds(options["interval"], default_interval, "--interval", errors, maximum=MAX_INTERVAL)
        lease = _seconds(options["lease"], (interval or default_interval) * conf.LEASE_INTERVALS, "--lease", errors,
                         maximum=MAX_INTERVAL * conf.LEASE_INTERVALS)
        ticks = None
        if options["once"]:
            ticks = 1
        if options["ticks"] is not None:
            try:
                ticks = int(options["ticks"])
                if ticks < 1:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(_("--ticks: give a whole number of 1 or more."))
            if options["once"]:
                errors.append(_("--once and --ticks cannot be used together."))
        if interval is not None and lease is not None and lease <= interval:
            errors.append(_("--lease: the lease must be longer than the interval (3 intervals is the default)."))
        try:
            schedule.schedule()
        except ConfigurationError as exc:
            errors.append(str(exc))
        if errors:
            raise CommandError("\n".join(errors), returncode=EXIT_USAGE)
        return interval, lease, ticks

    # --- signals -------------------------------------------------------------------------------------------------

    def _install_signals(self, stop: threading.Event):
        if threading.current_thread() is not threading.main_thread():
            return None  # signals can only be handled in the main thread (tests run the command in threads)

        def handler(signum, frame):
            stop.set()

        return {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def _restore_signals(self, previous) -> None:
        for sig, handler in (previous or {}).items():
            signal.signal(sig, handler)

    # --- output --------------------------------------------------------------------------------------------------

    def _say(self, message: str) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self.stdout.write(f"{stamp} {message}")
        self.stdout.flush()

    def _status(self, interval: float, lease: float) -> None:
        current = Lease(lease=dt.timedelta(seconds=lease)).current()
        now = timezone.now()
        if current is None or not current.holder or current.expires_at < now:
            self.stdout.write(_("Lock: free"))
        else:
            self.stdout.write(_("Lock: held by %(holder)s until %(expires)s") % {
                "holder": current.holder, "expires": _when(current.expires_at)})
        self.stdout.write(_("Tick every %(interval)s s") % {"interval": f"{interval:g}"})
        header = (_("Sweep"), _("Every"), _("Next run"), _("Last finished"), _("Count"), _("Last error"))
        rows = [header]
        for item in schedule.describe():
            row = item["row"]
            rows.append((
                item["name"], _every(item["every"]),
                _when(row.next_due_at) if row else "-",
                _when(row.last_finished) if row and row.last_finished else "-",
                str(row.last_count) if row and row.last_count is not None else "-",
                (row.last_error[:60] if row and row.last_error else ""),
            ))
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
        for row in rows:
            self.stdout.write("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _seconds(raw, default: float, name: str, errors: list, *, maximum: float) -> float | None:
    if raw is None:
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors.append(_("%(option)s: give a number of seconds.") % {"option": name})
        return None
    if not (0.05 <= value <= maximum):
        errors.append(_("%(option)s: give a number of seconds from 0.05 to %(maximum)d.")
                      % {"option": name, "maximum": maximum})
        return None
    return value


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S")


def _every(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{value.total_seconds():g} s"
