"""congso demo_bulk --dossiers N [--years Y] [--seed S] [--resume]: years of dossiers for the demo province, fast."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from congso.demo import bulk


class Command(BaseCommand):
    help = "Write N generated dossiers with their history straight into the tables (COPY on PostgreSQL), resumably."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, required=True, help="total number of bulk dossiers wanted")
        parser.add_argument("--years", type=float, default=1.0, help="spread over the last Y years (default 1)")
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument("--resume", action="store_true",
                            help="continue an interrupted run (the default when bulk dossiers exist)")

    def handle(self, *args, dossiers, years, seed, resume, **options):
        if not 1 <= dossiers <= 50_000_000:
            raise CommandError("--dossiers runs from 1 to 50,000,000.")
        if not 0.01 <= years <= 30:
            raise CommandError("--years runs from 0.01 to 30.")
        existing = bulk.done_so_far()
        if existing and not resume:
            self.stdout.write(f"{existing} bulk dossiers already there: continuing from them.")
        if existing >= dossiers:
            self.stdout.write(f"Nothing to do: {existing} bulk dossiers already.")
            return
        try:
            needed, free = bulk.check_disk(dossiers - existing)
        except bulk.NotEnoughDisk as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"About {needed / 1e9:.2f} GB needed, {free / 1e9:.1f} GB free.")
        started = time.monotonic()

        def progress(done):
            rate = (done - existing) / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"  {done} / {dossiers} dossiers ({rate:.0f}/s)", ending="\r")
            self.stdout.flush()

        try:
            result = bulk.generate_bulk(dossiers, years, seed, progress=progress, check_space=False)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(f"\n{result['dossiers']} bulk dossiers ({result['dossiers'] - existing} new in "
                          f"{elapsed:.0f} s).")
