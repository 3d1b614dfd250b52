"""Apply counter deltas to the fact tables with one UPSERT per table:
INSERT … ON CONFLICT (key) DO UPDATE SET c = c + excluded.c — the same statement on SQLite and PostgreSQL.

Rows are written in key order, so two transactions touching the same rows lock them in the same order (no
deadlock between concurrent actions).
"""

from __future__ import annotations

from django.db import connection

from congso.stats.models import (
    DEADLINE_COUNTERS,
    ENDED_COUNTERS,
    RECEIVED_COUNTERS,
    DeadlineFact,
    EndedFact,
    EndedMonthFact,
    ReceivedFact,
    ReceivedMonthFact,
)

TABLES = {
    "received": (ReceivedFact, ["day", "agency_id", "procedure_id", "channel"], RECEIVED_COUNTERS),
    "ended": (EndedFact, ["day", "agency_id", "procedure_id", "channel", "ending"], ENDED_COUNTERS),
    "received_month": (ReceivedMonthFact, ["month", "agency_id", "procedure_id", "channel"], RECEIVED_COUNTERS),
    "ended_month": (EndedMonthFact, ["month", "agency_id", "procedure_id", "channel", "ending"], ENDED_COUNTERS),
    "deadline": (DeadlineFact, ["day", "agency_id", "procedure_id", "channel", "end_day", "deadline_day"],
                 DEADLINE_COUNTERS),
}
BATCH = 500
# The order in which a transaction touches the tables. One engine transaction may apply several deltas (creation
# then acceptance at the desk): the first touches only the received tables, the later ones those again and then
# the others. Keeping "received" first means every transaction takes its row locks in one global order, so two
# intakes at once never deadlock (PostgreSQL did, with alphabetical order: deadline before received).
TABLE_ORDER = {"received": 0, "received_month": 1, "deadline": 2, "ended": 3, "ended_month": 4}


def with_months(delta: dict[tuple, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """The daily rows plus their monthly roll-ups (received_month, ended_month), summed."""
    result = {key: dict(counters) for key, counters in delta.items()}
    for key, counters in delta.items():
        if key[0] in ("received", "ended"):
            month_key = (f"{key[0]}_month", key[1].replace(day=1), *key[2:])
            row = result.setdefault(month_key, {})
            for name, value in counters.items():
                row[name] = row.get(name, 0) + value
    return {k: {c: v for c, v in counters.items() if v} for k, counters in result.items()
            if any(counters.values())}


def apply(delta: dict[tuple, dict[str, int]], using=None) -> None:
    """Add `delta` ({(table, key…): {counter: n}}, daily keys) to the fact tables and their monthly roll-ups."""
    if not delta:
        return
    delta = with_months(delta)
    by_table: dict[str, list] = {}
    for key in sorted(delta, key=lambda k: (TABLE_ORDER[k[0]], tuple(str(v) for v in k[1:]))):
        by_table.setdefault(key[0], []).append((key[1:], delta[key]))
    with connection.cursor() as cursor:
        for table, rows in by_table.items():
            model, keys, counters = TABLES[table]
            sql = _statement(model, keys, counters)
            params = [list(key) + [row.get(c, 0) for c in counters] for key, row in rows]
            for start in range(0, len(params), BATCH):
                chunk = params[start:start + BATCH]
                cursor.execute(_values_sql(sql, len(keys) + len(counters), len(chunk)),
                               [value for row in chunk for value in row])


_CACHE: dict = {}


def _statement(model, keys, counters):
    cached = _CACHE.get(model)
    if cached is None:
        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in keys + counters)
        updates = ", ".join(f"{qn(c)} = {qn(model._meta.db_table)}.{qn(c)} + excluded.{qn(c)}" for c in counters)
        cached = (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {{values}} "
                  f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}")
        _CACHE[model] = cached
    return cached


def _values_sql(template: str, width: int, rows: int) -> str:
    one = "(" + ", ".join(["%s"] * width) + ")"
    return template.format(values=", ".join([one] * rows))


def read_all() -> dict[tuple, dict[str, int]]:
    """The fact tables as {(table, key…): {counter: n}} without zero counters (for `stats check`)."""
    result = {}
    for table, (model, keys, counters) in TABLES.items():
        for row in model.objects.values_list(*keys, *counters).iterator(chunk_size=5000):
            values = {c: v for c, v in zip(counters, row[len(keys):], strict=True) if v}
            if values:
                result[(table, *row[:len(keys)])] = values
    return result


def truncate() -> None:
    for model, _keys, _counters in TABLES.values():
        model.objects.all().delete()
