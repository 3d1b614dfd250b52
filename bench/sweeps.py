"""Benchmark: the cost of the periodic sweeps of `congso beat` on 100,000 dossiers.

    .venv/bin/python bench/sweeps.py [--dossiers 100000] [--open-share 0.3] [--targets postgres,sqlite] [--keep-db]

Builds the dossier tables directly with bulk_create (a benchmark shortcut: the engine's services are measured in
bench/lifecycle.py): 20 agencies with departments and staff, `--dossiers` dossiers of which `--open-share` are open
(received 0–25 working days ago, appointments of 3–15 working days, a current step with its deadline, 80 % held by
a specialist and 20 % waiting for anyone of the role, 8 % waiting for the applicant, some apologies), the rest
finished with two finished steps each. Every member of staff has an e-mail address, so the reminders really go into
the outbox.

Then, at one instant `now`, it times each sweep as `congso beat`'s tasks run it:
  reminders (steps due within 8 working hours + overdue steps), escalations (dossiers past their appointment),
  refresh_timeliness, each twice: the first run with the whole backlog, the second 5 minutes later (steady state:
  nothing new to fire); the selection queries alone, with their PostgreSQL plans; and one beat tick.

Databases: `congso_bench_sweeps` on PostgreSQL (127.0.0.1:5432, recreated; dropped at the end unless --keep-db) and
an SQLite file in a temporary directory. Each target runs in its own process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
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
    pg_url,
    print_table,
    recreate_database,
    setup_django,
)

DB_NAME = "congso_bench_sweeps"
AGENCIES = 20
SPECIALISTS_PER_DEPARTMENT = 4
DEPARTMENTS_PER_AGENCY = 3
BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--open-share", type=float, default=0.3)
    parser.add_argument("--targets", default="postgres,sqlite")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--seed", type=int, default=766)
    parser.add_argument("--target", help=argparse.SUPPRESS)  # internal: run one target in this process
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        run_target(args)
        return
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    print(f"congso sweeps benchmark: {args.dossiers:,} dossiers, {args.open_share:.0%} open; load {load_average():.2f}")
    print(f"machine: {machine_line()}")
    tmp = Path(tempfile.mkdtemp(prefix="congso-bench-sweeps-"))
    try:
        run_targets(args, targets, tmp)
    finally:
        if args.keep_db:
            print(f"\nkept: {tmp} (SQLite file), database {DB_NAME}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_targets(args, targets: list[str], tmp: Path) -> None:
    for target in targets:
        if target == "postgres":
            recreate_database(DB_NAME)
            url = pg_url(DB_NAME)
        elif target == "sqlite":
            url = f"sqlite:///{tmp / 'sweeps.sqlite3'}"
        else:
            raise SystemExit(f"unknown target {target!r}")
        command = [sys.executable, __file__, "--target", target, "--url", url, "--dossiers", str(args.dossiers),
                   "--open-share", str(args.open_share), "--seed", str(args.seed)]
        env = {**os.environ, **bench_environment(url, tmp / target / "media")}
        done = subprocess.run(command, env=env, check=False)
        if target == "postgres" and not args.keep_db:
            drop_database(DB_NAME)
        if done.returncode:
            raise SystemExit(done.returncode)


# --- one target ------------------------------------------------------------------------------------------------------


def run_target(args) -> None:
    media = os.environ.get("CONGSO_MEDIA_ROOT") or str(Path(tempfile.mkdtemp(prefix="congso-bench-media-")) / "media")
    setup_django(bench_environment(args.url, media))
    from django.core.management import call_command
    from django.db import connection

    print(f"\n=== {args.target}: {connection.vendor} ({args.url.split('@')[-1]}) ===")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    random.seed(args.seed)
    now = local_now()
    started = time.perf_counter()
    counts = build(args.dossiers, args.open_share, now)
    print(f"build: {time.perf_counter() - started:.1f} s — " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if connection.vendor == "postgresql":
        close_django_connections()
        analyze(DB_NAME)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure(now, connection.vendor)
    close_django_connections()


def local_now() -> dt.datetime:
    """A working-hours instant (Wednesday 10:00 of the last full week) so the windows are typical."""
    from django.utils import timezone

    today = timezone.localdate()
    wednesday = today - dt.timedelta(days=today.weekday() + 5)
    return dt.datetime.combine(wednesday, dt.time(10, 0), tzinfo=timezone.get_default_timezone())


def build(total: int, open_share: float, now: dt.datetime) -> dict[str, int]:
    from django.db import connection, transaction

    from congso.accounts.models import AccountType, User
    from congso.catalog.models import Procedure
    from congso.dossiers.choices import Status, Timeliness
    from congso.dossiers.models import Dossier, DossierStep
    from congso.dossiers.tests.conftest import build_world
    from congso.org.choices import AgencyKind, Role, UnitLevel
    from congso.org.models import Agency, Department, Membership
    from congso.workcalendar.services import get_calendar

    calendar = get_calendar()
    with transaction.atomic():
        world = build_world()
        agencies = [world.justice, world.finance]
        for n in range(len(agencies), AGENCIES):
            agencies.append(Agency.objects.create(
                code=f"000.00.{n + 10:02d}.H97", name=f"Sở thử {n}", kind=AgencyKind.DEPARTMENT,
                level=UnitLevel.PROVINCE, admin_unit=world.province, parent=world.root))
        users, memberships = [], []
        staff: dict[int, dict] = {}
        for agency in agencies:
            departments = [Department.objects.create(agency=agency, code=f"P{i}", name=f"Phòng {i}")
                           for i in range(DEPARTMENTS_PER_AGENCY)]
            entry = {"specialists": [], "departments": departments}
            people = [("lead", Role.AGENCY_LEADER, None)]
            for department in departments:
                people.append((f"head{department.code}", Role.DEPARTMENT_HEAD, department))
                people += [(f"spec{department.code}{i}", Role.SPECIALIST, department)
                           for i in range(SPECIALISTS_PER_DEPARTMENT)]
            for name, role, department in people:
                user = User(username=f"{name}.{agency.pk}", full_name=f"{name} {agency.pk}",
                            email=f"{name}.{agency.pk}@example.gov.vn", account_type=AccountType.STAFF)
                users.append(user)
                memberships.append((user, agency, department, role))
            staff[agency.pk] = entry
        User.objects.bulk_create(users)
        for user, agency, department, role in memberships:
            if role == Role.SPECIALIST:
                staff[agency.pk]["specialists"].append((user.pk, department.pk))
        Membership.objects.bulk_create([Membership(user=u, agency=a, department=d, role=r)
                                        for u, a, d, r in memberships])
    version = Procedure.objects.get(code="1.000001").versions.first()

    counts = {"dossiers": 0, "open": 0, "steps": 0}
    serial = 0
    for start in range(0, total, BATCH):
        dossiers, plans = [], []
        for _ in range(min(BATCH, total - start)):
            serial += 1
            is_open = random.random() < open_share
            agency = random.choice(agencies)
            duration = random.choice([3, 5, 5, 7, 10, 15])
            fields = dict(
                code=f"B-{serial:07d}", status=Status.IN_PROGRESS, channel="direct", procedure_id=version.procedure_id,
                procedure_version_id=version.pk, receiving_agency_id=world.centre.pk, handling_agency_id=agency.pk,
                current_agency_id=agency.pk, applicant_kind="person", applicant_name="Nguyễn Văn Án",
                duration=duration, duration_unit="working_day", search_text=f"b-{serial:07d} nguyen van an",
            )
            if is_open:
                # Received within ~1.15 × its time limit (in calendar days ≈ 1.4 × working days): ~13 % overdue.
                received = now - dt.timedelta(days=random.uniform(0.05, duration * 1.4 * 1.15))
                due = calendar.due_date(received, duration, "working_day")
                fields.update(submitted_at=received, received_at=received, effective_start=due.effective_start,
                              due_at=due.due_at, current_due_at=due.due_at,
                              timeliness=Timeliness.OPEN_WITHIN if due.due_at >= now else Timeliness.OPEN_OVERDUE)
                if due.due_at > now and random.random() < 0.03:
                    fields["extended_due_at"] = due.due_at + dt.timedelta(days=random.randint(3, 10))
                    fields["extension_count"] = 1
                waiting = random.random() < 0.08
                if waiting:
                    fields.update(status=Status.SUPPLEMENT_REQUESTED, supplement_count=1,
                                  waiting_since=received + (now - received) * random.random())
                specialist, department = random.choice(staff[agency.pk]["specialists"])
                held = random.random() < 0.8
                if random.random() < 0.55:  # the step is due within the next 0–5 working days
                    step_due = calendar.add_working_time(now, dt.timedelta(hours=random.uniform(0.1, 40)))
                else:  # due 0–60 calendar days ago
                    step_due = now - dt.timedelta(days=random.uniform(0.01, 60))
                fields.update(holder_id=specialist if held else None, holder_role=Role.SPECIALIST,
                              holder_department_id=department, step_due_at=step_due)
                plans.append(("open", agency.pk, specialist if held else None, department, received, step_due))
                counts["open"] += 1
            else:
                received = now - dt.timedelta(days=random.uniform(5, 365))
                due = calendar.due_date(received, duration, "working_day")
                finished = received + dt.timedelta(days=random.uniform(0.5, duration * 1.6))
                status = random.choices([Status.RETURNED, Status.WITHDRAWN, Status.STOPPED], [0.92, 0.05, 0.03])[0]
                fields.update(status=status, submitted_at=received, received_at=received,
                              effective_start=due.effective_start, due_at=due.due_at, current_due_at=due.due_at,
                              finished_at=finished, resolved_at=finished if status == Status.RETURNED else None,
                              returned_at=finished if status == Status.RETURNED else None,
                              timeliness=Timeliness.ON_TIME if finished <= due.due_at else Timeliness.LATE)
                plans.append(("closed", agency.pk, None, None, received, finished))
            dossiers.append(Dossier(**fields))
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers, batch_size=1000)
            steps = []
            for dossier, (kind, agency_id, holder, department, received, moment) in zip(dossiers, plans, strict=True):
                if kind == "open":
                    steps.append(DossierStep(dossier_id=dossier.pk, order=2, name="Thẩm định", agency_id=agency_id,
                                             department_id=department, role=Role.SPECIALIST, assignee_id=holder,
                                             share=24, started_at=received, deadline_at=moment))
                else:
                    steps.append(DossierStep(dossier_id=dossier.pk, order=1, name="Tiếp nhận",
                                             agency_id=world.centre.pk, role=Role.DESK_OFFICER, started_at=received,
                                             deadline_at=received + dt.timedelta(hours=8), finished_at=received,
                                             verdict=Timeliness.ON_TIME))
                    steps.append(DossierStep(dossier_id=dossier.pk, order=2, name="Thẩm định", agency_id=agency_id,
                                             role=Role.SPECIALIST, started_at=received,
                                             deadline_at=moment, finished_at=moment, verdict=Timeliness.ON_TIME))
            DossierStep.objects.bulk_create(steps, batch_size=1000)
            counts["steps"] += len(steps)
        counts["dossiers"] += len(dossiers)
    # The open dossiers' current step: one UPDATE … FROM on both databases (SQLite ≥ 3.33).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossier SET current_step_id = s.id FROM dossiers_dossierstep s "
                       "WHERE s.dossier_id = dossiers_dossier.id AND s.finished_at IS NULL")
    return counts


# --- measuring -------------------------------------------------------------------------------------------------------


class QueryCounter:
    """Counts the statements and their database time (lighter than _common.QueryLog, which walks the stack of every
    statement and would inflate the wall time of a sweep that writes thousands of rows)."""

    def __init__(self):
        self.count = 0
        self.db_seconds = 0.0
        self.slowest: tuple[float, str] = (0.0, "")

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.count += 1
            self.db_seconds += spent
            if spent > self.slowest[0]:
                self.slowest = (spent, sql)


def timed(label: str, func, rows: list, *, note: str = ""):
    from django.db import connection

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = func()
    seconds = time.perf_counter() - started
    rows.append([label, f"{seconds * 1000:,.0f}", f"{counter.count:,}", f"{counter.db_seconds * 1000:,.0f}",
                 note or summary(result)])
    SLOWEST.append((label, counter.slowest[0] * 1000, " ".join(counter.slowest[1].split())[:230]))
    return result


SLOWEST: list[tuple[str, float, str]] = []


def summary(result) -> str:
    if isinstance(result, dict):
        parts = []
        for key, value in result.items():
            if isinstance(value, dict):
                parts.append(f"{key}: sel {value.get('selected', 0):,} / msgs {value.get('notifications', 0):,}")
            elif key == "count":
                parts.append(f"count {value:,}")
        return "; ".join(parts)
    return str(result)


def measure(now: dt.datetime, vendor: str) -> None:
    from django.db import connection

    from congso.dossiers.models import Dossier
    from congso.dossiers.services.sweeps import refresh_timeliness
    from congso.notifications.models import Notification
    from congso.operations import selection
    from congso.operations.models import ReminderLog
    from congso.operations.services import reminders, schedule
    from congso.operations.services.reminders import Windows

    windows = Windows.at_instant(now)
    open_count = Dossier.objects.filter(finished_at__isnull=True).count()
    print(f"now = {now.isoformat()}; open dossiers {open_count:,}; due soon until "
          f"{windows.due_soon_until.isoformat()}; lookback from {windows.since.date()}")

    rows: list[list[str]] = []
    selections = {
        "select steps due soon": selection.steps_due_soon(now, windows.due_soon_until),
        "select overdue steps": selection.steps_overdue(windows.step_overdue_before, windows.since),
        "select overdue dossiers": selection.dossiers_overdue(windows.dossier_overdue_before, windows.since),
    }
    for label, qs in selections.items():
        timed(label, lambda qs=qs: count_ids(qs), rows)

    later = now + dt.timedelta(minutes=5)
    timed("reminders, first run (backlog)", lambda: reminders.send_step_reminders(now), rows)
    timed("reminders, 5 min later", lambda: reminders.send_step_reminders(later), rows)
    timed("escalations, first run (backlog)", lambda: reminders.send_escalations(now), rows)
    timed("escalations, 15 min later", lambda: reminders.send_escalations(now + dt.timedelta(minutes=15)), rows)
    timed("refresh_timeliness, first run", lambda: {"count": refresh_timeliness(now)}, rows)
    timed("refresh_timeliness, 15 min later", lambda: {"count": refresh_timeliness(now + dt.timedelta(minutes=15))},
          rows)
    # Selections again, now that the log holds the backlog (the NOT EXISTS filters it out).
    for label, qs in {
        "select steps due soon (after)": selection.steps_due_soon(later, Windows.at_instant(later).due_soon_until),
        "select overdue steps (after)": selection.steps_overdue(later, windows.since),
        "select overdue dossiers (after)": selection.dossiers_overdue(later, windows.since),
    }.items():
        timed(label, lambda qs=qs: count_ids(qs), rows)
    timed("beat tick (enqueue 4 sweeps, db backend)",
          lambda: schedule.tick(timezone_now(), holder="bench"), rows)
    timed("beat tick, nothing due", lambda: schedule.tick(timezone_now(), holder="bench"), rows)

    print_table(f"Sweeps on {vendor} ({open_count:,} open of {Dossier.objects.count():,} dossiers)",
                ["operation", "wall ms", "queries", "db ms", "rows"], rows, align="lrrrl")
    print("\nSlowest statement of each operation:")
    for label, ms, sql in SLOWEST:
        print(f"  {label}: {ms:,.1f} ms  {sql}")
    print(f"\nreminder log rows: {ReminderLog.objects.count():,}; outbox rows: {Notification.objects.count():,}")
    if vendor == "postgresql":
        print("\nPostgreSQL plans (EXPLAIN ANALYZE, steady state):")
        for label, qs in {
            "steps due soon": selection.steps_due_soon(later, Windows.at_instant(later).due_soon_until),
            "overdue steps": selection.steps_overdue(later, windows.since),
            "overdue dossiers": selection.dossiers_overdue(later, windows.since),
        }.items():
            sql, params = qs.order_by("step_due_at" if "steps" in label else "current_due_at", "id").values_list(
                "id", flat=True)[:10000].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, SUMMARY ON) " + sql, params)
                plan = [r[0] for r in cursor.fetchall()]
            nodes = [line.strip() for line in plan if "Scan" in line or "Execution Time" in line]
            print(f"  {label}:")
            for line in nodes[:6]:
                print(f"    {line[:150]}")


def count_ids(qs) -> dict:
    """The selection as the sweep runs it: the ids, in deadline order."""
    return {"count": len(list(qs.order_by("id").values_list("id", flat=True)))}


def timezone_now():
    from django.utils import timezone

    return timezone.now()


if __name__ == "__main__":
    main()
