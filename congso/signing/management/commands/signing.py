"""`congso signing demo-ca [--agencies all|CODE …]` and `congso signing export-ca [--output FILE]`.

demo-ca makes the demo certificate authority once and gives the agencies a signing certificate (only those without a
valid one: running it again changes nothing). export-ca prints the CA certificate(s) as PEM, for people and
programs that want to trust signatures made here (docs/signatures.md).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.org.models import Agency
from congso.signing.certificates import ensure_demo_certificates, roots_pem


class Command(BaseCommand):
    help = "Digital signatures: the demo certificate authority and the agencies' signing certificates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo-ca", help="Make the demo CA (once) and certificates for agencies without one.")
        demo.add_argument("--agencies", nargs="+", default=["all"], metavar="CODE",
                          help="'all' (the default: every agency in operation) or agency codes.")
        export = sub.add_parser("export-ca", help="Print the trusted CA certificate(s) as PEM.")
        export.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        if options["action"] == "export-ca":
            return self._export(options.get("output"))
        codes = options["agencies"]
        if codes == ["all"]:
            agencies = [a for a in Agency.objects.order_by("code") if a.is_active]
        else:
            found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
            missing = [c for c in codes if c not in found]
            if missing:
                raise CommandError(f"Unknown agency code(s): {', '.join(missing)}")
            agencies = [found[c] for c in codes]
        issued = ensure_demo_certificates(agencies)
        for certificate in issued:
            self.stdout.write(f"{certificate.agency.code}\t{certificate.common_name}\tserial {certificate.serial}\t"
                              f"valid until {certificate.not_after:%d/%m/%Y}")
        self.stdout.write(f"{len(issued)} certificate(s) issued; {len(agencies) - len(issued)} agency(ies) already "
                          f"had a valid one.")

    def _export(self, output: str | None):
        pem = roots_pem()
        if not pem:
            raise CommandError("There is no CA yet: run `congso signing demo-ca` first.")
        if output:
            Path(output).write_text(pem)
            self.stdout.write(f"Written to {output}")
        else:
            self.stdout.write(pem, ending="")
