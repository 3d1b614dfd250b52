"""Benchmark: the staff workspace's pages with 100,000 dossiers in the database.

    .venv/bin/python bench/worklist.py [--dossiers 100000] [--open-share 0.3] [--targets postgres,sqlite] [--runs 15]

Builds the same data as bench/sweeps.py (20 agencies with departments and staff; `--open-share` of the dossiers
open, each with a current step, 80 % held by a specialist; the rest finished), plus each dossier's participants (the
receiving and the handling agency: what `Dossier.objects.for_user` scopes by). Then, through Django's test client
in this process (the whole view: middleware, session, the queries, the template), times each page for the busiest
specialist, their agency's leader and the service centre's desk officer: median and 95th percentile of `--runs`
requests after one warm-up, with the number of queries. Baseline, in the same run: GET /healthz through the same
client (the framework's floor: one `SELECT 1`).

Databases: `congso_bench_worklist` on PostgreSQL (recreated; dropped at the end unless --keep-db), an SQLite file.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (the bench directory is not a package)
    analyze,
    bench_environment,
    close_django_connections,
    drop_database,
    load_average,
    machine_line,
    percentile,
    pg_url,
    print_table,
    recreate_database,
    setup_django,
)

DB_NAME = "congso_bench_worklist"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--open-share", type=float, default=0.3)
    parser.add_argument("--targets", default="postgres,sqlite")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--seed", type=int, default=766)
    parser.add_argument("--profile", default="", help="also print a cProfile of this URL")
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    print(f"congso worklist benchmark: {args.dossiers:,} dossiers, {args.open_share:.0%} open; "
          f"load {load_average():.2f}")
    print(f"machine: {machine_line()}")
    tmp = Path(tempfile.mkdtemp(prefix="congso-bench-worklist-"))
    try:
        for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
            if target == "postgres":
                recreate_database(DB_NAME)
                url = pg_url(DB_NAME)
            elif target == "sqlite":
                url = f"sqlite:///{tmp / 'worklist.sqlite3'}"
            else:
                raise SystemExit(f"unknown target {target!r}")
            command = [sys.executable, __file__, "--target", target, "--url", url, "--dossiers", str(args.dossiers),
                       "--open-share", str(args.open_share), "--seed", str(args.seed), "--runs", str(args.runs),
                       "--profile", args.profile]
            env = {**os.environ, **bench_environment(url, tmp / target / "media")}
            done = subprocess.run(command, env=env, check=False)
            if target == "postgres" and not args.keep_db:
                drop_database(DB_NAME)
            if done.returncode:
                raise SystemExit(done.returncode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_target(args) -> None:
    media = os.environ.get("CONGSO_MEDIA_ROOT") or str(Path(tempfile.mkdtemp(prefix="congso-bench-media-")) / "media")
    env = bench_environment(args.url, media)
    env["CONGSO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    setup_django(env)
    import sweeps  # the data builder of bench/sweeps.py
    from django.core.management import call_command
    from django.db import connection

    print(f"\n=== {args.target}: {connection.vendor} ===")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    random.seed(args.seed)
    now = sweeps.local_now()
    started = time.perf_counter()
    counts = sweeps.build(args.dossiers, args.open_share, now)
    with connection.cursor() as cursor:
        for column in ("handling_agency_id", "receiving_agency_id"):
            cursor.execute(
                "INSERT INTO dossiers_dossierparticipant (dossier_id, agency_id) "
                f"SELECT d.id, d.{column} FROM dossiers_dossier d WHERE NOT EXISTS (SELECT 1 FROM "
                f"dossiers_dossierparticipant p WHERE p.dossier_id = d.id AND p.agency_id = d.{column})")
    print(f"build: {time.perf_counter() - started:.1f} s — " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if connection.vendor == "postgresql":
        close_django_connections()
        analyze(DB_NAME)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure(args.runs, profile=args.profile)
    close_django_connections()


def people():
    """The busiest specialist, their agency's leader, and the service centre's desk officer."""
    from django.db.models import Count

    from congso.accounts.models import User
    from congso.dossiers.models import Dossier
    from congso.org.choices import Role
    from congso.org.models import Membership

    busiest = (Dossier.objects.filter(finished_at__isnull=True, holder__isnull=False).values("holder_id")
               .annotate(n=Count("pk")).order_by("-n").first())
    specialist = User.objects.get(pk=busiest["holder_id"])
    agency_id = Membership.objects.filter(user=specialist).values_list("agency_id", flat=True).first()
    leader = User.objects.get(memberships__agency_id=agency_id, memberships__role=Role.AGENCY_LEADER)
    desk = User.objects.get(username="desk")
    return {"specialist": specialist, "leader": leader, "desk": desk}, busiest["n"]


def measure(runs: int, profile: str = "") -> None:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # One connection for the whole run (as the pool gives a worker), and no reset of the query log at each request
    # start (Django's own receiver), so the queries of a request stay countable.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
    who, held = people()
    print(f"busiest specialist holds {held:,} open dossiers")
    pages = [
        ("baseline: /healthz", "specialist", "/healthz"),
        ("home with counts (specialist)", "specialist", "/can-bo/"),
        ("to do (specialist)", "specialist", "/can-bo/viec/todo/"),
        ("overdue (specialist)", "specialist", "/can-bo/viec/overdue/"),
        ("due within 2 days (specialist)", "specialist", "/can-bo/viec/due_soon/"),
        ("to do, page 5, sorted by received", "specialist", "/can-bo/viec/todo/?sort=-received&page=5"),
        ("unit list (leader)", "leader", "/can-bo/viec/unit/"),
        ("unit list filtered by name (leader)", "leader", "/can-bo/viec/unit/?q=nguyen+van"),
        ("supervision (leader)", "leader", "/can-bo/giam-sat/"),
        ("search by code (desk)", "desk", "/can-bo/tim-kiem/?q=B-0012345"),
        ("transferred out (desk)", "desk", "/can-bo/viec/transferred/"),
    ]
    clients = {}
    for role, user in who.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    rows = []
    baseline = None
    for label, role, url in pages:
        client = clients[role]
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        median = statistics.median(samples)
        baseline = baseline or median
        rows.append([label, f"{median:.1f}", f"{percentile(samples, 95):.1f}", f"{median / baseline:.1f}×",
                     str(len(queries))])
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        clients["specialist"].get(profile)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    print_table("page times (ms, in-process client, whole view)", ["page", "median", "p95", "× baseline", "queries"],
                rows, align="lrrrr")


if __name__ == "__main__":
    main()
