from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from congso.demo.builder import DEMO_PASSWORD, build_demo, demo_exists, listed_accounts


class Command(BaseCommand):
    help = "Build the demo province (units, agencies, staff, applicants, catalogue). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo province exists.")
        parser.add_argument("--accounts", action="store_true", help="Only print the demo accounts.")
        parser.add_argument("--no-catalogue", action="store_true", help="Skip the demo procedure catalogue.")
        parser.add_argument("--dossiers", type=int, default=0, help="Also generate this many dossier histories.")
        parser.add_argument("--months", type=int, default=6, help="Spread the histories over this many months.")
        parser.add_argument("--seed", type=int, default=766, help="Random seed of the history generator.")

    def handle(self, *args, if_empty=False, accounts=False, no_catalogue=False, dossiers=0, months=6, seed=766,
               **options):
        if accounts:
            self.print_accounts()
            return
        if dossiers < 0 or dossiers > 10_000_000 or months < 1 or months > 240:
            raise CommandError(_("Give 0 to 10,000,000 dossiers over 1 to 240 months."), returncode=2)
        if if_empty and demo_exists():
            self.stdout.write(_("The demo province is already loaded."))
            return
        result = build_demo(with_catalogue=not no_catalogue)
        if result.created:
            self.stdout.write(self.style.SUCCESS(
                _("Demo province built: %(u)d units, %(a)d agencies, %(s)d staff, %(p)d applicants.")
                % {"u": result.units, "a": result.agencies, "s": result.staff, "p": result.applicants}
            ))
        else:
            self.stdout.write(_("The demo province is already loaded."))
        if result.catalogue is not None:
            self.stdout.write(_("Catalogue: %(summary)s") % {"summary": getattr(result.catalogue, "summary", lambda: result.catalogue)()})
        if dossiers:
            self.generate(dossiers, months, seed)

    def generate(self, dossiers: int, months: int, seed: int) -> None:
        import time

        from congso.demo.history import generate_history

        started = time.monotonic()

        def progress(done):
            self.stdout.write(_("  %(n)d dossiers…") % {"n": done})

        stats = generate_history(dossiers, months, seed=seed, progress=progress)
        self.stdout.write(self.style.SUCCESS(
            _("Dossier histories: %(n)d in %(s).0f s (%(detail)s).") % {
                "n": stats.get("dossiers", 0), "s": time.monotonic() - started,
                "detail": ", ".join(f"{k} {v}" for k, v in sorted(stats.items()) if k != "dossiers"),
            }
        ))

    def print_accounts(self):
        rows = listed_accounts()
        if not rows:
            self.stdout.write(_("No demo accounts: run `congso demo` first."))
            return
        self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD})
        width = max(len(r[0]) for r in rows)
        for username, role, where in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} – {where}")
        self.stdout.write(_("Administrators log in with a second factor: `congso otp_code quantri` prints the demo "
                            "account's current code."))
