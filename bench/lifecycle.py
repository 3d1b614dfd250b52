"""Benchmark: the dossier engine's throughput for a full lifecycle, on PostgreSQL, against a pgbench baseline.

    .venv/bin/python bench/lifecycle.py [--dossiers N] [--workers 4] [--http] [--keep-db] [--profile K]

Per dossier, 6 actions: desk intake (`create_dossier`, channel "direct", receipt included) and five `perform` calls —
forward desk → specialist, forward specialist → department head, forward head → leader, complete (leader, one result
document), return_result (desk). Each action is one transaction. `--workers` separate processes (spawn) each run
N / workers dossiers; the figure is actions per second of wall time. The baseline is `pgbench -N` with 4 clients on
its own database, so "ratio" = engine actions/s ÷ pgbench TPS (target ≥ 0.10).

With --http the same lifecycle goes through the HTTP API served by gunicorn (4 sync workers), with token
authentication and If-Match/ETag, from `--workers` client processes using only the standard library.

Databases: congso_bench_lifecycle (migrated, demo province with its catalogue) and congso_bench_pgbench, both
created fresh on 127.0.0.1:5432 and dropped at the end unless --keep-db. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (the bench directory is not a package)
    BASE_DIR,
    VENV_BIN,
    ActivitySampler,
    QueryLog,
    analyze,
    bench_environment,
    busy_share,
    children_of,
    close_django_connections,
    cpu_count,
    database_stats,
    diff_stats,
    drop_database,
    free_port,
    latency_rows,
    load_average,
    machine_cpu,
    machine_line,
    pg_url,
    print_table,
    process_cpu_seconds,
    recreate_database,
    run_pgbench,
    server_settings,
    setup_django,
    table_stats,
    use_prepared_statements,
    wait_for_stats_flush,
    wait_until_idle,
)

DB_NAME = "congso_bench_lifecycle"
PGBENCH_DB = "congso_bench_pgbench"
HANDLING_AGENCY = "000.00.03.H99"  # Sở Tư pháp of the demo province
RECEIVING_AGENCY = "000.00.02.H99"  # the provincial public administration service centre
FALLBACK_PROCEDURE = "9.990001"  # created by the benchmark when the demo catalogue offers nothing suitable
PLAN_ROLES = ["desk_officer", "specialist", "department_head", "agency_leader", "desk_officer"]
ACTIONS = ["create", "forward_specialist", "forward_head", "forward_leader", "complete", "return_result"]
ACTIONS_PER_DOSSIER = len(ACTIONS)
EVENTS_PER_DOSSIER = 7  # create, accept (receipt at the desk), 3 × forward, complete, return_result
RETURNED = 10
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TARGET_RATIO = 0.10


# --- The world the workers act in (plain data: it crosses process boundaries) ---------------------------------------


@dataclass
class World:
    procedure_code: str
    procedure_source: str  # "demo catalogue" or "created by the benchmark"
    component_id: int | None
    desks: list[str]
    specialists: list[str]
    heads: list[str]
    leaders: list[str]
    base: str  # ISO instant: the first action time of each phase counts from here (always in the past)
    spacing: float  # seconds between two dossiers' start times
    step_gap: float  # seconds between two actions on one dossier
    files: bool
    workers: int
    prepared: bool = False  # --prepared: server-side binding and prepared statements in the engine processes
    http_minimal: bool = False  # --http-minimal: actions sent with `Prefer: return=minimal` (204 + ETag)

    def staff(self, worker: int) -> dict[str, str]:
        pick = lambda names: names[worker % len(names)]  # noqa: E731
        return {"desk": pick(self.desks), "specialist": pick(self.specialists), "head": pick(self.heads),
                "leader": pick(self.leaders)}

    def start_at(self, phase: int, slot: int) -> dt.datetime:
        """The intake time of a dossier: phases are 1 hour apart, slots `spacing` apart; all in the past."""
        base = dt.datetime.fromisoformat(self.base) + dt.timedelta(hours=phase)
        return base + dt.timedelta(seconds=slot * self.spacing)


def lifecycle_steps(staff: dict[str, str]) -> list[tuple[str, str, str, dict]]:
    """(label, engine action, acting role, parameters) of the five actions after intake; assignees by username."""
    return [
        ("forward_specialist", "forward", "desk", {"assignee": staff["specialist"]}),
        ("forward_head", "forward", "specialist", {"assignee": staff["head"]}),
        ("forward_leader", "forward", "head", {"assignee": staff["leader"]}),
        ("complete", "complete", "leader", {"results": [{"name": "Kết quả giải quyết (benchmark)"}]}),
        ("return_result", "return_result", "desk", {}),
    ]


# --- Setup (main process) --------------------------------------------------------------------------------------------


def prepare_database(env: dict[str, str], verbose: bool = True) -> dict[str, float]:
    """Fresh database, migrate, cache table, demo province with catalogue. Returns the time of each step."""
    from django.core.management import call_command

    timings = {}
    start = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    call_command("createcachetable", verbosity=0)  # the throttle of the API keeps its counts in the cache
    timings["migrate"] = time.monotonic() - start
    start = time.monotonic()
    from congso.demo.builder import build_demo

    result = build_demo(with_catalogue=True)
    timings["demo"] = time.monotonic() - start
    if verbose:
        catalogue = result.catalogue
        stats = getattr(catalogue, "stats", None) if catalogue is not None else None
        print(f"  demo province: {result.agencies} agencies, {result.staff} staff"
              f"{', catalogue ' + json.dumps(stats) if stats else ', no catalogue'}")
    return timings


def find_procedure(forced: str | None) -> tuple[str, str] | None:
    """A procedure of the demo catalogue that the handling agency carries out, in force now, whose process at that
    agency is exactly desk → specialist → head → leader → desk; with a time limit for direct intake if possible."""
    from django.utils import timezone

    from congso.catalog.models import Implementation, Process

    now = timezone.now()
    candidates = []
    implementations = (Implementation.objects.filter(agency__code=HANDLING_AGENCY, active=True)
                       .select_related("version__procedure", "agency").order_by("version__procedure__code"))
    for impl in implementations:
        procedure = impl.version.procedure
        if forced and procedure.code != forced:
            continue
        version = procedure.version_on(now)
        if version is None or version.pk != impl.version_id:
            continue
        process = Process.objects.filter(version=version, agency=impl.agency).prefetch_related("steps").first()
        if process is None or [s.role for s in process.steps.all()] != PLAN_ROLES:
            continue
        timed = version.duration_for("direct") is not None
        candidates.append((not timed, procedure.code))
    if not candidates:
        return None
    candidates.sort()
    return candidates[0][1], "demo catalogue"


def create_fallback_procedure() -> tuple[str, str]:
    """One procedure for the handling agency, made by the test suite's own `make_procedure()`: 5 working days, a
    50,000 đ fee, two components, one result, a 5-step process (0/24/8/8/0 hours)."""
    from congso.catalog.models import Procedure
    from congso.dossiers.tests.conftest import make_procedure
    from congso.org.models import Agency

    if Procedure.objects.filter(code=FALLBACK_PROCEDURE).exists():
        return FALLBACK_PROCEDURE, "created by the benchmark"
    make_procedure(FALLBACK_PROCEDURE, Agency.objects.get(code=HANDLING_AGENCY))
    return FALLBACK_PROCEDURE, "created by the benchmark"


def staff_by_role(agency_code: str, role: str) -> list[str]:
    from congso.org.models import Membership

    return sorted(Membership.objects.active().filter(agency__code=agency_code, role=role)
                  .values_list("user__username", flat=True).distinct())


def build_world(args) -> World:
    from django.utils import timezone

    from congso.catalog.models import Procedure

    found = find_procedure(args.procedure)
    if found is None:
        if args.procedure:
            raise SystemExit(f"procedure {args.procedure} is not carried out by {HANDLING_AGENCY} with a 5-step process")
        found = create_fallback_procedure()
    code, source = found
    version = Procedure.objects.get(code=code).version_on(timezone.now())
    component = version.components.order_by("order", "pk").first()
    world = World(
        procedure_code=code, procedure_source=source, component_id=component.pk if component else None,
        desks=staff_by_role(RECEIVING_AGENCY, "desk_officer"),
        specialists=staff_by_role(HANDLING_AGENCY, "specialist"),
        heads=staff_by_role(HANDLING_AGENCY, "department_head"),
        leaders=staff_by_role(HANDLING_AGENCY, "agency_leader"),
        base="", spacing=0.0, step_gap=0.0, files=not args.no_files, workers=args.workers, prepared=args.prepared,
        http_minimal=args.http_minimal,
    )
    for role, names in (("desk officers", world.desks), ("specialists", world.specialists),
                        ("department heads", world.heads), ("agency leaders", world.leaders)):
        if not names:
            raise SystemExit(f"the demo province has no {role} for the benchmark")
    # Every action time lies in the past: phases start 3 days ago (1 hour apart) and dossiers are spread over at
    # most 36 hours per phase.
    slots = args.dossiers + args.workers + max(args.profile, 0) + 1
    world.spacing = min(10.0, 36 * 3600 / slots)
    world.step_gap = world.spacing / (ACTIONS_PER_DOSSIER + 1)
    world.base = (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0).isoformat()
    return world


# --- The engine workload (in-process) --------------------------------------------------------------------------------


class EngineClient:
    """Runs lifecycles through the engine's services, as one set of staff (one worker)."""

    def __init__(self, world: World, worker: int):
        from congso.accounts.models import User

        self.world = world
        self.names = world.staff(worker)
        users = {u.username: u for u in User.objects.filter(username__in=self.names.values())}
        self.users = {role: users[name] for role, name in self.names.items()}

    def lifecycle(self, tag: str, start: dt.datetime, latencies: dict[str, list[float]] | None = None,
                  profile: dict[str, list[QueryLog]] | None = None) -> str:
        from congso.dossiers.services.actions import perform
        from congso.dossiers.services.creation import ComponentInput, DossierInput, create_dossier

        world = self.world
        components = []
        if world.component_id is not None:
            components.append(ComponentInput(catalog_component_id=world.component_id, originals=1,
                                             file=("to-khai.pdf", PDF) if world.files else None))
        data = DossierInput(
            procedure_code=world.procedure_code, handling_agency_code=HANDLING_AGENCY,
            receiving_agency_code=RECEIVING_AGENCY, channel="direct", applicant_kind="person",
            applicant_name="Nguyễn Văn Bình", applicant_id_number="001090012345", applicant_phone="0912345678",
            summary=tag, components=components,
        )

        def timed(label, call):
            log = QueryLog() if profile is not None else None
            began = time.monotonic()
            if log is not None:
                with log:
                    result = call()
            else:
                result = call()
            if latencies is not None:
                latencies[label].append(time.monotonic() - began)
            if log is not None:
                log.wall_ms = (time.monotonic() - began) * 1000
                profile[label].append(log)
            return result

        dossier = timed("create", lambda: create_dossier(data, self.users["desk"], at=start))
        code = dossier.code
        for k, (label, action, role, params) in enumerate(lifecycle_steps(self.names), start=1):
            at = start + dt.timedelta(seconds=k * world.step_gap)
            params = dict(params)
            if "assignee" in params:
                params["assignee"] = self._user(params["assignee"])
            timed(label, lambda a=action, r=role, t=at, p=params: perform(code, a, self.users[r], at=t, **p))
        return code

    def _user(self, username: str):
        for user in self.users.values():
            if user.username == username:
                return user
        raise KeyError(username)


@dataclass
class WorkerResult:
    worker: int
    codes: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    throttled: int = 0
    started: float = 0.0
    finished: float = 0.0
    cpu: float = 0.0  # CPU seconds this process spent in the timed part
    requests: dict[str, int] = field(default_factory=dict)  # HTTP: requests per username
    setup_failed: bool = False


def _record_error(result: WorkerResult, where: str, exc: BaseException | str) -> None:
    result.error_count += 1
    if len(result.errors) < 5:
        text = exc if isinstance(exc, str) else "".join(traceback.format_exception_only(type(exc), exc)).strip()
        result.errors.append(f"{where}: {text[:500]}")


def engine_worker(worker: int, count: int, phase: int, world: World, env: dict, ready, go, results) -> None:
    """One worker process: set Django up, run one warm-up lifecycle, wait for the others, run `count` lifecycles."""
    result = WorkerResult(worker=worker)
    try:
        setup_django(env)
        if world.prepared:
            use_prepared_statements()
        client = EngineClient(world, worker)
        client.lifecycle(f"bench:warmup:w{worker}", world.start_at(phase, -(worker + 1)))
        # Disconnect: the backend reports the warm-up's counters as it exits, before the main process reads them.
        close_django_connections()
    except BaseException as exc:  # noqa: BLE001 - reported to the main process
        result.setup_failed = True
        _record_error(result, "setup", exc)
        ready.abort()
        results.put(asdict(result))
        return
    ready.wait()
    go.wait()
    latencies: dict[str, list[float]] = defaultdict(list)
    result.started, cpu = time.monotonic(), time.process_time()
    for j in range(count):
        slot = j * world.workers + worker
        try:
            result.codes.append(client.lifecycle(f"bench:engine:w{worker}:{j}", world.start_at(phase, slot),
                                                 latencies))
        except Exception as exc:  # noqa: BLE001 - counted; the next dossier goes on
            _record_error(result, f"dossier {j}", exc)
    result.finished, result.cpu = time.monotonic(), time.process_time() - cpu
    result.latencies = dict(latencies)
    close_django_connections()
    results.put(asdict(result))


# --- The HTTP workload -----------------------------------------------------------------------------------------------


class ApiError(Exception):
    pass


class HttpClient:
    """The lifecycle through the HTTP API with the standard library only (gunicorn's sync workers close the
    connection after each response; http.client reconnects by itself)."""

    MAX_THROTTLE_RETRIES = 5

    def __init__(self, world: World, worker: int, port: int, tokens: dict[str, str]):
        self.world = world
        self.names = world.staff(worker)
        self.tokens = {role: tokens[name] for role, name in self.names.items()}
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.throttled = 0
        self.statuses: Counter = Counter()
        self.requests: Counter = Counter()  # per username, to compare with the throttle's per-user rate

    def request(self, method: str, path: str, role: str, body: dict | None = None, etag: str | None = None):
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Token {self.tokens[role]}", "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if etag is not None:
            headers["If-Match"] = etag
            if self.world.http_minimal:
                headers["Prefer"] = "return=minimal"
        for _attempt in range(self.MAX_THROTTLE_RETRIES + 1):
            self.requests[self.names[role]] += 1
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()  # a closed keep-alive connection: retry once on a fresh one
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            self.statuses[response.status] += 1
            if response.status == 429:
                self.throttled += 1
                wait = float(response.getheader("Retry-After") or 1)
                time.sleep(min(max(wait, 0.1), 5.0))
                continue
            if response.status >= 300:
                raise ApiError(f"{method} {path} → {response.status}: {data[:300].decode(errors='replace')}")
            return (json.loads(data) if data else None), response.getheader("ETag")
        raise ApiError(f"{method} {path}: still throttled after {self.MAX_THROTTLE_RETRIES} retries")

    def lifecycle(self, tag: str, start: dt.datetime, latencies: dict[str, list[float]] | None = None) -> str:
        world = self.world
        body = {
            "procedure_code": world.procedure_code, "handling_agency_code": HANDLING_AGENCY,
            "receiving_agency_code": RECEIVING_AGENCY, "channel": "direct", "applicant_kind": "person",
            "applicant_name": "Trần Thị Bích", "applicant_id_number": "079195001234", "summary": tag,
            "components": [], "received_at": start.isoformat(),
        }
        if world.component_id is not None:
            component = {"catalog_component_id": world.component_id, "originals": 1}
            if world.files:
                component["file"] = {"file_name": "to-khai.pdf", "content_base64": base64.b64encode(PDF).decode()}
            body["components"].append(component)
        began = time.monotonic()
        created, etag = self.request("POST", "/api/v1/dossiers", "desk", body)
        if latencies is not None:
            latencies["create"].append(time.monotonic() - began)
        code = created["code"]
        for k, (label, action, role, params) in enumerate(lifecycle_steps(self.names), start=1):
            params = dict(params, at=(start + dt.timedelta(seconds=k * world.step_gap)).isoformat())
            began = time.monotonic()
            _body, etag = self.request("POST", f"/api/v1/dossiers/{code}/actions/{action}", role, params, etag)
            if latencies is not None:
                latencies[label].append(time.monotonic() - began)
        return code


def http_worker(worker: int, count: int, phase: int, world: World, port: int, tokens: dict, ready, go,
                results) -> None:
    """One HTTP client process (no Django): a warm-up lifecycle, then `count` lifecycles after the barrier."""
    result = WorkerResult(worker=worker)
    try:
        client = HttpClient(world, worker, port, tokens)
        client.lifecycle(f"bench:warmup-http:w{worker}", world.start_at(phase, -(worker + 1)))
    except BaseException as exc:  # noqa: BLE001
        result.setup_failed = True
        _record_error(result, "setup", exc)
        ready.abort()
        results.put(asdict(result))
        return
    ready.wait()
    go.wait()
    latencies: dict[str, list[float]] = defaultdict(list)
    client.requests.clear()
    result.started, cpu = time.monotonic(), time.process_time()
    for j in range(count):
        slot = j * world.workers + worker
        try:
            result.codes.append(client.lifecycle(f"bench:http:w{worker}:{j}", world.start_at(phase, slot), latencies))
        except Exception as exc:  # noqa: BLE001
            _record_error(result, f"dossier {j}", exc)
    result.finished, result.cpu = time.monotonic(), time.process_time() - cpu
    result.latencies = dict(latencies)
    result.throttled = client.throttled
    result.requests = dict(client.requests)
    results.put(asdict(result))


# --- Running a concurrent phase --------------------------------------------------------------------------------------


@dataclass
class PhaseResult:
    name: str
    dossiers: int
    wall: float
    workers: list[dict]
    activity: object = None
    tables: dict = field(default_factory=dict)
    database: dict = field(default_factory=dict)
    machine_busy: float = 0.0  # CPU seconds used on the whole machine during the phase (all processes)
    machine_total: float = 0.0
    load_before: float = 0.0  # 1-minute load average when the phase started
    app_server_cpu: float = 0.0  # CPU seconds of the gunicorn workers during the phase

    @property
    def postgres_cpu(self) -> float:
        return self.activity.backends_cpu_seconds if self.activity is not None else 0.0

    @property
    def worker_cpu(self) -> float:
        return sum(w["cpu"] for w in self.workers)

    def requests_per_user(self) -> Counter:
        total: Counter = Counter()
        for w in self.workers:
            total.update(w.get("requests") or {})
        return total

    @property
    def done(self) -> int:
        return sum(len(w["codes"]) for w in self.workers)

    @property
    def actions(self) -> int:
        return self.done * ACTIONS_PER_DOSSIER

    @property
    def rate(self) -> float:
        return self.actions / self.wall if self.wall > 0 else 0.0

    @property
    def errors(self) -> int:
        return sum(w["error_count"] for w in self.workers)

    @property
    def throttled(self) -> int:
        return sum(w["throttled"] for w in self.workers)

    def latencies(self) -> dict[str, list[float]]:
        merged: dict[str, list[float]] = defaultdict(list)
        for w in self.workers:
            for label, values in w["latencies"].items():
                merged[label].extend(values)
        return merged


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _cpu_of(pids: list[int]) -> float:
    return sum(c for c in (process_cpu_seconds(p) for p in pids) if c is not None)


def run_phase(name: str, target, extra_args: tuple, args, world: World, phase: int,
              app_server_pids: list[int] | None = None, settle: float = 1.0, on_finished=None) -> PhaseResult:
    """Start `args.workers` processes running `target`, release them together, and time them until the last one
    has finished. The server's activity is sampled meanwhile; table and database counters are diffed around it.

    `settle`: seconds to wait after the warm-ups before reading the counters (a backend that stays connected
    reports its counters up to 10 s late when idle). `on_finished` runs after the workers end, before the
    counters are read again (to stop gunicorn, so that its backends report theirs)."""
    idle = wait_until_idle(args.wait_idle) if args.wait_idle > 0 else None
    if idle is not None and idle >= 0.25:
        print(f"  WARNING: {idle:.0%} of the CPU was busy with other work when the phase started")
    ctx = mp.get_context("spawn")
    ready = ctx.Barrier(args.workers + 1, timeout=args.setup_timeout)
    go = ctx.Barrier(args.workers + 1, timeout=args.setup_timeout + settle + 60)
    results = ctx.Queue()
    counts = split(args.dossiers, args.workers)
    processes = [
        ctx.Process(target=target, name=f"{name}-{i}",
                    args=(i, counts[i], phase, world, *extra_args, ready, go, results))
        for i in range(args.workers)
    ]
    for p in processes:
        p.start()
    collected: list[dict] = []
    try:
        try:
            ready.wait()
        except Exception as exc:  # a worker failed to set up (BrokenBarrierError) or timed out
            collected = _collect(results, len(processes), timeout=30)
            failures = [e for w in collected for e in w["errors"]]
            raise SystemExit(f"{name}: a worker failed to start:\n  "
                             + "\n  ".join(failures or ["(timeout)"])) from exc
        time.sleep(settle)
        tables_before, db_before = table_stats(DB_NAME), database_stats(DB_NAME)
        load_before, cpu_before, app_before = load_average(), machine_cpu(), _cpu_of(app_server_pids or [])
        with ActivitySampler(DB_NAME, max_seconds=args.run_timeout) as sampler:
            go.wait()
            collected = _collect(results, len(processes), timeout=args.run_timeout)
        cpu_after, app_after = machine_cpu(), _cpu_of(app_server_pids or [])
        if on_finished is not None:
            on_finished()
        # Wall time from the first worker's start to the last one's end (CLOCK_MONOTONIC is system-wide on Linux).
        ran = [w for w in collected if w["started"] and w["finished"]]
        wall = max(w["finished"] for w in ran) - min(w["started"] for w in ran) if ran else 0.0
    finally:
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
                p.join(timeout=10)
    if len(collected) < len(processes):
        raise SystemExit(f"{name}: only {len(collected)} of {len(processes)} workers reported within "
                         f"{args.run_timeout} s")
    wait_for_stats_flush()
    phase_result = PhaseResult(name=name, dossiers=args.dossiers, wall=wall, workers=collected,
                               activity=sampler.summary)
    phase_result.tables = diff_stats(tables_before, table_stats(DB_NAME))
    phase_result.database = diff_stats(db_before, database_stats(DB_NAME))
    phase_result.load_before = load_before
    phase_result.app_server_cpu = app_after - app_before
    phase_result.machine_busy = cpu_after[0] - cpu_before[0]
    phase_result.machine_total = cpu_after[1] - cpu_before[1]
    return phase_result


def _collect(results, expected: int, timeout: float) -> list[dict]:
    import queue

    collected = []
    deadline = time.monotonic() + timeout
    while len(collected) < expected and time.monotonic() < deadline:
        try:
            collected.append(results.get(timeout=min(5.0, max(0.1, deadline - time.monotonic()))))
        except queue.Empty:
            continue
    return collected


# --- gunicorn ------------------------------------------------------------------------------------------------------


class Gunicorn:
    """gunicorn serving congso on a free local port, started and stopped by the benchmark."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self.env = {**os.environ, **env, "CONGSO_ALLOWED_HOSTS": "127.0.0.1"}
        self.process: subprocess.Popen | None = None

    @property
    def command(self) -> list[str]:
        return [str(VENV_BIN / "gunicorn"), "congso.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers),
                "--log-level", "warning"]

    def start(self, timeout: float = 60) -> None:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, cwd=BASE_DIR, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /healthz within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def make_tokens(world: World) -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    from congso.accounts.models import User

    names = set(world.desks + world.specialists + world.heads + world.leaders)
    return {user.username: Token.objects.get_or_create(user=user)[0].key
            for user in User.objects.filter(username__in=names)}


# --- Profiling (main process, sequential) ----------------------------------------------------------------------------


def profile_engine(world: World, dossiers: int, phase: int) -> None:
    """Run a few lifecycles in this process, logging every SQL statement: queries and time per action, and the
    statements a lifecycle repeats most (with the congso line that issues them)."""
    client = EngineClient(world, 0)
    client.lifecycle("bench:profile-warmup", world.start_at(phase, -1))  # caches, connections
    logs: dict[str, list[QueryLog]] = defaultdict(list)
    for i in range(dossiers):
        client.lifecycle(f"bench:profile:{i}", world.start_at(phase, i), profile=logs)
    rows = []
    for label in ACTIONS:
        entries = logs[label]
        rows.append([label, f"{sum(e.count for e in entries) / len(entries):.0f}",
                     f"{sum(e.db_ms for e in entries) / len(entries):.1f}",
                     f"{sum(e.wall_ms for e in entries) / len(entries):.1f}"])
    total = [sum(e.count for label in ACTIONS for e in logs[label]) / dossiers,
             sum(e.db_ms for label in ACTIONS for e in logs[label]) / dossiers,
             sum(e.wall_ms for label in ACTIONS for e in logs[label]) / dossiers]
    rows.append(["whole lifecycle", f"{total[0]:.0f}", f"{total[1]:.1f}", f"{total[2]:.1f}"])
    print_table(f"Engine profile, one process, no concurrency (mean of {dossiers} dossiers; DB ms = time in "
                "cursor.execute, BEGIN/COMMIT not included)",
                ["action", "queries", "DB ms", "wall ms"], rows)
    sites: Counter = Counter()
    for label in ACTIONS:
        for entry in logs[label]:
            sites.update(entry.by_site())
    top = [[f"{n / dossiers:.0f}", stmt, site] for (stmt, site), n in sites.most_common(14)]
    print_table("Statements most repeated per lifecycle (count per dossier, statement, issuing code)",
                ["n", "statement", "issued at"], top, align="rll")


def profile_http(world: World, dossiers: int, phase: int, tokens: dict[str, str]) -> None:
    """The same lifecycle through the API, in this process with Django's test client (no gunicorn, no network):
    queries per request."""
    from django.test import Client

    names = world.staff(0)
    client = Client(HTTP_HOST="127.0.0.1")
    logs: dict[str, list[QueryLog]] = defaultdict(list)

    def post(path, role, body, etag=None):
        headers = {"HTTP_AUTHORIZATION": f"Token {tokens[names[role]]}"}
        if etag:
            headers["HTTP_IF_MATCH"] = etag
        response = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
        if response.status_code >= 300:
            raise ApiError(f"{path} → {response.status_code}: {response.content[:300]!r}")
        return response

    for i in range(dossiers + 1):  # the first one warms up
        start = world.start_at(phase, i)
        body = {"procedure_code": world.procedure_code, "handling_agency_code": HANDLING_AGENCY,
                "receiving_agency_code": RECEIVING_AGENCY, "channel": "direct", "applicant_kind": "person",
                "applicant_name": "Trần Thị Bích", "summary": f"bench:profile-http:{i}", "components": [],
                "received_at": start.isoformat()}
        if world.component_id is not None:
            item = {"catalog_component_id": world.component_id, "originals": 1}
            if world.files:
                item["file"] = {"file_name": "to-khai.pdf", "content_base64": base64.b64encode(PDF).decode()}
            body["components"].append(item)
        log = QueryLog()
        began = time.monotonic()
        with log:
            response = post("/api/v1/dossiers", "desk", body)
        log.wall_ms = (time.monotonic() - began) * 1000
        if i:
            logs["create"].append(log)
        code, etag = response.json()["code"], response["ETag"]
        for k, (label, action, role, params) in enumerate(lifecycle_steps(names), start=1):
            params = dict(params, at=(start + dt.timedelta(seconds=k * world.step_gap)).isoformat())
            log = QueryLog()
            began = time.monotonic()
            with log:
                response = post(f"/api/v1/dossiers/{code}/actions/{action}", role, params, etag)
            log.wall_ms = (time.monotonic() - began) * 1000
            etag = response["ETag"]
            if i:
                logs[label].append(log)
    rows = [[label, f"{sum(e.count for e in logs[label]) / dossiers:.0f}",
             f"{sum(e.db_ms for e in logs[label]) / dossiers:.1f}",
             f"{sum(e.wall_ms for e in logs[label]) / dossiers:.1f}"] for label in ACTIONS]
    print_table(f"API profile, in-process test client (mean of {dossiers} dossiers)",
                ["request", "queries", "DB ms", "wall ms"], rows)
    sites: Counter = Counter()
    for label in ACTIONS:
        for entry in logs[label]:
            sites.update(Counter({k: v for k, v in entry.by_site().items()}))
    by_statement: Counter = Counter()
    for (stmt, _site), n in sites.items():
        by_statement[stmt] += n
    top = [[f"{n / dossiers:.0f}", stmt] for stmt, n in by_statement.most_common(12)]
    print_table("API: statements per lifecycle by table (count per dossier)", ["n", "statement"], top, align="rl")


# --- Verification ----------------------------------------------------------------------------------------------------


def verify(prefix: str, expected: int) -> tuple[bool, list[list[str]]]:
    """Check the dossiers whose summary starts with `prefix`: all returned (status 10), 7 events numbered 1–7,
    5 steps all finished, 4 hand-overs; and, over the whole database, no duplicate codes and gap-free daily
    serials per receiving agency."""
    from django.db.models import Count, Max, Q

    from congso.dossiers.models import Dossier

    dossiers = Dossier.objects.filter(summary__startswith=prefix)
    found = dossiers.count()
    not_returned = dossiers.exclude(status=RETURNED).count()
    bad_events = (dossiers.annotate(n=Count("events", distinct=True), top=Max("events__seq"))
                  .exclude(n=EVENTS_PER_DOSSIER, top=EVENTS_PER_DOSSIER).count())
    bad_steps = (dossiers.annotate(n=Count("steps", distinct=True),
                                   open=Count("steps", filter=Q(steps__finished_at__isnull=True), distinct=True))
                 .exclude(n=len(PLAN_ROLES), open=0).count())
    bad_handovers = dossiers.annotate(n=Count("handovers")).exclude(n=len(PLAN_ROLES) - 1).count()
    ok = found == expected and not (not_returned or bad_events or bad_steps or bad_handovers)
    rows = [
        ["dossiers found / expected", f"{found} / {expected}", "ok" if found == expected else "FAIL"],
        ["not in status 10", str(not_returned), "ok" if not not_returned else "FAIL"],
        [f"events ≠ {EVENTS_PER_DOSSIER} (seq 1..{EVENTS_PER_DOSSIER})", str(bad_events),
         "ok" if not bad_events else "FAIL"],
        ["steps ≠ 5 or left open", str(bad_steps), "ok" if not bad_steps else "FAIL"],
        ["hand-overs ≠ 4", str(bad_handovers), "ok" if not bad_handovers else "FAIL"],
    ]
    return ok, rows


def verify_codes() -> tuple[bool, list[list[str]]]:
    from django.db.models import Count

    from congso.dossiers.models import Dossier

    codes = list(Dossier.objects.values_list("code", flat=True))
    duplicates = Dossier.objects.values("code").annotate(n=Count("id")).filter(n__gt=1).count()
    serials: dict[str, list[int]] = defaultdict(list)
    for code in codes:
        prefix, _sep, serial = code.rpartition("-")
        serials[prefix].append(int(serial))
    gaps = sum(1 for values in serials.values() if sorted(values) != list(range(1, len(values) + 1)))
    ok = duplicates == 0 and gaps == 0
    return ok, [
        ["duplicate codes (whole database)", str(duplicates), "ok" if not duplicates else "FAIL"],
        [f"agency-days with serial gaps ({len(serials)} agency-days, {len(codes)} codes)", str(gaps),
         "ok" if not gaps else "FAIL"],
    ]


# --- Reporting ------------------------------------------------------------------------------------------------------


def report_phase(phase: PhaseResult, title: str) -> None:
    print_table(f"{title}: latency per action (ms)", ["action", "n", "mean", "p50", "p95", "max"],
                latency_rows(phase.latencies(), ACTIONS))
    per_worker = [[str(w["worker"]), str(len(w["codes"])), f"{w['finished'] - w['started']:.1f}",
                   str(w["error_count"])] for w in sorted(phase.workers, key=lambda w: w["worker"])]
    print_table(f"{title}: workers", ["worker", "dossiers", "busy s", "errors"], per_worker)
    for w in phase.workers:
        for error in w["errors"]:
            print(f"  worker {w['worker']} error: {error}")
    activity = phase.activity
    db = phase.database
    actions = max(phase.actions, 1)
    rows = [
        ["commits per action", f"{db.get('commits', 0) / actions:.1f}"],
        ["rows inserted / updated per action",
         f"{db.get('inserted', 0) / actions:.1f} / {db.get('updated', 0) / actions:.1f}"],
        ["rollbacks, deadlocks", f"{db.get('rollbacks', 0)}, {db.get('deadlocks', 0)}"],
        ["load average when the phase started", f"{phase.load_before:.2f}"],
        ["machine CPU busy (all cores, whole phase)",
         f"{phase.machine_busy / phase.machine_total:.0%}" if phase.machine_total else "n/a"],
        ["CPU ms per action: bench workers (engine or HTTP clients)", f"{phase.worker_cpu * 1000 / actions:.1f}"],
        ["CPU ms per action: gunicorn workers", f"{phase.app_server_cpu * 1000 / actions:.1f}"],
        ["CPU ms per action: PostgreSQL backends", f"{phase.postgres_cpu * 1000 / actions:.1f}"],
        ["CPU ms per action: rest of the machine (other work, WAL writer…)",
         f"{(phase.machine_busy - phase.worker_cpu - phase.app_server_cpu - phase.postgres_cpu) * 1000 / actions:.1f}"],
        ["active backends (mean of samples)", f"{activity.mean_active:.2f}"],
        ["samples with a backend waiting on a lock", f"{activity.lock_wait_share:.0%} of {activity.samples}"],
        ["backends waiting on a lock (mean of samples)",
         f"{activity.lock_waiters_total / activity.samples:.2f}" if activity.samples else "n/a"],
    ]
    print_table(f"{title}: server side (pg_stat_database, pg_stat_activity every 50 ms)", ["measure", "value"], rows,
                align="lr")
    if activity.waiting_queries:
        top = [[str(n), q] for q, n in activity.waiting_queries.most_common(4)]
        print_table(f"{title}: statements seen waiting on a lock (samples)", ["n", "statement"], top, align="rl")
    waits = [[str(n), event] for event, n in activity.wait_events.most_common(6)]
    if waits:
        print_table(f"{title}: wait events of active backends (samples)", ["n", "wait event"], waits, align="rl")
    per_user = phase.requests_per_user()
    if per_user and phase.wall > 0:
        busiest = per_user.most_common(3)
        print_table(f"{title}: busiest users against the throttle (REST_FRAMEWORK user rate 1200/min)",
                    ["user", "requests", "per minute"],
                    [[u, str(n), f"{n / phase.wall * 60:.0f}"] for u, n in busiest])
    writes = sorted(((t, st) for t, st in phase.tables.items() if st.get("ins", 0) + st.get("upd", 0) > 0),
                    key=lambda item: -(item[1]["ins"] + item[1]["upd"]))[:8]
    if writes:
        print_table(f"{title}: rows written per action, by table (an update that is not HOT touches every index)",
                    ["table", "inserted", "updated", "HOT share", "indexes"],
                    [[t, f"{st['ins'] / actions:.2f}", f"{st['upd'] / actions:.2f}",
                      f"{st['hot_upd'] / st['upd']:.0%}" if st["upd"] else "-", str(st.get("indexes", ""))]
                     for t, st in writes])
    scans = sorted(((t, s) for t, s in phase.tables.items() if s.get("seq_scan", 0) > 0),
                   key=lambda item: -item[1]["seq_tup_read"])[:8]
    if scans:
        print_table(f"{title}: tables read by sequential scan during the run (pg_stat_user_tables)",
                    ["table", "seq scans", "rows read", "index scans"],
                    [[t, str(s["seq_scan"]), str(s["seq_tup_read"]), str(s["idx_scan"])] for t, s in scans])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=400, help="dossiers per phase (default 400)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes / HTTP clients (default 4)")
    parser.add_argument("--http", action="store_true", help="also run the lifecycle through gunicorn and the API")
    parser.add_argument("--http-minimal", action="store_true",
                        help="in the HTTP phase, send actions with `Prefer: return=minimal` (204 and the ETag only)")
    parser.add_argument("--http-only", action="store_true", help="skip the in-process engine phase (implies --http)")
    parser.add_argument("--gunicorn-workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases at the end")
    parser.add_argument("--no-files", action="store_true", help="intake without the one small PDF component file")
    parser.add_argument("--profile", type=int, default=5, metavar="K",
                        help="first profile K lifecycles in one process, query by query (0: skip; default 5)")
    parser.add_argument("--prepared", action="store_true",
                        help="experiment: server-side binding with prepared statements in the engine processes and "
                             "the profile (not in gunicorn, which uses congso's settings as they are)")
    parser.add_argument("--procedure", help="procedure code to use (default: chosen from the demo catalogue)")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--skip-pgbench", action="store_true", help="no baseline (no ratio is printed)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="S",
                        help="before pgbench and each phase, wait up to S seconds for the machine to be idle "
                             "(< 25%% CPU busy over 2 s); useful on a shared machine")
    parser.add_argument("--setup-timeout", type=float, default=300, help="seconds for the workers to start")
    parser.add_argument("--run-timeout", type=float, default=1800, help="seconds allowed for one phase")
    args = parser.parse_args(argv)
    if args.dossiers < 1 or args.workers < 1:
        parser.error("--dossiers and --workers must be at least 1")
    if args.http_only:
        args.http = True
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="congso-bench-"))
    media_root = scratch / "media"
    env = bench_environment(pg_url(DB_NAME), media_root)
    gunicorn: Gunicorn | None = None
    started = time.monotonic()
    summary: list[list[str]] = []
    all_ok = True
    try:
        print(f"congso lifecycle benchmark — {machine_line()}")
        print(f"  server: {json.dumps(server_settings())}")
        print(f"  {args.dossiers} dossiers × {ACTIONS_PER_DOSSIER} actions per phase, {args.workers} workers"
              f"{', HTTP through gunicorn -w ' + str(args.gunicorn_workers) if args.http else ''}")
        busy = busy_share(2.0)
        if busy > 0.25:
            print(f"  WARNING: the machine is not idle ({busy:.0%} of the CPU busy with other work, load average "
                  f"{load_average():.2f}); figures will be low and noisy")
        if cpu_count() < args.workers:
            print(f"  note: {args.workers} workers on {cpu_count()} cores — the client side competes with PostgreSQL")

        recreate_database(DB_NAME)
        setup_django(env)
        timings = prepare_database(env)
        world = build_world(args)
        # Reference data analyzed (as autovacuum would have by now); the dossier tables, filled from empty by the
        # run, are left for autovacuum (see _common.analyze).
        analyze(DB_NAME, skip_prefixes=("dossiers_",))
        print(f"  setup: migrate {timings['migrate']:.1f} s, demo {timings['demo']:.1f} s; procedure "
              f"{world.procedure_code} ({world.procedure_source}) at {HANDLING_AGENCY}, received at "
              f"{RECEIVING_AGENCY}; {'one PDF' if world.files and world.component_id else 'no file'} per intake")
        print(f"  staff: desks {world.desks}, specialists {world.specialists}, heads {world.heads}, "
              f"leaders {world.leaders}")

        pgbench = None
        if not args.skip_pgbench:
            print(f"\nbaseline: pgbench -N -c 4 -j 2 -T {args.pgbench_seconds} (scale {args.pgbench_scale}) …",
                  flush=True)
            if args.wait_idle > 0 and wait_until_idle(args.wait_idle) >= 0.25:
                print("  WARNING: the machine is busy with other work; the baseline will be low")
            pgbench = run_pgbench(PGBENCH_DB, clients=4, threads=2, seconds=args.pgbench_seconds,
                                  scale=args.pgbench_scale, keep=args.keep_db)
            print(f"  {pgbench.command}\n  tps = {pgbench.tps:.1f}, latency {pgbench.latency_ms} ms, "
                  f"{pgbench.transactions} transactions; CPU {pgbench.cpu_ms_per_transaction:.3f} ms per transaction "
                  f"(pgbench {pgbench.client_cpu:.1f} s, backends {pgbench.server_cpu:.1f} s)")

        tokens = make_tokens(world) if args.http else {}
        if args.prepared:
            use_prepared_statements()
            print("  --prepared: engine processes use server-side binding and prepared statements (experiment)")
        if args.profile > 0:
            profile_engine(world, args.profile, phase=0)
            if args.http:
                profile_http(world, args.profile, phase=0, tokens=tokens)
        close_django_connections()

        engine = http_phase = None
        if not args.http_only:
            print(f"\nengine phase: {args.workers} processes × ~{args.dossiers // args.workers} dossiers …", flush=True)
            engine = run_phase("engine", engine_worker, (env,), args, world, phase=1)
            report_phase(engine, "Engine")

        if args.http:
            gunicorn = Gunicorn(env, args.gunicorn_workers, scratch / "gunicorn.log")
            gunicorn.start()
            print(f"\nHTTP phase: {' '.join(gunicorn.command)}; {args.workers} client processes …", flush=True)
            try:
                http_phase = run_phase("http", http_worker, (gunicorn.port, tokens), args, world, phase=2,
                                       app_server_pids=children_of(gunicorn.process.pid), settle=11.0,
                                       on_finished=gunicorn.stop)
            except SystemExit:
                print(f"gunicorn's log (last lines):\n{gunicorn.log_tail(60)}")
                raise
            report_phase(http_phase, "HTTP")
            if http_phase.throttled:
                print(f"  NOTE: {http_phase.throttled} responses were 429 (throttled); the clients waited and "
                      "retried, so the HTTP figure is throttle-bound")

        # Verification
        checks: list[list[str]] = []
        if args.profile > 0:
            ok, rows = verify("bench:profile:", args.profile)
            all_ok &= ok
            checks += [["profile: " + r[0], r[1], r[2]] for r in rows[:2]]
        for phase, prefix, warm in ((engine, "bench:engine:", "bench:warmup:"),
                                    (http_phase, "bench:http:", "bench:warmup-http:")):
            if phase is None:
                continue
            ok, rows = verify(prefix, args.dossiers)
            ok_warm, _rows = verify(warm, args.workers)
            all_ok &= ok and ok_warm
            checks += [[f"{phase.name}: {r[0]}", r[1], r[2]] for r in rows]
            checks.append([f"{phase.name}: warm-up dossiers", str(args.workers), "ok" if ok_warm else "FAIL"])
        ok, rows = verify_codes()
        all_ok &= ok
        checks += rows
        print_table("Verification", ["check", "value", ""], checks, align="lrl")
        print(f"\nverified: {'yes' if all_ok else 'no'}")

        if engine is not None:
            summary.append(["engine actions/s (in-process, " f"{args.workers} processes)", f"{engine.rate:.1f}"])
        if http_phase is not None:
            summary.append([f"HTTP actions/s (gunicorn -w {args.gunicorn_workers}, {args.workers} clients)",
                            f"{http_phase.rate:.1f}"])
        if pgbench is not None:
            summary.append(["pgbench -N TPS (4 clients)", f"{pgbench.tps:.1f}"])
            if engine is not None:
                ratio = engine.rate / pgbench.tps
                summary.append([f"ratio engine / pgbench (target ≥ {TARGET_RATIO:.2f})",
                                f"{ratio:.3f} {'met' if ratio >= TARGET_RATIO else 'NOT met'}"])
            if http_phase is not None:
                summary.append(["ratio HTTP / pgbench", f"{http_phase.rate / pgbench.tps:.3f}"])
        # The same comparison in CPU time, which other work on the machine disturbs much less than wall time.
        if pgbench is not None and pgbench.cpu_ms_per_transaction > 0:
            summary.append(["CPU ms per pgbench transaction (pgbench + backends)",
                            f"{pgbench.cpu_ms_per_transaction:.3f}"])
            for phase in (engine, http_phase):
                if phase is None or not phase.actions:
                    continue
                cpu = (phase.worker_cpu + phase.app_server_cpu + phase.postgres_cpu) * 1000 / phase.actions
                who = "workers" if phase is engine else "clients + gunicorn"
                summary.append([f"CPU ms per {phase.name} action ({who} + backends)", f"{cpu:.2f}"])
                summary.append([f"CPU-normalised ratio {phase.name} / pgbench", f"{pgbench.cpu_ms_per_transaction / cpu:.3f}"])
        for phase in (engine, http_phase):
            if phase is not None:
                summary.append([f"{phase.name}: wall s / actions / errors",
                                f"{phase.wall:.1f} / {phase.actions} / {phase.errors}"])
        print_table(f"Summary ({machine_line()})", ["measure", "value"], summary, align="lr")
        print(f"\nverified: {'yes' if all_ok else 'no'}   (total run time {time.monotonic() - started:.0f} s)")
        return 0 if all_ok else 1
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        try:
            close_django_connections()
        except Exception:  # noqa: BLE001 - Django may not be set up
            pass
        if args.keep_db:
            print(f"kept databases {DB_NAME}{'' if args.skip_pgbench else ', ' + PGBENCH_DB} "
                  f"(CONGSO_DATABASE_URL={pg_url(DB_NAME)})")
        else:
            drop_database(DB_NAME)
            drop_database(PGBENCH_DB)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
