"""What one dossier contributes to the fact tables — a pure function of its facts (no database access).

The incremental path (an action's event, a rating, a complaint), `congso stats rebuild` and `congso stats check` all
call `contribution()`, so the three agree by construction; the naive recount in congso.stats.queries is written
independently against the dossier tables and must give the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from congso.dossiers.choices import PaymentMethod, Status, Timeliness
from congso.stats.models import ALWAYS_OVERDUE, ALWAYS_WITHIN, OPEN_END

ON_TIME = (Timeliness.EARLY, Timeliness.ON_TIME)
ONLINE_METHODS = (PaymentMethod.NATIONAL_PLATFORM, PaymentMethod.LOCAL_GATEWAY)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(zone()).date()


@dataclass
class CachedFlags:
    """Facts about a dossier's child rows, read only by the events that can change them."""

    components: int = 0
    all_digitized: bool = False
    any_reused: bool = False
    any_from_store: bool = False
    result_is_document: bool = True
    e_result: bool = False  # ≥1 electronic result document
    pushed: bool = False  # ≥1 result pushed to the applicant's data store
    rating: bool | None = None  # None: not rated; True: satisfied; False: not satisfied
    complained: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict | None) -> CachedFlags:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class DossierFacts:
    agency_id: int  # handling agency
    procedure_id: int
    channel: str
    status: int
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    finished_at: dt.datetime | None
    resolved_at: dt.datetime | None
    timeliness: str
    due_at: dt.datetime | None
    current_due_at: dt.datetime | None
    waiting_seconds: int
    waiting_since: dt.datetime | None
    supplement_count: int
    extension_count: int
    applicant_kind: str
    eid_verified: bool
    population_linked: bool
    fee_due: int
    payment_method: int | None
    flags: CachedFlags = field(default_factory=CachedFlags)


def facts_of(dossier, flags: CachedFlags) -> DossierFacts:
    """The facts of a Dossier instance (in memory: during an action, before the row is saved)."""
    return DossierFacts(
        agency_id=dossier.handling_agency_id, procedure_id=dossier.procedure_id, channel=dossier.channel,
        status=int(dossier.status), submitted_at=dossier.submitted_at, received_at=dossier.received_at,
        finished_at=dossier.finished_at, resolved_at=dossier.resolved_at, timeliness=str(dossier.timeliness),
        due_at=dossier.due_at, current_due_at=dossier.current_due_at, waiting_seconds=dossier.waiting_seconds or 0,
        waiting_since=dossier.waiting_since, supplement_count=dossier.supplement_count or 0,
        extension_count=dossier.extension_count or 0, applicant_kind=dossier.applicant_kind,
        eid_verified=bool(dossier.eid_verified), population_linked=bool(dossier.population_data_refs),
        fee_due=dossier.fee_due or 0, payment_method=dossier.payment_method, flags=flags,
    )


def ending_of(f: DossierFacts) -> str | None:
    """How the handling ended: resolved (also once returned), refused at intake, withdrawn, stopped; None if open."""
    if f.finished_at is None:
        return None
    if f.resolved_at is not None:
        return "resolved"
    if f.status == Status.REFUSED:
        return "refused"
    if f.status == Status.WITHDRAWN:
        return "withdrawn"
    return "stopped"


def deadline_day(f: DossierFacts) -> dt.date:
    """The last local day on which the dossier, if open, counts as within its deadline (calendar.md §5–6, judged by
    day): a second supplement request makes it overdue whatever the date; a dossier waiting for the applicant is
    within if it was within when the wait began; otherwise its current appointment (moved by the clock stops)."""
    if f.supplement_count >= 2:
        return ALWAYS_OVERDUE
    if f.due_at is None:
        return ALWAYS_WITHIN
    if f.waiting_since is not None and f.waiting_since - dt.timedelta(seconds=f.waiting_seconds) <= f.due_at:
        return ALWAYS_WITHIN
    return local_day(f.current_due_at or f.due_at)


def contribution(f: DossierFacts) -> dict[tuple, dict[str, int]]:
    """{(table, key…): {counter: value}} — what this dossier adds to the fact tables now."""
    received = f.received_at is not None
    ending = ending_of(f)
    ended = ending is not None
    on_time_final = ended and received and f.timeliness in ON_TIME
    flags = f.flags
    e_result_ok = (not flags.result_is_document) or flags.e_result
    person = f.applicant_kind == "person"
    day = local_day(f.received_at if received else f.submitted_at)
    base = (f.agency_id, f.procedure_id, f.channel)
    result: dict[tuple, dict[str, int]] = {}

    r = {"submitted": 1}
    if not received:
        r["refused" if f.status == Status.REFUSED else "pending"] = int(f.status in (Status.REFUSED, Status.NEW))
    else:
        r.update(
            received=1, open=int(not ended), ended=int(ended), on_time_final=int(on_time_final),
            online_counted=int(f.channel == "online" and e_result_ok),
            digitized=int(flags.components > 0 and flags.all_digitized and e_result_ok),
            reused=int(flags.any_reused), data_store=int(flags.any_from_store or flags.pushed),
            person=int(person), person_linked=int(person and (f.eid_verified or f.population_linked)),
            eid_verified=int(f.eid_verified), fee_due=int(f.fee_due > 0),
            paid_online=int(f.fee_due > 0 and f.payment_method in ONLINE_METHODS),
            supplemented=int(f.supplement_count >= 1), supplemented_twice=int(f.supplement_count >= 2),
            apologized=int(f.extension_count >= 1),
        )
    result[("received", day, *base)] = _nonzero(r)

    if ended:
        verdict = f.timeliness if received else Timeliness.NOT_APPLICABLE
        resolved = ending == "resolved"
        late = verdict == Timeliness.LATE
        e = {
            "n": 1, "received": int(received), "early": int(verdict == Timeliness.EARLY),
            "on_time": int(verdict == Timeliness.ON_TIME), "late": int(late),
            "not_applicable": int(verdict not in (Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE)),
            "late_apology": int(late and f.extension_count >= 1),
            "result_doc": int(resolved and flags.result_is_document),
            "e_result": int(resolved and flags.result_is_document and flags.e_result),
            "rated": int(flags.rating is not None), "rated_unsatisfied": int(flags.rating is False),
            "complained": int(flags.complained),
            "satisfied": int(resolved and not late and not flags.complained and flags.rating is not False),
        }
        result[("ended", local_day(f.finished_at), *base, ending)] = _nonzero(e)

    if received and not on_time_final:
        end_day = local_day(f.finished_at) if ended else OPEN_END
        result[("deadline", day, *base, end_day, deadline_day(f))] = {"n": 1}
    return result


def _nonzero(counters: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counters.items() if v}


def difference(old: dict[tuple, dict[str, int]], new: dict[tuple, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """new − old, per key and counter, without zero entries."""
    delta: dict[tuple, dict[str, int]] = {}
    for key in set(old) | set(new):
        counters = {}
        before, after = old.get(key, {}), new.get(key, {})
        for name in set(before) | set(after):
            value = after.get(name, 0) - before.get(name, 0)
            if value:
                counters[name] = value
        if counters:
            delta[key] = counters
    return delta


def merge_into(total: dict[tuple, dict[str, int]], part: dict[tuple, dict[str, int]]) -> None:
    for key, counters in part.items():
        row = total.setdefault(key, {})
        for name, value in counters.items():
            row[name] = row.get(name, 0) + value


def encode(contrib: dict[tuple, dict[str, int]]) -> list:
    """JSON form for DossierStatsState.contribution (dates as ISO strings)."""
    return [[key[0], [v.isoformat() if isinstance(v, dt.date) else v for v in key[1:]], counters]
            for key, counters in sorted(contrib.items(), key=lambda kv: repr(kv[0]))]


_DATE_POSITIONS = {"received": (0,), "ended": (0,), "deadline": (0, 4, 5)}


def decode(data: list) -> dict[tuple, dict[str, int]]:
    result = {}
    for table, key, counters in data or []:
        values = list(key)
        for position in _DATE_POSITIONS[table]:
            values[position] = dt.date.fromisoformat(values[position])
        result[(table, *values)] = dict(counters)
    return result
