"""Incremental aggregates of the dossier engine (bảng tổng hợp thống kê), kept exact by the engine's own events.

Three fact tables, each a sum over dossiers of what one dossier contributes (congso.stats.contributions):

- `ReceivedFact` — dated by the day a dossier was received (or submitted, when it was never received): the cohort
  the Decision 766 index counts ("dossiers received in the period") and its flags (online, digitised, …).
- `EndedFact` — dated by the day a dossier's handling ended (resolved, stopped, withdrawn, refused), by verdict
  (early / on time / late) and with what is known only at or after the end (e-result, rating, complaint).
- `DeadlineFact` — received dossiers that are open now or ended NOT on time, with the day their handling ended
  (9999-12-31 while open) and the day their appointment passes: what "in progress within / past the deadline at an
  instant" and the index's "open, appointment not passed at the as-of instant" need.

`DossierStatsState` keeps, per dossier, what it currently contributes, so a change is applied as a difference
(minus the old contribution, plus the new) in the same transaction as the action: the aggregates never drift.
Column names are a stable interface (the Decision 766 counting layer reads them): add columns, never rename.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

OPEN_END = dt.date(9999, 12, 31)  # end day of a dossier still open: after every as-of day
ALWAYS_WITHIN = dt.date(9999, 12, 31)  # deadline day of a dossier whose appointment cannot pass (waiting, no limit)
ALWAYS_OVERDUE = dt.date(1, 1, 1)  # deadline day of a dossier late whatever the date (second supplement request)


def _fk(model: str):
    # No database constraint and no index of their own: the composite indexes lead with the day or the agency,
    # and a fact row must survive (as history) whatever happens to the catalogue.
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             related_name="+")


class Counter(models.BigIntegerField):
    """A summed counter (may go through negative deltas, never stays negative when the aggregates are exact)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)


RECEIVED_COUNTERS = [
    "submitted", "received", "pending", "refused", "open", "ended", "on_time_final", "online_counted", "digitized",
    "reused", "data_store", "person", "person_linked", "eid_verified", "fee_due", "paid_online", "supplemented",
    "supplemented_twice", "apologized",
]
ENDED_COUNTERS = [
    "n", "received", "early", "on_time", "late", "not_applicable", "late_apology", "result_doc", "e_result", "rated",
    "rated_unsatisfied", "complained", "satisfied",
]
DEADLINE_COUNTERS = ["n"]


class ReceivedFact(models.Model):
    """Dossiers by the local day they were received (never-received ones: the day they were submitted)."""

    day = models.DateField()
    agency = _fk("org.Agency")  # the handling agency (responsible for the result)
    procedure = _fk("catalog.Procedure")
    channel = models.CharField(max_length=8)
    submitted = Counter()  # every dossier of the row
    received = Counter()  # received (accepted) — refused at intake and not-yet-accepted excluded
    pending = Counter()  # submitted online, not yet accepted nor refused
    refused = Counter()  # refused at intake (never received)
    open = Counter()  # received, handling not ended
    ended = Counter()  # received, handling ended (resolved, stopped, withdrawn)
    on_time_final = Counter()  # received, ended, verdict early or on time
    online_counted = Counter()  # received online; when the result is a document, only with an e-result
    digitized = Counter()  # received; ≥1 component, all digitised; an e-result when the result is a document
    reused = Counter()  # received; ≥1 component reused from digitised data
    data_store = Counter()  # received; a component from the data store or a result pushed to it
    person = Counter()  # received; the applicant is an individual
    person_linked = Counter()  # received; individual, e-ID-verified account or population-database reference
    eid_verified = Counter()  # received; submitted by an e-ID-verified account
    fee_due = Counter()  # received; non-zero fee due
    paid_online = Counter()  # received; non-zero fee due, paid online (national platform or provincial gateway)
    supplemented = Counter()  # received; ≥1 supplement request after receipt
    supplemented_twice = Counter()  # received; ≥2 supplement requests (late whatever the dates)
    apologized = Counter()  # received; ≥1 apology with a new appointment

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "agency", "procedure", "channel"],
                                               name="stats_received_key")]
        indexes = [models.Index(fields=["agency", "day"], name="stats_received_agency_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel}"


class EndedFact(models.Model):
    """Dossiers by the local day their handling ended, how it ended and the on-time verdict."""

    day = models.DateField()
    agency = _fk("org.Agency")
    procedure = _fk("catalog.Procedure")
    channel = models.CharField(max_length=8)
    ending = models.CharField(max_length=10)  # resolved (incl. returned) / stopped / withdrawn / refused
    n = Counter()
    received = Counter()  # the ended dossier had been received (all but refusals at intake)
    early = Counter()
    on_time = Counter()
    late = Counter()
    not_applicable = Counter()  # no appointment (a procedure without a time limit) or never received
    late_apology = Counter()  # late, with an apology (Mẫu 04) made before the appointment
    result_doc = Counter()  # resolved; the procedure's result is a document
    e_result = Counter()  # resolved; result is a document; ≥1 electronic result
    rated = Counter()  # the applicant rated the handling
    rated_unsatisfied = Counter()  # … as "not satisfied"
    complained = Counter()  # a complaint (feedback is_complaint) was made about the dossier
    satisfied = Counter()  # resolved; not late, no complaint, not rated "not satisfied" (766: dossier_satisfied)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "agency", "procedure", "channel", "ending"],
                                               name="stats_ended_key")]
        indexes = [models.Index(fields=["agency", "day"], name="stats_ended_agency_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel} {self.ending}"


class DeadlineFact(models.Model):
    """Received dossiers open now, or ended not on time: by received day, end day and the day the appointment
    passes (for judging "in progress within the deadline" at any instant)."""

    day = models.DateField()  # received
    agency = _fk("org.Agency")
    procedure = _fk("catalog.Procedure")
    channel = models.CharField(max_length=8)
    end_day = models.DateField()  # OPEN_END while open
    deadline_day = models.DateField()  # last day within the appointment; ALWAYS_WITHIN / ALWAYS_OVERDUE sentinels
    n = Counter()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["day", "agency", "procedure", "channel", "end_day", "deadline_day"], name="stats_deadline_key")]
        indexes = [
            models.Index(fields=["agency", "day"], name="stats_deadline_agency_day"),
            models.Index(fields=["end_day", "agency"], name="stats_deadline_end_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id} {self.channel} {self.end_day} {self.deadline_day}"


class ReceivedMonthFact(models.Model):
    """ReceivedFact summed by calendar month (`month` = its first day): a year's figures read ~30× fewer rows."""

    month = models.DateField()
    agency = _fk("org.Agency")
    procedure = _fk("catalog.Procedure")
    channel = models.CharField(max_length=8)
    locals().update({name: Counter() for name in RECEIVED_COUNTERS})

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "agency", "procedure", "channel"],
                                               name="stats_received_month_key")]
        indexes = [models.Index(fields=["agency", "month"], name="stats_received_agency_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id} {self.channel}"


class EndedMonthFact(models.Model):
    """EndedFact summed by calendar month of the end of handling."""

    month = models.DateField()
    agency = _fk("org.Agency")
    procedure = _fk("catalog.Procedure")
    channel = models.CharField(max_length=8)
    ending = models.CharField(max_length=10)
    locals().update({name: Counter() for name in ENDED_COUNTERS})

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "agency", "procedure", "channel", "ending"],
                                               name="stats_ended_month_key")]
        indexes = [models.Index(fields=["agency", "month"], name="stats_ended_agency_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id} {self.channel} {self.ending}"


class DossierStatsState(models.Model):
    """What one dossier contributes to the fact tables now, plus the flags that only some events change (cached
    here so an ordinary action reads one row by its key instead of the components, results and ratings)."""

    dossier_id = models.BigIntegerField(primary_key=True)
    contribution = models.JSONField(default=list)  # [[table, [key…], {counter: 1, …}], …]
    flags = models.JSONField(default=dict)  # components / results / rating / complaint flags (facts.CachedFlags)

    class Meta:
        verbose_name = "dossier statistics state"

    def __str__(self) -> str:
        return str(self.dossier_id)
