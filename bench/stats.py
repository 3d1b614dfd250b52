"""Benchmark: statistics and Decision 766 counts from the incremental aggregates against the naive recount from the
dossier tables, on PostgreSQL; and the engine's throughput with and without the aggregates being maintained.

    .venv/bin/python bench/stats.py [--scale 20000] [--years Y] [--repeat 5] [--lifecycles 60] [--keep-db]
                                    [--reuse] [--check]

1. A fresh database `congso_bench_stats` (migrated, demo province with its catalogue), then `--scale` dossiers
   written by the bulk history generator (congso/demo/bulk.py: COPY, aggregates updated chunk by chunk), spread over
   `--years` (default: 10 years per 6,000,000 dossiers, at least 1). `--reuse` keeps an existing database and
   continues the bulk run (resumable) instead of starting again.
2. Each query is run `--repeat` times from the aggregates and (fewer times when slow) as the naive recount from the
   dossier tables, in the same process; the figure is the median in ms, the ratio recount ÷ aggregates, and whether
   the two answers are identical:
   - the province's Decision 766 dossier counts for one year (all agencies pooled);
   - the statistics page (rows by level) for one quarter;
   - dashboard queries: monthly trend (12 months), late resolutions by agency × procedure (top 20, one quarter),
     in progress now by agency (within / past the deadline), satisfaction (one quarter), on time by level (this
     month).
3. Actions per second of the engine (create + 5 actions per dossier, one process, as bench/lifecycle.py), in
   alternating rounds with the aggregates' receiver connected and disconnected (the baseline). The baseline's
   dossiers are re-synced afterwards so the aggregates stay exact.
Targets (issue 7): province index counts for a year < 300 ms and ≥ 50× faster than the recount; every dashboard
query < 100 ms; the aggregates cost ≤ 20% of action throughput. With --check, `congso stats check` runs at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (the bench directory is not a package)
    bench_environment,
    busy_share,
    close_django_connections,
    drop_database,
    machine_line,
    pg_connect,
    pg_url,
    print_table,
    recreate_database,
    server_settings,
    setup_django,
)

DB_NAME = "congso_bench_stats"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=20_000, help="dossiers to generate (6,000,000 = 10 years)")
    parser.add_argument("--years", type=float, default=None, help="spread over Y years (default: from the scale)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query from the aggregates")
    parser.add_argument("--lifecycles", type=int, default=60, help="dossiers per round for actions/s (6 actions)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds with / without the aggregates")
    parser.add_argument("--keep-db", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database and resume the bulk run")
    parser.add_argument("--skip-throughput", action="store_true", help="only the query figures")
    parser.add_argument("--check", action="store_true", help="run `congso stats check` at the end (slow at scale)")
    parser.add_argument("--rebuild", action="store_true",
                        help="with --reuse: migrate and recount the aggregates (`congso stats rebuild`) first")
    return parser.parse_args(argv)


def database_exists(name: str) -> bool:
    with pg_connect() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def timed(call, repeat: int) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs, and the last answer."""
    samples, answer = [], None
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        answer = call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), answer


def compare(label: str, fast, slow, repeat: int, target_ms: float | None, target_ratio: float | None) -> list[str]:
    fast_ms, fast_answer = timed(fast, repeat)
    slow_ms, slow_answer = timed(slow, max(1, repeat // 2) if repeat > 2 else 1)
    ratio = slow_ms / fast_ms if fast_ms else float("inf")
    verdicts = []
    if target_ms is not None:
        verdicts.append(f"< {target_ms:.0f} ms {'yes' if fast_ms < target_ms else 'NO'}")
    if target_ratio is not None:
        verdicts.append(f"≥ {target_ratio:.0f}× {'yes' if ratio >= target_ratio else 'NO'}")
    same = _normalise(fast_answer) == _normalise(slow_answer)
    return [label, f"{fast_ms:.1f}", f"{slow_ms:.1f}", f"{ratio:.1f}×", "yes" if same else "NO", "; ".join(verdicts)]


def _normalise(answer):
    if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], list):  # (rows, total)
        rows, total = answer
        return [(r.key, r.values) for r in rows], total.values
    return answer


def last_full_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    q = (today.month - 1) // 3
    year = today.year if q else today.year - 1
    q = q or 4
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end_month = 3 * q
    end = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1))
    return start, end


def generate(args, years: float) -> float:
    from congso.demo import bulk

    existing = bulk.done_so_far()
    needed, free = bulk.check_disk(max(0, args.scale - existing))
    print(f"  bulk: {existing} dossiers already, {args.scale} wanted over {years:.2f} years; about "
          f"{needed / 1e9:.2f} GB needed, {free / 1e9:.0f} GB free", flush=True)
    began = time.monotonic()

    def progress(done):
        rate = (done - existing) / max(time.monotonic() - began, 1e-6)
        print(f"    {done} dossiers ({rate:.0f}/s)", flush=True)

    bulk.generate_bulk(args.scale, years, progress=progress if args.scale >= 20_000 else None, check_space=False)
    return time.monotonic() - began


def query_figures(args) -> list[list[str]]:
    from django.utils import timezone

    from congso.org.models import Agency
    from congso.stats import dashboard
    from congso.stats.queries import dossier_counts, recount_dossier_counts
    from congso.stats.statistics import Filters, recount_statistics_rows, statistics_rows

    ids = list(Agency.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    year_end = today - dt.timedelta(days=1)
    year_start = year_end - dt.timedelta(days=364)
    as_of = timezone.make_aware(dt.datetime.combine(year_end, dt.time(23, 59, 59)))
    q_start, q_end = last_full_quarter(today)
    month_start = today.replace(day=1)
    trend_start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    r = args.repeat
    rows = [
        compare(f"766 dossier counts, province, {year_start:%d/%m/%Y}–{year_end:%d/%m/%Y}",
                lambda: dossier_counts(ids, year_start, year_end, as_of),
                lambda: recount_dossier_counts(ids, year_start, year_end, as_of), r, 300, 50),
        compare(f"statistics page by level, {q_start:%d/%m/%Y}–{q_end:%d/%m/%Y}",
                lambda: statistics_rows(Filters(ids), q_start, q_end, "level"),
                lambda: recount_statistics_rows(Filters(ids), q_start, q_end, "level"), r, None, None),
        compare("dashboard: monthly trend, 12 months",
                lambda: dashboard.monthly_trend(ids, trend_start, today),
                lambda: dashboard.recount_monthly_trend(ids, trend_start, today), r, 100, None),
        compare("dashboard: late by agency × procedure, quarter",
                lambda: dashboard.late_by_agency_procedure(ids, q_start, q_end),
                lambda: dashboard.recount_late_by_agency_procedure(ids, q_start, q_end), r, 100, None),
        compare("dashboard: in progress now by agency",
                lambda: dashboard.in_progress_now(ids, today),
                lambda: dashboard.recount_in_progress_now(ids, today), r, 100, None),
        compare("dashboard: satisfaction, quarter",
                lambda: dashboard.satisfaction(ids, q_start, q_end),
                lambda: dashboard.recount_satisfaction(ids, q_start, q_end), r, 100, None),
        compare("dashboard: on time by level, this month",
                lambda: statistics_rows(Filters(ids), month_start, today, "level"),
                lambda: recount_statistics_rows(Filters(ids), month_start, today, "level"), r, 100, None),
    ]
    return rows


def throughput(args) -> list[list[str]]:
    """Actions per second with and without the aggregates, alternating rounds (same process, same data)."""
    from lifecycle import ACTIONS_PER_DOSSIER, EngineClient, build_world

    from congso.dossiers.models import Dossier
    from congso.stats import maintain, signals

    world = build_world(SimpleNamespace(procedure=None, no_files=True, workers=1, prepared=False, http_minimal=False,
                                        dossiers=args.lifecycles * args.rounds * 2 + 2, profile=0))
    client = EngineClient(world, 0)
    client.lifecycle("warm-up", world.start_at(0, 0))
    rates: dict[str, list[float]] = {"with": [], "without": []}
    baseline_codes: list[str] = []
    slot = 1
    for round_no in range(args.rounds):
        for mode in ("with", "without") if round_no % 2 == 0 else ("without", "with"):
            if mode == "without":
                signals.disconnect()
            try:
                began = time.perf_counter()
                for _ in range(args.lifecycles):
                    code = client.lifecycle(f"bench-{mode}", world.start_at(0, slot))
                    slot += 1
                    if mode == "without":
                        baseline_codes.append(code)
                elapsed = time.perf_counter() - began
            finally:
                if mode == "without":
                    signals.connect()
            rates[mode].append(args.lifecycles * ACTIONS_PER_DOSSIER / elapsed)
    # The baseline's dossiers were made without the receiver: bring the aggregates back to exact.
    maintain.resync(Dossier.objects.filter(code__in=baseline_codes).values_list("pk", flat=True))
    with_rate, without_rate = statistics.median(rates["with"]), statistics.median(rates["without"])
    cost = 1 - with_rate / without_rate
    return [
        ["without aggregates (baseline)", f"{without_rate:.1f}", " / ".join(f"{x:.1f}" for x in rates["without"]), ""],
        ["with aggregates", f"{with_rate:.1f}", " / ".join(f"{x:.1f}" for x in rates["with"]),
         f"cost {cost:.1%}; ≤ 20% {'yes' if cost <= 0.20 else 'NO'}"],
    ]


def table_sizes() -> list[list[str]]:
    with pg_connect(DB_NAME) as conn:
        rows = conn.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "WHERE relname IN ('dossiers_dossier', 'dossiers_processingevent', 'stats_receivedfact', "
            "'stats_endedfact', 'stats_deadlinefact', 'stats_dossierstatsstate') ORDER BY relname").fetchall()
    return [[name, f"{n:,}", f"{size / 1e6:.1f} MB"] for name, n, size in rows]


def main(argv=None) -> int:
    args = parse_args(argv)
    years = args.years or max(1.0, 10 * args.scale / 6_000_000)
    scratch = Path(tempfile.mkdtemp(prefix="congso-bench-stats-"))
    env = bench_environment(pg_url(DB_NAME), scratch / "media")
    print(f"congso statistics benchmark — {machine_line()}")
    print(f"  server: {server_settings()}")
    busy = busy_share(2.0)
    if busy > 0.25:
        print(f"  WARNING: the machine is not idle ({busy:.0%} of the CPU busy with other work); figures are noisy")
    fresh = not (args.reuse and database_exists(DB_NAME))
    if fresh:
        recreate_database(DB_NAME)
    setup_django(env)
    try:
        if fresh:
            from lifecycle import prepare_database

            timings = prepare_database(env)
            print(f"  setup: migrate {timings['migrate']:.1f} s, demo {timings['demo']:.1f} s")
        else:
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
            if args.rebuild:
                from congso.stats.rebuild import rebuild_all

                began = time.monotonic()
                n = rebuild_all()
                print(f"  stats rebuild: {n} dossiers in {time.monotonic() - began:.0f} s", flush=True)
        elapsed = generate(args, years)
        print(f"  generated in {elapsed:.0f} s; ANALYZE …", flush=True)
        with pg_connect(DB_NAME) as conn:
            conn.execute("ANALYZE")
        print_table("Tables", ["table", "rows", "size"], table_sizes(), align="lrr")
        headers = ["query", "aggregates ms", "recount ms", "ratio", "identical", "targets"]
        print_table(f"Queries (median of {args.repeat} from the aggregates; recount in the same run)", headers,
                    query_figures(args), align="lrrrll")
        if not args.skip_throughput:
            print_table(f"Engine throughput, actions/s (one process, {args.lifecycles} dossiers × 6 actions per round, "
                        f"{args.rounds} rounds alternating)", ["mode", "median", "rounds", "verdict"],
                        throughput(args), align="lrll")
        if args.check:
            from congso.stats.rebuild import check

            began = time.monotonic()
            report = check()
            print(f"\nstats check: {'OK' if report.ok else 'DIFFERENCES'} — {report.dossiers} dossiers, "
                  f"{report.rows} aggregate rows, {time.monotonic() - began:.0f} s")
            for line in report.differences[:10]:
                print("  " + line)
    finally:
        close_django_connections()
        if not args.keep_db:
            drop_database(DB_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
