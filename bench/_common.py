"""Shared helpers for congso's benchmarks (bench/*.py).

Nothing here imports Django at module level: benchmark scripts start worker processes with the 'spawn' method, and
each process must be able to import its script, set the environment, and only then call `setup_django()`.

Everything runs against the local PostgreSQL server (127.0.0.1:5432, role postgres, trust authentication) unless
the BENCH_PG_HOST / BENCH_PG_PORT / BENCH_PG_USER environment variables say otherwise.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
VENV_BIN = BASE_DIR / ".venv" / "bin"


# --- PostgreSQL ------------------------------------------------------------------------------------------------------


def pg_url(dbname: str) -> str:
    """The CONGSO_DATABASE_URL of a benchmark database."""
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def pg_connect(dbname: str = "postgres", autocommit: bool = True):
    """A plain psycopg connection (outside Django), for administration and monitoring."""
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=autocommit,
                           connect_timeout=10)


_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_name(name: str) -> str:
    if not _DB_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    return name


def drop_database(name: str) -> None:
    """Drop a benchmark database if it exists, disconnecting whoever is still connected to it."""
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')


def recreate_database(name: str) -> None:
    """A fresh, empty database (dropped first if it exists)."""
    drop_database(name)
    with pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{_check_name(name)}"')


def server_version() -> str:
    with pg_connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def server_settings(names=("synchronous_commit", "fsync", "shared_buffers", "max_connections")) -> dict[str, str]:
    with pg_connect() as conn:
        return {n: conn.execute(f"SHOW {n}").fetchone()[0] for n in names}


# --- pgbench baseline ------------------------------------------------------------------------------------------------


@dataclass
class PgbenchResult:
    tps: float
    latency_ms: float | None
    transactions: int | None
    command: str
    client_cpu: float = 0.0  # CPU seconds of the pgbench process during the run
    server_cpu: float = 0.0  # CPU seconds of its PostgreSQL backends during the run

    @property
    def cpu_ms_per_transaction(self) -> float:
        return (self.client_cpu + self.server_cpu) * 1000 / self.transactions if self.transactions else 0.0


_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.M)
_LATENCY = re.compile(r"^latency average = ([0-9.]+) ms", re.M)
_TXNS = re.compile(r"^number of transactions actually processed: (\d+)", re.M)


def parse_pgbench(output: str) -> tuple[float, float | None, int | None]:
    """(tps without initial connection time, average latency in ms, transactions) from pgbench's report."""
    tps = _TPS.search(output)
    if tps is None:
        raise ValueError("no 'tps = … (without initial connection time)' line in pgbench's output:\n" + output)
    latency = _LATENCY.search(output)
    txns = _TXNS.search(output)
    return float(tps.group(1)), float(latency.group(1)) if latency else None, int(txns.group(1)) if txns else None


def run_pgbench(dbname: str, *, clients: int = 4, threads: int = 2, seconds: int = 20, scale: int = 10,
                keep: bool = False) -> PgbenchResult:
    """The baseline: create `dbname`, `pgbench -i -s <scale>`, then `pgbench -N` (TPC-B without the updates of the
    two small tables, so clients do not queue on the same rows) for `seconds`; the database is dropped after."""
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        raise RuntimeError("pgbench is not installed (Debian: postgresql-client or postgresql-contrib)")
    conn_args = ["-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER]
    recreate_database(dbname)
    try:
        subprocess.run([pgbench, *conn_args, "-i", "-q", "-s", str(scale), dbname], check=True,
                       capture_output=True, text=True, timeout=600)
        command = [pgbench, *conn_args, "-N", "-c", str(clients), "-j", str(threads), "-T", str(seconds), dbname]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with ActivitySampler(dbname, interval=0.1, max_seconds=seconds + 120) as sampler:
            done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 120)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        tps, latency, txns = parse_pgbench(done.stdout)
        client_cpu = (children_after.ru_utime + children_after.ru_stime
                      - children_before.ru_utime - children_before.ru_stime)
        return PgbenchResult(tps, latency, txns, " ".join(["pgbench", *command[1:]]), client_cpu=client_cpu,
                             server_cpu=sampler.summary.backends_cpu_seconds)
    finally:
        if not keep:
            drop_database(dbname)


# --- Django ----------------------------------------------------------------------------------------------------------


def bench_environment(database_url: str, media_root: str | Path, var_dir: str | Path | None = None,
                      **extra: str) -> dict[str, str]:
    """Environment variables for a benchmark process (this one, workers, gunicorn): the benchmark database, a
    throw-away media directory, a throw-away CONGSO_VAR_DIR (default: `var` beside `media_root`, so give a
    media root inside a scratch directory), a fixed secret key (so var/secret_key is neither read nor written)
    and quiet logs."""
    var_dir = Path(var_dir) if var_dir is not None else Path(media_root).parent / "var"
    (var_dir / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT: whitenoise warns when it is missing
    env = {
        "DJANGO_SETTINGS_MODULE": "congso.settings",
        "CONGSO_VAR_DIR": str(var_dir),
        "CONGSO_DATABASE_URL": database_url,
        "CONGSO_MEDIA_ROOT": str(media_root),
        "CONGSO_SECRET_KEY": os.environ.get("CONGSO_SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
        "CONGSO_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "CONGSO_DEBUG": "0",
    }
    env.update(extra)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Put `env` into os.environ, then django.setup(). Call once per process, before any model import."""
    os.environ.update(env)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def close_django_connections() -> None:
    """Close this process's connections and connection pools (before dropping the database or forking)."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):
            conn.close()
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None:
            with contextlib.suppress(Exception):
                close_pool()


def use_prepared_statements(threshold: int = 1) -> None:
    """Experiment, this process only: server-side parameter binding, so that psycopg prepares each statement
    after `threshold` executions on a connection and PostgreSQL stops planning it again. congso's settings
    do not do this (Django's default is client-side binding: every statement is parsed and planned anew)."""
    from django.db import connection

    close_django_connections()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    options["server_side_binding"] = True
    options["prepare_threshold"] = threshold


# --- Measuring -------------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_rows(samples: dict[str, list[float]], order: list[str] | None = None) -> list[list[str]]:
    """Table rows (name, n, mean, p50, p95, max in ms) from per-name latency samples in seconds."""
    rows = []
    for name in order or sorted(samples):
        values = samples.get(name) or []
        if not values:
            continue
        ms = [v * 1000 for v in values]
        rows.append([name, str(len(ms)), f"{statistics.fmean(ms):.1f}", f"{percentile(ms, 50):.1f}",
                     f"{percentile(ms, 95):.1f}", f"{max(ms):.1f}"])
    return rows


def format_table(headers: list[str], rows: list[list[str]], align: str | None = None, indent: str = "  ") -> str:
    """A small aligned text table. `align` has one letter per column: 'l' or 'r' (default: first l, rest r)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [list(map(str, headers))] + [list(map(str, r)) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return indent + "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align, strict=True))

    rule = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def print_table(title: str, headers: list[str], rows: list[list[str]], align: str | None = None) -> None:
    print(f"\n{title}")
    print(format_table(headers, rows, align))
    sys.stdout.flush()


@dataclass
class QueryRecord:
    ms: float
    sql: str
    site: str


class QueryLog:
    """Records every SQL statement this process runs on the default database (with its duration and the congso
    call site that issued it) while active. Use around a single operation:

        log = QueryLog()
        with log:
            perform(...)
        log.count, log.db_ms, log.by_site()
    """

    def __init__(self, package_dir: Path = BASE_DIR / "congso", depth: int = 3):
        self.records: list[QueryRecord] = []
        self.marker = str(package_dir) + os.sep
        self.depth = depth
        self.wall_ms = 0.0  # set by the caller if it times the operation
        self._cm = None

    def _site(self) -> str:
        frames = [f for f in traceback.extract_stack() if f.filename.startswith(self.marker)]
        return " < ".join(f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name}"
                          for f in reversed(frames[-self.depth:])) or "(outside congso)"

    def _wrapper(self, execute, sql, params, many, context):
        site = self._site()
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.records.append(QueryRecord((time.perf_counter() - start) * 1000, sql, site))

    def __enter__(self):
        from django.db import connection

        self._cm = connection.execute_wrapper(self._wrapper)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        self._cm = None
        return False

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def db_ms(self) -> float:
        return sum(r.ms for r in self.records)

    def by_site(self) -> Counter:
        """(first words of the statement, call site) → number of executions."""
        return Counter((statement_label(r.sql), r.site) for r in self.records)

    def clear(self) -> None:
        self.records.clear()


_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"([a-z0-9_]+)"', re.I)


def statement_label(sql: str) -> str:
    """'SELECT org_agency', 'UPDATE dossiers_dossier', … — the verb and the first table of a statement."""
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    table = _TABLE.search(sql)
    return f"{verb} {table.group(1)}" if table else verb


# --- Watching the server while a benchmark runs -----------------------------------------------------------------


@dataclass
class ActivitySummary:
    samples: int = 0
    active_total: int = 0
    lock_wait_samples: int = 0  # samples in which at least one backend waited on a heavyweight lock
    lock_waiters_total: int = 0
    waiting_queries: Counter = field(default_factory=Counter)
    wait_events: Counter = field(default_factory=Counter)
    backend_cpu: dict = field(default_factory=dict)  # pid → [CPU s at first sight, CPU s at last sight]

    @property
    def backends_cpu_seconds(self) -> float:
        """CPU time the database's backends used while sampled (from /proc; 0 when not readable)."""
        return sum(last - first for first, last in self.backend_cpu.values())

    @property
    def mean_active(self) -> float:
        return self.active_total / self.samples if self.samples else 0.0

    @property
    def lock_wait_share(self) -> float:
        return self.lock_wait_samples / self.samples if self.samples else 0.0


class ActivitySampler:
    """Samples pg_stat_activity of one database every `interval` seconds in a background thread: how many backends
    are active, and which statements wait on a lock (evidence of row-lock queues). Bounded: stops by itself after
    `max_seconds`."""

    def __init__(self, dbname: str, interval: float = 0.05, max_seconds: float = 3600):
        self.dbname = dbname
        self.interval = interval
        self.max_seconds = max_seconds
        self.summary = ActivitySummary()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        with pg_connect() as conn:
            while not self._stop.is_set() and time.monotonic() < deadline:
                backends = conn.execute(
                    "SELECT pid, state, wait_event_type, wait_event, "
                    "left(regexp_replace(query, '\\s+', ' ', 'g'), 160) "
                    "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.dbname,),
                ).fetchall()
                s = self.summary
                for pid, *_rest in backends:
                    cpu = process_cpu_seconds(pid)
                    if cpu is not None:
                        s.backend_cpu.setdefault(pid, [cpu, cpu])[1] = cpu
                rows = [b[1:] for b in backends if b[1] == "active"]
                s.samples += 1
                s.active_total += len(rows)
                waiters = [r for r in rows if r[1] == "Lock"]
                if waiters:
                    s.lock_wait_samples += 1
                    s.lock_waiters_total += len(waiters)
                for _state, wtype, wevent, query in rows:
                    if wtype:
                        s.wait_events[f"{wtype}:{wevent}"] += 1
                    if wtype == "Lock":
                        s.waiting_queries[query] += 1
                self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, name="pg-activity-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return False


def table_stats(dbname: str) -> dict[str, dict[str, int]]:
    """Per-table scan and write counters (pg_stat_user_tables) — diff two snapshots to see what a run did."""
    with pg_connect(dbname) as conn:
        rows = conn.execute(
            "SELECT relname, seq_scan, coalesce(seq_tup_read, 0), coalesce(idx_scan, 0), n_tup_ins, n_tup_upd, "
            "n_tup_hot_upd, (SELECT count(*) FROM pg_index i WHERE i.indrelid = s.relid) "
            "FROM pg_stat_user_tables s"
        ).fetchall()
    keys = ("seq_scan", "seq_tup_read", "idx_scan", "ins", "upd", "hot_upd", "indexes")
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


def database_stats(dbname: str) -> dict[str, int]:
    """Commits, rollbacks and rows written in `dbname` (pg_stat_database), to diff around a run."""
    with pg_connect(dbname) as conn:
        row = conn.execute(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_fetched, deadlocks "
            "FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return dict(zip(("commits", "rollbacks", "inserted", "updated", "fetched", "deadlocks"), row, strict=True))


def diff_stats(before: dict, after: dict, keep: tuple[str, ...] = ("indexes",)) -> dict:
    """after − before, recursively for dicts of numbers; the keys in `keep` are not counters (kept as after)."""
    out = {}
    for key, value in after.items():
        if isinstance(value, dict):
            out[key] = diff_stats(before.get(key, {}), value, keep)
        elif key in keep:
            out[key] = value
        else:
            out[key] = value - before.get(key, 0)
    return out


def analyze(dbname: str, skip_prefixes: tuple[str, ...] = ()) -> list[str]:
    """ANALYZE the tables of `dbname` (as autovacuum soon would on a live server), except those whose names start
    with one of `skip_prefixes`. Leave tables that a benchmark fills from empty un-analyzed: PostgreSQL then
    assumes at least 10 pages and plans index scans, as it would for the large tables of production, whereas an
    ANALYZE of an empty table makes it plan sequential scans until autovacuum analyzes it again."""
    with pg_connect(dbname) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname").fetchall()]
        chosen = [t for t in tables if not t.startswith(skip_prefixes)]
        for table in chosen:
            conn.execute(f'ANALYZE "{table}"')
    return chosen


def load_average() -> float:
    """The 1-minute load average (other work on the machine skews every figure)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (all cores). Diff two readings."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0, 0.0
    ticks = [int(x) for x in fields[:8]]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def busy_share(window: float = 2.0) -> float:
    """The share of the machine's CPU in use over the next `window` seconds (0–1)."""
    busy0, total0 = machine_cpu()
    time.sleep(window)
    busy1, total1 = machine_cpu()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def wait_until_idle(max_seconds: float, threshold: float = 0.25, window: float = 2.0) -> float:
    """Wait (at most `max_seconds`) until less than `threshold` of the CPU is busy over a `window`; returns the
    last share measured. Other engineers' test runs on a shared machine otherwise skew the figures."""
    deadline = time.monotonic() + max_seconds
    share = busy_share(window)
    while share >= threshold and time.monotonic() < deadline:
        share = busy_share(window)
    return share


def wait_for_stats_flush(seconds: float = 1.5) -> None:
    """Backends report their counters to the statistics system about once a second (PostgreSQL ≥ 15)."""
    time.sleep(seconds)


# --- Processes and ports ---------------------------------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), or None if it is gone or unreadable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is fields[0], utime fields[11]
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Direct child processes of `pid` (e.g. gunicorn's workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def machine_line() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{cpu_count()} cores{' (' + model + ')' if model else ''}, PostgreSQL {server_version()}"
