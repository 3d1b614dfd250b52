"""Response times of the public portal's search and dossier lookup on the demo catalogue.

Runs Django's test client in-process (the whole middleware stack, templates, the database) against an existing demo
database, built once with:

    createdb -h 127.0.0.1 -U postgres congso_portal_demo
    CONGSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/congso_portal_demo .venv/bin/congso migrate
    CONGSO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/congso_portal_demo .venv/bin/congso demo --dossiers 2500 --months 12

then:

    .venv/bin/python bench/portal.py                       # 50 rounds of every request
    .venv/bin/python bench/portal.py --pad-to 100000       # first add synthetic dossiers up to 100,000 rows
    .venv/bin/python bench/portal.py --unpad               # remove the synthetic dossiers again

Prints the median and 95th percentile per request and their ratio to /healthz (one `SELECT 1` through the same stack,
measured in the same run). Synthetic dossiers are copies of demo dossiers with codes `BENCH-nnnnnnn` and
origin "bench"; they exist only to make the dossier table as large as a province's year.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import percentile, pg_url, print_table  # noqa: E402


def setup(database: str) -> None:
    os.environ["CONGSO_DATABASE_URL"] = pg_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings")
    os.environ["CONGSO_PORTAL_LOOKUP_LIMIT"] = str(10**9)  # measure the lookup, not the rate limit
    os.environ.setdefault("CONGSO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)


def pad(target: int) -> None:
    from django.db import transaction

    from congso.dossiers.models import Dossier

    have = Dossier.objects.count()
    if have >= target:
        print(f"{have} dossiers already, nothing to add")
        return
    templates = list(Dossier.objects.exclude(origin="bench").order_by("id")[:500])
    start = Dossier.objects.filter(origin="bench").count()
    missing, batch, made = target - have, 2000, 0
    began = time.perf_counter()
    while made < missing:
        rows = []
        for i in range(min(batch, missing - made)):
            source = templates[(made + i) % len(templates)]
            row = Dossier(**{f.attname: getattr(source, f.attname) for f in Dossier._meta.concrete_fields
                             if f.attname not in ("id", "code", "current_step_id")})
            row.code = f"BENCH-{start + made + i:07d}"
            row.origin = "bench"
            rows.append(row)
        with transaction.atomic():
            Dossier.objects.bulk_create(rows)
        made += len(rows)
    print(f"added {made} synthetic dossiers in {time.perf_counter() - began:.1f} s "
          f"({Dossier.objects.count()} in all)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")


def unpad() -> None:
    from congso.dossiers.models import Dossier

    deleted = Dossier.objects.filter(origin="bench").delete()
    print(f"removed {deleted[0]} rows")


def measure(rounds: int) -> None:
    from django.test import Client

    from congso.catalog.models import ProcedureVersion
    from congso.dossiers.models import Dossier

    client = Client()
    real = Dossier.objects.exclude(origin="bench").exclude(applicant_phone="").order_by("-id").first()
    popular = ProcedureVersion.objects.in_force().order_by("procedure__code").first()
    field_id = popular.field_id
    agency = popular.implementations.first().agency.code if popular.implementations.exists() else ""
    requests = {
        "healthz (baseline)": ("get", "/healthz", {}),
        "search 'dang ky khai sinh'": ("get", "/thu-tuc/", {"q": "dang ky khai sinh"}),
        "search 'khai sinh' + online=full": ("get", "/thu-tuc/", {"q": "khai sinh", "online_mode": "full"}),
        "search, no words, page 1": ("get", "/thu-tuc/", {}),
        "search by field + agency": ("get", "/thu-tuc/", {"field": field_id, "agency": agency}),
        "search, no match": ("get", "/thu-tuc/", {"q": "khong co thu tuc nay"}),
        "procedure page": ("get", f"/thu-tuc/{popular.procedure.code}/", {}),
        "lookup form (QR link)": ("get", f"/tra-cuu/{real.code}", {}),
        "lookup: code + phone (hit)": ("post", "/tra-cuu/", {"code": real.code, "factor": real.applicant_phone}),
        "lookup: wrong phone": ("post", "/tra-cuu/", {"code": real.code, "factor": "0900000000"}),
        "lookup: unknown code": ("post", "/tra-cuu/", {"code": "000.00.00.H99-000000-0000", "factor": "0900000000"}),
    }
    samples: dict[str, list[float]] = {name: [] for name in requests}
    for name, (method, url, data) in requests.items():  # warm-up
        response = getattr(client, method)(url, data)
        assert response.status_code == 200, (name, response.status_code)
    for _ in range(rounds):
        for name, (method, url, data) in requests.items():
            began = time.perf_counter()
            response = getattr(client, method)(url, data)
            samples[name].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
    base = statistics.median(samples["healthz (baseline)"])
    rows = [[name, f"{statistics.median(v):.1f}", f"{percentile(v, 95):.1f}", f"{statistics.median(v) / base:.1f}×"]
            for name, v in samples.items()]
    print_table(f"Portal response times, {rounds} rounds, {Dossier.objects.count()} dossiers, "
                f"{ProcedureVersion.objects.in_force().count()} procedures in force",
                ["request", "median ms", "p95 ms", "× healthz"], rows, align="lrrr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", default="congso_portal_demo")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--pad-to", type=int, default=0, help="add synthetic dossiers up to this many rows first")
    parser.add_argument("--unpad", action="store_true", help="remove the synthetic dossiers and stop")
    args = parser.parse_args()
    setup(args.database)
    if args.unpad:
        unpad()
        return
    if args.pad_to:
        pad(args.pad_to)
    measure(args.rounds)


if __name__ == "__main__":
    main()
