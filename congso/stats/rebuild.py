"""`congso stats rebuild` and `congso stats check`: the aggregates recounted from the dossier tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Min, Q

from congso.dossiers.models import Dossier
from congso.stats import maintain
from congso.stats.contributions import contribution, encode, merge_into
from congso.stats.facts import dossier_id_chunks, load_facts
from congso.stats.models import DossierStatsState
from congso.stats.queries import day_start, dossier_counts, recount_dossier_counts
from congso.stats.upsert import apply, read_all, truncate, with_months

CHUNK = 2000


def rebuild_all(progress=None) -> int:
    """Truncate and recount everything, chunk by chunk (each chunk one transaction). Returns the dossiers counted."""
    with transaction.atomic():
        truncate()
        DossierStatsState.objects.all().delete()
    done = 0
    for ids in dossier_id_chunks(Dossier.objects.all(), CHUNK):
        with transaction.atomic():
            loaded = load_facts(ids)
            total: dict = {}
            states = []
            for pk, f in loaded.items():
                part = contribution(f)
                merge_into(total, part)
                states.append(DossierStatsState(dossier_id=pk, contribution=encode(part), flags=f.flags.as_dict()))
            apply(total)
            DossierStatsState.objects.bulk_create(states, batch_size=1000)
        done += len(ids)
        if progress:
            progress(done)
    return done


def rebuild_range(start: dt.date, end: dt.date, progress=None) -> int:
    """Re-sync the dossiers submitted or received on the local days [start, end]."""
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    queryset = Dossier.objects.filter(Q(submitted_at__gte=lo, submitted_at__lt=hi) | Q(received_at__gte=lo,
                                                                                       received_at__lt=hi))
    done = 0
    for ids in dossier_id_chunks(queryset, CHUNK):
        maintain.resync(ids)
        done += len(ids)
        if progress:
            progress(done)
    return done


@dataclass
class CheckReport:
    dossiers: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def recount_all() -> tuple[dict, int]:
    total: dict = {}
    n = 0
    for ids in dossier_id_chunks(Dossier.objects.all(), CHUNK):
        for f in load_facts(ids).values():
            merge_into(total, contribution(f))
        n += len(ids)
    return {k: {c: v for c, v in counters.items() if v} for k, counters in total.items()}, n


def check(limit: int = 50, compare_counts: bool = True) -> CheckReport:
    """Compare the fact tables with a recount from the dossiers, row by row; then the 766 counts from the
    aggregates with the naive recount, for all agencies together, year by year."""
    expected, n = recount_all()
    expected = with_months({k: v for k, v in expected.items() if v})
    actual = read_all()
    report = CheckReport(dossiers=n, rows=len(actual))
    for key in sorted(set(expected) | set(actual), key=repr):
        if expected.get(key, {}) != actual.get(key, {}):
            report.differences.append(f"{_show(key)}: aggregates {actual.get(key, {})} ≠ recount {expected.get(key, {})}")
    if compare_counts:
        from congso.org.models import Agency

        agencies = list(Agency.objects.values_list("pk", flat=True))
        first = Dossier.objects.aggregate(first=Min("submitted_at"))["first"]
        if first is not None and agencies:
            from django.utils import timezone

            for year in range(timezone.localtime(first).year, timezone.localdate().year + 1):
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
                fast, slow = dossier_counts(agencies, start, end), recount_dossier_counts(agencies, start, end)
                if fast != slow:
                    report.differences.append(f"766 counts {year}: aggregates {fast.as_dict()} ≠ recount {slow.as_dict()}")
    del report.differences[limit:]
    return report


def _show(key) -> str:
    return " ".join(str(v) for v in key)
