"""Periodic recomputation over many dossiers (run by `congso beat` from issue 4 on, and by the demo generator)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from congso.dossiers.models import Dossier
from congso.dossiers.services.common import clock_state, now
from congso.dossiers.timeliness import judge

BATCH = 2000


def refresh_timeliness(as_of: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Re-judge every open dossier at `as_of` (default now); returns how many verdicts changed.

    Only `timeliness` and `timeliness_at` are written, with a conditional update per changed row, so a dossier that
    an officer changes meanwhile keeps the verdict its own action computed (the version must still match).
    """
    as_of = as_of or now()
    changed = 0
    last_id = 0
    fields = ["id", "version", "received_at", "due_at", "current_due_at", "finished_at", "waiting_seconds",
              "waiting_since", "supplement_count", "timeliness"]
    while True:
        rows = list(Dossier.objects.filter(finished_at__isnull=True, received_at__isnull=False, id__gt=last_id)
                    .order_by("id").only(*fields)[:batch])
        if not rows:
            return changed
        last_id = rows[-1].id
        with transaction.atomic():
            for dossier in rows:
                verdict = judge(clock_state(dossier), as_of)
                if verdict != dossier.timeliness:
                    changed += Dossier.objects.filter(pk=dossier.pk, version=dossier.version).update(
                        timeliness=verdict, timeliness_at=as_of)
