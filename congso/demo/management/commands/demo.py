from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from congso.demo.builder import DEMO_PASSWORD, build_demo, demo_exists, listed_accounts


class Command(BaseCommand):
    help = "Build the demo province (units, agencies, staff, applicants, catalogue). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo province exists.")
        parser.add_argument("--accounts", action="store_true", help="Only print the demo accounts.")
        parser.add_argument("--no-catalogue", action="store_true", help="Skip the demo procedure catalogue.")

    def handle(self, *args, if_empty=False, accounts=False, no_catalogue=False, **options):
        if accounts:
            self.print_accounts()
            return
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

    def print_accounts(self):
        rows = listed_accounts()
        if not rows:
            self.stdout.write(_("No demo accounts: run `congso demo` first."))
            return
        self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD})
        width = max(len(r[0]) for r in rows)
        for username, role, where in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} – {where}")
